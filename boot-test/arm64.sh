#!/usr/bin/env bash
# The arm64 boot test (issue 13): an aarch64 guest (the virtCCA platform's architecture) encrypted
# by image-builder, booted under qemu-system-aarch64 (-M virt -cpu max, TCG) on this x86-64 host,
# attested, released and unlocked.
#
#   boot-test/arm64.sh [--work DIR] [--boot-timeout S]
#
# Steps:
#   1. tools/sample-guest/build.sh --arch arm64   Debian trixie's arm64 kernel stored gzip'd (as
#      Ubuntu's are), an initramfs made by trixie's arm64 dracut (qemu-user-static chroot)
#   2. tools/guest-runtime/build.sh --arch arm64  trixie's OpenJDK 25 jmods jlink'd, AOT cache
#      trained under qemu-aarch64-static; and the x86-64 runtime (cached by the other boot tests)
#   3. reference-values measure of the plain boot partition: hash.json's kernel digest must be the
#      digest of the DECOMPRESSED Image (checked here with gunzip + sha256sum, and it must differ
#      from the gzip file's own digest)
#   4. image-builder encrypt with the x86-64 runtime alone must be refused (architecture mismatch,
#      no output left); given both runtimes it must pick the arm64 one and say so (--provider simulated)
#   5. boot.sh --arch arm64 (direct boot of the kernel, initramfs and command line on the encrypted
#      image's boot partition); when the console shows "fde: <IP>:7220": attestation-client release
#      (every check on; the verdict table's kernel row PASSes with the decompressed digest) -> exit 0; the guest must print
#      "CVMFDE-MARKER: root is /dev/mapper/encroot" and "CVMFDE-DM: encroot"; no shell prompt
# Exit status: 0 passed; 1 failed (the tail of the serial log is printed); 2 usage.
# Needs (Debian packages): qemu-system-arm qemu-user-static binutils-aarch64-linux-gnu qemu-utils
# dracut-core mtools gdisk e2fsprogs cryptsetup-bin cpio zstd, Java 25, root (chroot, binfmt_misc).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WORK="" BOOT_TIMEOUT=900
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --boot-timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; BOOT_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "arm64: unknown argument $1" >&2; usage ;;
  esac
done

T0=$(date +%s)
log() { printf '[arm64 %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'arm64: FAILED: %s\n' "$*" >&2; exit 1; }
gp_check_tools --no-qemu
for t in qemu-system-aarch64:qemu-system-arm aarch64-linux-gnu-strip:binutils-aarch64-linux-gnu \
         qemu-aarch64-static:qemu-user-static gzip:gzip; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
[[ $(id -u) == 0 ]] || die "the arm64 sample guest is built in a chroot through binfmt_misc: run as root"
if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-arm64.XXXXXX"); fi
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log "work directory $WORK"
QPID=""
SHELL_SIGNS='Entering emergency mode|Dropping to debug shell|Give root password|Press Enter for maintenance|[A-Za-z-]+:/[^ ]*# |(^|[^A-Za-z])(sh|bash)-[0-9.]+# |login: '

fail() {
  if [[ -n $QPID ]] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; fi
  echo "---- release ----" >&2; cat "$WORK/release.out" "$WORK/release.err" 2>/dev/null | tail -40 >&2 || true
  echo "---- boot.sh ----" >&2; cat "$WORK/boot.log" >&2 2>/dev/null || true
  echo "---- last 80 lines of $WORK/serial.log ----" >&2
  tail -80 "$WORK/serial.log" 2>/dev/null | tr -d '\r' >&2 || true
  die "$1"
}

G=$WORK/guest
log "building the arm64 sample guest (tools/sample-guest/build.sh --arch arm64; the first run downloads trixie packages and runs dracut under qemu-user-static)"
"$SG/build.sh" --arch arm64 "$G" >"$WORK/build-guest.log" 2>&1 || { tail -30 "$WORK/build-guest.log" >&2; die "tools/sample-guest/build.sh --arch arm64"; }
KVER=$(sed -n 's/.*"kernelVersion": "\([^"]*\)".*/\1/p' "$G/manifest.json")
log "guest: kernel $KVER ($(sed -n 's/.*"arch": "\([^"]*\)".*/\1/p' "$G/manifest.json"))"
gp_prepare_host   # the x86-64 runtime (RT), the keys (K)
RT64=$WORK/runtime-arm64
log "building the arm64 guest runtime (tools/guest-runtime/build.sh --arch arm64)"
rm -rf "$RT64"
"$REPO/tools/guest-runtime/build.sh" --arch arm64 "$RT64" >"$WORK/build-runtime-arm64.log" 2>&1 \
  || { tail -30 "$WORK/build-runtime-arm64.log" >&2; die "tools/guest-runtime/build.sh --arch arm64"; }
log "$(tail -1 "$WORK/build-runtime-arm64.log")"

# 3. the baseline: the decompressed Image's digest
w=$WORK/measure; rm -rf "$w"; mkdir -p "$w/boot"
qemu-img convert -O raw "$G/guest.qcow2" "$w/plain.raw"
mcopy -s -n -i "$w/plain.raw@@$(gp_boot_offset "$w/plain.raw")" '::/*' "$w/boot/"
rm -f "$w/plain.raw"
"$REPO/bin/reference-values" measure --boot-dir "$w/boot" -o "$WORK/plain.hash.json" >/dev/null
kfile=$w/boot/vmlinuz-$KVER
[[ $(head -c 2 "$kfile" | od -An -tx1 | tr -d ' \n') == 1f8b ]] || die "the sample guest's kernel is not gzip'd"
image_sha=$(gunzip -c "$kfile" | sha256sum | cut -d' ' -f1)
file_sha=$(sha256sum "$kfile" | cut -d' ' -f1)
grep -q "\"$image_sha\"" "$WORK/plain.hash.json" || die "hash.json does not hold the decompressed Image's digest $image_sha"
! grep -q "\"$file_sha\"" "$WORK/plain.hash.json" || die "hash.json holds the gzip file's digest $file_sha"
log "hash.json kernel = sha256(gunzip vmlinuz-$KVER) = ${image_sha:0:16}… (the gzip file's own: ${file_sha:0:16}…)"
rm -rf "${w:?}"

# 4. the architecture check, then the real encryption
IMG=$WORK/encrypted.qcow2
enc() {   # enc RUNTIME [MORE-ARGS...]
  "$BUILDER" encrypt --input "$G/guest.qcow2" --baseline "$WORK/plain.hash.json" --key-file "$K/rootfs.key" \
    --output "$IMG" --verifier-key "$K/verifier/verifier.pub.pem" --agent-runtime "$1" \
    --provider simulated --image-id arm64-boot-test --sign-with "$K/builder/baseline-signing.jwk" --quiet "${@:2}"
}
rm -f "$IMG" "$IMG".*
set +e; enc "$RT" 2>"$WORK/mismatch.err"; rc=$?; set -e
[[ $rc != 0 ]] || die "image-builder encrypted an arm64 guest with the x86-64 runtime"
grep -qi 'aarch64' "$WORK/mismatch.err" && grep -qi 'x86_64' "$WORK/mismatch.err" \
  || { cat "$WORK/mismatch.err" >&2; die "the mismatch error does not name both architectures"; }
[[ ! -e $IMG ]] || die "a refused encrypt left $IMG behind"
log "x86-64 runtime on the arm64 guest refused (exit $rc): $(grep -m1 -i aarch64 "$WORK/mismatch.err" | cut -c1-200)"
log "image-builder encrypt with both runtimes given (--agent-runtime x86-64 --agent-runtime arm64)"
enc "$RT" --agent-runtime "$RT64" 2>"$WORK/builder.err" || { cat "$WORK/builder.err" >&2; die "image-builder encrypt (arm64)"; }
grep -q "agent runtime $RT64/\{0,1\} (aarch64) for kernel /vmlinuz-$KVER (aarch64)" "$WORK/builder.err" \
  || { cat "$WORK/builder.err" >&2; die "image-builder did not say it chose the arm64 runtime"; }
log "$(grep -m1 'agent runtime' "$WORK/builder.err")"
gp_add_simulated_identity

# 5. boot, release, unlock
port=$(gp_free_port)
log "booting under qemu-system-aarch64 (TCG; hostfwd 127.0.0.1:$port -> 7220)"
: >"$WORK/release.out"; : >"$WORK/release.err"; : >"$WORK/serial.log"   # no line of an earlier run
BOOT_T0=$(date +%s)
"$SG/boot.sh" "$IMG" --arch arm64 --hostfwd "$port:7220" --log "$WORK/serial.log" --timeout "$BOOT_TIMEOUT" \
  >"$WORK/boot.log" 2>&1 &
QPID=$!
while kill -0 "$QPID" 2>/dev/null && ! grep -qaE 'fde: [0-9.]+:7220' "$WORK/serial.log" 2>/dev/null; do sleep 1; done
grep -qaE 'fde: [0-9.]+:7220' "$WORK/serial.log" || fail "the agent never printed 'fde: <IP>:7220'"
LISTEN_S=$(($(date +%s) - BOOT_T0))
log "agent listening after ${LISTEN_S}s: $(grep -m1 -aE 'fde: [0-9.]+:7220' "$WORK/serial.log" | tr -d '\r')"
set +e
gp_release "$port" "$IMG.hash.json" "$K/rootfs.key" "$WORK/release.out" "$WORK/release.err"
rc=$?
wait "$QPID"; brc=$?
set -e
QPID=""
[[ $rc == 0 ]] || fail "attestation-client release exited $rc, expected 0"
[[ $brc == 0 ]] || fail "boot.sh exited $brc (124 = timeout)"
grep -qaF "CVMFDE-MARKER: root is /dev/mapper/encroot" "$WORK/serial.log" || fail "no 'CVMFDE-MARKER: root is /dev/mapper/encroot'"
grep -qaF "CVMFDE-DM: encroot" "$WORK/serial.log" || fail "no 'CVMFDE-DM: encroot'"
! grep -qaE -- "$SHELL_SIGNS" "$WORK/serial.log" || fail "a shell appeared on the console"
grep -E '^boot-components +kernel ' "$WORK/release.out" | grep -q "${image_sha:0:10}.*PASS\$" \
  || fail "the verdict table's kernel row does not PASS with the decompressed Image's digest ${image_sha:0:10}…"
grep -q '^VERDICT: AFFIRMING' "$WORK/release.out" || fail "the verdict is not AFFIRMING"
grep -qaE 'Machine model: linux,dummy-virt|aarch64|ARMv8|arm64' "$WORK/serial.log" || fail "the console does not show an arm64 kernel"
echo "---- verdict (attestation-client release) ----"
cat "$WORK/release.out"
log "arm64 boot test PASSED: released (exit 0), $(grep -m1 -aF 'CVMFDE-MARKER' "$WORK/serial.log" | tr -d '\r'); listening ${LISTEN_S}s after QEMU start, total $(($(date +%s) - T0))s"
rm -f "$IMG"
