#!/usr/bin/env bash
# Instruction counts of one hegui binary (issue #11's before/after benchmark):
#   scripts/callgrind.sh BIN CORPUS_DIR   # CORPUS_DIR: benches/gen_corpus.py --n 200 --out DIR
# Prints the total instructions (Ir) of `check fixtures/examples` and of `check` on the
# corpus's 200 TOML manifests, both with RAYON_NUM_THREADS=1 (all threads counted).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "$1"); CORPUS=$2; OUT=$(mktemp -d)
count() { # name, args...
  local name=$1; shift
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.cg" \
    "$BIN" "$@" >/dev/null 2>&1 || true
  printf '%s\t%s\n' "$name" "$(callgrind_annotate "$OUT/$name.cg" 2>/dev/null | grep -m1 'PROGRAM TOTALS' | awk '{print $1}')"
}
count examples check --today 2026-11-20 --format json --fail-on never fixtures/examples
count corpus-200 check --today 2026-11-20 --format json --fail-on never "$CORPUS/toml"
count corpus-200-bench-rules check --no-builtin --rules benches/hegui-rules --today 2026-11-20 --format json --fail-on never "$CORPUS/toml"
rm -rf "$OUT"
