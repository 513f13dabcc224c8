#!/bin/bash
# dracut module 90cvmfde: the cvm-fde agent that unlocks the LUKS root after attestation.
# Include it explicitly (dracut -a cvmfde); it installs:
#   - the agent runtime (jlink'd Java + jars + launcher) from $CVMFDE_RUNTIME
#     (default /usr/lib/cvm-fde/runtime, as made by tools/guest-runtime/build.sh),
#   - its configuration and pinned verifier key from $CVMFDE_CONFIG_DIR (default /etc/cvm-fde),
#   - cryptsetup, dmsetup and dm_crypt, and the initqueue hooks,
#   - no shell, ever: /usr/lib/cvm-fde/poweroff (the settled/timeout hooks run it when the agent
#     fails or never starts), an emergency hook that runs it before dracut could open a shell,
#     and a drop-in that turns systemd's debug-shell.service into it.
# Boot with rd.neednet=1 ip=dhcp root=/dev/mapper/encroot rd.shell=0 rd.emergency=poweroff and
# no rd.luks.* parameters (image-builder writes exactly that).

cvmfde_runtime() {
    echo "${CVMFDE_RUNTIME:-/usr/lib/cvm-fde/runtime}"
}

cvmfde_config_dir() {
    echo "${CVMFDE_CONFIG_DIR:-/etc/cvm-fde}"
}

check() {
    require_binaries cryptsetup dmsetup || return 1
    if [ ! -x "$(cvmfde_runtime)/bin/fde-agent" ]; then
        derror "cvmfde: no agent runtime at $(cvmfde_runtime) (build it with tools/guest-runtime/build.sh, or set CVMFDE_RUNTIME)"
        return 1
    fi
    if [ ! -r "$(cvmfde_config_dir)/agent.json" ]; then
        derror "cvmfde: no $(cvmfde_config_dir)/agent.json (the image builder writes it; or set CVMFDE_CONFIG_DIR)"
        return 1
    fi
    # only when asked for (-a cvmfde / add_dracutmodules+=" cvmfde ")
    return 255
}

depends() {
    echo network dm
    return 0
}

installkernel() {
    hostonly='' instmods dm_crypt =crypto
    # the simulated TEE's files on the boot partition (cvmfde-online.sh); optional
    hostonly='' instmods vfat nls_cp437 nls_ascii nls_utf8
}

# shellcheck disable=SC2154 # moddir is set by dracut
install() {
    local rt cfg f rel
    rt=$(cvmfde_runtime)
    cfg=$(cvmfde_config_dir)
    # dmsetup: the agent reads the mapping back (dmsetup table --showkeys) to check the volume key
    inst_multiple cryptsetup dmsetup mkdir mv sleep
    inst_multiple -o grep blkid mount umount cp systemctl poweroff
    while IFS= read -r -d '' f; do
        rel=${f#"$rt"/}
        inst_simple "$f" "/usr/lib/cvm-fde/runtime/$rel"
    done < <(find "$rt" \( -type f -o -type l \) -print0)
    while IFS= read -r -d '' f; do
        inst_simple "$f" "/etc/cvm-fde/${f#"$cfg"/}"
    done < <(find "$cfg" -maxdepth 1 -type f -print0)
    inst_hook initqueue/online 90 "$moddir/cvmfde-online.sh"
    inst_script "$moddir/cvmfde-online.sh" /usr/lib/cvm-fde/start-agent
    inst_hook pre-trigger 90 "$moddir/cvmfde-pull-early.sh"
    inst_hook initqueue/finished 90 "$moddir/cvmfde-finished.sh"
    inst_hook initqueue/settled 90 "$moddir/cvmfde-settled.sh"
    inst_hook initqueue/timeout 90 "$moddir/cvmfde-timeout.sh"
    inst_script "$moddir/cvmfde-poweroff.sh" /usr/lib/cvm-fde/poweroff
    inst_hook emergency 00 "$moddir/cvmfde-emergency.sh"
    inst_simple "$moddir/cvmfde-no-debug-shell.conf" /etc/systemd/system/debug-shell.service.d/90-cvmfde.conf
}
