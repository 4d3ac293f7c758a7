#!/usr/bin/env bash
# The hegui benchmark (docs/performance.md): installs the peers, builds hegui, generates the
# seeded corpora and runs everything on them in one go.
#
#   benches/run.sh                       # N = 1,000 and 10,000
#   benches/run.sh --sizes 1000 --runs 5 # options of benches/bench.py
#
# Needs cargo, node + npm, python3. Exits 1 when the tools disagree on violation counts.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building hegui and the parse-only baseline"
cargo build --release --locked --quiet --bin hegui --example parse_only

echo "== installing Spectral (npm, pinned in benches/spectral/package-lock.json)"
(cd benches/spectral && npm ci --no-audit --no-fund --silent)

echo "== building the regorus runner (crates.io, pinned in benches/regorus/Cargo.lock)"
CARGO_TARGET_DIR="$PWD/benches/out/target" cargo build --release --locked --quiet \
  --manifest-path benches/regorus/Cargo.toml

exec python3 benches/bench.py "$@"
