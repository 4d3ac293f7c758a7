#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] [TARGET…]: runs each fuzz target (default all) for SECONDS (default 1200) one after the other, niced, one process
# each, logging libFuzzer's final stats to fuzz/logs/<target>.log. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); stable Rust works with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes
# -Z flags). `-s none`: no AddressSanitizer, the code under test is safe Rust.
# By default only hegui's own crates are instrumented (instrument-own.sh), comparisons are not
# traced, and libFuzzer is built without its memcmp/strcmp interceptors (libfuzzer-nohooks.sh):
# the fastest build, which reached at least the coverage of the others in the same time
# (sessions 7 and 9). HEGUI_FUZZ_OWN=0 instruments every crate, HEGUI_FUZZ_NO_CMP=0 traces
# comparisons, HEGUI_FUZZ_NO_HOOKS=0 keeps the interceptors; all three 0 is cargo-fuzz's
# default build. Each combination builds in its own target/fuzz-… folder.
# Figures: docs/robustness.md.
set -euo pipefail
cd "$(dirname "$0")"
build=()
own="${HEGUI_FUZZ_OWN:-1}"
no_cmp="${HEGUI_FUZZ_NO_CMP:-1}"
no_hooks="${HEGUI_FUZZ_NO_HOOKS:-1}"
dir=target/fuzz
if [ "$own" = 1 ]; then
  export RUSTC_WRAPPER="$PWD/instrument-own.sh"
  dir+=-own
fi
if [ "$no_cmp" = 1 ]; then
  build+=(--no-trace-compares)
  dir+=-nocmp
fi
if [ "$no_hooks" = 1 ]; then
  export CUSTOM_LIBFUZZER_PATH="$PWD/target/libfuzzer-nohooks/libfuzzer.a"
  [ -f "$CUSTOM_LIBFUZZER_PATH" ] || bash libfuzzer-nohooks.sh "$CUSTOM_LIBFUZZER_PATH"
  dir+=-nohooks
fi
build+=(--target-dir "$dir")
seconds="${1:-1200}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(manifest rules cel config)
[ -d corpus ] || python3 seed.py
mkdir -p logs
for t in "${targets[@]}"; do
  # Manifests: 16 kB holds all but 6 of the 555 seeds whole and lines past the 4 kB excerpt
  # limit; larger inputs mostly cost time (large files: fixtures/malformed/, tests/malformed.rs).
  max_len=65536
  [ "$t" = manifest ] && max_len=16384
  RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -O -s none "${build[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=30 -max_len="$max_len" -print_final_stats=1 \
    > "logs/$t.log" 2>&1 || echo "$t: fuzzer stopped with a finding, see logs/$t.log"
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec)" "logs/$t.log" | sed "s/^/$t /"
done
