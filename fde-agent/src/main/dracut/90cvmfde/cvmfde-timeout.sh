#!/bin/sh
# cvm-fde initqueue/timeout hook (dracut runs these after 2/3 of rd.retry): while the agent is
# still waiting (its own waits are bounded by its configuration), keep the initqueue alive by
# queueing work; if the network never came online, the agent never started: say so.
if [ -e /run/cvm-fde/started ]; then
    if [ ! -e /run/cvm-fde/status ]; then
        echo "cvm-fde: the FDE agent is still waiting for the verifier" > /dev/console
        # shellcheck disable=SC2154 # hookdir is set by dracut-lib.sh
        : > "$hookdir/initqueue/work"
    fi
else
    echo "cvm-fde: the network did not come online (no initqueue/online event), so the FDE agent was not started; the root stays locked. Check ip=dhcp rd.neednet=1 and the NIC driver." > /dev/console
fi
