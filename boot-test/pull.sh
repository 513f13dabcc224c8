#!/usr/bin/env bash
# The pull-mode boot twin (issue 14): a real Debian kernel boots an encrypted guest under QEMU TCG
# whose measured agent.json names a broker; the guest fetches its key from the broker by itself,
# with no operator command. The broker (attestation-client serve) runs on the host at
# 127.0.0.1:PORT, which QEMU's user networking shows the guest as 10.0.2.2:PORT.
#
#   boot-test/pull.sh [--work DIR] [--reuse DIR] [--boot-timeout S]
#
# Steps:
#   1. the sample guest, the guest runtime and the keys, as run.sh makes them (guest-pipeline.sh);
#      --reuse DIR takes guest/, runtime/ and keys/ from an earlier run.sh --work DIR instead
#   2. image-builder encrypt --provider simulated --image-id boot-test --broker http://10.0.2.2:PORT
#      (the broker URL and image id go into the measured agent.json), the simulated identity on
#      the boot partition
#   3. the host's store: attestation-client root-key, image add (the signed hash.json, the key)
#   4. attestation-client serve on 127.0.0.1:PORT (store, root key, nonce key, verifier key,
#      the host's copy of the simulated anchor, the build key as baseline signer)
#   5. boot: nobody runs a command. The console must show the agent starting before the network
#      is up ("pull mode: starting the FDE agent while the network comes up"), "key received from
#      the broker", "CVMFDE-MARKER: root is /dev/mapper/encroot" and "CVMFDE-DM: encroot"; the
#      broker must log RELEASED for boot-test; 'attestation-client audit verify' must pass on the
#      store's trail; no shell prompt may appear.
# Prints "pull twin PASSED" and its times. Exit status: 0 passed; 1 failed (the tail of the
# serial log and the broker's log are printed); 2 usage.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="" REUSE="" BOOT_TIMEOUT=600
usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while (($#)); do
  case $1 in
    --work) WORK=${2:?}; shift 2 ;;
    --reuse) REUSE=${2:?}; shift 2 ;;
    --boot-timeout) BOOT_TIMEOUT=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
T0=$(date +%s)
log() { printf '[pull-test %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { printf 'pull-test: FAILED: %s\n' "$*" >&2; exit 1; }
# shellcheck source=guest-pipeline.sh
source "$REPO/boot-test/guest-pipeline.sh"
# shellcheck disable=SC2119 # no argument: QEMU is needed
gp_check_tools
if [[ -z $WORK ]]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-pulltest.XXXXXX"); fi
mkdir -p "$WORK"; WORK=$(cd "$WORK" && pwd)
log "work directory $WORK"

# ---------------------------------------------------------------- 1: guest, runtime, keys
if [[ -n $REUSE && -f $REUSE/guest/guest.qcow2 && -x $REUSE/runtime/bin/fde-agent && -f $REUSE/keys/rootfs.key ]]; then
  log "reusing the guest, runtime and keys of $REUSE"
  G=$REUSE/guest RT=$REUSE/runtime K=$WORK/keys
  rm -rf "$K"; cp -a "$REUSE/keys" "$K"; rm -rf "$K/builder"
  IMG=$WORK/encrypted.qcow2 HASH=$WORK/encrypted.hash.json
else
  gp_prepare
fi

# ---------------------------------------------------------------- 2: the pull-mode image
PORT=$(gp_free_port)
BROKER_URL=http://10.0.2.2:$PORT
log "encrypting for pull mode: broker $BROKER_URL, image id boot-test"
# gp_encrypt_builder with the broker: the same image as run.sh's, plus "broker" in agent.json
BUILDER_REAL=$BUILDER
BUILDER=$WORK/builder-with-broker
printf '#!/bin/sh\nexec "%s" "$@" --broker "%s"\n' "$BUILDER_REAL" "$BROKER_URL" >"$BUILDER"
chmod 755 "$BUILDER"
gp_encrypt_builder
gp_add_simulated_identity

# ---------------------------------------------------------------- 3: the host's store
S=$WORK/broker
rm -rf "$S"; mkdir -p "$S"
"$CLIENT" root-key --out "$S/root.key" >/dev/null || die "attestation-client root-key"
"$CLIENT" image add --store "dir:$S/store" --root-key "file:$S/root.key" --id boot-test --baseline "$HASH" \
  --baseline-signer "$K/builder/baseline-signing.pub.jwk" --key-file "$K/rootfs.key" >"$S/image-add.out" 2>&1 \
  || { cat "$S/image-add.out" >&2; die "attestation-client image add"; }

# ---------------------------------------------------------------- 4: the broker
"$CLIENT" serve --listen "127.0.0.1:$PORT" --store "dir:$S/store" --root-key "file:$S/root.key" \
  --nonce-key "$S/nonce.key" --signing-key "$K/verifier/verifier.jwk" \
  --simulated-anchor "$K/sim-anchor/simulated-cpak.pub.pem" \
  --baseline-signer "$K/builder/baseline-signing.pub.jwk" >"$S/broker.log" 2>&1 &
BROKER_PID=$!
stop_broker() { kill "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; }
trap stop_broker EXIT
for _ in $(seq 120); do
  grep -q 'listening on' "$S/broker.log" && break
  kill -0 "$BROKER_PID" 2>/dev/null || { cat "$S/broker.log" >&2; die "the broker did not start"; }
  sleep 0.5
done
grep -q 'listening on' "$S/broker.log" || { cat "$S/broker.log" >&2; die "the broker did not start listening"; }
log "broker: $(grep -m1 'listening on' "$S/broker.log")"

# ---------------------------------------------------------------- 5: boot, no operator command
SERIAL=$WORK/pull.serial.log
fail() {
  echo "---- broker log ----" >&2; tail -40 "$S/broker.log" >&2 || true
  echo "---- boot.sh ----" >&2; cat "$WORK/pull.boot.log" >&2 || true
  echo "---- last 60 lines of the serial log $SERIAL ----" >&2; tail -60 "$SERIAL" | tr -d '\r' >&2 || true
  die "pull twin: $1"
}
need() { grep -qaF -- "$1" "$SERIAL" || fail "serial log lacks: $1"; }
never() { ! grep -qaF -- "$1" "$SERIAL" || fail "serial log shows: $1"; }
SHELL_SIGNS='Entering emergency mode|Dropping to debug shell|Give root password|Press Enter for maintenance|[A-Za-z-]+:/[^ ]*# |(^|[^A-Za-z])(sh|bash)-[0-9.]+# |login: '
BOOT_START=$(date +%s)
log "pull twin: booting (no hostfwd, no release command: the guest calls the broker)"
"$SG/boot.sh" "$IMG" --log "$SERIAL" --timeout "$BOOT_TIMEOUT" >"$WORK/pull.boot.log" 2>&1 &
BOOT_PID=$!
KEY_AT=""
while kill -0 "$BOOT_PID" 2>/dev/null; do
  if [[ -z $KEY_AT ]] && grep -qaF 'key received from the broker' "$SERIAL" 2>/dev/null; then
    KEY_AT=$(($(date +%s) - BOOT_START))
    log "pull twin: the guest has its key after ${KEY_AT}s"
  fi
  sleep 1
done
set +e; wait "$BOOT_PID"; rc=$?; set -e
BOOT_TIME=$(($(date +%s) - BOOT_START))
[[ $rc == 0 ]] || fail "boot.sh exited $rc (124 = timeout) after ${BOOT_TIME}s"
need "pull mode: starting the FDE agent while the network comes up"
need "pull mode: fetching the key for image boot-test from $BROKER_URL"
need "key received from the broker"
need "CVMFDE-MARKER: root is /dev/mapper/encroot"
need "CVMFDE-DM: encroot"
never "ROOT STAYS LOCKED"
never "network is up on"
if grep -qaE -- "$SHELL_SIGNS" "$SERIAL"; then fail "a shell appeared on the console"; fi
grep -q 'image boot-test: RELEASED' "$S/broker.log" || fail "the broker did not log a release for boot-test"
stop_broker
trap - EXIT
"$CLIENT" audit verify --store "dir:$S/store" >"$S/audit-verify.out" 2>&1 || { cat "$S/audit-verify.out" >&2; fail "audit verify"; }
# the order on the console: the agent started before the network was up, fetched, then unlocked
agent_line=$(grep -naF 'starting the FDE agent while the network comes up' "$SERIAL" | head -1 | cut -d: -f1)
fetch_line=$(grep -naF 'pull mode: fetching the key' "$SERIAL" | head -1 | cut -d: -f1)
((agent_line < fetch_line)) || fail "the agent did not start before the fetch"
log "pull twin PASSED: $(grep -m1 -aoF 'key received from the broker' "$SERIAL") (attempt $(grep -m1 -aoE 'key received from the broker [^ ]+ \(attempt [0-9]+' "$SERIAL" | grep -oE '[0-9]+$')), $(grep -m1 -aF 'CVMFDE-MARKER' "$SERIAL" | tr -d '\r'); key after ${KEY_AT:-?}s, root after ${BOOT_TIME}s; audit: $(head -1 "$S/audit-verify.out"); total $(($(date +%s) - T0))s"
