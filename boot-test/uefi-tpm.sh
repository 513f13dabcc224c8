#!/usr/bin/env bash
# The UEFI + vTPM twins (issue 12): a genuinely measured boot. OVMF + swtpm + Debian's signed shim
# and grub boot the encrypted sample guest (no direct kernel boot); the guest attests with its TPM
# (provider tpm: quote, event log, EK certificate) and the host releases the key only if what was
# measured is what hash.json names. The host then tampers with the clear boot partition, the
# baseline untouched, and each tampered image is refused at the component it changed.
#
#   boot-test/uefi-tpm.sh [--work DIR] [--twin all|genuine|tampered|grubcfg|initramfs|kernel|golden|none] [--jobs N]
#                         [--boot-timeout S]
#
# Steps:
#   1. the sample guest with CVMFDE_EFI_LOADER=shim (tools/sample-guest/build.sh): EFI/BOOT/BOOTX64.EFI
#      is Debian's signed shim, EFI/BOOT/grubx64.efi Debian's signed grub, EFI/debian/grub.cfg with
#      linuxefi (the kernel's EFI stub hands it the firmware's event log); its command line carries
#      short agent waits (listening rounds of 60 s: longer than the TPM evidence takes
#      under a loaded TCG; cvmfde.give_up=150s), so a refused guest powers off within three minutes
#   2. the guest runtime and the keys (verifier, 32-byte root key; guest-pipeline.sh), and a TPM:
#      swtpm_setup --create-ek-cert with a local CA made for this run (its root is --tpm-ek-root)
#   3. golden boot (cached per OVMF/QEMU/swtpm/boot.sh and the plain boot files): the PLAIN guest boots through OVMF + shim
#      + grub with the TPM; its root prints the TCG event log (base64). Checks on that real log:
#      reference-values compare against the plain boot partition's hash.json (the strict allow-list:
#      shim, grub, grub.cfg, kernel, initramfs, nothing else), predict-uefi's PCRs 4 and 9 equal the
#      log's as tpm2_eventlog replays both; then reference-values firmware-pcrs records PCRs 0-3, 7
#      (the firmware's: recorded, not predicted) as hash.json's "tpm" member
#   4. reference-values measure --firmware-pcrs of the plain boot partition, image-builder encrypt
#      --provider tpm (LUKS2 root, agent overlay, signed hash.json with "shim" and "tpm", and
#      OUTPUT.uefi-boot.json/.log: what the UEFI boot must measure)
#   5. genuine twin: boot.sh --tpm; when the console shows "fde: <IP>:7220", attestation-client release
#      --tpm-ek-root (nothing skipped) must exit 0; the root unlocks (CVMFDE-MARKER: root is
#      /dev/mapper/encroot) and prints the guest's event log: the allow-list passes on it, its PCRs 4
#      and 9 equal the prediction (tpm2_eventlog), PCRs 0-3, 7 equal the golden boot's
#   6. tampered twins, each a copy of the encrypted image with ONE change on the clear boot partition
#      (hash.json untouched): grub.cfg (" init=/bin/sh" appended to the linuxefi line), initramfs
#      (the host's: the genuine one with a cpio appended), kernel (the host's: 4 KiB appended);
#      a genuine release must exit 3 naming the component (grub.cfg / initramfs / kernel MISMATCH,
#      expected vs actual), the console must say ROOT STAYS LOCKED, the guest must power itself off,
#      and neither the marker nor a shell prompt may appear. They boot after the genuine twin, --jobs N
#      of them at once (default 3: they spend most of their time waiting for the refused agent to give up).
#
# --twin all (default): 5 and 6; genuine: 5; tampered: 6; grubcfg|initramfs|kernel: that one of 6;
# golden: steps 1-3; none: steps 1-4.
# Exit status: 0 every twin passed; 1 a twin failed (its release output and serial log tail are
# printed); 2 usage. Needs what run.sh needs plus ovmf swtpm swtpm-tools tpm2-tools (Debian).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"

usage() { sed -n '2,43p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WORK="" TWIN=all BOOT_TIMEOUT=900 JOBS=3
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --twin) TWIN=${2:?}; shift 2 ;;
    --jobs) [[ ${2:-} =~ ^[1-9]$ ]] || usage; JOBS=$2; shift 2 ;;
    --boot-timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; BOOT_TIMEOUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "uefi-tpm: unknown argument $1" >&2; usage ;;
  esac
done
[[ $TWIN =~ ^(all|genuine|tampered|grubcfg|initramfs|kernel|golden|none)$ ]] || usage

T0=$(date +%s)
log() { printf '[uefi-tpm %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'uefi-tpm: FAILED: %s\n' "$*" >&2; exit 1; }
gp_check_tools
for t in swtpm:swtpm swtpm_setup:swtpm-tools swtpm_localca:swtpm-tools tpm2_eventlog:tpm2-tools base64:coreutils; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
[[ -f $OVMF_CODE && -f $OVMF_VARS ]] || die "OVMF firmware missing (Debian package: ovmf)"

if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-uefi.XXXXXX"); fi
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log "work directory $WORK"
RV=$REPO/bin/reference-values
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/cvm-fde

# ---------------------------------------------------------------- 1-2: guest, runtime, keys, TPM
# the agent waits are part of the measured command line (grub.cfg), so hash.json pins them too
export CVMFDE_EFI_LOADER=shim
export CVMFDE_EXTRA_CMDLINE="cvmfde.verifier_wait=60s cvmfde.verifier_wait_max=60s cvmfde.give_up=150s"
gp_prepare
TPM=$WORK/tpm
provision_tpm() {   # swtpm_setup with a local CA of this run: TPM/state (EK cert in NV), TPM/ek-root.pem
  rm -rf "$TPM"; mkdir -p "$TPM/state" "$TPM/ca"
  printf 'statedir = %s\nsigningkey = %s\nissuercert = %s\ncertserial = %s\n' "$TPM/ca" "$TPM/ca/signkey.pem" \
    "$TPM/ca/issuercert.pem" "$TPM/ca/certserial" >"$TPM/localca.conf"
  printf -- '--platform-manufacturer cvm-fde-test\n--platform-version 2.1\n--platform-model QEMU\n' >"$TPM/localca.options"
  printf 'create_certs_tool = %s\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = %s\nactive_pcr_banks = sha256\n' \
    "$(command -v swtpm_localca)" "$TPM/localca.conf" "$TPM/localca.options" >"$TPM/swtpm_setup.conf"
  swtpm_setup --tpm2 --tpmstate "$TPM/state" --config "$TPM/swtpm_setup.conf" --create-ek-cert \
    --create-platform-cert --overwrite >"$TPM/swtpm_setup.log" 2>&1 || { cat "$TPM/swtpm_setup.log" >&2; die "swtpm_setup"; }
  cat "$TPM/ca/issuercert.pem" "$TPM/ca/swtpm-localca-rootca-cert.pem" >"$TPM/ek-root.pem"
}
provision_tpm
log "TPM provisioned (EK certificate from a local CA; the host pins $TPM/ek-root.pem)"

# copy the plain guest's boot partition out (measure, predict, golden checks)
PLAIN=$WORK/plain-boot
rm -rf "$PLAIN"; mkdir -p "$PLAIN"
qemu-img convert -O raw "$G/guest.qcow2" "$WORK/plain.raw"
mcopy -s -n -i "$WORK/plain.raw@@$(gp_boot_offset "$WORK/plain.raw")" '::/*' "$PLAIN/"
rm -f "$WORK/plain.raw"
[[ -f $PLAIN/EFI/BOOT/grubx64.efi && -f $PLAIN/EFI/debian/grub.cfg ]] || die "the sample guest has no shim + signed grub layout"
"$RV" measure --boot-dir "$PLAIN" -o "$WORK/plain.hash.json" >/dev/null

# extract_log SERIAL OUT: the base64 event log the root's init printed, decoded
extract_log() {
  tr -d '\r' <"$1" | sed -n '/^CVMFDE-EVENTLOG-BEGIN$/,/^CVMFDE-EVENTLOG-END$/p' | sed '1d;$d' | base64 -d >"$2" 2>/dev/null \
    && [[ -s $2 ]]
}
# pcr_of LOG N: PCR N (sha256) as tpm2_eventlog replays LOG
pcr_of() {
  tpm2_eventlog "$1" 2>/dev/null | awk -v n="$2" '/^  sha256:/ { s = 1; next } /^  sha[0-9]+:/ { s = 0 }
    s && $1 == n { print $3; exit }'
}
# predict_plain OUT: predict-uefi for the plain guest's boot partition
predict_plain() {
  local args
  args=$(sed -n "s|^[[:space:]]*linuxefi[[:space:]]*/vmlinuz-${KVER}[[:space:]]*||p" "$PLAIN/EFI/debian/grub.cfg")
  "$RV" predict-uefi --shim "$PLAIN/EFI/BOOT/BOOTX64.EFI" --grub-efi "$PLAIN/EFI/BOOT/grubx64.efi" \
    --grub-cfg "$PLAIN/EFI/debian/grub.cfg" --grub-cfg-path /EFI/debian/grub.cfg --linux-command linuxefi \
    --initrd-command initrdefi --kernel "$PLAIN/vmlinuz-$KVER" --kernel-path "/vmlinuz-$KVER" --kernel-args "$args" \
    --initramfs "$PLAIN/initrd.img-$KVER" --initramfs-path "/initrd.img-$KVER" -o "$1.json" --log-out "$1.log" >/dev/null
}

# ---------------------------------------------------------------- 3: golden boot (cached)
GKEY=$( (sha256sum "$OVMF_CODE" "$OVMF_VARS" "$SG/boot.sh" | cut -d' ' -f1; qemu-system-x86_64 -version | head -1;
         swtpm --version 2>&1 | head -1; sha256sum "$PLAIN/EFI/BOOT/BOOTX64.EFI" "$PLAIN/EFI/BOOT/grubx64.efi" \
         "$PLAIN/EFI/debian/grub.cfg" "$PLAIN/vmlinuz-$KVER" "$PLAIN/initrd.img-$KVER" | cut -d' ' -f1) \
       | sha256sum | cut -c1-16)
GDIR=$CACHE/uefi-golden/$GKEY
if [[ ! -f $GDIR/event-log.bin ]]; then
  log "golden boot: the plain guest through OVMF + shim + grub with the TPM (cached afterwards in $GDIR)"
  "$SG/boot.sh" "$G/guest.qcow2" --tpm "$TPM/state" --log "$WORK/golden.serial.log" --timeout "$BOOT_TIMEOUT" \
    --expect CVMFDE-EVENTLOG-END >"$WORK/golden.boot.log" 2>&1 \
    || { cat "$WORK/golden.boot.log" >&2; tail -30 "$WORK/golden.serial.log" | tr -d '\r' >&2; die "golden boot"; }
  extract_log "$WORK/golden.serial.log" "$WORK/golden.bin" || die "golden boot: no event log on the console"
  mkdir -p "$GDIR"; cp "$WORK/golden.bin" "$GDIR/event-log.bin.tmp"; mv "$GDIR/event-log.bin.tmp" "$GDIR/event-log.bin"
  log "golden boot: $(grep -o "guest stopped after [0-9.]*s" "$WORK/golden.boot.log" | head -1)"
else
  log "golden boot cached: $GDIR/event-log.bin"
fi
cp "$GDIR/event-log.bin" "$WORK/golden.bin"
# the real log against what was built: the strict allow-list, and the exact PCRs 4 and 9
"$RV" compare --event-log "$WORK/golden.bin" --hash-json "$WORK/plain.hash.json" >"$WORK/golden.compare.out" \
  || { cat "$WORK/golden.compare.out" >&2; die "golden boot: the real event log does not pass the allow-list of the plain guest's hash.json"; }
predict_plain "$WORK/plain.predicted"
for p in 4 9; do
  real=$(pcr_of "$WORK/golden.bin" "$p"); want=$(pcr_of "$WORK/plain.predicted.log" "$p")
  [[ -n $real && $real == "$want" ]] || die "golden boot: PCR $p is $real per tpm2_eventlog; predicted $want"
done
log "golden boot: the allow-list passes (shim, grub, grub.cfg, kernel, initramfs MATCH); PCR 4 and 9 equal the prediction (tpm2_eventlog)"
OVMF_VER=$(dpkg-query -W -f='${Version}' ovmf 2>/dev/null || echo unknown)
"$RV" firmware-pcrs --event-log "$WORK/golden.bin" -o "$WORK/firmware-pcrs.json" \
  --source "golden boot: OVMF $OVMF_VER OVMF_CODE_4M.fd + fresh OVMF_VARS_4M.fd (Secure Boot off), QEMU q35 TCG, tpm-tis, boot-test/uefi-tpm.sh" \
  >"$WORK/firmware-pcrs.out"
log "firmware PCRs recorded: $(tr '\n' ' ' <"$WORK/firmware-pcrs.out" | cut -c1-160)…"
[[ $TWIN == golden ]] && { log "golden only: done"; exit 0; }

# ---------------------------------------------------------------- 4: encrypt (provider tpm)
"$RV" measure --boot-dir "$PLAIN" --firmware-pcrs "$WORK/firmware-pcrs.json" -o "$WORK/input.hash.json" >/dev/null
rm -f "$IMG" "$IMG".*
"$BUILDER" encrypt --input "$G/guest.qcow2" --baseline "$WORK/input.hash.json" --key-file "$K/rootfs.key" \
  --output "$IMG" --verifier-key "$K/verifier/verifier.pub.pem" --agent-runtime "$RT" --provider tpm \
  --image-id uefi-tpm --sign-with "$K/builder/baseline-signing.jwk" --quiet 2>"$WORK/builder.err" \
  || { cat "$WORK/builder.err" >&2; die "image-builder encrypt --provider tpm"; }
cp "$IMG.hash.json" "$HASH"; cp "$IMG.hash.json.jws" "$HASH.jws"
for f in uefi-boot.json uefi-boot.log; do [[ -f $IMG.$f ]] || die "image-builder wrote no $(basename "$IMG").$f"; done
if ! grep -q '"shim"' "$HASH" || ! grep -q '"firmware_pcrs"' "$HASH"; then die "hash.json lacks \"shim\" or \"tpm\""; fi
log "encrypted: $IMG; baseline $HASH (shim, grub, grub.cfg, kernel, initramfs, cmdline, tpm.firmware_pcrs; signed)"
[[ $TWIN == none ]] && { log "prepared (--twin none)"; exit 0; }

# tamper NAME: a copy of IMG (raw) with one boot file changed by the host; hash.json untouched
tamper() {
  local name=$1 out=$WORK/tampered-$1.raw img f
  qemu-img convert -O raw "$IMG" "$out"
  img="$out@@$(gp_boot_offset "$out")"
  f=$WORK/tamper-$name; rm -rf "$f"; mkdir -p "$f"
  case $name in
    grubcfg)   # the host edits the kernel command line: a shell as init
      mcopy -n -i "$img" ::/EFI/debian/grub.cfg "$f/grub.cfg"
      sed -i 's|^\([[:space:]]*linuxefi[[:space:]].*\)$|\1 init=/bin/sh|' "$f/grub.cfg"
      grep -q 'init=/bin/sh' "$f/grub.cfg" || die "tamper grubcfg: no linuxefi line"
      mcopy -o -i "$img" "$f/grub.cfg" ::/EFI/debian/grub.cfg ;;
    initramfs) # the host's initramfs: the genuine one with its own hook appended
      mcopy -n -i "$img" "::/initrd.img-$KVER" "$f/initrd"
      mkdir -p "$f/overlay/usr/lib/dracut/hooks/pre-mount"
      printf '#!/bin/sh\necho HOST-HOOK: the host ran code in the initramfs\n' >"$f/overlay/usr/lib/dracut/hooks/pre-mount/10-host.sh"
      "$SG/append-overlay.sh" "$f/initrd" "$f/overlay" "$f/initrd.new" >/dev/null 2>&1 || die "tamper initramfs: append-overlay.sh"
      mcopy -o -i "$img" "$f/initrd.new" "::/initrd.img-$KVER" ;;
    kernel)    # the host's kernel: the genuine one with 4 KiB of its own appended (still boots)
      mcopy -n -i "$img" "::/vmlinuz-$KVER" "$f/vmlinuz"
      head -c 4096 /dev/urandom >>"$f/vmlinuz"
      mcopy -o -i "$img" "$f/vmlinuz" "::/vmlinuz-$KVER" ;;
  esac
  rm -rf "$f"
  echo "$out"
}

# release_tpm PORT OUT ERR: attestation-client release against 127.0.0.1:PORT, the TPM's EK root pinned,
# the genuine signed baseline, nothing skipped; returns the client's exit status
release_tpm() {
  "$CLIENT" release --server "127.0.0.1:$1" --baseline "$HASH" --baseline-signer "$K/builder/baseline-signing.pub.jwk" \
    --key-file "$K/rootfs.key" --tpm-ek-root "$TPM/ek-root.pem" --signing-key "$K/verifier/verifier.jwk" \
    --retries 20 --timeout 120 >"$2" 2>"$3"
}

SHELL_SIGNS='Entering emergency mode|Dropping to debug shell|Give root password|Press Enter for maintenance|Cannot open access to console|[A-Za-z-]+:/[^ ]*# |(^|[^A-Za-z])(sh|bash)-[0-9.]+# |login: '
# twin NAME DISK WANT: boot DISK with the TPM, release when the agent listens; WANT is the release's exit status.
# Runs in the background for the tampered twins; writes NAME.result (PASSED/FAILED: why) and NAME.* logs.
twin() {
  local name=$1 disk=$2 want=$3 port serial=$WORK/$1.serial.log start rc bpid why=""
  port=$(gp_free_port); start=$(date +%s)
  "$SG/boot.sh" "$disk" --tpm "$TPM/state" --hostfwd "$port:7220" --log "$serial" --timeout "$BOOT_TIMEOUT" \
    >"$WORK/$name.boot.log" 2>&1 &
  bpid=$!
  while kill -0 "$bpid" 2>/dev/null && ! grep -qaE 'fde: [0-9.]+:7220' "$serial" 2>/dev/null; do sleep 1; done
  if grep -qaE 'fde: [0-9.]+:7220' "$serial"; then
    echo "agent listening after $(($(date +%s) - start))s" >"$WORK/$name.progress"
    set +e; release_tpm "$port" "$WORK/$name.release.out" "$WORK/$name.release.err"; rc=$?; set -e
  else
    rc=none; why="the agent never printed 'fde: <IP>:7220'"
  fi
  set +e; wait "$bpid"; local brc=$?; set -e
  echo "$rc" >"$WORK/$name.release.rc"
  [[ -z $why && $rc != "$want" ]] && why="attestation-client release exited $rc, expected $want"
  [[ -z $why && $brc != 0 ]] && why="boot.sh exited $brc (124 = timeout: the guest did not power itself off)"
  if [[ -z $why ]] && grep -qaE -- "$SHELL_SIGNS" "$serial"; then why="a shell prompt appeared on the console"; fi
  if [[ -n $why ]]; then why="FAILED: $why"; else why=PASSED; fi
  echo "$why ($(($(date +%s) - start))s)" >"$WORK/$name.result"
}

fail_twin() {
  echo "---- $1: attestation-client release ----" >&2
  cat "$WORK/$1.release.out" "$WORK/$1.release.err" 2>/dev/null | tail -50 >&2 || true
  echo "---- $1: boot.sh ----" >&2; cat "$WORK/$1.boot.log" >&2 || true
  echo "---- $1: last 60 lines of $WORK/$1.serial.log ----" >&2
  tail -60 "$WORK/$1.serial.log" | tr -d '\r' | grep -av '^[A-Za-z0-9+/=]*$' >&2 || true
  die "$1 twin: $2"
}
need() { grep -qaF -- "$3" "$WORK/$1.$2" || fail_twin "$1" "$2 lacks: $3"; }
never() { ! grep -qaF -- "$3" "$WORK/$1.$2" || fail_twin "$1" "$2 shows: $3"; }

# ---------------------------------------------------------------- 5: genuine twin
if [[ $TWIN =~ ^(all|genuine)$ ]]; then
  log "genuine twin: booting $(basename "$IMG") through OVMF + shim + grub with the TPM"
  twin genuine "$IMG" 0
  grep -q PASSED "$WORK/genuine.result" || fail_twin genuine "$(cat "$WORK/genuine.result")"
  need genuine serial.log "CVMFDE-MARKER: root is /dev/mapper/encroot"
  need genuine serial.log "fde-agent: done: root volume unlocked"
  never genuine serial.log "ROOT STAYS LOCKED"
  need genuine release.out "RELEASED"
  extract_log "$WORK/genuine.serial.log" "$WORK/genuine.event-log.bin" || fail_twin genuine "the root printed no event log"
  "$RV" compare --event-log "$WORK/genuine.event-log.bin" --hash-json "$HASH" >"$WORK/genuine.compare.out" \
    || fail_twin genuine "the guest's own event log fails the allow-list: $(grep -E 'MISMATCH|NOT ALLOWED' "$WORK/genuine.compare.out" | head -3)"
  for p in 4 9; do
    real=$(pcr_of "$WORK/genuine.event-log.bin" "$p"); want=$(pcr_of "$IMG.uefi-boot.log" "$p")
    [[ -n $real && $real == "$want" ]] || fail_twin genuine "PCR $p is $real (tpm2_eventlog of the guest's log); image-builder predicted $want"
  done
  for p in 0 1 2 3 7; do
    real=$(pcr_of "$WORK/genuine.event-log.bin" "$p"); want=$(pcr_of "$WORK/golden.bin" "$p")
    [[ $real == "$want" ]] || fail_twin genuine "firmware PCR $p is $real; the golden boot's is $want"
  done
  log "genuine twin PASSED ($(cat "$WORK/genuine.result")): released (verdict: $(grep -m1 -E '^(RELEASED|VERDICT)' "$WORK/genuine.release.out" | cut -c1-80)); $(grep -m1 -aF 'CVMFDE-MARKER' "$WORK/genuine.serial.log" | tr -d '\r'); the guest's log passes the allow-list, PCR 4/9 = image-builder's prediction, PCR 0-3/7 = golden (tpm2_eventlog)"
fi

# ---------------------------------------------------------------- 6: tampered twins (after the genuine one)
declare -A COMPONENT=([grubcfg]=grub.cfg [initramfs]=initramfs [kernel]=kernel)
TAMPERED=(grubcfg initramfs kernel)
[[ $TWIN =~ ^(grubcfg|initramfs|kernel)$ ]] && TAMPERED=("$TWIN")
tpids=()
if [[ $TWIN =~ ^(all|tampered|grubcfg|initramfs|kernel)$ ]]; then
  for n in "${TAMPERED[@]}"; do
    disk=$(tamper "$n") || die "tampering $n"
    log "tampered twin $n: the host changed ${COMPONENT[$n]} on the clear boot partition; booting"
    while (($(jobs -rp | wc -l) >= JOBS)); do sleep 2; done
    twin "tampered_$n" "$disk" 3 &
    tpids+=($!)
  done
fi

# ---------------------------------------------------------------- 6: tampered twins, results
for pid in "${tpids[@]}"; do wait "$pid" || true; done
for n in "${TAMPERED[@]}"; do
  [[ $TWIN =~ ^(all|tampered|grubcfg|initramfs|kernel)$ ]] || break
  t=tampered_$n c=${COMPONENT[$n]}
  grep -q PASSED "$WORK/$t.result" || fail_twin "$t" "$(cat "$WORK/$t.result")"
  need "$t" release.out "REFUSED"
  grep -qE "^boot-components +${c}[ (].* FAIL" "$WORK/$t.release.out" && grep -q 'why: MISMATCH' "$WORK/$t.release.out" \
    || fail_twin "$t" "the refusal does not name $c (MISMATCH)"
  need "$t" serial.log "the verifier refused to release the key: boot-components"
  need "$t" serial.log "ROOT STAYS LOCKED"
  need "$t" serial.log "powering off (no shell)"
  need "$t" serial.log "reboot: Power down"
  never "$t" serial.log "CVMFDE-MARKER"
  never "$t" serial.log "root volume unlocked"
  never "$t" serial.log "HOST-HOOK"
  log "tampered twin $n PASSED ($(cat "$WORK/$t.result")): $(grep -m1 -E "^boot-components +${c}[ (]" "$WORK/$t.release.out" | tr -s ' ' | cut -c1-200) MISMATCH; console: $(grep -m1 -aF 'ROOT STAYS LOCKED' "$WORK/$t.serial.log" | tr -d '\r' | cut -c1-90); powered off"
done
log "UEFI + vTPM twins PASSED ($TWIN; total $(($(date +%s) - T0))s)"
