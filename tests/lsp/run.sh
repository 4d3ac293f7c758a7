#!/usr/bin/env bash
# End-to-end tests of `hegui lsp`: pytest-lsp (from PyPI, in a venv outside the checkout) drives
# the real binary; headless Neovim attaches it to a plan (skipped without `nvim` unless
# HEGUI_REQUIRE_NVIM=1). Runnable locally: `bash tests/lsp/run.sh [pytest args…]`.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${HEGUI_LSP_VENV:-${TMPDIR:-/tmp}/hegui-lsp-venv}"
if [ ! -x "$venv/bin/pytest" ] || ! "$venv/bin/python" -c 'import pytest_lsp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pytest-lsp==1.0.1"
fi
cargo build --locked --quiet
export HEGUI_BIN="${HEGUI_BIN:-$PWD/target/debug/hegui}"
cd tests/lsp
# No cache folder in the checkout; -rs lists skips (a skipped Neovim test is visible).
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs "$@"
