#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages a command needs, if they are missing (used by ./demo, ./test
# and the benches, so each README command sets itself up on a fresh machine).
#
#   tools/packages/install.sh --for WHO [--why TEXT] [--no-install] [--list FILE]... [PACKAGE]...
#
#   --for WHO      the command that needs them, for the messages ("./demo", "bench/release-latency")
#   --why TEXT     what they are for, said before asking sudo for a password
#   --list FILE    a package list: one package per line, '#' starts a comment (tools/packages/*.list)
#   --no-install   install nothing: list the missing packages and the command that installs them
#                  (also CVMFDE_NO_INSTALL=1)
#
# Nothing missing: silent, exit 0. As root: apt-get update, then apt-get install -y
# --no-install-recommends. Otherwise through sudo, after saying what and why (sudo may ask for a
# password; without a terminal it does not ask: sudo -n). A package counts as present when dpkg
# says "install ok installed".
# Not a Debian/Ubuntu system (no dpkg-query): says what it would need and installs nothing.
# Exit: 0 everything present or installed (or not Debian); 1 missing and not installed
# (--no-install, no root and no sudo, apt-get failed); 2 usage.
set -euo pipefail
WHO=cvm-fde WHY="" NO_INSTALL=${CVMFDE_NO_INSTALL:-0}
[[ $NO_INSTALL == 1 ]] || NO_INSTALL=0
wanted=()
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2; exit 2; }
read_list() {   # read_list FILE: appends its packages to wanted
  local line
  [[ -r $1 ]] || { echo "install.sh: no package list $1" >&2; exit 2; }
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%%#*}
    # shellcheck disable=SC2206  # word splitting is the point: package names have no blanks
    wanted+=($line)
  done <"$1"
}
while (($#)); do
  case $1 in
    --for) WHO=${2:?"--for needs a name"}; shift 2 ;;
    --why) WHY=${2:?"--why needs a text"}; shift 2 ;;
    --list) read_list "${2:?"--list needs a file"}"; shift 2 ;;
    --no-install) NO_INSTALL=1; shift ;;
    -h|--help) usage ;;
    -*) echo "install.sh: unknown option $1" >&2; usage ;;
    *) wanted+=("$1"); shift ;;
  esac
done

missing=()
if ! command -v dpkg-query >/dev/null 2>&1; then
  # not Debian/Ubuntu: we cannot tell what is installed, and the names are Debian's; the
  # command's own checks name each missing program
  ((${#wanted[@]} == 0)) && exit 0
  echo "$WHO: not a Debian/Ubuntu system (no dpkg-query): installing nothing; it needs the programs of these Debian packages: ${wanted[*]}" >&2
  exit 0
fi
for p in "${wanted[@]}"; do
  [[ " ${missing[*]} " == *" $p "* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if ((NO_INSTALL)); then
  echo "$WHO: these Debian packages are missing: ${missing[*]}${WHY:+ ($WHY)}" >&2
  echo "$WHO: install them with:  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
SUDO=()
if (($(id -u) != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "$WHO: these Debian packages are missing: ${missing[*]}${WHY:+ ($WHY)}" >&2
    echo "$WHO: not root and no sudo; as root run:  apt-get update && $cmd" >&2
    exit 1
  fi
  echo "$WHO: installing the Debian packages it needs: ${missing[*]}${WHY:+ ($WHY)}" >&2
  if [[ -t 0 ]]; then
    echo "$WHO: running  sudo $cmd  (sudo may ask for your password; --no-install to only list them)" >&2
    SUDO=(sudo)
  else
    echo "$WHO: running  sudo -n $cmd  (no terminal: sudo will not ask for a password)" >&2
    SUDO=(sudo -n)
  fi
else
  echo "$WHO: installing the Debian packages it needs: ${missing[*]}${WHY:+ ($WHY)}" >&2
fi
# apt's and dpkg's lines go to a log, shown only if something fails
log=$(mktemp "${TMPDIR:-/tmp}/cvm-fde-apt.XXXXXX")
if ! "${SUDO[@]}" apt-get update -qq >"$log" 2>&1 \
   || ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
  tail -n 25 "$log" >&2
  echo "$WHO: installing ${missing[*]} failed (apt's output above, all of it in $log); install them yourself:" \
       " sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
rm -f "$log"
echo "$WHO: installed ${missing[*]}" >&2
