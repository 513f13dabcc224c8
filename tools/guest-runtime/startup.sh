#!/usr/bin/env bash
# Time from exec to "listening" of a built guest runtime, with and without its AOT cache,
# alternating runs on the same machine. Usage: tools/guest-runtime/startup.sh RUNTIME_DIR [RUNS]
set -euo pipefail
rt=${1:?usage: startup.sh RUNTIME_DIR [RUNS]}; runs=${2:-5}
one() { # prints ms from exec to the self-test's listening line
  local t0 line
  t0=$(date +%s%3N)
  line=$(env "$@" "$rt/bin/fde-agent" self-test 2>&1 | grep 'self-test: listening') || { echo "self-test failed" >&2; exit 1; }
  line=${line##*epoch-ms }; line=${line%%[!0-9]*}; echo $((line - t0))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
aot=(); noaot=()
for _ in $(seq "$runs"); do noaot+=("$(one CVMFDE_NO_AOT=1)"); aot+=("$(one CVMFDE_X=1)"); done
echo "exec→listening ms without AOT: ${noaot[*]} (median $(printf '%s\n' "${noaot[@]}" | median))"
echo "exec→listening ms with AOT:    ${aot[*]} (median $(printf '%s\n' "${aot[@]}" | median))"
