#!/usr/bin/env bash
# Proof of concept, rootless: turn OUTDIR/guest.qcow2 (from build.sh) into
# OUTDIR/guest-luks.qcow2 whose p2 is a LUKS2 container holding the same ext4 filesystem
# (same FS UUID), unlocked at boot by an appended-cpio dracut hook with a key file.
# Also writes OUTDIR/initrd-hooks.img (plain image's initramfs + print-only hooks) and
# OUTDIR/initrd-net.img (+ an initqueue/online hook serving one TCP connection on guest
# port 7220 with a static busybox nc, to prove host -> hostfwd -> initramfs works).
#
#   tools/sample-guest/poc-encrypt.sh OUTDIR
#
# Then:
#   tools/sample-guest/boot.sh OUTDIR/guest.qcow2 --initrd OUTDIR/initrd-hooks.img \
#       --log hooks.log --expect "CVMFDE-HOOK: initqueue/settled"
#   tools/sample-guest/boot.sh OUTDIR/guest-luks.qcow2 --log luks.log \
#       --expect "CVMFDE-MARKER: root is /dev/mapper/encroot"
#
# This is the recipe image-builder implements properly; the key here is a TEST KEY that
# sits in the initramfs in clear, which is exactly what the real system must never do.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# == 1)) || { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
OUT=$(cd "$1" && pwd)
LUKS_UUID=${CVMFDE_LUKS_UUID:-0c0ffee0-1111-4222-8333-444455556666}
REDUCE_MIB=32           # room taken from the partition for the LUKS2 header (16 MiB used)
log() { printf '[poc] %s\n' "$*"; }
die() { printf 'poc-encrypt.sh: error: %s\n' "$*" >&2; exit 1; }
[[ -f $OUT/guest.qcow2 && -f $OUT/manifest.json ]] || die "run build.sh $OUT first"
for t in cryptsetup:cryptsetup-bin resize2fs:e2fsprogs e2fsck:e2fsprogs mcopy:mtools \
         qemu-img:qemu-utils sgdisk:gdisk cpio:cpio; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
KVER=$(sed -n 's/.*"kernelVersion": "\([^"]*\)".*/\1/p' "$OUT/manifest.json")
WORK=$(mktemp -d "$OUT/.poc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log "unpacking disk"
qemu-img convert -O raw "$OUT/guest.qcow2" "$WORK/disk.raw"
part() { sgdisk -i "$1" "$WORK/disk.raw" | sed -n "s/^$2 sector: \([0-9]*\).*/\1/p"; }
P1_FIRST=$(part 1 First); P2_FIRST=$(part 2 First); P2_LAST=$(part 2 Last)
P2_SECTORS=$((P2_LAST - P2_FIRST + 1))
dd if="$WORK/disk.raw" of="$WORK/p2.img" bs=512 skip="$P2_FIRST" count="$P2_SECTORS" status=none

log "shrinking ext4 by ${REDUCE_MIB} MiB and encrypting in place (cryptsetup reencrypt --encrypt)"
e2fsck -fy "$WORK/p2.img" >/dev/null 2>&1 || true
e2fsck -fn "$WORK/p2.img" >/dev/null 2>&1 || die "root filesystem has errors"
resize2fs "$WORK/p2.img" "$(( P2_SECTORS / 2048 - REDUCE_MIB ))M" >/dev/null 2>&1 || die "resize2fs failed"
truncate -s $((P2_SECTORS * 512)) "$WORK/p2.img"   # resize2fs shrank the file too: restore
(umask 077; head -c 32 /dev/urandom >"$WORK/test-key.bin")
cryptsetup reencrypt --encrypt --type luks2 --reduce-device-size "${REDUCE_MIB}M" \
  --key-file "$WORK/test-key.bin" --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
  --uuid "$LUKS_UUID" --batch-mode "$WORK/p2.img" >/dev/null || die "reencrypt failed"
cryptsetup luksDump "$WORK/p2.img" | grep -q Requirements && die "reencryption left unfinished"
dd if="$WORK/p2.img" of="$WORK/disk.raw" bs=512 seek="$P2_FIRST" conv=notrunc status=none

log "building hook overlays"
B="$WORK/base-initrd"
mcopy -n -i "$WORK/disk.raw@@$((P1_FIRST * 512))" "::/initrd.img-$KVER" "$B"
H=$SELF_DIR/poc-hooks
mkdir -p "$WORK/ov1/usr/lib/dracut/hooks/initqueue/online" "$WORK/ov1/usr/lib/dracut/hooks/initqueue/settled"
install -m 0755 "$H/online-print.sh" "$WORK/ov1/usr/lib/dracut/hooks/initqueue/online/50-cvmfde-poc.sh"
install -m 0755 "$H/settled-print.sh" "$WORK/ov1/usr/lib/dracut/hooks/initqueue/settled/50-cvmfde-poc.sh"
cp -a "$WORK/ov1" "$WORK/ov2"
mkdir -p "$WORK/ov2/usr/lib/cvmfde-poc"
install -m 0600 "$WORK/test-key.bin" "$WORK/ov2/usr/lib/cvmfde-poc/test-key.bin"
sed "s/@LUKS_UUID@/$LUKS_UUID/" "$H/settled-unlock.sh" >"$WORK/unlock.sh"
install -m 0755 "$WORK/unlock.sh" "$WORK/ov2/usr/lib/dracut/hooks/initqueue/settled/60-cvmfde-poc-unlock.sh"
"$SELF_DIR/append-overlay.sh" "$B" "$WORK/ov1" "$WORK/initrd-hooks.img"
BBDEB=$(ls "${XDG_CACHE_HOME:-$HOME/.cache}"/cvm-fde/debs/busybox-static_*.deb | tail -1) \
  || die "no cached busybox-static deb (run build.sh first)"
dpkg-deb -x "$BBDEB" "$WORK/bb"
mkdir -p "$WORK/ov3/usr/lib/dracut/hooks/initqueue/online" "$WORK/ov3/usr/lib/cvmfde-poc"
install -m 0755 "$WORK/bb/bin/busybox" "$WORK/ov3/usr/lib/cvmfde-poc/busybox"
install -m 0755 "$H/online-listen.sh" "$WORK/ov3/usr/lib/dracut/hooks/initqueue/online/50-cvmfde-listen.sh"
"$SELF_DIR/append-overlay.sh" "$B" "$WORK/ov3" "$WORK/initrd-net.img"
"$SELF_DIR/append-overlay.sh" "$B" "$WORK/ov2" "$WORK/initrd-luks.img"

log "updating boot partition: initramfs with unlock hook, grub.cfg root=/dev/mapper/encroot"
img="$WORK/disk.raw@@$((P1_FIRST * 512))"
mcopy -n -i "$img" ::/grub/grub.cfg "$WORK/grub.cfg"
# no shell, ever (what image-builder pins): dracut powers off instead of opening its emergency shell
sed -i -e 's|root=UUID=[^ ]*|root=/dev/mapper/encroot|' \
  -e 's|^\([[:space:]]*linux[[:space:]].*\)$|\1 rd.shell=0 rd.emergency=poweroff|' "$WORK/grub.cfg"
mcopy -o -i "$img" "$WORK/grub.cfg" ::/grub/grub.cfg
mcopy -o -i "$img" "$WORK/initrd-luks.img" "::/initrd.img-$KVER"
qemu-img convert -O qcow2 "$WORK/disk.raw" "$WORK/guest-luks.qcow2"
mv -f "$WORK/guest-luks.qcow2" "$OUT/guest-luks.qcow2"
mv -f "$WORK/initrd-hooks.img" "$OUT/initrd-hooks.img"
mv -f "$WORK/initrd-net.img" "$OUT/initrd-net.img"
mv -f "$WORK/test-key.bin" "$OUT/poc-test-key.bin"
log "done: $OUT/guest-luks.qcow2 (LUKS UUID $LUKS_UUID), $OUT/initrd-hooks.img"
