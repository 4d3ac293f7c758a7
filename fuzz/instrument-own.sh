#!/usr/bin/env bash
# A RUSTC_WRAPPER for fuzz builds (fuzz/run.sh): coverage instrumentation only for hegui's own
# crates (the library, this harness and its targets), not for the dependencies. libFuzzer then
# collects a few thousand counters after each execution instead of every counter of toml_parser,
# cel, serde_json, miette … (session 7: a third of an execution went to that bookkeeping;
# docs/robustness.md). Dependencies still run and can still panic; they just do not guide.
rustc="$1"
shift
own=0
prev=""
for a in "$@"; do
  if [ "$prev" = "--crate-name" ]; then
    case "$a" in
      hegui | hegui_fuzz | manifest | rules | cel | config | replay) own=1 ;;
    esac
  fi
  prev="$a"
done
if [ "$own" = 1 ]; then
  exec "$rustc" "$@"
fi
args=()
skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then
    skip=0
    case "$a" in
      passes=sancov-module | llvm-args=-sanitizer-coverage*) continue ;;
      *) args+=("-C" "$a"); continue ;;
    esac
  fi
  case "$a" in
    -Cpasses=sancov-module | -Cllvm-args=-sanitizer-coverage*) ;;
    -C) skip=1 ;;
    *) args+=("$a") ;;
  esac
done
exec "$rustc" "${args[@]}"
