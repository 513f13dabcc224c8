#!/usr/bin/env bash
# The chain WITHOUT A KERNEL (where QEMU cannot run; ./demo --no-qemu): the real fde-agent runs as
# a host process against the encrypted image's root LUKS partition, copied out to a file.
#
#   boot-test/host-run.sh --work DIR [--port P] [--keep]
#
# DIR must hold what `boot-test/run.sh --work DIR --twin none` (or any run.sh run) prepared:
# guest/guest.qcow2, encrypted.qcow2, encrypted.hash.json(.jws), tampered.hash.json, edited.hash.json,
# keys/ (the host's anchor keys/sim-anchor/ and the build key's public half keys/builder/).
# Steps:
#   1. from encrypted.qcow2: the root LUKS partition → host/root.luks; the boot partition's
#      initramfs: the bytes before the appended overlay must equal the sample guest's original
#      initramfs, the overlay (etc/cvm-fde/agent.json + the pinned verifier key, as the builder
#      baked them) is unpacked into host/sysroot/; the boot partition's cvm-fde/ (predicted event
#      log, simulated TEE identity) → host/sysroot/run/cvm-fde/ (what the online hook copies); the
#      image must carry no anchor (no simulated-cpak.pub.*): the host pins keys/sim-anchor/
#   2. genuine: fde-agent --config host/sysroot/etc/cvm-fde/agent.json --sysroot host/sysroot
#      --volume-file host/root.luks --cmdline (the image's grub.cfg kernel line + cvmfde.port=P):
#      attestation-client release with a WRONG key must exit 1 (the agent keeps waiting), then
#      with the right key exit 0; the agent must exit 0 ("key OK": the header validated against
#      agent.json's luksHeader, the key checked with cryptsetup luksDump --dump-volume-key of the
#      validated copy and the volume key's fingerprint compared: no device-mapper, nothing mapped)
#   3. the file system behind the key: the volume key (to a 0600 temp file, deleted at once, never
#      printed) decrypts the payload (boot-test/XtsDecrypt.java); the result must equal the sample
#      guest's unencrypted root partition byte for byte, pass e2fsck -fn, and debugfs reads
#      /etc/os-release and /usr/sbin/init from it
#   4. tampered: a second agent; release with edited.hash.json (the host's edit, genuine .jws
#      kept) must exit 3 (refused at baseline); the genuine baseline with the simulated TEE's CPAK
#      given as a REAL anchor (--trust-anchor) must exit 3 (refused at policy); tampered.hash.json
#      (signed, of another build) must exit 3 (refused at boot-components); the agent must never
#      get a key and give up (exit 4, root stays locked)
#   5. header swap: boot-test/header-swap.sh volume makes swapped.luks (segment cipher_null-ecb, same
#      UUID and keyslot: cryptsetup --test-passphrase accepts the genuine key; the host's marked root
#      behind it); a third agent on it must refuse the header naming segments.0.encryption and exit 7
#      before it listens (it never gets a key)
# Every release skips no check: signed baseline (--baseline-signer), RIM from it, cmdline, event log.
# NO KERNEL IS BOOTED: this does not show the initramfs hooks, dracut, the kernel's network,
# dm-crypt or the root mount; the QEMU boot test (boot-test/run.sh) does.
# Exit status: 0 passed; 1 a step failed (the agent's log is printed); 2 usage.
# --keep: keep host/ (the LUKS copy, the decrypted copy) for a look afterwards.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AGENT=${CVMFDE_FDE_AGENT:-$REPO/bin/fde-agent}

usage() { sed -n '2,40p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
WORK="" PORT="" KEEP=0
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --port) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; PORT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    *) echo "host-run: unknown argument $1" >&2; usage ;;
  esac
done
[[ -n $WORK ]] || usage

T0=$(date +%s)
log() { printf '[host-run %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'host-run: FAILED: %s\n' "$*" >&2; exit 1; }
for t in qemu-img:qemu-utils mcopy:mtools sgdisk:gdisk cryptsetup:cryptsetup-bin e2fsck:e2fsprogs \
         debugfs:e2fsprogs cpio:cpio cmp:diffutils sha256sum:coreutils timeout:coreutils; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
WORK=$(cd "$WORK" && pwd)
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"   # gp_free_port, gp_release, gp_part, gp_java
G=$WORK/guest K=$WORK/keys IMG=$WORK/encrypted.qcow2 HASH=$WORK/encrypted.hash.json
for f in "$G/guest.qcow2" "$G/manifest.json" "$IMG" "$HASH" "$HASH.jws" "$WORK/tampered.hash.json" \
         "$WORK/edited.hash.json" "$K/rootfs.key" "$K/sim-anchor/simulated-cpak.pub.pem" \
         "$K/builder/baseline-signing.pub.jwk" "$K/verifier/verifier.jwk"; do
  [[ -f $f ]] || die "$f is missing: prepare DIR with boot-test/run.sh --work $WORK --twin none"
done
H=$WORK/host
rm -rf "$H"; mkdir -p "$H/sysroot/run/cvm-fde"
AGENT_PID=""
cleanup() {
  if [[ -n $AGENT_PID ]] && kill -0 "$AGENT_PID" 2>/dev/null; then kill "$AGENT_PID" 2>/dev/null || true; fi
  rm -rf "$H/vk"
  if ((KEEP == 0)); then rm -f "$H/root.luks" "$H/plain-root.img" "$H/decrypted-root.img" "$H/enc.raw" "$H/plain.raw" \
    "$H/swapped.luks"; fi
}
trap cleanup EXIT

boot_part() { sgdisk -p "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $6 == "EF00" { print $1; exit }'; }

# ---------------------------------------------------------------- 1: what the guest would have
log "copying the root LUKS partition and the boot files out of $(basename "$IMG")"
qemu-img convert -O raw "$IMG" "$H/enc.raw"
qemu-img convert -O raw "$G/guest.qcow2" "$H/plain.raw"
KVER=$(sed -n 's/.*"kernelVersion": "\([^"]*\)".*/\1/p' "$G/manifest.json")
read -r rf rn < <(gp_part "$H/enc.raw" 2)
dd if="$H/enc.raw" of="$H/root.luks" bs=512 skip="$rf" count="$rn" status=none
read -r pf pn < <(gp_part "$H/plain.raw" 2)
dd if="$H/plain.raw" of="$H/plain-root.img" bs=512 skip="$pf" count="$pn" status=none
read -r bf _ < <(gp_part "$H/enc.raw" "$(boot_part "$H/enc.raw")")
read -r obf _ < <(gp_part "$H/plain.raw" "$(boot_part "$H/plain.raw")")
mcopy -n -i "$H/enc.raw@@$((bf * 512))" "::/initrd.img-$KVER" "$H/initrd.enc"
mcopy -n -i "$H/enc.raw@@$((bf * 512))" ::/grub/grub.cfg "$H/grub.cfg"
(umask 077; mcopy -n -s -i "$H/enc.raw@@$((bf * 512))" '::/cvm-fde/*' "$H/sysroot/run/cvm-fde/")   # as the hook: umask 077
mcopy -n -i "$H/plain.raw@@$((obf * 512))" "::/initrd.img-$KVER" "$H/initrd.orig"
rm -f "$H/enc.raw" "$H/plain.raw"
osize=$(stat -c %s "$H/initrd.orig")
cmp -s -n "$osize" "$H/initrd.orig" "$H/initrd.enc" || die "the image's initramfs does not start with the sample guest's"
# the overlay: a newc cpio after the original, which was zero-padded to a 4-byte boundary
tail -c +$(((osize + 3) / 4 * 4 + 1)) "$H/initrd.enc" | (cd "$H/sysroot" && cpio -id --quiet 'etc/cvm-fde/*') \
  || die "cannot unpack the overlay appended to the image's initramfs"
rm -f "$H/initrd.orig" "$H/initrd.enc"
if compgen -G "$H/sysroot/run/cvm-fde/simulated-identity/simulated-cpak.pub.*" >/dev/null; then
  die "the image's boot partition carries the simulated TEE's anchor (cvm-fde/simulated-identity/simulated-cpak.pub.*)"
fi
CFG=$H/sysroot/etc/cvm-fde/agent.json
[[ -f $CFG ]] || die "no etc/cvm-fde/agent.json in the overlay of the image's initramfs"
UUID=$(sed -n 's/.*"luksUuid" *: *"\([^"]*\)".*/\1/p' "$CFG")
log "root.luks: $((rn / 2048)) MiB, LUKS UUID $UUID; agent.json and verifier key from the image's initramfs overlay"

ARGS=$(sed -n "s|^[[:space:]]*linux[[:space:]]*/vmlinuz-${KVER}[[:space:]]*||p" "$H/grub.cfg" | head -1)

# start_agent NAME EXTRA_CMDLINE: the agent in the background, waits for "fde: 127.0.0.1:P"
start_agent() {
  local name=$1 extra=$2
  AGENT_NAME=$name AGENT_PORT=${PORT:-$(gp_free_port)}
  printf '%s cvmfde.port=%s%s\n' "$ARGS" "$AGENT_PORT" "${extra:+ $extra}" >"$H/$name.cmdline"
  log "$name: fde-agent --volume-file root.luks on 127.0.0.1:$AGENT_PORT (kernel line: $(cat "$H/$name.cmdline"))"
  "$AGENT" --config "$CFG" --sysroot "$H/sysroot" --volume-file "$H/root.luks" --cmdline "$H/$name.cmdline" \
    >"$WORK/host-$name.agent.log" 2>&1 &
  AGENT_PID=$!
  for _ in $(seq 240); do
    grep -qF "fde: 127.0.0.1:$AGENT_PORT" "$WORK/host-$name.agent.log" && return 0
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.5
  done
  fail "the agent never printed 'fde: 127.0.0.1:$AGENT_PORT'"
}
fail() {
  if [[ -n $AGENT_PID ]] && kill -0 "$AGENT_PID" 2>/dev/null; then kill "$AGENT_PID" 2>/dev/null || true; fi
  echo "---- $AGENT_NAME: fde-agent log $WORK/host-$AGENT_NAME.agent.log ----" >&2
  cat "$WORK/host-$AGENT_NAME.agent.log" >&2 || true
  die "$AGENT_NAME: $1"
}
# release WHAT BASELINE KEY WANT [ANCHOR_OPTION]: gp_release (the host's simulated anchor, the
# build key, nothing skipped); ANCHOR_OPTION --trust-anchor gives the same CPAK as a real anchor
release() {
  local what=$1 rc
  set +e
  if [[ ${5:-} == --trust-anchor ]]; then
    "$CLIENT" release --server "127.0.0.1:$AGENT_PORT" --baseline "$2" \
      --baseline-signer "$K/builder/baseline-signing.pub.jwk" --key-file "$3" \
      --trust-anchor "$K/sim-anchor/simulated-cpak.pub.pem" --signing-key "$K/verifier/verifier.jwk" \
      --retries 20 --timeout 60 >"$WORK/host-$AGENT_NAME.$what.out" 2>"$WORK/host-$AGENT_NAME.$what.err"
  else
    gp_release "$AGENT_PORT" "$2" "$3" "$WORK/host-$AGENT_NAME.$what.out" "$WORK/host-$AGENT_NAME.$what.err"
  fi
  rc=$?
  set -e
  log "$AGENT_NAME: release ($what, $(basename "$2"), $(basename "$3")): exit $rc (want $4): $(grep -m1 -E '^(RELEASED|REFUSED)' "$WORK/host-$AGENT_NAME.$what.out" | cut -c1-150)"
  [[ $rc == "$4" ]] || { cat "$WORK/host-$AGENT_NAME.$what.out" "$WORK/host-$AGENT_NAME.$what.err" >&2; fail "release ($what) exited $rc, expected $4"; }
}
# agent_exit WANT: wait (bounded) for the agent and check its exit status
agent_exit() {
  local rc=0 n=0
  while kill -0 "$AGENT_PID" 2>/dev/null && ((n++ < 240)); do sleep 0.5; done
  kill -0 "$AGENT_PID" 2>/dev/null && fail "the agent did not end"
  wait "$AGENT_PID" || rc=$?
  AGENT_PID=""
  log "$AGENT_NAME: fde-agent exit $rc (want $1)"
  [[ $rc == "$1" ]] || fail "fde-agent exited $rc, expected $1"
}
need() { grep -qF -- "$1" "$WORK/host-$AGENT_NAME.agent.log" || fail "agent log lacks: $1"; }
never() { ! grep -qF -- "$1" "$WORK/host-$AGENT_NAME.agent.log" || fail "agent log shows: $1"; }

# ---------------------------------------------------------------- 2: genuine baseline
head -c 32 /dev/urandom >"$K/wrong.key"; chmod 600 "$K/wrong.key"
start_agent genuine ""
release wrong-key "$HASH" "$K/wrong.key" 4
release right-key "$HASH" "$K/rootfs.key" 0
agent_exit 0
need "NO KERNEL: host run against the volume file"
need "unlock FAILED (status 2)"
need "key OK: it opens the LUKS volume $H/root.luks"
log "genuine: PASSED: wrong key refused by cryptsetup, right key opens root.luks (validated header, volume key fingerprint matches; nothing mapped)"

# ---------------------------------------------------------------- 3: the file system behind the key
offset=$(cryptsetup luksDump "$H/root.luks" | awk '/^Data segments:/ { s = 1 } s && $1 == "offset:" { print $2; exit }')
sector=$(cryptsetup luksDump "$H/root.luks" | awk '/^Data segments:/ { s = 1 } s && $1 == "sector:" { print $2; exit }')
[[ $offset =~ ^[0-9]+$ && $sector =~ ^[0-9]+$ ]] || die "cannot read the data segment of root.luks"
(umask 077; mkdir -p "$H/vk")
cryptsetup luksDump --dump-volume-key --volume-key-file "$H/vk/volume.key" --key-file "$K/rootfs.key" \
  --batch-mode "$H/root.luks" >/dev/null || die "the released key did not unlock the keyslot for the volume key"
JAVA=$(gp_java)
"$JAVA" -cp "$REPO/image-builder/target/image-builder.jar" "$REPO/boot-test/XtsDecrypt.java" \
  "$H/vk/volume.key" "$sector" "$offset" "$H/root.luks" "$H/decrypted-root.img" || die "XtsDecrypt"
rm -rf "$H/vk"
cmp -s "$H/decrypted-root.img" "$H/plain-root.img" \
  || die "the decrypted root differs from the sample guest's unencrypted root partition"
e2fsck -fn "$H/decrypted-root.img" >"$WORK/host-e2fsck.log" 2>&1 || { cat "$WORK/host-e2fsck.log" >&2; die "e2fsck -fn on the decrypted root"; }
debugfs -R 'cat /etc/os-release' "$H/decrypted-root.img" 2>/dev/null >"$WORK/host-os-release.txt"
grep -q '^PRETTY_NAME=' "$WORK/host-os-release.txt" || die "debugfs could not read /etc/os-release"
debugfs -R 'stat /usr/sbin/init' "$H/decrypted-root.img" 2>/dev/null | grep -q 'Type: regular' \
  || die "no /usr/sbin/init in the decrypted root"
log "file system: the payload decrypts to the sample guest's root partition byte for byte ($((rn / 2048 - offset / 1048576)) MiB, $sector-byte sectors); e2fsck -fn clean; $(grep '^PRETTY_NAME=' "$WORK/host-os-release.txt")"

# ---------------------------------------------------------------- 4: tampered baseline
start_agent tampered "cvmfde.verifier_wait=10s cvmfde.verifier_wait_max=10s cvmfde.give_up=40s"
release edited "$WORK/edited.hash.json" "$K/rootfs.key" 3
grep -q '^VERDICT: REFUSED at baseline' "$WORK/host-tampered.edited.out" || fail "the edited baseline is not refused at baseline"
release real-anchor "$HASH" "$K/rootfs.key" 3 --trust-anchor
grep -q '^VERDICT: REFUSED at policy' "$WORK/host-tampered.real-anchor.out" \
  || fail "simulated evidence against a real anchor is not refused at policy"
release tampered "$WORK/tampered.hash.json" "$K/rootfs.key" 3
grep -q 'boot-components' "$WORK/host-tampered.tampered.out" || fail "the refusal does not name boot-components"
agent_exit 4
need "the verifier refused to release the key: boot-components"
need "GIVING UP: verifier"
never "key released by the verifier"
never "key OK"
log "tampered: PASSED: edited signed baseline refused at baseline, simulated evidence vs a real anchor refused at policy, another build's baseline refused at boot-components; the agent never got a key and gave up (exit 4, root stays locked)"
# ---------------------------------------------------------------- 5: header swap
# the host swaps root.luks's header for a cipher_null one (same UUID, keyslot kept: the genuine key
# still unlocks it, cryptsetup --test-passphrase says yes) with its own marked root behind it
"$REPO/boot-test/header-swap.sh" volume "$H/root.luks" "$H/plain-root.img" "$H/swapped.luks" >"$WORK/host-header-swap.out" \
  || die "boot-test/header-swap.sh volume"
cryptsetup open --test-passphrase --key-file "$K/rootfs.key" "$H/swapped.luks" \
  || die "the genuine key does not open the swapped header (the attack would be moot)"
AGENT_NAME=header-swap AGENT_PORT=${PORT:-$(gp_free_port)}
printf '%s cvmfde.port=%s\n' "$ARGS" "$AGENT_PORT" >"$H/header-swap.cmdline"
log "header-swap: fde-agent --volume-file swapped.luks (segment cipher_null-ecb, UUID $UUID, the host's root behind it; cryptsetup alone accepts it with the genuine key)"
"$AGENT" --config "$CFG" --sysroot "$H/sysroot" --volume-file "$H/swapped.luks" --cmdline "$H/header-swap.cmdline" \
  >"$WORK/host-header-swap.agent.log" 2>&1 &
AGENT_PID=$!
agent_exit 7
need "REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb"
need "the root stays locked"
never "fde: 127.0.0.1:"
never "key released by the verifier"
never "key OK"
rm -f "$H/swapped.luks"
log "header-swap: PASSED: $(grep -m1 -oF 'REFUSED: LUKS header: segments.0.encryption: cipher_null-ecb' "$WORK/host-header-swap.agent.log") (exit 7, before listening: no key is asked for)"
log "host run PASSED (NO KERNEL was booted; total $(($(date +%s) - T0))s)"
