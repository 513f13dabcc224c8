#!/usr/bin/env bash
# Downloads Debian packages of another release or architecture without installing anything and
# without touching the system's apt configuration (a private apt state under the cache).
#
#   tools/packages/foreign-apt.sh [--suite SUITE] [--arch ARCH] download DESTDIR PACKAGE...
#   tools/packages/foreign-apt.sh [--suite SUITE] [--arch ARCH] closure DESTDIR PACKAGE...
#
#   download   the named packages' .debs only
#   closure    the named packages and everything they depend on (Depends/Pre-Depends, no
#              Recommends), as an empty system would need them
#   --suite    Debian suite (default trixie)        --arch   Debian architecture (default arm64)
#
# The package lists are fetched once a day into ${XDG_CACHE_HOME:-~/.cache}/cvm-fde/apt/SUITE-ARCH
# from the mirror of this machine's sources (default http://deb.debian.org/debian; CVMFDE_MIRROR
# overrides) and checked with the Debian archive keyring (Debian package debian-archive-keyring).
# .debs already in DESTDIR are not downloaded again. Prints nothing but errors.
set -euo pipefail
SUITE=trixie ARCH=arm64
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }
while (($#)); do
  case $1 in
    --suite) SUITE=${2:?}; shift 2 ;;
    --arch) ARCH=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) break ;;
  esac
done
(($# >= 3)) || usage
CMD=$1 DEST=$2; shift 2
[[ $CMD == download || $CMD == closure ]] || usage
die() { echo "foreign-apt: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "apt-get is missing: this needs a Debian/Ubuntu machine"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $KEYRING ]] || die "$KEYRING is missing (Debian package debian-archive-keyring)"
MIRROR=${CVMFDE_MIRROR:-http://deb.debian.org/debian}
A=${XDG_CACHE_HOME:-$HOME/.cache}/cvm-fde/apt/$SUITE-$ARCH
mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" "$A/prefs.d" "$DEST"
touch "$A/status"
echo "deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $SUITE main" >"$A/sources.list"
O=(-o "Dir::State=$A/state" -o "Dir::State::status=$A/status" -o "Dir::Cache=$A/cache"
   -o "Dir::Etc::SourceList=$A/sources.list" -o Dir::Etc::SourceParts=/nonexistent
   -o Dir::Etc::Preferences=/nonexistent -o "Dir::Etc::PreferencesParts=$A/prefs.d"
   -o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH" -o APT::Sandbox::User=root
   -o Debug::NoLocking=1 -o quiet=2)
if [[ -z $(find "$A/state/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null) ]]; then
  apt-get "${O[@]}" update >"$A/update.log" 2>&1 || { cat "$A/update.log" >&2; die "apt-get update for $SUITE/$ARCH failed (is $MIRROR reachable?)"; }
fi
DEST=$(cd "$DEST" && pwd)
if [[ $CMD == download ]]; then
  (cd "$DEST" && apt-get "${O[@]}" download "$@" >"$A/download.log" 2>&1) \
    || { cat "$A/download.log" >&2; die "apt-get download $* ($SUITE/$ARCH) failed"; }
else
  apt-get "${O[@]}" -o "Dir::Cache::archives=$DEST" install --download-only -y --no-install-recommends \
    "$@" >"$A/closure.log" 2>&1 || { cat "$A/closure.log" >&2; die "resolving $* ($SUITE/$ARCH) failed"; }
  rm -rf "$DEST/partial" "$DEST/lock"
fi
