#!/usr/bin/env bash
# Append the files of OVERLAY_DIR to an existing initramfs as an extra newc cpio archive.
#
#   tools/sample-guest/append-overlay.sh BASE_INITRD OVERLAY_DIR OUT_INITRD
#
# The kernel unpacks concatenated archives, with three traps (docs/boot-chain.md):
#  - the appended archive must start on a 4-byte boundary: BASE is zero-padded first,
#    otherwise the kernel ignores the appended part silently;
#  - no directory entries for bin, sbin, lib, lib64 (symlinks into usr/ in a merged-/usr
#    initramfs; a directory entry would replace the symlink and break the boot);
#  - everything is owned 0:0; modes are taken from OVERLAY_DIR.
# The archive is uncompressed, in sorted order, with a fixed mtime (SOURCE_DATE_EPOCH, default 0).
set -euo pipefail
(($# == 3)) || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
base=$1 dir=$2 out=$3
[[ -f $base ]] || { echo "append-overlay: no such initramfs: $base" >&2; exit 1; }
[[ -d $dir ]] || { echo "append-overlay: no such directory: $dir" >&2; exit 1; }
command -v cpio >/dev/null || { echo "append-overlay: missing cpio (Debian package: cpio)" >&2; exit 1; }
# mtime 0 like image-builder's overlay: the agent runtime's AOT cache checks its jars' mtimes
epoch=${SOURCE_DATE_EPOCH:-0}
tmp=$(mktemp "$(dirname "$out")/.overlay.XXXXXX")
trap 'rm -f "$tmp" "$tmp.cpio"' EXIT
cp "$base" "$tmp"
size=$(stat -c %s "$tmp")
pad=$(( (4 - size % 4) % 4 ))
((pad == 0)) || head -c "$pad" /dev/zero >>"$tmp"
stage=$(mktemp -d)
trap 'rm -f "$tmp" "$tmp.cpio"; rm -rf "$stage"' EXIT
cp -a "$dir/." "$stage/"
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort \
   | grep -vxE 'bin|sbin|lib|lib64' \
   | cpio --quiet -o -H newc -R 0:0 --reproducible >"$tmp.cpio")
cat "$tmp.cpio" >>"$tmp"
chmod 0644 "$tmp"
sync -f "$tmp" 2>/dev/null || true
mv -f "$tmp" "$out"
echo "append-overlay: $out = $(basename "$base") (${size} bytes + ${pad} pad) + overlay cpio ($(stat -c %s "$tmp.cpio") bytes)" >&2
