#!/usr/bin/env bash
# Builds the Java runtime the fde-agent runs on in the initramfs:
#   OUTDIR/                 a jlink'd Java 25 image with only the modules the agent needs; its
#                           `release` file names the CPU (OS_ARCH="x86_64" or "aarch64"), which
#                           image-builder checks against the guest kernel's
#   OUTDIR/app/             fde-agent.jar and its dependency jars (app/lib/)
#   OUTDIR/glibc/           shared libraries the runtime needs beyond what dracut ships (libc, libm,
#                           ld-linux): x86_64 libdl/libpthread/librt from THIS host (Debian 12);
#                           arm64 the same plus libstdc++, libgcc_s and libz from Debian trixie
#   OUTDIR/fde-agent.aot    AOT cache from a training run (fde-agent self-test)
#   OUTDIR/bin/fde-agent    the launcher the dracut hook runs
# Usage: tools/guest-runtime/build.sh [--arch x86_64|arm64] [--rebuild-jar] [--no-aot] OUTDIR
#   --arch arm64  an aarch64 runtime (virtCCA guests) on an x86-64 build host: jlink against the
#                 jmods of Debian trixie's openjdk-25-jdk-headless:arm64 (downloaded with
#                 tools/packages/foreign-apt.sh, nothing installed), stripped with
#                 aarch64-linux-gnu-strip (binutils-aarch64-linux-gnu), AOT training run under
#                 qemu-aarch64-static (qemu-user-static); glibc pieces from trixie's libc6:arm64, for
#                 guests built like tools/sample-guest/build.sh --arch arm64 (trixie userland)
# Cached by input hash under ${XDG_CACHE_HOME:-~/.cache}/cvm-fde/runtime/.
set -euo pipefail

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
rebuild=0; aot=1; arch=x86_64
while [ $# -gt 0 ]; do
  case "$1" in
    --rebuild-jar) rebuild=1; shift ;;
    --no-aot) aot=0; shift ;;
    --arch) case ${2:-} in x86_64|amd64|x86-64) arch=x86_64 ;; arm64|aarch64) arch=arm64 ;; *) usage ;; esac; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "guest-runtime: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
out=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$repo/tools/guest-runtime"

# Modules: jdeps on fde-agent.jar + target/lib/* lists java.base java.desktop java.naming
# java.sql jdk.jfr jdk.unsupported; the desktop/naming/sql/jfr references are optional code
# paths of picocli, Jackson and Netty that the agent never takes (the self-test below runs
# the real code path on exactly this set and fails the build if a class is missing).
MODULES=${CVMFDE_RUNTIME_MODULES:-java.base,java.logging,jdk.unsupported}
GLIBC_LIBS="libdl.so.2 libpthread.so.0 librt.so.1"
GLIBC_DIR=${CVMFDE_GLIBC_DIR:-/lib/x86_64-linux-gnu}
# JVM flags for boot (and for the training run: an AOT cache is only used with matching flags).
# Measured with bench/guest-startup (fde-agent/README.md, "Guest runtime"):
#  - C1 only, serial GC, no perf data: starting C2 and its threads costs ~0.5 s in TCG.
#  - --enable-native-access: the tsm/virtcca providers and the key pipe call libc through FFM.
#  - --sun-misc-unsafe-memory-access=allow: on Java 24+ Netty 4.2 otherwise finds no Unsafe and,
#    native access being enabled, builds its direct-buffer cleaner from FFM downcall stubs in
#    PlatformDependent's static initializer (~60 spun classes, none of them AOT-cacheable): about
#    a third of the time to listening. With Unsafe allowed it uses its long-standing Unsafe path
#    (CleanerJava9), whose classes the AOT cache holds. Java 25 only warns on this; the runtime is
#    a fixed jlink'd 25.
JVM_FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"

die() { echo "guest-runtime: $*" >&2; exit 1; }
need() { command -v "$1" > /dev/null || die "$1 is missing (Debian package $2)"; }
need strip binutils; need zstd zstd; need sha256sum coreutils

jdk=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then jdk=$JAVA_HOME; fi
if [ -z "$jdk" ]; then for d in /usr/lib/jvm/temurin-25*; do [ -x "$d/bin/jlink" ] && jdk=$d && break; done; fi
[ -n "$jdk" ] || die "no Java 25 JDK with jlink (set JAVA_HOME, e.g. /usr/lib/jvm/temurin-25-jdk-amd64)"

jar="$repo/fde-agent/target/fde-agent.jar"
if [ $rebuild = 1 ] || [ ! -f "$jar" ]; then
  echo "guest-runtime: building fde-agent (./mvnw -q -DskipTests package -pl fde-agent -am) ..." >&2
  (cd "$repo" && JAVA_HOME=$jdk ./mvnw -q -DskipTests package -pl fde-agent -am >&2) || die "maven build failed"
fi

# The target: x86_64 links this JDK's own runtime image; arm64 links trixie's arm64 jmods.
jlink_path=() strip_cmd=strip run_java=() os_arch=x86_64 target_id=host strip_debug=--strip-debug
if [ $arch = arm64 ]; then
  os_arch=aarch64
  need aarch64-linux-gnu-strip binutils-aarch64-linux-gnu; need dpkg-deb dpkg
  qemu=$(command -v qemu-aarch64-static || true)
  [ $aot = 0 ] || [ -n "$qemu" ] || die "qemu-aarch64-static is missing (Debian package qemu-user-static; or --no-aot)"
  cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/cvm-fde"
  debs="$cache_root/debs/trixie-arm64"; mkdir -p "$debs"
  want="openjdk-25-jdk-headless openjdk-25-jre-headless libc6 libstdc++6 libgcc-s1 zlib1g"
  missing_debs=""
  for p in $want; do ls "$debs/${p}_"*.deb > /dev/null 2>&1 || missing_debs="$missing_debs $p"; done
  if [ -n "$missing_debs" ]; then
    echo "guest-runtime: downloading (Debian trixie, arm64):$missing_debs ..." >&2
    # shellcheck disable=SC2086  # a list of package names
    "$repo/tools/packages/foreign-apt.sh" --suite trixie --arch arm64 download "$debs" $missing_debs \
        || die "downloading the arm64 packages failed"
  fi
  deb_key=$(for p in $want; do ls "$debs/${p}_"*.deb | sort -V | tail -1; done | xargs -n1 basename | sha256sum | cut -c1-16)
  sysroot="$cache_root/arm64-sysroot/$deb_key"
  if [ ! -f "$sysroot/.done" ]; then
    echo "guest-runtime: unpacking the arm64 JDK and libraries into $sysroot ..." >&2
    rm -rf "$sysroot"; mkdir -p "$sysroot/usr/lib"; ln -s usr/lib "$sysroot/lib"
    for p in $want; do
      dpkg-deb --fsys-tarfile "$(ls "$debs/${p}_"*.deb | sort -V | tail -1)" \
        | tar -x -C "$sysroot" --keep-directory-symlink || die "unpacking $p failed"
    done
    touch "$sysroot/.done"
  fi
  tjdk="$sysroot/usr/lib/jvm/java-25-openjdk-arm64"
  [ -f "$tjdk/jmods/java.base.jmod" ] || die "no jmods in openjdk-25-jdk-headless:arm64 ($tjdk/jmods)"
  jlink_path=(--module-path "$tjdk/jmods")
  strip_cmd=aarch64-linux-gnu-strip
  strip_debug=--strip-java-debug-attributes   # jlink's native stripping would use the host's objcopy
  run_java=("$qemu" -L "$sysroot")
  GLIBC_DIR="$sysroot/usr/lib/aarch64-linux-gnu"
  GLIBC_LIBS="$GLIBC_LIBS libstdc++.so.6 libgcc_s.so.1 libz.so.1"
  target_id="arm64 $deb_key $(cat "$tjdk/release")"
fi
for lib in $GLIBC_LIBS; do [ -r "$GLIBC_DIR/$lib" ] || die "$GLIBC_DIR/$lib is missing (Debian package libc6)"; done

key=$( {
  echo "modules=$MODULES aot=$aot flags=$JVM_FLAGS arch=$arch target=$target_id"
  cat "$jdk/release"
  sha256sum "$0" "$jar" "$repo"/fde-agent/target/lib/*.jar | awk '{print $1}'
  for lib in $GLIBC_LIBS; do sha256sum "$(readlink -f "$GLIBC_DIR/$lib")" | awk '{print $1}'; done
} | sha256sum | awk '{print substr($1,1,16)}')
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cvm-fde/runtime/$key"

if [ ! -x "$cache/bin/fde-agent" ]; then
  tmp="$cache.tmp.$$"; rm -rf "$tmp"; mkdir -p "$(dirname "$cache")"
  trap 'rm -rf "$tmp"' EXIT
  echo "guest-runtime: jlink $MODULES ..." >&2
  "$jdk/bin/jlink" "${jlink_path[@]}" --add-modules "$MODULES" "$strip_debug" --no-header-files --no-man-pages \
      --compress=zip-0 --output "$tmp"
  grep -q '^OS_ARCH=' "$tmp/release" || echo "OS_ARCH=\"$os_arch\"" >> "$tmp/release"
  grep -qx "OS_ARCH=\"$os_arch\"" "$tmp/release" || die "the linked runtime is not $os_arch: $(grep '^OS_ARCH=' "$tmp/release")"
  find "$tmp" -name '*.debuginfo' -delete   # Debian's jmods carry separate debug info (~600 MiB)
  find "$tmp" -name '*.so' -exec "$strip_cmd" --strip-unneeded {} +
  "$strip_cmd" --strip-unneeded "$tmp/bin/java"
  rm -f "$tmp/bin/jwebserver" "$tmp/bin/keytool" "$tmp/bin/rmiregistry"
  mkdir -p "$tmp/app/lib" "$tmp/glibc"
  cp "$jar" "$tmp/app/"
  cp "$repo"/fde-agent/target/lib/*.jar "$tmp/app/lib/"
  for lib in $GLIBC_LIBS; do cp -L "$GLIBC_DIR/$lib" "$tmp/glibc/$lib"; done
  sed "s|@JVM_FLAGS@|$JVM_FLAGS|" "$here/fde-agent.sh.in" > "$tmp/bin/fde-agent"
  chmod 755 "$tmp/bin/fde-agent"
  # The AOT cache records each class-path jar's size and mtime and is refused ("timestamp has
  # changed") when they differ at boot. Initramfs overlays store mtime 0 (image-builder's
  # InitramfsOverlay, tools/sample-guest/append-overlay.sh), so the jars get mtime 0 here too.
  find "$tmp/app" -name '*.jar' -exec touch -h -d @0 {} +
  if [ $aot = 1 ]; then
    echo "guest-runtime: AOT training run (fde-agent self-test) ..." >&2
    if [ $arch = x86_64 ]; then
      # shellcheck disable=SC2086
      LD_LIBRARY_PATH="$tmp/glibc" "$tmp/bin/java" $JVM_FLAGS -XX:AOTCacheOutput="$tmp/fde-agent.aot" \
          -Xlog:aot=warning -jar "$tmp/app/fde-agent.jar" self-test >&2 || die "training run failed"
    else
      # two steps, each one JVM under qemu-aarch64-static (-XX:AOTCacheOutput would spawn the
      # assembly JVM itself, which the host cannot exec without binfmt_misc)
      echo "guest-runtime: (arm64: record and create under qemu-aarch64-static, a few minutes)" >&2
      # shellcheck disable=SC2086
      LD_LIBRARY_PATH="$tmp/glibc" "${run_java[@]}" "$tmp/bin/java" $JVM_FLAGS -XX:AOTMode=record \
          -XX:AOTConfiguration="$tmp/fde-agent.aotconf" -Xlog:aot=error -jar "$tmp/app/fde-agent.jar" self-test >&2 \
          || die "training run (record, qemu-aarch64-static) failed"
      # shellcheck disable=SC2086
      LD_LIBRARY_PATH="$tmp/glibc" "${run_java[@]}" "$tmp/bin/java" $JVM_FLAGS -XX:AOTMode=create \
          -XX:AOTConfiguration="$tmp/fde-agent.aotconf" -XX:AOTCache="$tmp/fde-agent.aot" -Xlog:aot=error \
          -jar "$tmp/app/fde-agent.jar" >&2 || die "creating the AOT cache (qemu-aarch64-static) failed"
      rm -f "$tmp/fde-agent.aotconf"
    fi
    [ -s "$tmp/fde-agent.aot" ] || die "the training run wrote no AOT cache"
  else
    if [ $arch = x86_64 ]; then
      CVMFDE_NO_AOT=1 "$tmp/bin/fde-agent" self-test >&2 || die "self-test on the new runtime failed"
    elif [ -n "$qemu" ]; then
      # shellcheck disable=SC2086
      LD_LIBRARY_PATH="$tmp/glibc" "${run_java[@]}" "$tmp/bin/java" $JVM_FLAGS -jar "$tmp/app/fde-agent.jar" self-test >&2 \
        || die "self-test on the new runtime (qemu-aarch64-static) failed"
    fi
  fi
  chmod -R u+w,go-w "$tmp"
  rm -rf "$cache"; mv "$tmp" "$cache"; trap - EXIT
else
  echo "guest-runtime: cached $cache" >&2
fi

rm -rf "$out"; mkdir -p "$(dirname "$out")"
cp -a "$cache" "$out"
raw=$(du -sb "$out" | awk '{print $1}')
zst=$(cd "$out" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | zstd -15 -q -T0 -c | wc -c)
aotsz=$( [ -f "$out/fde-agent.aot" ] && stat -c %s "$out/fde-agent.aot" || echo 0)
echo "guest-runtime: $out  arch=$os_arch  raw=$((raw / 1048576)) MiB ($raw bytes)  zstd-15 cpio=$((zst / 1048576)) MiB ($zst bytes)  aot=$((aotsz / 1048576)) MiB  key=$key"
