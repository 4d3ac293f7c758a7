"""A real editor: headless Neovim attaches `hegui lsp` to a plan and reads the diagnostics back
(Neovim keeps byte columns; it converts from the server's UTF-16, so an emoji earlier on the
line checks the conversion end to end). Skipped without `nvim` unless HEGUI_REQUIRE_NVIM=1."""

import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import HEGUI
from test_server import ASTRAL, line_of

HERE = pathlib.Path(__file__).resolve().parent


def test_neovim_reads_the_diagnostics(repo: pathlib.Path):
    nvim = shutil.which("nvim")
    if nvim is None:
        if os.environ.get("HEGUI_REQUIRE_NVIM") == "1":
            pytest.fail("nvim is not installed (HEGUI_REQUIRE_NVIM=1)")
        pytest.skip("nvim is not installed")
    plan = repo / "smoke.plan.toml"
    plan.write_text(ASTRAL, encoding="utf-8")
    out = repo / "diagnostics.txt"
    env = dict(os.environ, HEGUI_BIN=HEGUI, HEGUI_PLAN=str(plan), HEGUI_OUT=str(out))
    subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {HERE / 'nvim_smoke.lua'}"],
        env=env, timeout=60, check=True, stdin=subprocess.DEVNULL, capture_output=True,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0] != "TIMEOUT", lines
    n, line = line_of(ASTRAL, "closure_effective_on = 2026-12-15")
    col = len(line[: line.index("2026")].encode("utf-8"))
    assert any(l.startswith(f"ACC001 {n + 1}:{col} ") and "cooling period" in l for l in lines), lines
    m, line = line_of(ASTRAL, '"bogus"')
    col = len(line[: line.index('"bogus"')].encode("utf-8"))
    assert any(l.startswith(f"SCH003 {m + 1}:{col} ") for l in lines), lines
