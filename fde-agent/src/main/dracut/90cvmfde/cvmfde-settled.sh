#!/bin/sh
# cvm-fde initqueue/settled hook (runs on every initqueue pass): when the agent has ended with
# any status but 0 (gave up, failed, crashed, was killed), say why and power the guest off.
# Never continues without the key and never starts a shell.
if [ -e /run/cvm-fde/status ]; then
    cvmfde_st=
    read -r cvmfde_st < /run/cvm-fde/status
    if [ "$cvmfde_st" != 0 ]; then
        case "$cvmfde_st" in
            4) cvmfde_why="no verifier released a working key in time" ;;
            5) cvmfde_why="the network never got a usable address" ;;
            6) cvmfde_why="the root LUKS volume was not found by its UUID" ;;
            *) cvmfde_why="the agent failed (see its messages above)" ;;
        esac
        /usr/lib/cvm-fde/poweroff "$cvmfde_why (fde-agent exit status ${cvmfde_st:-unknown})"
    fi
fi
