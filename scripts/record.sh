# Sourced by scripts/baseline.sh and scripts/schedule_baseline.sh with their arguments (a hegui
# binary, an output folder): moves to the repository root, sets BIN, OUT and TODAY, and defines
# `run NAME ARGS…`, which records the binary's standard output, standard error and exit status.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=$(realpath "$1")
OUT=$2
TODAY=${TODAY:-2026-11-20}
mkdir -p "$OUT"
run() { # name, args...
  local name=$1; shift
  "$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  echo $? >"$OUT/$name.rc"
}
