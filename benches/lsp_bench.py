#!/usr/bin/env python3
"""Benchmark of `hegui lsp` (docs/editors.md): re-lint latency after a change on a 1,000-line
plan, and the server's memory over 10,000 edits of that one buffer.

    cargo build --release --locked --bin hegui
    python3 benches/lsp_bench.py [--bin target/release/hegui] [--edits 10000] [--timed 500]

Speaks JSON-RPC over the server's stdio with the standard library only. Every edit is an
incremental change (UTF-16 positions) that moves one closure day back and forth, so each check
finds a different set of findings; the server runs with `--debounce-ms 0` so that the time
measured is the check, not the debounce. Latency: from writing the change to reading the
`publishDiagnostics` of that version. Memory: the server's resident set (VmRSS) sampled from
/proc every 1,000 edits, and its peak (VmHWM).
"""

import argparse
import json
import pathlib
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def plan_of_lines(target: int) -> str:
    """The ACC001 failing fixture, grown past `target` lines with compliant accounts."""
    base = (ROOT / "fixtures" / "ACC001" / "fail.plan.toml").read_text(encoding="utf-8")
    start = base.index('[[account]]\nid = "sub-news"')
    end = base.index("[[notice]]")
    block = base[start:end]
    extra, i = [], 0
    while base.count("\n") + sum(b.count("\n") for b in extra) < target:
        extra.append(block.replace('id = "sub-news"', f'id = "sub-news-{i:03}"'))
        i += 1
    return base[:end] + "".join(extra) + base[end:]


class Server:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            m = self.messages.get(timeout=30)
            if m.get("id") == self.next_id:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def published(self, uri, version):
        while True:
            m = self.messages.get(timeout=30)
            p = m.get("params") or {}
            if m.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == uri \
                    and p.get("version") == version:
                return p["diagnostics"]

    def status(self, field):
        for line in pathlib.Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
        return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "hegui"))
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=10000)
    ap.add_argument("--timed", type=int, default=500, help="edits whose latency is reported")
    args = ap.parse_args()

    text = plan_of_lines(args.lines)
    lines = text.split("\n")
    n = next(i for i, l in enumerate(lines) if l.startswith("closure_effective_on = 2026-12-15"))
    col = lines[n].index("15")
    with tempfile.TemporaryDirectory() as tmp:
        (pathlib.Path(tmp) / ".git").mkdir()
        path = pathlib.Path(tmp) / "big.plan.toml"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        server = Server([args.bin, "lsp", "--lang", "en", "--today", "2026-11-22", "--debounce-ms", "0"])
        server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        server.notify("initialized", {})
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "toml", "version": 1, "text": text}})
        first = server.published(uri, 1)
        print(f"plan: {len(lines)} lines, {len(first)} diagnostics on open")
        rss = [(0, server.status("VmRSS"))]
        latencies = []
        for k in range(1, args.edits + 1):
            day = "20" if k % 2 else "15"
            version = k + 1
            t0 = time.perf_counter()
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": n, "character": col},
                                              "end": {"line": n, "character": col + 2}},
                                    "text": day}]})
            diagnostics = server.published(uri, version)
            elapsed = time.perf_counter() - t0
            acc = any(d.get("code") == "ACC001" for d in diagnostics)
            if acc != (day == "15"):
                sys.exit(f"edit {k}: ACC001 {'present' if acc else 'absent'} with day {day}")
            if 20 < k <= 20 + args.timed:
                latencies.append(elapsed * 1000)
            if k % 1000 == 0:
                rss.append((k, server.status("VmRSS")))
        hwm = server.status("VmHWM")
        server.request("shutdown", None)
        server.notify("exit", None)
        server.proc.wait(timeout=10)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"re-lint latency over {len(latencies)} edits (after 20 warm-up): "
          f"median {statistics.median(latencies):.2f} ms, p95 {p95:.2f} ms, max {latencies[-1]:.2f} ms")
    print("resident set (kB) after N edits: " + ", ".join(f"{k}: {v}" for k, v in rss))
    print(f"peak resident set: {hwm} kB")
    growth = rss[-1][1] - rss[1][1] if len(rss) > 2 else 0
    print(f"growth from 1,000 to {rss[-1][0]:,} edits: {growth} kB")


if __name__ == "__main__":
    main()
