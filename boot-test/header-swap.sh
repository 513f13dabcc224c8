#!/usr/bin/env bash
# The "header swap" attack (issue 11), rootless: a hostile host replaces the LUKS2 header of the
# encrypted root with one whose segment is cipher_null-ecb (same UUID, same keyslot, checksums
# recomputed: cryptsetup reads it, and the genuine key still unlocks its keyslot) and puts its own
# unencrypted root behind it. That root's /usr/sbin/init prints HOST_MARKER and powers off, so a
# guest that booted it would show it. Used by boot-test/run.sh (the header-swap twin) and
# boot-test/host-run.sh (the agent in --volume-file mode).
#
#   boot-test/header-swap.sh disk   ENCRYPTED.qcow2 PLAIN.qcow2 OUT.qcow2
#       the encrypted image with partition 2's header swapped and PLAIN.qcow2's partition 2 (marked)
#       behind it (qemu-img convert to raw, written at the partition offset, convert back)
#   boot-test/header-swap.sh volume ROOT.luks PLAIN-ROOT.img OUT.luks
#       the same on a partition file
# Exit status: 0 done; 1 a step failed; 2 usage.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST_MARKER="HOST-ROOT-MARKER: the host's own root runs"
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { printf 'header-swap: FAILED: %s\n' "$*" >&2; exit 1; }
if (($# != 4)) || [[ ! $1 =~ ^(disk|volume)$ ]]; then usage; fi
MODE=$1 SRC=$2 PLAIN=$3 OUT=$4
for t in qemu-img:qemu-utils sgdisk:gdisk debugfs:e2fsprogs; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"   # gp_java, gp_part
JAVA=$(gp_java)
T=$(mktemp -d "${TMPDIR:-/tmp}/header-swap.XXXXXX")
trap 'rm -rf "$T"' EXIT


# the host's root: the sample guest's unencrypted root with an init that only shows HOST_MARKER
host_root() {   # host_root PLAIN-ROOT-IMAGE
  cp --sparse=always "$1" "$T/host-root.img"
  printf '#!/bin/sh\necho "%s"\npoweroff -f\n' "$HOST_MARKER" >"$T/init"
  debugfs -w -f - "$T/host-root.img" >"$T/debugfs.log" 2>&1 <<CMDS || { cat "$T/debugfs.log" >&2; die "debugfs"; }
rm /usr/sbin/init
write $T/init /usr/sbin/init
set_inode_field /usr/sbin/init mode 0100755
CMDS
  debugfs -R 'cat /usr/sbin/init' "$T/host-root.img" 2>/dev/null | grep -qF "$HOST_MARKER" \
    || { cat "$T/debugfs.log" >&2; die "the host's root does not hold the marker init"; }
}

case $MODE in
  disk)
    qemu-img convert -O raw "$PLAIN" "$T/plain.raw"
    read -r pf pn < <(gp_part "$T/plain.raw" 2)
    dd if="$T/plain.raw" of="$T/plain-root.img" bs=512 skip="$pf" count="$pn" conv=sparse status=none
    rm -f "$T/plain.raw"
    host_root "$T/plain-root.img"
    qemu-img convert -O raw "$SRC" "$T/enc.raw"
    read -r rf rn < <(gp_part "$T/enc.raw" 2)
    "$JAVA" "$REPO/boot-test/HeaderSwap.java" "$T/enc.raw" "$((rf * 512))" "$((rn * 512))" "$T/host-root.img"
    qemu-img convert -O qcow2 "$T/enc.raw" "$OUT.tmp" && mv -f "$OUT.tmp" "$OUT"
    ;;
  volume)
    host_root "$PLAIN"
    cp --sparse=always "$SRC" "$OUT.tmp"
    "$JAVA" "$REPO/boot-test/HeaderSwap.java" "$OUT.tmp" 0 "$(stat -c %s "$SRC")" "$T/host-root.img"
    mv -f "$OUT.tmp" "$OUT"
    ;;
esac
