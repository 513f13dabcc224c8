#!/usr/bin/env bash
# Lets this x86-64 host run arm64 programs: registers qemu-user-static's aarch64 interpreter with
# binfmt_misc (mounting /proc/sys/fs/binfmt_misc if needed), with the F flag, so it also works in a
# chroot. Nothing happens when it is registered already. Needs root (or an existing registration).
#   tools/packages/binfmt-arm64.sh
# Exit: 0 arm64 programs run; 1 they cannot (the message says why).
set -euo pipefail
reg=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-aarch64.conf
die() { echo "binfmt-arm64: $*" >&2; exit 1; }
if [[ ! -e $reg/qemu-aarch64 ]]; then
  [[ $(id -u) == 0 ]] || die "arm64 programs need qemu-aarch64 registered with binfmt_misc; run as root once"
  [[ -e $reg/register ]] || mount -t binfmt_misc binfmt_misc "$reg" 2>/dev/null \
    || die "cannot mount binfmt_misc on $reg: arm64 programs cannot run on this host"
  if [[ ! -e $reg/qemu-aarch64 ]]; then
    [[ -r $conf ]] || die "$conf is missing (Debian package qemu-user-static)"
    cat "$conf" >"$reg/register" 2>/dev/null || die "registering qemu-aarch64 with binfmt_misc failed"
  fi
fi
grep -qx enabled "$reg/qemu-aarch64" || die "binfmt_misc's qemu-aarch64 entry is disabled"
