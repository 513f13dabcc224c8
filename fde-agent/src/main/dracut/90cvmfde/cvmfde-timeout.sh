#!/bin/sh
# cvm-fde initqueue/timeout hook (dracut runs these after 2/3 of rd.retry): while the agent is
# still running (its own waits are bounded by its configuration), keep the initqueue alive by
# queueing work. If the agent process is gone without an exit status, or the network never came
# online so the agent never started, power the guest off.
if [ -e /run/cvm-fde/started ]; then
    if [ ! -e /run/cvm-fde/status ]; then
        cvmfde_pid=
        [ -e /run/cvm-fde/pid ] && read -r cvmfde_pid < /run/cvm-fde/pid
        # the status is written before the agent's subshell ends: look again after kill -0
        if [ -n "$cvmfde_pid" ] && ! kill -0 "$cvmfde_pid" 2> /dev/null && [ ! -e /run/cvm-fde/status ]; then
            /usr/lib/cvm-fde/poweroff "the FDE agent ended without an exit status"
        fi
        echo "cvm-fde: the FDE agent is still waiting for the verifier" > /dev/console
        # shellcheck disable=SC2154 # hookdir is set by dracut-lib.sh
        : > "$hookdir/initqueue/work"
    fi
else
    /usr/lib/cvm-fde/poweroff "the network did not come online (no initqueue/online event), so the FDE agent was not started (check ip=dhcp rd.neednet=1 and the NIC driver)"
fi
