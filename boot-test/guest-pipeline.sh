# shellcheck shell=bash
# Sourced (not run) by boot-test/run.sh and bench/boot-overhead: the steps both need to turn the
# sample guest into an encrypted image the real verifier will release a key for.
#
# The caller sets REPO (the checkout), WORK (its work directory) and defines log() and die();
# CLIENT and BUILDER may point at other launchers. After gp_prepare and gp_encrypt_builder:
#   G/guest.qcow2   the plain sample guest (tools/sample-guest/build.sh)
#   RT              the agent's Java runtime (tools/guest-runtime/build.sh)
#   K/              verifier/ (keygen), sim/ (the simulated TEE's private identity: what goes onto the
#                   image), sim-anchor/ (its public CPAK: the host's own copy of the anchor, never read
#                   from an image), builder/ (the build key that signs hash.json; made by image-builder
#                   on first use), rootfs.key (32 random bytes)
#   IMG, HASH       the encrypted image (simulated identity on its boot partition) and its hash.json
#                   (signed: HASH.jws; with the simulated RIM and "simulated": true)
#   KVER            the guest's kernel version
SG=$REPO/tools/sample-guest
CLIENT=${CVMFDE_ATTESTATION_CLIENT:-$REPO/bin/attestation-client}   # override: a client built elsewhere
BUILDER=${CVMFDE_IMAGE_BUILDER:-$REPO/bin/image-builder}
export PATH=$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1

# gp_check_tools [--no-qemu]: every host tool the pipeline and boot.sh need, with its Debian
# package (--no-qemu: the image is only built, not booted, so QEMU itself is not needed)
gp_check_tools() {
  local t qemu=qemu-system-x86_64:qemu-system-x86
  [[ ${1:-} == --no-qemu ]] && qemu=""
  for t in $qemu qemu-img:qemu-utils mcopy:mtools sgdisk:gdisk \
           cryptsetup:cryptsetup-bin resize2fs:e2fsprogs e2fsck:e2fsprogs cpio:cpio zstd:zstd \
           strip:binutils dracut:dracut-core timeout:coreutils; do
    command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
  done
  [[ -d /usr/lib/dracut/modules.d/40network || -d /usr/lib/dracut/modules.d/35network-legacy ]] \
    || die "dracut's network modules are missing (Debian package: dracut-network)"
}

gp_free_port() {   # a loopback port nobody listens on (QEMU binds it; a race is reported by QEMU)
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free loopback port found"
}

gp_boot_offset() {   # byte offset of the EF00 partition of raw disk $1
  local n first
  n=$(sgdisk -p "$1" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $6 == "EF00" { print $1; exit }')
  first=$(sgdisk -i "${n:-1}" "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  echo $((first * 512))
}

# gp_prepare: the sample guest, the guest runtime, the keys (sets G RT K KVER IMG HASH)
gp_prepare() {
  G=$WORK/guest RT=$WORK/runtime K=$WORK/keys
  IMG=$WORK/encrypted.qcow2 HASH=$WORK/encrypted.hash.json
  log "building the sample guest"
  "$SG/build.sh" "$G" >"$WORK/build-guest.log" 2>&1 || { tail -30 "$WORK/build-guest.log" >&2; die "tools/sample-guest/build.sh"; }
  gp_prepare_host
  export KVER   # read by the scripts that source this file
  KVER=$(sed -n 's/.*"kernelVersion": "\([^"]*\)".*/\1/p' "$G/manifest.json")
}

# gp_prepare_host: the guest runtime and the keys, without a guest (sets RT K; boot-test/layouts.sh)
gp_prepare_host() {
  RT=$WORK/runtime K=$WORK/keys
  log "building the guest runtime"
  rm -rf "$RT"
  "$REPO/tools/guest-runtime/build.sh" "$RT" >"$WORK/build-runtime.log" 2>&1 || { tail -30 "$WORK/build-runtime.log" >&2; die "tools/guest-runtime/build.sh"; }
  rm -rf "$K"; mkdir -p "$K"
  "$CLIENT" keygen --out "$K/verifier" >/dev/null || die "attestation-client keygen"
  "$REPO/bin/attestation-server" simulated-identity --out "$K/sim" --anchor-out "$K/sim-anchor" >/dev/null 2>&1 \
    || die "attestation-server simulated-identity"
  head -c 32 /dev/urandom >"$K/rootfs.key"; chmod 600 "$K/rootfs.key"
}

# gp_encrypt_builder: reference-values measure of the plain boot partition, then
# image-builder encrypt --provider simulated (IMG and HASH, signed with the build key K/builder/)
gp_encrypt_builder() {
  local w=$WORK/builder
  rm -rf "$w"; mkdir -p "$w/boot"
  qemu-img convert -O raw "$G/guest.qcow2" "$w/plain.raw"
  mcopy -s -n -i "$w/plain.raw@@$(gp_boot_offset "$w/plain.raw")" '::/*' "$w/boot/"
  "$REPO/bin/reference-values" measure --boot-dir "$w/boot" -o "$w/hash.json" >/dev/null
  rm -rf "$w/plain.raw" "${w:?}/boot"
  rm -f "$IMG" "$IMG".*
  "$BUILDER" encrypt --input "$G/guest.qcow2" --baseline "$w/hash.json" --key-file "$K/rootfs.key" \
    --output "$IMG" --verifier-key "$K/verifier/verifier.pub.pem" --agent-runtime "$RT" \
    --provider simulated --image-id boot-test --sign-with "$K/builder/baseline-signing.jwk" --quiet 2>"$WORK/builder.err" \
    || { cat "$WORK/builder.err" >&2; die "image-builder encrypt"; }
  grep -q '^image-builder: WARNING: --provider simulated' "$WORK/builder.err" || die "image-builder did not warn about --provider simulated"
  grep -q '"simulated" *: *true' "$IMG.hash.json" || die "image-builder did not mark hash.json \"simulated\": true"
  cp "$IMG.hash.json" "$HASH"
  cp "$IMG.hash.json.jws" "$HASH.jws"
}

# gp_add_simulated_identity: the simulated TEE's private identity (K/sim: what its provider signs
# with) on IMG's boot partition as cvm-fde/simulated-identity/; the online hook copies cvm-fde/
# from there (fde-agent/src/main/dracut/90cvmfde/cvmfde-online.sh). Its anchor (K/sim-anchor) is
# never put on the image: the host pins its own copy.
gp_add_simulated_identity() {
  local f eimg
  qemu-img convert -O raw "$IMG" "$WORK/enc.raw"
  eimg="$WORK/enc.raw@@$(gp_boot_offset "$WORK/enc.raw")"
  mmd -i "$eimg" ::/cvm-fde/simulated-identity
  for f in "$K"/sim/*; do
    [[ ${f##*/} == simulated-cpak.pub.* ]] && die "$f: an anchor beside the guest's private keys"
    mcopy -i "$eimg" "$f" "::/cvm-fde/simulated-identity/${f##*/}"
  done
  mdir -b -i "$eimg" ::/cvm-fde >"$WORK/boot-partition-cvm-fde.txt"
  qemu-img convert -O qcow2 "$WORK/enc.raw" "$IMG.tmp" && mv -f "$IMG.tmp" "$IMG"
  rm -f "$WORK/enc.raw"
}

# gp_release PORT BASELINE KEY OUT ERR [EXTRA...]: attestation-client release against 127.0.0.1:PORT
# with the host's copy of the simulated TEE's CPAK as the simulated anchor, the baseline signed by
# the build key (BASELINE.jws beside it) and the RIM from that baseline; nothing is skipped
# (fail closed); returns the client's exit status
gp_release() {
  local port=$1 baseline=$2 key=$3 out=$4 err=$5
  shift 5
  "$CLIENT" release --server "127.0.0.1:$port" --baseline "$baseline" \
    --baseline-signer "$K/builder/baseline-signing.pub.jwk" --key-file "$key" \
    --simulated-anchor "$K/sim-anchor/simulated-cpak.pub.pem" --signing-key "$K/verifier/verifier.jwk" \
    --retries 20 --timeout 60 "$@" >"$out" 2>"$err"
}

# gp_java: the path of a Java 25 (JAVA_HOME if it is one, else /usr/lib/jvm/temurin-25*), or die
gp_java() {
  local d
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
    echo "$JAVA_HOME/bin/java"; return 0
  fi
  for d in /usr/lib/jvm/temurin-25*; do [[ -x $d/bin/java ]] && { echo "$d/bin/java"; return 0; }; done
  die "no Java 25 (set JAVA_HOME)"
}

# gp_part RAW N: "first-sector sector-count" of partition N of the raw disk image RAW (sgdisk)
gp_part() {
  local f l
  f=$(sgdisk -i "$2" "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  l=$(sgdisk -i "$2" "$1" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
  [[ -n $f && -n $l ]] || die "no partition $2 in $1"
  echo "$f $((l - f + 1))"
}
