#!/bin/sh
# cvm-fde initqueue/settled hook (runs on every initqueue pass): when the agent has failed,
# say why and drop to dracut's emergency shell, once. Never continues without the key.
if [ -e /run/cvm-fde/status ] && [ ! -e /run/cvm-fde/reported ]; then
    read -r cvmfde_st < /run/cvm-fde/status
    if [ -n "$cvmfde_st" ] && [ "$cvmfde_st" != 0 ]; then
        : > /run/cvm-fde/reported
        case "$cvmfde_st" in
            4) cvmfde_why="no verifier released a working key in time" ;;
            5) cvmfde_why="the network never got a usable address" ;;
            6) cvmfde_why="the root LUKS volume was not found by its UUID" ;;
            *) cvmfde_why="the agent failed (see its messages above)" ;;
        esac
        echo "cvm-fde: ROOT STAYS LOCKED: $cvmfde_why (fde-agent exit status $cvmfde_st)" > /dev/console
        emergency_shell -n cvm-fde "cvm-fde: $cvmfde_why. To retry: rm /run/cvm-fde/started /run/cvm-fde/status /run/cvm-fde/reported and exit; after unlocking by hand: echo 0 > /run/cvm-fde/status"
    fi
fi
