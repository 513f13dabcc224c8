#!/bin/sh
# cvm-fde initqueue/online hook: start the FDE agent once, in the background.
# Sourced by dracut-initqueue with the interface name in $1, after the interface has an
# address. The initqueue waits while a hook runs, so the agent must not run in the
# foreground. Its exit status goes to /run/cvm-fde/status; the finished/settled/timeout
# hooks act on it. Only shell built-ins, mkdir and the agent are used here.
if [ ! -e /run/cvm-fde/started ]; then
    mkdir -p /run/cvm-fde
    : > /run/cvm-fde/started
    echo "cvm-fde: network is up on ${1:-?}; starting the FDE agent" > /dev/console
    (
        /usr/lib/cvm-fde/runtime/bin/fde-agent --config /etc/cvm-fde/agent.json
        cvmfde_rc=$?
        echo "$cvmfde_rc" > /run/cvm-fde/status.tmp
        # the finished hook must never read a half-written status: rename into place
        mv -f /run/cvm-fde/status.tmp /run/cvm-fde/status 2> /dev/null || echo "$cvmfde_rc" > /run/cvm-fde/status
    ) < /dev/null > /dev/console 2>&1 &
fi
