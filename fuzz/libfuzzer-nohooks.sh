#!/usr/bin/env bash
# fuzz/libfuzzer-nohooks.sh OUT.a: builds libFuzzer from the libfuzzer-sys crate's own sources,
# leaving out FuzzerInterceptors.cpp, into OUT.a (for CUSTOM_LIBFUZZER_PATH, see fuzz/run.sh).
# Without the interceptors libFuzzer no longer hooks every memcmp/strcmp/strstr the code under
# test makes (`AddValueForMemcmp`: 6 % of a fuzzing process in session 9); like
# --no-trace-compares, it gives up comparison hints for speed.
set -euo pipefail
out="$1"
cd "$(dirname "$0")"
manifest=$(cargo metadata --format-version 1 --locked | python3 -c \
  'import json, sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "libfuzzer-sys"))')
src="$(dirname "$manifest")/libfuzzer"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$src"/*.cpp; do
  [ "$(basename "$f")" = FuzzerInterceptors.cpp ] && continue
  echo "$f"
done | xargs -P 2 -I{} sh -c 'g++ -O3 -std=c++17 -fPIC -fno-omit-frame-pointer -w -c "$1" -o "$2/$(basename "$1" .cpp).o"' _ {} "$work"
mkdir -p "$(dirname "$out")"
rm -f "$out"
ar rcs "$out" "$work"/*.o
