#!/usr/bin/env bash
# The boot test (issue 6): a real Debian kernel boots an encrypted guest under QEMU TCG and the
# root unlocks only after the host verified the guest's (simulated) attestation evidence.
#
#   boot-test/run.sh [--work DIR] [--twin all|both|positive|negative|netcut|header-swap|none] [--pipeline auto|builder|manual]
#                    [--port P] [--boot-timeout S]
#
# Steps:
#   1. tools/sample-guest/build.sh            guest.qcow2 (dracut initramfs, ext4 root, marker init)
#   2. tools/guest-runtime/build.sh           the jlink'd runtime the agent runs on
#   3. attestation-client keygen, attestation-server simulated-identity (the guest's private keys
#      in keys/sim/, the host's anchor apart in keys/sim-anchor/), a 32-byte root key
#   4. encrypt:  builder: image-builder encrypt --provider simulated (LUKS2 root, agent overlay,
#                         updated hash.json signed by the build key keys/builder/ with the simulated
#                         RIM and "simulated": true, predicted event log on the boot partition)
#                manual:  the poc-encrypt.sh recipe (cryptsetup reencrypt) + fde-agent overlay +
#                         reference-values measure/predict (what the builder does, by hand) +
#                         image-builder sign-baseline --simulated --rim (the simulated RIM)
#      then the simulated TEE's private identity (never its anchor) goes to the boot partition as
#      cvm-fde/simulated-identity/; every release pins keys/sim-anchor/ (--simulated-anchor) and
#      the build key (--baseline-signer) and skips no check
#   5. positive twin: boot.sh --hostfwd P:7220; when the console shows "fde: <IP>:7220",
#      attestation-client release with a WRONG key must exit 4 (the guest reports "unlock FAILED"
#      and keeps waiting), then with the right key exit 0; the guest must print
#      "CVMFDE-MARKER: root is /dev/mapper/encroot" and "CVMFDE-DM: encroot"
#   6. negative twin: short agent waits (cvmfde.verifier_wait=10s, give_up=60s: room for a slow host JVM on a loaded machine); no verifier in
#      the first round (the agent must keep waiting), then a hash.json whose initramfs digest is
#      wrong (signed by the build key: a genuine baseline of another build): release must exit 3
#      (refused at boot-components), the agent must give up, the console must say "ROOT STAYS
#      LOCKED", the guest must power itself off (QEMU exits) and neither the marker nor a shell
#      prompt may ever appear
#   7. network-cut twin (issue 11): the same image booted without a network device (the host cut
#      the network before the agent got a key): the guest must power itself off, saying
#      "ROOT STAYS LOCKED", and no shell prompt may ever appear on the console
# Also left in DIR for host-run.sh: edited.hash.json (the tampered bytes with the genuine .jws: an
# edited signed baseline, refused at baseline).
#
#   8. header-swap twin (issue 11): the same image, but the host swapped the root's LUKS2 header for
#      one with a cipher_null-ecb segment (same UUID, keyslot kept: the genuine key still opens it)
#      and put its own root behind it (boot-test/header-swap.sh disk; its init prints
#      HOST-ROOT-MARKER); a genuine release runs against it: the agent must refuse the header
#      ("REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb", before it listens), the
#      release must not succeed, the console must say "ROOT STAYS LOCKED", the guest must power
#      itself off, and neither HOST-ROOT-MARKER, the marker nor a shell prompt may appear
#
# --twin all (default): 5, 6, 7 and 8; both: 5 and 6; netcut: 7 only; header-swap: 8 only.
# --twin none: steps 1-4 only (no QEMU needed): what boot-test/host-run.sh and ./demo --no-qemu use.
# pipeline auto = builder when image-builder has its encrypt command (by the source), else manual.
# Exit status: 0 every twin passed; 1 a twin failed (the tail of its serial log is printed);
# 2 usage. Needs: qemu-system-x86 qemu-utils dracut-core dracut-network mtools gdisk e2fsprogs
# cryptsetup-bin busybox-static binutils zstd cpio (and Java 25).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shared with bench/boot-overhead: tool checks, guest/runtime/keys, builder pipeline, release
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"

usage() { sed -n '2,51p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WORK="" TWIN=all PIPELINE=auto PORT="" BOOT_TIMEOUT=420
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --twin) TWIN=${2:?}; shift 2 ;;
    --pipeline) PIPELINE=${2:?}; shift 2 ;;
    --port) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; PORT=$2; shift 2 ;;
    --boot-timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; BOOT_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "boot-test: unknown argument $1" >&2; usage ;;
  esac
done
[[ $TWIN =~ ^(all|both|positive|negative|netcut|header-swap|none)$ && $PIPELINE =~ ^(auto|builder|manual)$ ]] || usage

T0=$(date +%s)
log() { printf '[boot-test %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'boot-test: FAILED: %s\n' "$*" >&2; exit 1; }
if [[ $TWIN == none ]]; then gp_check_tools --no-qemu; else gp_check_tools; fi

if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-boottest.XXXXXX"); fi
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log "work directory $WORK"

if [[ $PIPELINE == auto ]]; then
  # by the source, not by running it: a broken builder must fail the test, not switch pipelines
  if [[ -f $REPO/image-builder/src/main/java/dev/cvmfde/imagebuilder/cli/EncryptCommand.java ]]; then
    PIPELINE=builder
  else
    PIPELINE=manual
  fi
fi
log "pipeline: $PIPELINE"

# ---------------------------------------------------------------- 1-3: guest, runtime, keys
gp_prepare

# ---------------------------------------------------------------- 4: encrypt
encrypt_manual() {
  local w=$WORK/manual raw p2f p2l p2n boff uuid args
  rm -rf "$w"; mkdir -p "$w"
  raw=$w/disk.raw
  qemu-img convert -O raw "$G/guest.qcow2" "$raw"
  p2f=$(sgdisk -i 2 "$raw" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  p2l=$(sgdisk -i 2 "$raw" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
  p2n=$((p2l - p2f + 1))
  dd if="$raw" of="$w/p2.img" bs=512 skip="$p2f" count="$p2n" status=none
  e2fsck -fy "$w/p2.img" >/dev/null 2>&1 || true
  resize2fs "$w/p2.img" "$((p2n / 2048 - 32))M" >/dev/null 2>&1 || die "resize2fs"
  truncate -s $((p2n * 512)) "$w/p2.img"
  uuid=$(cat /proc/sys/kernel/random/uuid)
  cryptsetup reencrypt --encrypt --type luks2 --reduce-device-size 32M --key-file "$K/rootfs.key" \
    --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --uuid "$uuid" --batch-mode "$w/p2.img" >/dev/null \
    || die "cryptsetup reencrypt"
  # what the builder records as luksHeader in agent.json: the header's shape (cryptsetup's JSON
  # metadata) and the fingerprint SHA-256("cvm-fde volume-key v1" || volume key); the agent refuses
  # any other header and any other volume key
  command -v jq >/dev/null || die "missing jq (Debian package: jq), needed by --pipeline manual"
  local vk fp hdr
  vk=$(mktemp -d "$w/vk.XXXXXX")   # 0700; cryptsetup creates the key file in it
  cryptsetup luksDump --dump-volume-key --volume-key-file "$vk/volume.key" --key-file "$K/rootfs.key" --batch-mode \
    "$w/p2.img" >/dev/null || { rm -rf "$vk"; die "cryptsetup luksDump --dump-volume-key"; }
  fp=$({ printf 'cvm-fde volume-key v1'; cat "$vk/volume.key"; } | sha256sum | cut -d' ' -f1)
  rm -rf "$vk"
  hdr=$(cryptsetup luksDump --dump-json-metadata "$w/p2.img" | jq -c --arg fp "$fp" '{
      metadataBytes: ((.config.json_size | tonumber) + 4096), segmentEncryption: .segments["0"].encryption,
      segmentOffset: (.segments["0"].offset | tonumber), sectorSize: .segments["0"].sector_size,
      keyBytes: .keyslots["0"].key_size, keyslotEncryption: .keyslots["0"].area.encryption,
      afHash: .keyslots["0"].af.hash, kdf: (.keyslots["0"].kdf | del(.salt)), volumeKeyFingerprint: $fp}') \
    || die "cannot read the LUKS2 metadata of the reencrypted root"
  dd if="$w/p2.img" of="$raw" bs=512 seek="$p2f" conv=notrunc status=none
  rm -f "$w/p2.img"
  cat >"$w/agent.json" <<EOF
{"luksUuid": "$uuid", "provider": "simulated", "verifierKey": "/etc/cvm-fde/verifier.pub.pem", "imageId": "boot-test-manual",
 "luksHeader": $hdr}
EOF
  "$REPO/bin/fde-agent" overlay --config "$w/agent.json" --verifier-key "$K/verifier/verifier.pub.pem" \
    --runtime "$RT" --out "$w/overlay" 2>/dev/null || die "fde-agent overlay"
  boff=$(gp_boot_offset "$raw")
  local img="$raw@@$boff"
  mkdir -p "$w/boot"
  mcopy -s -n -i "$img" '::/*' "$w/boot/"
  "$SG/append-overlay.sh" "$w/boot/initrd.img-$KVER" "$w/overlay" "$w/initrd" 2>/dev/null
  mv -f "$w/initrd" "$w/boot/initrd.img-$KVER"
  # no shell, ever: what image-builder pins (NoShellArguments), so hash.json's cmdline carries it too
  sed -i -e 's|root=UUID=[^ ]*|root=/dev/mapper/encroot|' \
    -e 's|^\([[:space:]]*linux[[:space:]].*\)$|\1 rd.shell=0 rd.emergency=poweroff|' "$w/boot/grub/grub.cfg"
  mcopy -o -i "$img" "$w/boot/grub/grub.cfg" ::/grub/grub.cfg
  mcopy -o -i "$img" "$w/boot/initrd.img-$KVER" "::/initrd.img-$KVER"
  args=$(sed -n "s|^[[:space:]]*linux[[:space:]]*/vmlinuz-${KVER}[[:space:]]*||p" "$w/boot/grub/grub.cfg")
  "$REPO/bin/reference-values" measure --boot-dir "$w/boot" -o "$w/hash0.json" >/dev/null
  sed "0,/{/s|{|{\n  \"cmdline\" : \"$args\",|" "$w/hash0.json" >"$HASH"
  # the RIM the simulated TEE reports for a log without index-0 events (SimulatedTee.rim)
  local rim
  rim=$({ printf 'cvm-fde simulated realm initial measurement v1'; head -c 32 /dev/zero; } | sha256sum | cut -d' ' -f1)
  "$BUILDER" sign-baseline --baseline "$HASH" --simulated --rim "$rim" --sign-with "$K/builder/baseline-signing.jwk" \
    2>/dev/null || die "image-builder sign-baseline"
  "$REPO/bin/reference-values" predict --grub-efi "$w/boot/EFI/BOOT/BOOTX64.EFI" \
    --grub-cfg "$w/boot/grub/grub.cfg" --grub-cfg-path /grub/grub.cfg \
    --kernel "$w/boot/vmlinuz-$KVER" --kernel-path "/vmlinuz-$KVER" --kernel-args "$args" \
    --initramfs "$w/boot/initrd.img-$KVER" --initramfs-path "/initrd.img-$KVER" \
    -o "$w/simulated-ccel.bin" >/dev/null || die "reference-values predict"
  mmd -i "$img" ::/cvm-fde
  mcopy -i "$img" "$w/simulated-ccel.bin" ::/cvm-fde/simulated-ccel.bin
  qemu-img convert -O qcow2 "$raw" "$IMG"
  rm -rf "$raw" "${w:?}/boot"
}

encrypt_builder() { gp_encrypt_builder; }

log "encrypting the guest ($PIPELINE)"
"encrypt_$PIPELINE"
gp_add_simulated_identity
log "encrypted image ready: $IMG ($(du -h "$IMG" | cut -f1) allocated); baseline $HASH"

# a baseline that does not match: the initramfs digest changed in its first hex digit
awk '!done && /"initramfs"/ { match($0, /"initramfs" *: *"/); p = RSTART + RLENGTH; c = substr($0, p, 1);
     $0 = substr($0, 1, p - 1) (c == "0" ? "1" : "0") substr($0, p + 1); done = 1 } { print }' "$HASH" >"$WORK/tampered.hash.json"
cmp -s "$HASH" "$WORK/tampered.hash.json" && die "could not make the tampered baseline"
# the host's edit of the signed baseline beside the image (the genuine signature kept): refused at baseline
cp "$WORK/tampered.hash.json" "$WORK/edited.hash.json"; cp "$HASH.jws" "$WORK/edited.hash.json.jws"
# a genuine baseline of another build, signed by the build key: refused at boot-components
"$BUILDER" sign-baseline --baseline "$WORK/tampered.hash.json" --sign-with "$K/builder/baseline-signing.jwk" 2>/dev/null \
  || die "image-builder sign-baseline (tampered baseline)"

# ---------------------------------------------------------------- 5/6: the twins
# start_twin NAME EXTRA_KERNEL_ARGS STOP_ON: boot in the background, wait for "fde: <IP>:7220"
start_twin() {
  local name=$1 extra=$2 stop=$3 serial
  TWIN_NAME=$name TWIN_PORT=${PORT:-$(gp_free_port)} TWIN_START=$(date +%s)
  serial=$WORK/$name.serial.log
  : >"$WORK/$name.release.out"; : >"$WORK/$name.release.err"
  log "$name twin: booting (hostfwd 127.0.0.1:$TWIN_PORT -> 7220${extra:+, extra args: $extra})"
  local bargs=("$IMG" --hostfwd "$TWIN_PORT:7220" --log "$serial" --timeout "$BOOT_TIMEOUT")
  [[ -n $extra ]] && bargs+=(--append-extra "$extra")
  [[ -n $stop ]] && bargs+=(--stop-on "$stop")
  "$SG/boot.sh" "${bargs[@]}" >"$WORK/$name.boot.log" 2>&1 &
  TWIN_PID=$!
  wait_console 'fde: [0-9.]+:7220' || fail_twin "$name" "the agent never printed 'fde: <IP>:7220'"
  log "$name twin: console shows '$(grep -m1 -aoE 'fde: [0-9.]+:7220' "$serial")' after $(($(date +%s) - TWIN_START))s"
}

# wait_console ERE: until the serial log of the running twin matches (1 if the guest stopped first)
wait_console() {
  while kill -0 "$TWIN_PID" 2>/dev/null; do
    grep -qaE -- "$1" "$WORK/$TWIN_NAME.serial.log" 2>/dev/null && return 0
    sleep 1
  done
  grep -qaE -- "$1" "$WORK/$TWIN_NAME.serial.log" 2>/dev/null
}

# release WHAT BASELINE KEY WANT: attestation-client release against the running twin
release() {
  local what=$1 baseline=$2 key=$3 want=$4 rc
  set +e
  gp_release "$TWIN_PORT" "$baseline" "$key" "$WORK/$TWIN_NAME.$what.out" "$WORK/$TWIN_NAME.$what.err"
  rc=$?
  set -e
  cat "$WORK/$TWIN_NAME.$what.out" >>"$WORK/$TWIN_NAME.release.out"
  cat "$WORK/$TWIN_NAME.$what.err" >>"$WORK/$TWIN_NAME.release.err"
  log "$TWIN_NAME twin: release ($what, $(basename "$baseline"), $(basename "$key")): exit $rc (want $want): $(grep -m1 -E '^(RELEASED|REFUSED)' "$WORK/$TWIN_NAME.$what.out" | cut -c1-160)"
  [[ $rc == "$want" ]] || fail_twin "$TWIN_NAME" "attestation-client release ($what) exited $rc, expected $want"
}

# finish_twin: wait for boot.sh (guest powered off, or --stop-on text seen)
finish_twin() {
  local rc t
  set +e; wait "$TWIN_PID"; rc=$?; set -e
  t=$(($(date +%s) - TWIN_START))
  printf -v "TIME_$TWIN_NAME" '%s' "$t"
  log "$TWIN_NAME twin: boot.sh exit $rc after ${t}s"
  [[ $rc == 0 ]] || fail_twin "$TWIN_NAME" "boot.sh exited $rc (124 = timeout)"
}

fail_twin() {
  if [[ -n ${TWIN_PID:-} ]] && kill -0 "$TWIN_PID" 2>/dev/null; then kill "$TWIN_PID" 2>/dev/null || true; wait "$TWIN_PID" 2>/dev/null || true; fi
  echo "---- $1: attestation-client release output ----" >&2
  cat "$WORK/$1.release.out" "$WORK/$1.release.err" 2>/dev/null | tail -40 >&2 || true
  echo "---- $1: boot.sh ----" >&2; cat "$WORK/$1.boot.log" >&2 || true
  echo "---- $1: last 60 lines of the serial log $WORK/$1.serial.log ----" >&2
  tail -60 "$WORK/$1.serial.log" | tr -d '\r' >&2 || true
  die "$1 twin: $2"
}

need_in_log() { grep -qaF -- "$2" "$WORK/$1.serial.log" || fail_twin "$1" "serial log lacks: $2"; }
never_in_log() { ! grep -qaF -- "$2" "$WORK/$1.serial.log" || fail_twin "$1" "serial log shows: $2"; }
# ---------------------------------------------------------------- no shell, ever (issue 11)
# What a shell on the console looks like: dracut's emergency mode and prompts ("dracut:/#",
# "initqueue:/#"), systemd's rescue/emergency sulogin, a plain sh/bash prompt, a getty.
SHELL_SIGNS='Entering emergency mode|Dropping to debug shell|Give root password|Press Enter for maintenance|Cannot open access to console|[A-Za-z-]+:/[^ ]*# |(^|[^A-Za-z])(sh|bash)-[0-9.]+# |login: '
never_shell() {
  if grep -qaE -- "$SHELL_SIGNS" "$WORK/$1.serial.log"; then
    fail_twin "$1" "a shell appeared on the console: $(grep -m1 -aE -- "$SHELL_SIGNS" "$WORK/$1.serial.log" | tr -d '\r')"
  fi
}
# need_powered_off NAME: the guest powered itself off (not a panic reboot, not a hang) and no shell was ever offered
need_powered_off() {
  need_in_log "$1" "powering off (no shell)"
  need_in_log "$1" "reboot: Power down"
  never_in_log "$1" "Kernel panic"
  never_shell "$1"
}

# network-cut twin: no network device at all, so the agent never gets a key (it never even starts:
# dracut's initqueue sees no online interface); the timeout hook must power the guest off
netcut_twin() {
  TWIN_NAME=netcut TWIN_START=$(date +%s)
  : >"$WORK/netcut.release.out"; : >"$WORK/netcut.release.err"
  log "netcut twin: booting without a network device (the host cut the network before the agent got a key)"
  # rd.retry=45: dracut's timeout hooks run after 2/3 of it (30 s) instead of the default's minutes
  # under TCG; the outcome is the same, only sooner (a real host may keep the guest waiting longer)
  "$SG/boot.sh" "$IMG" --no-net --append-extra "rd.retry=45" --log "$WORK/netcut.serial.log" --timeout "$BOOT_TIMEOUT" \
    >"$WORK/netcut.boot.log" 2>&1 &
  TWIN_PID=$!
  finish_twin
  need_in_log netcut "ROOT STAYS LOCKED: the network did not come online"
  need_powered_off netcut
  never_in_log netcut "starting the FDE agent"
  never_in_log netcut "CVMFDE-MARKER"
  log "netcut twin PASSED: $(grep -m1 -aF 'ROOT STAYS LOCKED' "$WORK/netcut.serial.log" | tr -d '\r' | cut -c1-140); powered off after $(($(date +%s) - TWIN_START))s, no shell"
}
head -c 32 /dev/urandom >"$K/wrong.key"; chmod 600 "$K/wrong.key"

if [[ $TWIN == none ]]; then
  log "prepared (no boot, --twin none): $IMG, $HASH (+ .jws), $WORK/tampered.hash.json, $WORK/edited.hash.json, keys in $K"
  exit 0
fi
if [[ $TWIN =~ ^(all|both|positive)$ ]]; then
  # a key that does not open the volume first: the guest must report it and keep waiting
  start_twin positive "" ""
  release wrong-key "$HASH" "$K/wrong.key" 4
  grep -q 'guest reports (unauthenticated): unlock failed' "$WORK/positive.wrong-key.out" || fail_twin positive "wrong key: no 'guest reports (unauthenticated): unlock failed'"
  release right-key "$HASH" "$K/rootfs.key" 0
  finish_twin
  need_in_log positive "unlock FAILED"
  need_in_log positive "CVMFDE-MARKER: root is /dev/mapper/encroot"
  need_in_log positive "CVMFDE-DM: encroot"
  need_in_log positive "fde-agent: done: root volume unlocked"
  never_in_log positive "ROOT STAYS LOCKED"
  log "positive twin PASSED: $(grep -m1 -aF 'unlock FAILED' "$WORK/positive.serial.log" | tr -d '\r' | cut -c1-120) ...; then $(grep -m1 -aF 'CVMFDE-MARKER' "$WORK/positive.serial.log" | tr -d '\r'); $(grep -m1 -aF 'CVMFDE-DM:' "$WORK/positive.serial.log" | tr -d '\r')"
fi
if [[ $TWIN =~ ^(all|both|negative)$ ]]; then
  # no verifier during the first round (the agent re-prints its addresses and keeps waiting),
  # then a verifier whose baseline does not match: refused; the agent gives up, root stays locked,
  # the guest powers itself off (no --stop-on: QEMU must exit by itself)
  start_twin negative "cvmfde.verifier_wait=10s cvmfde.verifier_wait_max=10s cvmfde.give_up=60s" ""
  wait_console 'waiting for the verifier on port 7220 \(round 2' || fail_twin negative "no second listening round"
  release tampered "$WORK/tampered.hash.json" "$K/rootfs.key" 3
  finish_twin
  need_in_log negative "no key released within 10s; still waiting"
  need_in_log negative "the verifier refused to release the key: boot-components"
  need_in_log negative "GIVING UP"
  need_in_log negative "ROOT STAYS LOCKED"
  need_powered_off negative
  never_in_log negative "CVMFDE-MARKER"
  never_in_log negative "root volume unlocked"
  never_in_log negative "key released by the verifier"
  grep -q 'boot-components' "$WORK/negative.tampered.out" || fail_twin negative "the refusal does not name boot-components"
  log "negative twin PASSED: refused at boot-components; console: $(grep -m1 -aF 'ROOT STAYS LOCKED' "$WORK/negative.serial.log" | tr -d '\r'); powered off, no shell"
fi
if [[ $TWIN =~ ^(all|netcut)$ ]]; then
  netcut_twin
fi

# ---------------------------------------------------------------- 7: the header-swap twin (issue 11)
# The host swaps the root's LUKS2 header (cipher_null-ecb segment, same UUID and keyslot) and puts
# its own root behind it; the boot chain is genuine, so the verifier releases: the guest must refuse.
# The guest must power itself off (no --stop-on), and no shell prompt may ever appear.
header_swap_twin() {
  local swapped=$WORK/header-swap.qcow2 rel_pid rel_rc
  log "header-swap twin: the host swaps the root's LUKS header (boot-test/header-swap.sh disk)"
  "$REPO/boot-test/header-swap.sh" disk "$IMG" "$G/guest.qcow2" "$swapped" >"$WORK/header_swap.swap.out" 2>&1 \
    || { cat "$WORK/header_swap.swap.out" >&2; die "boot-test/header-swap.sh disk"; }
  TWIN_NAME=header_swap TWIN_PORT=${PORT:-$(gp_free_port)} TWIN_START=$(date +%s)
  : >"$WORK/header_swap.release.out"; : >"$WORK/header_swap.release.err"
  log "header-swap twin: booting $(basename "$swapped") (hostfwd 127.0.0.1:$TWIN_PORT -> 7220); a genuine release runs meanwhile"
  "$SG/boot.sh" "$swapped" --hostfwd "$TWIN_PORT:7220" --log "$WORK/header_swap.serial.log" --timeout "$BOOT_TIMEOUT" \
    >"$WORK/header_swap.boot.log" 2>&1 &
  TWIN_PID=$!
  # the genuine release: right key, genuine baseline, retried while the guest boots
  gp_release "$TWIN_PORT" "$HASH" "$K/rootfs.key" "$WORK/header_swap.release.out" "$WORK/header_swap.release.err" &
  rel_pid=$!
  wait_console 'REFUSED: LUKS header' || fail_twin header_swap "the agent never refused the swapped header"
  finish_twin
  set +e; wait "$rel_pid"; rel_rc=$?; set -e
  log "header-swap twin: genuine release exit $rel_rc (want non-zero: no agent took a key): $(grep -m1 -E '^(RELEASED|REFUSED|ERROR|FAILED)' "$WORK/header_swap.release.out" | cut -c1-120)"
  [[ $rel_rc != 0 ]] || fail_twin header_swap "the genuine release succeeded against the swapped header"
  ! grep -q '^RELEASED' "$WORK/header_swap.release.out" || fail_twin header_swap "a key was released to the swapped guest"
  need_in_log header_swap "REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb"
  need_in_log header_swap "ROOT STAYS LOCKED"
  need_powered_off header_swap
  never_in_log header_swap "HOST-ROOT-MARKER"
  never_in_log header_swap "CVMFDE-MARKER"
  never_in_log header_swap "key released by the verifier"
  rm -f "$swapped"
  log "header-swap twin PASSED: $(grep -m1 -aoF 'REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb' "$WORK/header_swap.serial.log"); the host's root never ran; console: $(grep -m1 -aF 'ROOT STAYS LOCKED' "$WORK/header_swap.serial.log" | tr -d '\r' | cut -c1-100)"
}
if [[ $TWIN =~ ^(all|header-swap)$ ]]; then
  header_swap_twin
fi
log "boot test PASSED (pipeline $PIPELINE, positive ${TIME_positive:--}s, negative ${TIME_negative:--}s, netcut ${TIME_netcut:--}s, header-swap ${TIME_header_swap:--}s, total $(($(date +%s) - T0))s)"
