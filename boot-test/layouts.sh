#!/usr/bin/env bash
# The layout boot test (issue 13): the partition layouts of real cloud images, each built as a
# sample guest, encrypted by image-builder (partitions found by type and content), booted under
# QEMU TCG, attested, released and unlocked.
#
#   boot-test/layouts.sh [--work DIR] [--layouts "ext4-boot debian-cloud bls"] [--boot-timeout S]
#
# For each layout:
#   1. tools/sample-guest/build.sh --layout L    (ext4-boot: ESP + root-x86-64 root that is NOT the
#      last partition + ext4 XBOOTLDR /boot; debian-cloud: p14 BIOS boot, p15 ESP, p1 root with /boot
#      inside and fstab by PARTUUID; bls: ESP + ext4 /boot with grub.cfg running blscfg and
#      loader/entries/*.conf + root)
#   2. image-builder encrypt --provider simulated (no partition numbers given), then the simulated
#      TEE's private identity on the ESP (guest-pipeline.sh: gp_add_simulated_identity)
#   3. the kernel, the initramfs and the command line are taken out of the encrypted image's boot
#      partition with debugfs (ext4): the command line from grub.cfg's linux line, or the BLS
#      entry's options line; it must equal the "cmdline" the builder wrote into hash.json
#   4. boot.sh --kernel --initrd --append (direct kernel boot of exactly those files); when the
#      console shows "fde: <IP>:7220": attestation-client release with the right key -> exit 0; the
#      guest must print "CVMFDE-MARKER: root is /dev/mapper/encroot" and "CVMFDE-DM: encroot"
#      (debian-cloud also: fstab's root is /dev/mapper/encroot and its /boot line finds the new boot
#      partition); no shell prompt may appear
# Prints a verdict table. Exit status: 0 every layout passed; 1 one failed (the tail of its serial
# log is printed); 2 usage. Needs what boot-test/run.sh needs (and Java 25).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WORK="" LAYOUTS="ext4-boot debian-cloud bls" BOOT_TIMEOUT=600
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --layouts) LAYOUTS=${2:?}; shift 2 ;;
    --boot-timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; BOOT_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "layouts: unknown argument $1" >&2; usage ;;
  esac
done
for l in $LAYOUTS; do [[ $l =~ ^(ext4-boot|debian-cloud|bls)$ ]] || usage; done

T0=$(date +%s)
log() { printf '[layouts %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'layouts: FAILED: %s\n' "$*" >&2; exit 1; }
gp_check_tools
command -v debugfs >/dev/null || die "missing debugfs (Debian package: e2fsprogs)"
if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-layouts.XXXXXX"); fi
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log "work directory $WORK"

gp_prepare_host
# a flat baseline of the right form and algorithm: image-builder re-measures every digest
d=$(printf '0%.0s' $(seq 64))
printf '{"grub":"%s","grub.cfg":"%s","kernel":"%s","initramfs":"%s","hash_alg":"sha-256"}\n' "$d" "$d" "$d" "$d" \
  >"$WORK/form.hash.json"
SHELL_SIGNS='Entering emergency mode|Dropping to debug shell|Give root password|Press Enter for maintenance|[A-Za-z-]+:/[^ ]*# |(^|[^A-Za-z])(sh|bash)-[0-9.]+# |login: '
VERDICTS=()

# fail LAYOUT WHY: the release output, boot.sh's output and the serial log's tail, then exit 1
fail() {
  if [[ -n ${QPID:-} ]] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true; fi
  echo "---- $1: release ----" >&2; cat "$WORK/$1.release.out" "$WORK/$1.release.err" 2>/dev/null | tail -30 >&2 || true
  echo "---- $1: boot.sh ----" >&2; cat "$WORK/$1.boot.log" >&2 2>/dev/null || true
  echo "---- $1: last 60 lines of $WORK/$1.serial.log ----" >&2
  tail -60 "$WORK/$1.serial.log" 2>/dev/null | tr -d '\r' >&2 || true
  die "layout $1: $2"
}

# boot_files LAYOUT RAW: the boot partition (ext4) of the encrypted image: its number in BOOTPART
boot_partition() {
  local raw=$1 n code
  # XBOOTLDR (EA00) first (ext4-boot; debian-cloud's new one), else the ext4 partition holding loader/
  BOOTPART=$(sgdisk -p "$raw" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $6 == "EA00" { print $1; exit }')
  if [[ -z $BOOTPART ]]; then
    for n in $(sgdisk -p "$raw" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { print $1 }'); do
      code=$(gp_part "$raw" "$n")
      dd if="$raw" of="$WORK/probe.img" bs=512 skip="${code% *}" count="${code#* }" status=none
      if debugfs -R "stat /loader/entries" "$WORK/probe.img" 2>/dev/null | grep -q 'Type: directory'; then
        BOOTPART=$n; break
      fi
    done
    rm -f "$WORK/probe.img"
  fi
  [[ -n $BOOTPART ]] || die "no ext4 boot partition in $raw"
}

one_layout() {
  local L=$1 g=$WORK/guest-$1 img=$WORK/$1.qcow2 raw=$WORK/$1.raw bimg=$WORK/$1.boot.img part kpath ipath args
  local t0 port rc want
  t0=$(date +%s)
  log "$L: building the sample guest (tools/sample-guest/build.sh --layout $L)"
  "$SG/build.sh" --layout "$L" "$g" >"$WORK/$L.build.log" 2>&1 || { tail -30 "$WORK/$L.build.log" >&2; die "build.sh --layout $L"; }
  log "$L: image-builder encrypt (partitions found by type and content)"
  rm -f "$img" "$img".*
  "$BUILDER" encrypt --input "$g/guest.qcow2" --baseline "$WORK/form.hash.json" --key-file "$K/rootfs.key" \
    --output "$img" --verifier-key "$K/verifier/verifier.pub.pem" --agent-runtime "$RT" \
    --provider simulated --image-id "layout-$L" --sign-with "$K/builder/baseline-signing.jwk" --quiet \
    2>"$WORK/$L.builder.err" || { cat "$WORK/$L.builder.err" >&2; die "image-builder encrypt ($L)"; }
  # shellcheck disable=SC2034  # IMG is read by gp_add_simulated_identity
  IMG=$img
  gp_add_simulated_identity
  # what the guest boots: the kernel, initramfs and command line on the encrypted image's boot partition
  qemu-img convert -O raw "$img" "$raw"
  boot_partition "$raw"
  part=$(gp_part "$raw" "$BOOTPART")
  dd if="$raw" of="$bimg" bs=512 skip="${part% *}" count="${part#* }" status=none
  rm -f "$raw"
  if [[ $L == bls ]]; then
    local entry
    entry=$(debugfs -R "ls /loader/entries" "$bimg" 2>/dev/null | tr -s ' ' '\n' | grep -m1 '\.conf$')
    debugfs -R "cat /loader/entries/$entry" "$bimg" 2>/dev/null >"$WORK/$L.entry.conf"
    kpath=$(sed -n 's/^linux[[:space:]]\{1,\}//p' "$WORK/$L.entry.conf")
    ipath=$(sed -n 's/^initrd[[:space:]]\{1,\}//p' "$WORK/$L.entry.conf")
    args=$(sed -n 's/^options[[:space:]]\{1,\}//p' "$WORK/$L.entry.conf")
  else
    debugfs -R "cat /grub/grub.cfg" "$bimg" 2>/dev/null >"$WORK/$L.grub.cfg"
    read -r _ kpath args < <(grep -m1 -E '^[[:space:]]*linux[[:space:]]' "$WORK/$L.grub.cfg")
    ipath=$(awk '$1 == "initrd" { print $2; exit }' "$WORK/$L.grub.cfg")
  fi
  kpath=${kpath#/boot}; ipath=${ipath#/boot}   # debian-cloud: /boot/... resolves through the boot -> . link
  debugfs -R "dump $kpath $WORK/$L.vmlinuz" "$bimg" 2>/dev/null
  debugfs -R "dump $ipath $WORK/$L.initrd" "$bimg" 2>/dev/null
  [[ -s $WORK/$L.vmlinuz && -s $WORK/$L.initrd ]] || die "$L: cannot read $kpath / $ipath from boot partition $BOOTPART"
  rm -f "$bimg"
  want=$(sed -n 's/^ *"cmdline" *: *"\(.*\)",\{0,1\}$/\1/p' "$img.hash.json")
  [[ $args == "$want" ]] || die "$L: the boot partition's command line '$args' differs from hash.json's '$want'"
  port=$(gp_free_port)
  log "$L: booting (partition $BOOTPART: $kpath, $ipath; hostfwd 127.0.0.1:$port -> 7220)"
  : >"$WORK/$L.release.out"; : >"$WORK/$L.release.err"
  "$SG/boot.sh" "$img" --kernel "$WORK/$L.vmlinuz" --initrd "$WORK/$L.initrd" --append "$args" \
    --hostfwd "$port:7220" --log "$WORK/$L.serial.log" --timeout "$BOOT_TIMEOUT" >"$WORK/$L.boot.log" 2>&1 &
  QPID=$!
  while kill -0 "$QPID" 2>/dev/null && ! grep -qaE 'fde: [0-9.]+:7220' "$WORK/$L.serial.log" 2>/dev/null; do sleep 1; done
  grep -qaE 'fde: [0-9.]+:7220' "$WORK/$L.serial.log" || fail "$L" "the agent never printed 'fde: <IP>:7220'"
  set +e
  gp_release "$port" "$img.hash.json" "$K/rootfs.key" "$WORK/$L.release.out" "$WORK/$L.release.err"
  rc=$?
  wait "$QPID"; local brc=$?
  set -e
  QPID=""
  [[ $rc == 0 ]] || fail "$L" "attestation-client release exited $rc, expected 0"
  [[ $brc == 0 ]] || fail "$L" "boot.sh exited $brc (124 = timeout)"
  grep -qaF "CVMFDE-MARKER: root is /dev/mapper/encroot" "$WORK/$L.serial.log" || fail "$L" "no 'CVMFDE-MARKER: root is /dev/mapper/encroot'"
  grep -qaF "CVMFDE-DM: encroot" "$WORK/$L.serial.log" || fail "$L" "no 'CVMFDE-DM: encroot'"
  ! grep -qaE -- "$SHELL_SIGNS" "$WORK/$L.serial.log" || fail "$L" "a shell appeared on the console"
  if [[ $L == debian-cloud ]]; then
    grep -qaF "CVMFDE-FSTAB-ROOT: /dev/mapper/encroot" "$WORK/$L.serial.log" || fail "$L" "fstab's root is not /dev/mapper/encroot"
    grep -qaE "CVMFDE-FSTAB-BOOT: UUID=[0-9a-f-]+ -> /dev/vda$BOOTPART" "$WORK/$L.serial.log" \
      || fail "$L" "fstab's /boot line does not find the new boot partition /dev/vda$BOOTPART"
  fi
  local secs=$(($(date +%s) - t0))
  VERDICTS+=("$(printf '%-13s | %-9s | %-8s | %-19s | %4ss' "$L" "exit $rc" unlocked "/dev/mapper/encroot" "$secs")")
  log "$L PASSED: released (exit 0), $(grep -m1 -aF 'CVMFDE-MARKER' "$WORK/$L.serial.log" | tr -d '\r'), in ${secs}s"
  rm -f "$WORK/$L.vmlinuz" "$WORK/$L.initrd" "$img" "$WORK/$L.raw"
}

QPID=""
for L in $LAYOUTS; do one_layout "$L"; done
echo "layout        | release   | root     | mounted as /        | time"
printf '%s\n' "${VERDICTS[@]}"
log "layout boot test PASSED ($LAYOUTS; total $(($(date +%s) - T0))s)"
