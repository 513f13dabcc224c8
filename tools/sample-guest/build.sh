#!/usr/bin/env bash
# Build a small sample guest disk from Debian packages, rootless (file tools only).
#
#   tools/sample-guest/build.sh [--arch ARCH] [--layout LAYOUT] OUTDIR
#
# ARCH: x86_64 (default; Debian bookworm's kernel and the host's dracut) or arm64 (aarch64, the
# virtCCA platform: Debian trixie's arm64 kernel, stored gzip'd as Ubuntu's arm64 kernels are, so
# hash.json's digest of the decompressed Image is exercised; the initramfs is made by trixie's
# arm64 dracut in an arm64 build root run through qemu-user-static; needs root for the chroot and
# binfmt_misc; layout default only).
#
# Produces OUTDIR/guest.qcow2, OUTDIR/boot.cmdline and OUTDIR/manifest.json. LAYOUT (the
# partition layouts of real cloud images; see docs/boot-chain.md and image-builder/README.md):
#   default       GPT: p1 vfat ESP holding grub EFI, grub/grub.cfg, vmlinuz-V, initrd.img-V;
#                 p2 ext4 root with a busybox marker init
#   ext4-boot     GPT: p1 vfat ESP (grub EFI only), p2 ext4 root (type root-x86-64, NOT the
#                 last partition), p3 ext4 /boot (type XBOOTLDR: grub.cfg, kernel, initramfs)
#   debian-cloud  GPT as Debian's cloud images: p14 BIOS boot, p15 vfat ESP (grub EFI and the
#                 EFI/debian/grub.cfg stub), p1 ext4 root (Linux data) with /boot inside it;
#                 fstab names the root by PARTUUID
#   bls           GPT as Fedora/RHEL/openEuler: p1 vfat ESP, p2 ext4 /boot (Linux data) with
#                 grub.cfg running blscfg and loader/entries/*.conf, initramfs-V.img; p3 root
#   mbr           MBR: p1 vfat boot (0x0c, bootable) as the default layout's ESP, p2 ext4 root (0x83)
#
# Environment (all optional):
#   XDG_CACHE_HOME          cache root (default ~/.cache); we use $XDG_CACHE_HOME/cvm-fde
#   CVMFDE_KERNEL_PKG       kernel package (default: what linux-image-amd64 depends on)
#   CVMFDE_ROOT_UUID        ext4 root filesystem UUID (default fixed, see below)
#   CVMFDE_SKIP_GRUB=1      do not build/install grub EFI (direct kernel boot only)
#   CVMFDE_EFI_LOADER       grub-mkimage (default: an unsigned grub built here, config grub/grub.cfg)
#                           or shim: Debian's signed shim + grub (shim-signed, grub-efi-amd64-signed)
#                           as EFI/BOOT/BOOTX64.EFI + EFI/BOOT/grubx64.efi, config EFI/debian/grub.cfg
#                           (the signed grub's prefix), for the UEFI + vTPM boot (boot-test/uefi-tpm.sh)
#   CVMFDE_EXTRA_CMDLINE    appended to the kernel command line
#   SOURCE_DATE_EPOCH       timestamp for all files (default fixed)
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cvm-fde
DEBS=$CACHE/debs
EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
ROOT_UUID=${CVMFDE_ROOT_UUID:-3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}
BOOT_SERIAL=CF0E1234            # vfat volume id, shown by blkid as CF0E-1234
BOOT_FS_UUID=${BOOT_SERIAL:0:4}-${BOOT_SERIAL:4:4}
DISK_GUID=6c7f3a52-1d2e-4b8a-9c3d-7e5f6a1b2c3d
P1_GUID=a1b2c3d4-0001-4e5f-8a9b-c1d2e3f4a5b6
P2_GUID=a1b2c3d4-0002-4e5f-8a9b-c1d2e3f4a5b6
EXTBOOT_UUID=7c1e5f3a-2b4d-4c6e-8f0a-1b2c3d4e5f60   # ext4 /boot (layouts ext4-boot, bls)
P3_GUID=a1b2c3d4-0003-4e5f-8a9b-c1d2e3f4a5b6
P14_GUID=a1b2c3d4-000e-4e5f-8a9b-c1d2e3f4a5b6
P15_GUID=a1b2c3d4-000f-4e5f-8a9b-c1d2e3f4a5b6
MBR_ID=0x6c7f3a52               # MBR disk identifier (layout mbr)
P1_MIB=256                      # boot: kernel + initramfs (+ room for an FDE initramfs)
P2_MIB=128                      # root: busybox + glibc, room to shrink for LUKS headers
START=$(date +%s)

log() { printf '[build %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}
LAYOUT=default ARCH=x86_64
while [[ ${1:-} == --layout || ${1:-} == --arch ]]; do
  case $1 in
    --layout) LAYOUT=${2:-}; shift 2 || usage ;;
    --arch) ARCH=${2:-}; shift 2 || usage ;;
  esac
done
case $ARCH in x86_64|amd64|x86-64) ARCH=x86_64 ;; arm64|aarch64) ARCH=arm64 ;; *) usage ;; esac
[[ $LAYOUT =~ ^(default|ext4-boot|debian-cloud|bls|mbr)$ ]] || usage
[[ $ARCH == x86_64 || $LAYOUT == default ]] || die "--arch arm64 is built with --layout default only"
[[ $# -eq 1 && $1 != -* ]] || usage
OUT=$1

# ---------------------------------------------------------------- tool check
need() { # need TOOL DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$1" >/dev/null 2>&1 \
    || missing+=("$1 (Debian package: $2)")
}
export PATH=$PATH:/usr/sbin:/sbin
missing=()
need apt-get apt; need dpkg-deb dpkg; need depmod kmod; need dracut "dracut + dracut-network"
need mke2fs e2fsprogs; need debugfs e2fsprogs; need sgdisk gdisk; need mformat mtools
need mcopy mtools; need mmd mtools; need qemu-img qemu-utils; need cpio cpio; need zstd zstd
need sha256sum coreutils; need cryptsetup cryptsetup-bin
[[ $LAYOUT == mbr ]] && need sfdisk fdisk
if [[ $ARCH == arm64 ]]; then
  need gzip gzip; need unshare util-linux; need chroot coreutils
  [[ -x /usr/libexec/qemu-binfmt/aarch64-binfmt-P || -x /usr/bin/qemu-aarch64-static ]] \
    || missing+=("qemu-aarch64-static (Debian package: qemu-user-static)")
fi
((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}"
[[ $ARCH == arm64 || -d /usr/lib/dracut/modules.d/35network-legacy ]] \
  || die "dracut network modules missing (Debian package: dracut-network)"
[[ $ARCH == x86_64 || $(id -u) == 0 ]] \
  || die "--arch arm64 runs trixie's arm64 dracut in a chroot through qemu-user-static: run as root"

mkdir -p "$OUT" "$DEBS"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=$EPOCH   # mtools uses it for new directory entries

# ---------------------------------------------------------------- debs (cached)
# fetch_deb PACKAGE -> prints path of the cached .deb; downloads only when absent.
FOREIGN_APT=$SELF_DIR/../packages/foreign-apt.sh
[[ $ARCH == arm64 ]] && { DEBS=$CACHE/debs/trixie-arm64; mkdir -p "$DEBS"; }
fetch_deb() {
  local pkg=$1 f
  f=$(ls "$DEBS/${pkg}_"*.deb 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z $f ]]; then
    log "downloading $pkg$([[ $ARCH == arm64 ]] && echo " (trixie arm64)")" >&2
    if [[ $ARCH == arm64 ]]; then
      "$FOREIGN_APT" --suite trixie --arch arm64 download "$DEBS" "$pkg" || die "downloading $pkg (trixie arm64) failed"
    else
      (cd "$DEBS" && apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null 2>"$WORK/apt.err") \
        || { cat "$WORK/apt.err" >&2; die "apt-get download $pkg failed (is the Debian archive reachable?)"; }
    fi
    f=$(ls "$DEBS/${pkg}_"*.deb | sort -V | tail -1)
  fi
  printf '%s\n' "$f"
}

if [[ -n ${CVMFDE_KERNEL_PKG:-} ]]; then
  KPKG=$CVMFDE_KERNEL_PKG
else
  DARCH=amd64; [[ $ARCH == arm64 ]] && DARCH=arm64
  META=$(fetch_deb "linux-image-$DARCH")
  KPKG=$(dpkg-deb -f "$META" Depends | tr ',' '\n' | sed 's/[ (].*//;s/^ *//' \
         | grep -m1 "^linux-image-.*-$DARCH\$") || die "cannot read kernel dependency of $META"
fi
KDEB=$(fetch_deb "$KPKG")
BBDEB=$(fetch_deb busybox-static)
LIBCDEB=$(fetch_deb libc6)
KVER=${KPKG#linux-image-}
log "kernel package $(basename "$KDEB") (version $KVER)"

# ---------------------------------------------------------------- kernel (cached)
KDIR=$CACHE/kernel/$(basename "$KDEB" .deb)
if [[ ! -f $KDIR/.done ]]; then
  log "extracting kernel + modules to $KDIR"
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  dpkg-deb -x "$KDEB" "$KDIR"
  # trixie's kernel packages are merged-/usr: modules under usr/lib/modules
  [[ -d $KDIR/lib/modules ]] || { mkdir -p "$KDIR/lib"; mv "$KDIR/usr/lib/modules" "$KDIR/lib/modules"; }
  depmod -b "$KDIR" "$KVER"
  touch "$KDIR/.done"
fi
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
[[ -f $VMLINUZ ]] || die "no $VMLINUZ in $KDEB"
if [[ $ARCH == arm64 ]]; then
  # Debian ships the arm64 kernel as a plain Image; Ubuntu (and the virtCCA guides' kernels) gzip it.
  # The gzip'd form is the one whose digest convention (hash.json: the decompressed Image) needs proof.
  if [[ ! -f $KDIR/vmlinuz-$KVER.gz ]]; then
    gzip -n -9 -c "$VMLINUZ" >"$KDIR/vmlinuz-$KVER.gz.tmp" && mv "$KDIR/vmlinuz-$KVER.gz.tmp" "$KDIR/vmlinuz-$KVER.gz"
  fi
  VMLINUZ=$KDIR/vmlinuz-$KVER.gz
fi

# ---------------------------------------------------------------- arm64 build root (cached)
# trixie's arm64 dracut, systemd, cryptsetup and grub, unpacked (dpkg-deb, no maintainer scripts)
# and run in a chroot through qemu-user-static: the initramfs gets arm64 programs and the glibc the
# guest runtime (tools/guest-runtime/build.sh --arch arm64, trixie's OpenJDK 25) was built against.
BUILDROOT_PKGS="dracut-core dracut-network systemd udev cryptsetup-bin kmod procps isc-dhcp-client
  bash dash coreutils util-linux mount libc-bin e2fsprogs sed grep findutils gzip zstd cpio
  base-files base-passwd grub-common grub-efi-arm64-bin"
in_buildroot() {   # in_buildroot OUTDIR COMMAND...: COMMAND in the build root, OUTDIR at /out, the kernel tree at /kmod
  unshare -m --propagation private -- bash -c '
    set -e; r=$1 o=$2 k=$3; shift 3
    mkdir -p "$r/out" "$r/kmod"
    mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; mount --rbind /sys "$r/sys"
    mount --bind "$o" "$r/out"; mount --bind "$k" "$r/kmod"
    exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$@"
  ' _ "$BROOT" "$1" "$KDIR" "${@:2}"
}
BROOT=""
if [[ $ARCH == arm64 ]]; then
  "$SELF_DIR/../packages/binfmt-arm64.sh" || die "arm64 programs cannot run here (qemu-user-static, binfmt_misc)"
  # the build root's mounts live in a private mount namespace and vanish with it; that needs / to be
  # a mount point (it is not in a plain chroot, where they would leak to the host's namespace)
  unshare -m --propagation private true 2>/dev/null || die "cannot make a private mount namespace" \
    "(unshare -m --propagation private: $(unshare -m --propagation private true 2>&1 | head -1)); in a" \
    "chroot, bind-mount its root onto itself first (mount --rbind DIR DIR), as systemd-nspawn does"
  BKEY=$(printf '%s\n' $BUILDROOT_PKGS | sha256sum | cut -c1-12)
  BROOT=$CACHE/buildroot/trixie-arm64-$BKEY
  if [[ ! -f $BROOT/.done ]]; then
    log "assembling the trixie arm64 build root in $BROOT (once; ~45 MB of packages)"
    rm -rf "$BROOT" "$BROOT.debs"; mkdir -p "$BROOT.debs" "$BROOT"/usr/{bin,sbin,lib}
    # shellcheck disable=SC2086  # a list of package names
    "$FOREIGN_APT" --suite trixie --arch arm64 closure "$BROOT.debs" $BUILDROOT_PKGS \
      || die "resolving the arm64 build root's packages failed"
    ln -s usr/bin "$BROOT/bin"; ln -s usr/sbin "$BROOT/sbin"; ln -s usr/lib "$BROOT/lib"
    for d in "$BROOT.debs"/*.deb; do
      dpkg-deb --fsys-tarfile "$d" | tar -x -C "$BROOT" --keep-directory-symlink || die "unpacking $d failed"
    done
    mkdir -p "$BROOT"/{proc,sys,dev,run,tmp,root,var/tmp,etc}; chmod 1777 "$BROOT/tmp" "$BROOT/var/tmp"
    cp "$BROOT/usr/share/base-passwd/passwd.master" "$BROOT/etc/passwd"
    cp "$BROOT/usr/share/base-passwd/group.master" "$BROOT/etc/group"
    # what maintainer scripts would have made: the alternatives dracut's modules look for
    [[ -e $BROOT/usr/bin/awk ]] || ln -s mawk "$BROOT/usr/bin/awk"
    chroot "$BROOT" /sbin/ldconfig || die "ldconfig in the arm64 build root failed (qemu-user-static?)"
    rm -rf "$BROOT.debs"; touch "$BROOT/.done"
  fi
  [[ -d $BROOT/usr/lib/dracut/modules.d/35network-legacy ]] || die "trixie's dracut has no network-legacy module"
  [[ -e $BROOT/usr/bin/awk ]] || ln -s mawk "$BROOT/usr/bin/awk"
fi

# ---------------------------------------------------------------- initramfs (cached)
DRACUT_MODULES="systemd systemd-initrd dracut-systemd base fs-lib rootfs-block udev-rules
  crypt dm network network-legacy qemu qemu-net shutdown"
DRACUT_DRIVERS="virtio_blk virtio_pci virtio_net virtio_scsi virtio_rng ext4 vfat nls_cp437
  nls_ascii dm_mod dm_crypt"
DRACUT_OMIT="/drivers/net/ethernet/.* /drivers/net/phy/.* /drivers/net/usb/.*
  /drivers/net/wan/.* /drivers/net/team/.*"
dracut_args=(--conf /dev/null --confdir "$WORK/empty.conf.d" --no-hostonly --reproducible
  --no-early-microcode --force --kver "$KVER" --kmoddir "$KDIR/lib/modules/$KVER"
  -m "$(echo $DRACUT_MODULES)" --add-drivers "$(echo $DRACUT_DRIVERS)"
  --omit-drivers "$(echo $DRACUT_OMIT)" --install cryptsetup --compress zstd)
if [[ $ARCH == arm64 ]]; then
  tool_versions="arm64 $BKEY $(cat "$BROOT/usr/lib/dracut/dracut-version.sh" 2>/dev/null)"
else
  tool_versions=$(dpkg-query -W dracut dracut-core dracut-network cryptsetup-bin systemd udev \
    isc-dhcp-client 2>/dev/null || true)
fi
IKEY=$(printf '%s\n' "$(basename "$KDEB")" "${dracut_args[*]}" "$tool_versions" \
       | sed "s|$WORK|WORK|g;s|$CACHE|CACHE|g" | sha256sum | cut -c1-16)
INITRD=$CACHE/initrd/initrd.img-$KVER-$IKEY
if [[ ! -f $INITRD ]]; then
  log "generating initramfs with dracut (about 30 s; cached afterwards)"
  mkdir -p "$CACHE/initrd" "$WORK/empty.conf.d" "$WORK/dracut-tmp"
  if [[ $ARCH == arm64 ]]; then
    log "(arm64: dracut runs under qemu-user-static, a few minutes)"
    mkdir -p "$WORK/dracut-out/tmp" "$WORK/dracut-out/conf.d"
    chroot_args=("${dracut_args[@]}")
    for i in "${!chroot_args[@]}"; do
      case ${chroot_args[$i]} in
        "$WORK/empty.conf.d") chroot_args[i]=/out/conf.d ;;
        "$KDIR/lib/modules/$KVER") chroot_args[i]=/kmod/lib/modules/$KVER ;;
      esac
    done
    in_buildroot "$WORK/dracut-out" dracut --tmpdir /out/tmp "${chroot_args[@]}" /out/initrd.img \
      >"$WORK/dracut.log" 2>&1 || { tail -30 "$WORK/dracut.log" >&2; die "dracut (arm64 build root) failed"; }
    mv "$WORK/dracut-out/initrd.img" "$WORK/initrd.img"
  else
    dracut --tmpdir "$WORK/dracut-tmp" "${dracut_args[@]}" "$WORK/initrd.img" \
      >"$WORK/dracut.log" 2>&1 || { tail -30 "$WORK/dracut.log" >&2; die "dracut failed"; }
  fi
  mv "$WORK/initrd.img" "$INITRD"
else
  log "initramfs cached: $INITRD"
fi

# ---------------------------------------------------------------- grub EFI (cached)
GRUB_MODULES="part_gpt fat ext2 search search_fs_uuid normal configfile linux echo serial
  terminal test sleep gzio zstd efi_gop all_video"
EFI="" SHIM="" GRUB_CFG_DIR=grub EFI_NAME=BOOTX64.EFI
[[ $ARCH == arm64 ]] && EFI_NAME=BOOTAA64.EFI
LOADER=${CVMFDE_EFI_LOADER:-grub-mkimage}
[[ $LOADER =~ ^(grub-mkimage|shim)$ ]] || die "CVMFDE_EFI_LOADER=$LOADER: grub-mkimage or shim"
[[ $LOADER == grub-mkimage || $ARCH == x86_64 ]] || die "CVMFDE_EFI_LOADER=shim is built for x86_64 only"
[[ $LOADER == grub-mkimage || $LAYOUT == default ]] || die "CVMFDE_EFI_LOADER=shim is built for --layout default only"
if [[ $LOADER == shim && ${CVMFDE_SKIP_GRUB:-0} != 1 ]]; then
  # Debian's signed binaries, as a Debian system boots: the firmware runs shim (EFI/BOOT/BOOTX64.EFI,
  # the removable-media path), shim runs grubx64.efi from its own directory; the signed grub's prefix
  # is /EFI/debian, so it sources EFI/debian/grub.cfg. No fbx64.efi: shim would run the fallback.
  SDEB=$(fetch_deb shim-signed); GSDEB=$(fetch_deb grub-efi-amd64-signed)
  SDIR=$CACHE/grub/signed-$(basename "$SDEB" .deb)-$(basename "$GSDEB" .deb)
  if [[ ! -f $SDIR/.done ]]; then
    rm -rf "$SDIR"; mkdir -p "$SDIR"
    dpkg-deb -x "$SDEB" "$SDIR"; dpkg-deb -x "$GSDEB" "$SDIR"; touch "$SDIR/.done"
  fi
  SHIM=$SDIR/usr/lib/shim/shimx64.efi.signed
  EFI=$SDIR/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed
  [[ -f $SHIM && -f $EFI ]] || die "no shimx64.efi.signed / grubx64.efi.signed in $SDEB / $GSDEB"
  GRUB_CFG_DIR=EFI/debian
  log "signed shim $(basename "$SDEB"), grub $(basename "$GSDEB")"
elif [[ ${CVMFDE_SKIP_GRUB:-0} != 1 ]]; then
  # where grub's built-in config looks: the file system holding grub.cfg (debian-cloud: the ESP's stub)
  case $LAYOUT in
    ext4-boot|bls) early_fs=$EXTBOOT_UUID early_prefix=/grub ;;
    debian-cloud) early_fs=$BOOT_FS_UUID early_prefix=/EFI/debian ;;
    *) early_fs=$BOOT_FS_UUID early_prefix=/grub ;;
  esac
  [[ $LAYOUT == mbr ]] && GRUB_MODULES+=" part_msdos"
  printf 'search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)%s\nconfigfile $prefix/grub.cfg\n' \
    "$early_fs" "$early_prefix" >"$WORK/early.cfg"
  if [[ $ARCH == arm64 ]]; then   # trixie's arm64 grub-mkimage and modules, in the build root
    GKEY=$( (echo "arm64 $BKEY"; echo $GRUB_MODULES; cat "$WORK/early.cfg") | sha256sum | cut -c1-16)
    EFI=$CACHE/grub/BOOTAA64-$GKEY.EFI
  else
    GCDEB=$(fetch_deb grub-common); GEDEB=$(fetch_deb grub-efi-amd64-bin)
    GKEY=$( (basename "$GCDEB"; basename "$GEDEB"; echo $GRUB_MODULES; cat "$WORK/early.cfg") \
            | sha256sum | cut -c1-16)
    EFI=$CACHE/grub/BOOTX64-$GKEY.EFI
  fi
  if [[ -f $EFI ]]; then
    log "grub EFI cached: $EFI"
  elif [[ $ARCH == arm64 ]]; then
    log "building the arm64 grub EFI image with grub-mkimage (build root)"
    mkdir -p "$WORK/grub-out"; cp "$WORK/early.cfg" "$WORK/grub-out/"
    # shellcheck disable=SC2086  # a list of module names
    in_buildroot "$WORK/grub-out" grub-mkimage -O arm64-efi -d /usr/lib/grub/arm64-efi -p /grub \
      -c /out/early.cfg -o /out/BOOTAA64.EFI $GRUB_MODULES || die "grub-mkimage (arm64) failed"
    mkdir -p "$CACHE/grub"; mv "$WORK/grub-out/BOOTAA64.EFI" "$EFI"
  else
    log "building grub EFI image with grub-mkimage"
    GDIR=$CACHE/grub/tree-$(basename "$GEDEB" .deb)
    if [[ ! -f $GDIR/.done ]]; then
      rm -rf "$GDIR"; mkdir -p "$GDIR"
      dpkg-deb -x "$GCDEB" "$GDIR"; dpkg-deb -x "$GEDEB" "$GDIR"; touch "$GDIR/.done"
    fi
    "$GDIR/usr/bin/grub-mkimage" -O x86_64-efi -d "$GDIR/usr/lib/grub/x86_64-efi" \
      -p /grub -c "$WORK/early.cfg" -o "$WORK/BOOTX64.EFI" $GRUB_MODULES \
      || die "grub-mkimage failed"
    mkdir -p "$CACHE/grub"; mv "$WORK/BOOTX64.EFI" "$EFI"
  fi
fi

# ---------------------------------------------------------------- root filesystem
log "assembling root filesystem tree"
R=$WORK/root
mkdir -p "$R"/usr/{bin,sbin,lib,lib64} "$R"/{etc,proc,sys,dev,run,tmp,root,mnt,var,boot}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
dpkg-deb -x "$BBDEB" "$WORK/bb"
BB=$WORK/bb/bin/busybox; [[ -f $BB ]] || BB=$WORK/bb/usr/bin/busybox   # trixie: merged-/usr
install -m 0755 "$BB" "$R/usr/bin/busybox"
# applet links, merged-/usr: bin/x -> usr/bin/x, sbin/x -> usr/sbin/x
"$R/usr/bin/busybox" --list-full | while read -r p; do
  case $p in bin/*|usr/bin/*) d=usr/bin ;; sbin/*|usr/sbin/*) d=usr/sbin ;; *) continue ;; esac
  n=${p##*/}; [[ $n == busybox || $n == init ]] && continue
  [[ -e $R/$d/$n ]] || ln -s ../bin/busybox "$R/$d/$n"
done
# glibc from the same release, so the FDE pieces can take shared libraries from the target
dpkg-deb -x "$LIBCDEB" "$WORK/libc"
for d in lib lib64 usr/lib usr/lib64; do
  [[ -d $WORK/libc/$d ]] && cp -a "$WORK/libc/$d/." "$R/usr/${d#usr/}/"
done
install -m 0755 "$SELF_DIR/rootfs/init" "$R/usr/sbin/init"
case $LAYOUT in
  ext4-boot|bls) cat >"$R/etc/fstab" <<EOF
# <file system>                           <mount point> <type> <options>         <dump> <pass>
UUID=$ROOT_UUID /             ext4   defaults,ro       0      1
UUID=$EXTBOOT_UUID /boot         ext4   defaults,noauto   0      2
UUID=$BOOT_FS_UUID                                  /boot/efi     vfat   defaults,noauto   0      2
EOF
    mkdir -p "$R/boot/efi" ;;
  debian-cloud) cat >"$R/etc/fstab" <<EOF
# as Debian's cloud images: the root and the ESP by PARTUUID, /boot inside the root
PARTUUID=$P1_GUID / ext4 rw,discard,errors=remount-ro 0 1
PARTUUID=$P15_GUID /boot/efi vfat defaults,noauto 0 0
EOF
    mkdir -p "$R/boot/efi" ;;
  *) cat >"$R/etc/fstab" <<EOF
# <file system>                           <mount point> <type> <options>         <dump> <pass>
UUID=$ROOT_UUID /             ext4   defaults,ro       0      1
UUID=$BOOT_FS_UUID                                  /boot         vfat   defaults,noauto   0      2
EOF
  ;;
esac
cat >"$R/etc/os-release" <<EOF
NAME="cvm-fde sample guest"
ID=cvmfde-sample
ID_LIKE=debian
VERSION_ID=1
PRETTY_NAME="cvm-fde sample guest (Debian $KVER kernel, busybox root)"
EOF
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
echo cvmfde-sample >"$R/etc/hostname"
# ---------------------------------------------------------------- boot files
# x86_64: no_timer_check, else a TCG guest on a loaded host can panic "IO-APIC + timer doesn't work!"
CONSOLE="console=ttyS0,115200 no_timer_check"; [[ $ARCH == arm64 ]] && CONSOLE="console=ttyAMA0,115200"
CMDLINE="root=UUID=$ROOT_UUID ro $CONSOLE rd.neednet=1 ip=dhcp panic=10${CVMFDE_EXTRA_CMDLINE:+ $CVMFDE_EXTRA_CMDLINE}"
KPATH=/vmlinuz-$KVER IPATH=/initrd.img-$KVER INAME=initrd.img-$KVER
[[ $LAYOUT == debian-cloud ]] && { CMDLINE="root=PARTUUID=$P1_GUID ro console=ttyS0,115200 rd.neednet=1 ip=dhcp panic=10${CVMFDE_EXTRA_CMDLINE:+ $CVMFDE_EXTRA_CMDLINE}"; KPATH=/boot/vmlinuz-$KVER IPATH=/boot/initrd.img-$KVER; }
[[ $LAYOUT == bls ]] && { INAME=initramfs-$KVER.img IPATH=/initramfs-$KVER.img; }
# the signed grub boots a kernel through its EFI stub only with linuxefi (its plain linux takes the
# legacy path with Secure Boot off), and only the EFI stub hands the kernel the firmware's TPM event log
LINUX_CMD=""; [[ -n $SHIM ]] && LINUX_CMD=efi
cat >"$WORK/grub.cfg" <<EOF
set timeout=0
set default=0
set gfxpayload=text
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
EOF
if [[ $LAYOUT == bls ]]; then
  # Fedora's grub.cfg: blscfg turns loader/entries/*.conf into menu entries (Debian's grub has no
  # blscfg module: the image-builder edits and measures the entries; the boot test boots directly)
  printf 'insmod blscfg\nblscfg\n' >>"$WORK/grub.cfg"
  cat >"$WORK/entry.conf" <<EOF
title cvm-fde sample guest ($KVER)
version $KVER
linux /vmlinuz-$KVER
initrd /$INAME
options $CMDLINE
EOF
else
  search=""
  [[ $LAYOUT == debian-cloud ]] && search="	search --no-floppy --fs-uuid --set=root $ROOT_UUID
"
  cat >>"$WORK/grub.cfg" <<EOF
menuentry 'cvm-fde sample guest ($KVER)' {
${search}	linux${LINUX_CMD} $KPATH $CMDLINE
	initrd${LINUX_CMD} $IPATH
}
EOF
fi
cp "$VMLINUZ" "$WORK/vmlinuz-$KVER"; cp "$INITRD" "$WORK/$INAME"
chmod 0644 "$WORK/vmlinuz-$KVER" "$WORK/$INAME"
touch -d "@$EPOCH" "$WORK/grub.cfg" "$WORK/vmlinuz-$KVER" "$WORK/$INAME"
if [[ $LAYOUT == debian-cloud ]]; then   # /boot inside the root, as Debian's cloud images
  mkdir -p "$R/boot/grub"
  cp -p "$WORK/grub.cfg" "$R/boot/grub/grub.cfg"; cp -p "$WORK/vmlinuz-$KVER" "$WORK/$INAME" "$R/boot/"
  P2_MIB=192
fi
find "$R" -exec touch -h -d "@$EPOCH" {} +

log "making ext4 root (${P2_MIB} MiB, UUID $ROOT_UUID) with mke2fs -d"
P2IMG=$WORK/p2.img
truncate -s "${P2_MIB}M" "$P2IMG"
E2FSPROGS_FAKE_TIME=$EPOCH mke2fs -q -F -t ext4 -L root -U "$ROOT_UUID" \
  -E "root_owner=0:0,hash_seed=$ROOT_UUID" -d "$R" "$P2IMG" >/dev/null \
  || die "mke2fs -d failed"
if [[ $(id -u) != 0 ]]; then   # mke2fs -d copies the builder's uid/gid: make everything root:root
  (cd "$R" && find . -mindepth 1 | sed 's|^\.||' | while read -r p; do
     printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$p" "$p"; done) >"$WORK/chown.debugfs"
  debugfs -w -f "$WORK/chown.debugfs" "$P2IMG" >/dev/null 2>&1 || die "debugfs chown failed"
fi
e2fsck -fn "$P2IMG" >/dev/null 2>&1 || die "e2fsck reports errors on the new root filesystem"

# ---------------------------------------------------------------- boot partition(s)
[[ $LAYOUT == default || $LAYOUT == mbr ]] || P1_MIB=64   # an ESP holding only grub (and the stub)
log "making vfat boot partition / ESP (${P1_MIB} MiB, id $BOOT_FS_UUID)"
P1IMG=$WORK/p1.img
truncate -s "${P1_MIB}M" "$P1IMG"
mformat -i "$P1IMG" -F -v BOOT -N "$BOOT_SERIAL" -H 2048 -h 64 -s 32 -T $((P1_MIB * 2048)) :: \
  || die "mformat failed"
if [[ $LAYOUT == default || $LAYOUT == mbr ]]; then
  [[ $GRUB_CFG_DIR == grub ]] && mmd -i "$P1IMG" ::/grub
  mcopy -m -i "$P1IMG" "$WORK/vmlinuz-$KVER" "$WORK/initrd.img-$KVER" ::/
fi
if [[ $LAYOUT == debian-cloud ]]; then   # Debian's ESP stub: find the root, read its /boot/grub/grub.cfg
  printf "search.fs_uuid %s root hd0,gpt1\nset prefix=(\$root)'/boot/grub'\nconfigfile \$prefix/grub.cfg\n" \
    "$ROOT_UUID" >"$WORK/stub.cfg"
  touch -d "@$EPOCH" "$WORK/stub.cfg"
  mmd -i "$P1IMG" ::/EFI ::/EFI/debian
  mcopy -m -i "$P1IMG" "$WORK/stub.cfg" ::/EFI/debian/grub.cfg
fi
if [[ -n $EFI ]]; then
  mmd -i "$P1IMG" ::/EFI 2>/dev/null || true; mmd -i "$P1IMG" ::/EFI/BOOT
  if [[ -n $SHIM ]]; then
    mmd -i "$P1IMG" ::/EFI/debian
    cp "$SHIM" "$WORK/BOOTX64.EFI"; cp "$EFI" "$WORK/grubx64.efi"
    touch -d "@$EPOCH" "$WORK/BOOTX64.EFI" "$WORK/grubx64.efi"
    mcopy -m -i "$P1IMG" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
    mcopy -m -i "$P1IMG" "$WORK/grubx64.efi" ::/EFI/BOOT/grubx64.efi
  else
    cp "$EFI" "$WORK/$EFI_NAME"; touch -d "@$EPOCH" "$WORK/$EFI_NAME"
    mcopy -m -i "$P1IMG" "$WORK/$EFI_NAME" "::/EFI/BOOT/$EFI_NAME"
  fi
fi
if [[ $LAYOUT == default || $LAYOUT == mbr ]]; then
  mcopy -m -i "$P1IMG" "$WORK/grub.cfg" "::/$GRUB_CFG_DIR/grub.cfg"
fi

# ---------------------------------------------------------------- ext4 /boot (ext4-boot, bls)
P3_MIB=256
if [[ $LAYOUT == ext4-boot || $LAYOUT == bls ]]; then
  log "making ext4 /boot (${P3_MIB} MiB, UUID $EXTBOOT_UUID) with mke2fs -d"
  B=$WORK/bootfs; mkdir -p "$B/grub"
  cp -p "$WORK/grub.cfg" "$B/grub/grub.cfg"; cp -p "$WORK/vmlinuz-$KVER" "$WORK/$INAME" "$B/"
  if [[ $LAYOUT == bls ]]; then
    mkdir -p "$B/loader/entries"; cp -p "$WORK/entry.conf" "$B/loader/entries/cvmfde-$KVER.conf"
  fi
  find "$B" -exec touch -h -d "@$EPOCH" {} +
  P3IMG=$WORK/p3.img; truncate -s "${P3_MIB}M" "$P3IMG"
  E2FSPROGS_FAKE_TIME=$EPOCH mke2fs -q -F -t ext4 -L boot -U "$EXTBOOT_UUID" \
    -E "root_owner=0:0,hash_seed=$EXTBOOT_UUID" -d "$B" "$P3IMG" >/dev/null || die "mke2fs -d (/boot) failed"
  e2fsck -fn "$P3IMG" >/dev/null 2>&1 || die "e2fsck reports errors on the new /boot"
fi

# ---------------------------------------------------------------- disk
log "assembling the disk (layout $LAYOUT)"
RAW=$WORK/disk.raw
place() { dd if="$1" of="$RAW" bs=1M seek=$(($2 / 2048)) conv=notrunc,sparse status=none; }
part() { # part NUMBER ROLE TYPECODE PARTUUID FIRST LAST FS FSUUID -> one manifest entry
  printf '    {"number": %s, "name": "%s", "role": "%s", "typeCode": "%s", "partUuid": "%s",\n     "firstLba": %s, "lastLba": %s, "fs": "%s", "fsUuid": "%s"}' \
    "$1" "$2" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
}
sgd() { sgdisk "$@" "$RAW" >"$WORK/sgdisk.log" 2>&1 || { cat "$WORK/sgdisk.log" >&2; die "sgdisk failed"; }; }
case $LAYOUT in
  default|mbr)
    DISK_MIB=$((1 + P1_MIB + P2_MIB + 1))
    P1_START=2048; P1_END=$((P1_START + P1_MIB * 2048 - 1))
    P2_START=$((P1_END + 1)); P2_END=$((P2_START + P2_MIB * 2048 - 1))
    truncate -s "${DISK_MIB}M" "$RAW"
    if [[ $LAYOUT == mbr ]]; then
      printf 'label: dos\nlabel-id: %s\nunit: sectors\nstart=%s, size=%s, type=c, bootable\nstart=%s, size=%s, type=83\n' \
        "$MBR_ID" "$P1_START" "$((P1_MIB * 2048))" "$P2_START" "$((P2_MIB * 2048))" \
        | sfdisk -q "$RAW" >"$WORK/sfdisk.log" 2>&1 || { cat "$WORK/sfdisk.log" >&2; die "sfdisk failed"; }
      PARTS="$(part 1 boot 0c "${MBR_ID#0x}-01" $P1_START $P1_END vfat "$BOOT_FS_UUID"),
$(part 2 root 83 "${MBR_ID#0x}-02" $P2_START $P2_END ext4 "$ROOT_UUID")"
    else
      sgd -U "$DISK_GUID" \
        -n "1:$P1_START:$P1_END" -t 1:EF00 -c 1:boot -u "1:$P1_GUID" \
        -n "2:$P2_START:$P2_END" -t 2:8300 -c 2:root -u "2:$P2_GUID"
      sgdisk -p "$RAW" 2>/dev/null | grep -q '^ *2 .*8300' || die "sgdisk did not write the partition table"
      PARTS="$(part 1 boot EF00 "$P1_GUID" $P1_START $P1_END vfat "$BOOT_FS_UUID"),
$(part 2 root 8300 "$P2_GUID" $P2_START $P2_END ext4 "$ROOT_UUID")"
    fi
    place "$P1IMG" $P1_START; place "$P2IMG" $P2_START ;;
  ext4-boot)   # ESP, root (typed root-x86-64), then /boot (XBOOTLDR): the root is not the last partition
    DISK_MIB=$((1 + P1_MIB + P2_MIB + P3_MIB + 1))
    P1_START=2048; P1_END=$((P1_START + P1_MIB * 2048 - 1))
    P2_START=$((P1_END + 1)); P2_END=$((P2_START + P2_MIB * 2048 - 1))
    P3_START=$((P2_END + 1)); P3_END=$((P3_START + P3_MIB * 2048 - 1))
    truncate -s "${DISK_MIB}M" "$RAW"
    sgd -U "$DISK_GUID" -n "1:$P1_START:$P1_END" -t 1:EF00 -c 1:esp -u "1:$P1_GUID" \
      -n "2:$P2_START:$P2_END" -t 2:8304 -c 2:root -u "2:$P2_GUID" \
      -n "3:$P3_START:$P3_END" -t 3:EA00 -c 3:boot -u "3:$P3_GUID"
    PARTS="$(part 1 esp EF00 "$P1_GUID" $P1_START $P1_END vfat "$BOOT_FS_UUID"),
$(part 2 root 8304 "$P2_GUID" $P2_START $P2_END ext4 "$ROOT_UUID"),
$(part 3 boot EA00 "$P3_GUID" $P3_START $P3_END ext4 "$EXTBOOT_UUID")"
    place "$P1IMG" $P1_START; place "$P2IMG" $P2_START; place "$P3IMG" $P3_START ;;
  bls)         # as Fedora: ESP, /boot (Linux data, found by its content), root (Linux data)
    DISK_MIB=$((1 + P1_MIB + P3_MIB + P2_MIB + 1))
    P1_START=2048; P1_END=$((P1_START + P1_MIB * 2048 - 1))
    P3_START=$((P1_END + 1)); P3_END=$((P3_START + P3_MIB * 2048 - 1))
    P2_START=$((P3_END + 1)); P2_END=$((P2_START + P2_MIB * 2048 - 1))
    truncate -s "${DISK_MIB}M" "$RAW"
    sgd -U "$DISK_GUID" -n "1:$P1_START:$P1_END" -t 1:EF00 -c 1:esp -u "1:$P1_GUID" \
      -n "2:$P3_START:$P3_END" -t 2:8300 -c 2:boot -u "2:$P3_GUID" \
      -n "3:$P2_START:$P2_END" -t 3:8300 -c 3:root -u "3:$P2_GUID"
    PARTS="$(part 1 esp EF00 "$P1_GUID" $P1_START $P1_END vfat "$BOOT_FS_UUID"),
$(part 2 boot 8300 "$P3_GUID" $P3_START $P3_END ext4 "$EXTBOOT_UUID"),
$(part 3 root 8300 "$P2_GUID" $P2_START $P2_END ext4 "$ROOT_UUID")"
    place "$P1IMG" $P1_START; place "$P3IMG" $P3_START; place "$P2IMG" $P2_START ;;
  debian-cloud)  # as Debian's cloud images: p14 BIOS boot, p15 ESP, p1 root (Linux data) with /boot inside
    DISK_MIB=$((1 + 3 + P1_MIB + P2_MIB + 1))
    P14_START=2048; P14_END=$((P14_START + 3 * 2048 - 1))
    P1_START=$((P14_END + 1)); P1_END=$((P1_START + P1_MIB * 2048 - 1))   # the ESP's image (p15)
    P2_START=$((P1_END + 1)); P2_END=$((P2_START + P2_MIB * 2048 - 1))    # the root (p1)
    truncate -s "${DISK_MIB}M" "$RAW"
    sgd -U "$DISK_GUID" -n "14:$P14_START:$P14_END" -t 14:EF02 -c 14:bios -u "14:$P14_GUID" \
      -n "15:$P1_START:$P1_END" -t 15:EF00 -c 15:esp -u "15:$P15_GUID" \
      -n "1:$P2_START:$P2_END" -t 1:8300 -c 1:root -u "1:$P1_GUID"
    PARTS="$(part 1 root 8300 "$P1_GUID" $P2_START $P2_END ext4 "$ROOT_UUID"),
$(part 14 bios EF02 "$P14_GUID" $P14_START $P14_END none ""),
$(part 15 esp EF00 "$P15_GUID" $P1_START $P1_END vfat "$BOOT_FS_UUID")"
    place "$P1IMG" $P1_START; place "$P2IMG" $P2_START ;;
esac
qemu-img convert -q -f raw -O qcow2 "$RAW" "$WORK/guest.qcow2"

# ---------------------------------------------------------------- outputs
sha() { sha256sum "$1" | cut -d' ' -f1; }
KSHA=$(sha "$WORK/vmlinuz-$KVER"); ISHA=$(sha "$WORK/$INAME"); GSHA=$(sha "$WORK/grub.cfg")
ESHA=""; [[ -n $EFI ]] && ESHA=$(sha "${SHIM:-$EFI}")
cat >"$WORK/manifest.json" <<EOF
{
  "format": 1,
  "disk": "guest.qcow2",
  "diskSizeBytes": $((DISK_MIB * 1024 * 1024)),
  "sectorSize": 512,
  "diskGuid": "$DISK_GUID",
  "arch": "$ARCH",
  "kernelVersion": "$KVER",
  "kernelPackage": "$(basename "$KDEB")",
  "rootFsUuid": "$ROOT_UUID",
  "cmdline": "$CMDLINE",
  "layout": "$LAYOUT",
  "partitions": [
$PARTS
  ],
  "bootFiles": {
    "efiLoader": $([[ -n $EFI ]] && echo "\"EFI/BOOT/$EFI_NAME\"" || echo null),
    "grub": $([[ -n $SHIM ]] && echo '"EFI/BOOT/grubx64.efi"' || echo null),
    "grubCfg": "$(if [[ -n $SHIM ]]; then echo EFI/debian/; else p=${KPATH%/vmlinuz-*}; echo "${p#/}${p:+/}grub/"; fi)grub.cfg",
    "kernel": "${KPATH#/}",
    "initramfs": "${IPATH#/}"
  },
  "sha256": {
    "efiLoaderFile": $([[ -n $ESHA ]] && echo "\"$ESHA\"" || echo null),
    "grubCfg": "$GSHA",
    "kernelFile": "$KSHA",
    "initramfs": "$ISHA"
  },
  "marker": "CVMFDE-MARKER: root is "
}
EOF
printf '%s\n' "$CMDLINE" >"$WORK/boot.cmdline"
mv -f "$WORK/guest.qcow2" "$OUT/guest.qcow2"
mv -f "$WORK/manifest.json" "$OUT/manifest.json"
mv -f "$WORK/boot.cmdline" "$OUT/boot.cmdline"
log "done: $OUT/guest.qcow2 ($(du -h "$OUT/guest.qcow2" | cut -f1) allocated), kernel $KVER," \
    "initramfs $(stat -c %s "$INITRD") bytes"
