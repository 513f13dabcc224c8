#!/bin/sh
# cvm-fde initqueue/online hook: start the FDE agent once, in the background. Also installed as
# /usr/lib/cvm-fde/start-agent, which the pull-mode pre-trigger hook queues as the first initqueue
# job with "pull-early" as $1 (then the agent starts before the network is up).
# Sourced by dracut-initqueue with the interface name in $1, after the interface has an
# address. The initqueue waits while a hook runs, so the agent must not run in the
# foreground. Its exit status goes to /run/cvm-fde/status and its subshell's pid to
# /run/cvm-fde/pid; the finished/settled/timeout hooks act on them (any status but 0, or a
# subshell gone without a status, powers the guest off). Only shell built-ins, mkdir, mv and
# the agent are used here (plus grep, blkid, mount, cp and umount for the simulated TEE below).
if [ ! -e /run/cvm-fde/started ]; then
    mkdir -p /run/cvm-fde
    : > /run/cvm-fde/started
    # Simulated TEE only (development, the boot test): the image builder puts the predicted event
    # log on the clear boot partition as cvm-fde/simulated-ccel.bin (a test may add
    # cvm-fde/simulated-identity/); copy cvm-fde/ to /run/cvm-fde/, where the agent looks for
    # them when agent.json names no files. Never done for a real TEE (tsm, virtcca).
    if grep -q '"provider" *: *"simulated"' /etc/cvm-fde/agent.json 2> /dev/null; then
        mkdir -p /run/cvm-fde/boot
        for cvmfde_dev in $(blkid -t TYPE=vfat -o device 2> /dev/null); do
            if mount -t vfat -o ro "$cvmfde_dev" /run/cvm-fde/boot 2> /dev/null; then
                if [ -f /run/cvm-fde/boot/cvm-fde/simulated-ccel.bin ]; then
                    echo "cvm-fde: simulated TEE: copying cvm-fde/ from the boot partition $cvmfde_dev" > /dev/console
                    (umask 077 && cp -r /run/cvm-fde/boot/cvm-fde/. /run/cvm-fde/)
                fi
                umount /run/cvm-fde/boot
            fi
        done
    fi
    read -r cvmfde_up _ < /proc/uptime
    if [ "${1:-}" = pull-early ]; then
        echo "cvm-fde: pull mode: starting the FDE agent while the network comes up (uptime ${cvmfde_up}s)" > /dev/console
    else
        echo "cvm-fde: network is up on ${1:-?}; starting the FDE agent (uptime ${cvmfde_up}s)" > /dev/console
    fi
    (
        /usr/lib/cvm-fde/runtime/bin/fde-agent --config /etc/cvm-fde/agent.json
        cvmfde_rc=$?
        echo "$cvmfde_rc" > /run/cvm-fde/status.tmp
        # the finished hook must never read a half-written status: rename into place
        mv -f /run/cvm-fde/status.tmp /run/cvm-fde/status 2> /dev/null || echo "$cvmfde_rc" > /run/cvm-fde/status
    ) < /dev/null > /dev/console 2>&1 &
    echo "$!" > /run/cvm-fde/pid
fi
