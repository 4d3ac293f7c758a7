#!/usr/bin/env python3
"""Runs the hegui benchmark (docs/performance.md); called by benches/run.sh after it has built
hegui and installed the peers. Standard library only.

For each corpus size N it generates the corpus (benches/gen_corpus.py, seeded), runs hegui with
the five-rule pack, Spectral over the JSON copies and regorus over one combined input, checks
that all three report the same number of violations per rule as the generator planted (exit 1
and a loud message when they do not), and prints wall time, CPU time (user + system) and peak
memory (max RSS) with the ratios hegui / peer. Then hegui's full built-in catalogue against
the parse-only baseline, and the single-file latency.

Each measurement is the median (by wall time) of --runs runs; CPU and memory are those of that
run. Times come from os.wait4 on the child process, so they include process start and exit.
"""

import argparse
import collections
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, "benches")
OUT = os.path.join(B, "out")
HEGUI = os.path.join(ROOT, "target", "release", "hegui")
PARSE_ONLY = os.path.join(ROOT, "target", "release", "examples", "parse_only")
SPECTRAL = os.path.join(B, "spectral", "node_modules", ".bin", "spectral")
REGORUS = os.path.join(OUT, "target", "release", "hegui-bench-regorus")
RULES = ["R1", "R2", "R3", "R4", "R5"]
HEGUI_IDS = {f"BEN00{i}": f"R{i}" for i in range(1, 6)}
TODAY = "2026-11-22"


def measure(cmd, runs, stdout_path=None):
    """Runs cmd `runs` times; returns (median run as dict, stdout of that run)."""
    samples = []
    for _ in range(runs):
        out = open(stdout_path, "w") if stdout_path else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if stdout_path:
            out.close()
        if proc.returncode not in (0, 1):
            sys.exit(f"FAILED: {' '.join(cmd)} exited {proc.returncode}\n{err}")
        samples.append({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024})
    samples.sort(key=lambda s: s["wall"])
    median = dict(samples[len(samples) // 2])
    median["runs"] = runs
    median["walls"] = [round(s["wall"], 3) for s in samples]
    return median


def corpus(n, seed):
    path = os.path.join(OUT, f"corpus-{n}")
    stamp = os.path.join(path, "expected.json")
    if os.path.exists(stamp):
        exp = json.load(open(stamp))
        if exp.get("seed") == seed and exp.get("n") == n:
            return path, exp
    subprocess.run([sys.executable, os.path.join(B, "gen_corpus.py"), "--n", str(n), "--seed", str(seed), "--out", path],
                   check=True, stdout=subprocess.DEVNULL)
    return path, json.load(open(stamp))


def hegui_counts(path):
    d = json.load(open(path))
    c = collections.Counter(HEGUI_IDS.get(x["rule"], x["rule"]) for x in d["diagnostics"])
    return {r: c.get(r, 0) for r in RULES} | {k: v for k, v in c.items() if k not in RULES}


def spectral_counts(path):
    d = json.load(open(path))
    c = collections.Counter(x["code"] for x in d)
    return {r: c.get(r, 0) for r in RULES} | {k: v for k, v in c.items() if k not in RULES}


def fmt_run(m):
    return f"{m['wall']:8.3f} s {m['cpu']:8.3f} s {m['rss_mb']:8.1f} MB"


def ratio(a, b):
    return f"{a / b:.4f}" if b else "n/a"


def machine():
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    versions = {}
    for name, cmd in [("hegui", [HEGUI, "--version"]), ("rustc", ["rustc", "--version"]), ("node", ["node", "--version"]),
                      ("spectral", [SPECTRAL, "--version"])]:
        try:
            versions[name] = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            versions[name] = "?"
    lock = open(os.path.join(B, "regorus", "Cargo.lock")).read()
    i = lock.find('name = "regorus"')
    versions["regorus"] = lock[i:].split("\n")[1].split('"')[1] if i >= 0 else "?"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(), "versions": versions,
            "load": os.getloadavg()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--spectral-runs", type=int, default=1)
    ap.add_argument("--latency-runs", type=int, default=50)
    ap.add_argument("--catalogue-size", type=int, default=10000)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    info = machine()
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, Linux {info['kernel']}, "
          f"load average {info['load'][0]:.2f}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    results = {"machine": info, "five_rules": {}, "catalogue": None, "latency": None}
    failed = False
    for n in [int(x) for x in args.sizes.split(",")]:
        path, expected = corpus(n, args.seed)
        toml_dir, json_glob, combined = os.path.join(path, "toml"), os.path.join(path, "json", "*.json"), os.path.join(path, "combined.json")
        h_out, s_out = os.path.join(path, "hegui.json"), os.path.join(path, "spectral.json")
        runs = {}
        runs["hegui"] = measure([HEGUI, "check", "--no-builtin", "--rules", "benches/hegui-rules", "--format", "json",
                                 "-o", h_out, "--lang", "en", "--today", TODAY, "--fail-on", "never", toml_dir], args.runs)
        runs["spectral"] = measure([SPECTRAL, "lint", json_glob, "-r", os.path.join(B, "spectral", "ruleset.yaml"),
                                    "--format", "json", "-o", s_out, "-q", "--fail-severity", "error"], args.spectral_runs)
        r_out = os.path.join(path, "regorus.json")
        runs["regorus"] = measure([REGORUS, os.path.join(B, "rego", "bench.rego"), combined], args.runs, r_out)
        counts = {
            "planted": expected["violations"],
            "hegui": hegui_counts(h_out),
            "spectral": spectral_counts(s_out),
            "regorus": json.load(open(r_out)),
        }
        print(f"\n== five rules, N = {n} (seed {args.seed}): violations per rule")
        print(f"{'':10}" + "".join(f"{r:>8}" for r in RULES) + "   files violating: " +
              ", ".join(f"{r} {expected['files_violating'][r]}" for r in RULES))
        for tool, c in counts.items():
            extra = {k: v for k, v in c.items() if k not in RULES}
            print(f"{tool:10}" + "".join(f"{c.get(r, 0):>8}" for r in RULES) + (f"   unexpected: {extra}" if extra else ""))
        agree = all({r: c.get(r, 0) for r in RULES} == counts["planted"] and len(c) == len(RULES) for c in counts.values())
        if not agree:
            failed = True
            print("!!! THE TOOLS DISAGREE ON VIOLATION COUNTS — the comparison below is not valid !!!")
        print(f"{'tool':10} {'wall':>10} {'CPU':>10} {'peak RSS':>11}   runs")
        for tool, m in runs.items():
            print(f"{tool:10} {fmt_run(m)}   {m['runs']} (walls {m['walls']})")
        h = runs["hegui"]
        for peer in ("spectral", "regorus"):
            p = runs[peer]
            print(f"hegui / {peer:8}: wall {ratio(h['wall'], p['wall'])}  CPU {ratio(h['cpu'], p['cpu'])}  "
                  f"memory {ratio(h['rss_mb'], p['rss_mb'])}   (hegui is {p['wall'] / h['wall']:.1f}× faster by wall time)")
        results["five_rules"][n] = {"runs": runs, "counts": counts, "agree": agree}

    n = args.catalogue_size
    path, _ = corpus(n, args.seed)
    toml_dir = os.path.join(path, "toml")
    cat = measure([HEGUI, "check", "--format", "json", "-o", os.path.join(path, "catalogue.json"), "--lang", "en",
                   "--today", TODAY, "--fail-on", "never", toml_dir], args.runs)
    base = measure([PARSE_ONLY, toml_dir], args.runs)
    findings = len(json.load(open(os.path.join(path, "catalogue.json")))["diagnostics"])
    print(f"\n== full built-in catalogue vs parse-only baseline, N = {n} ({findings} findings)")
    print(f"{'':22} {'wall':>10} {'CPU':>10} {'peak RSS':>11}")
    print(f"{'hegui (catalogue)':22} {fmt_run(cat)}")
    print(f"{'parse-only baseline':22} {fmt_run(base)}")
    print(f"catalogue / parse-only: wall {ratio(cat['wall'], base['wall'])}  CPU {ratio(cat['cpu'], base['cpu'])}")
    results["catalogue"] = {"n": n, "hegui": cat, "parse_only": base, "findings": findings}

    example = "fixtures/examples/combined.plan.toml"
    walls = []
    for _ in range(args.latency_runs):
        start = time.perf_counter()
        subprocess.run([HEGUI, "check", "--today", TODAY, example], stdout=subprocess.DEVNULL, cwd=ROOT)
        walls.append(time.perf_counter() - start)
    lat = {"median_ms": statistics.median(walls) * 1000, "min_ms": min(walls) * 1000, "runs": len(walls)}
    print(f"\n== single file: hegui check {example} (process start to exit, {len(walls)} runs)")
    print(f"median {lat['median_ms']:.1f} ms, min {lat['min_ms']:.1f} ms")
    results["latency"] = lat
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    if failed:
        sys.exit("FAILED: the tools disagree on violation counts (see above)")


if __name__ == "__main__":
    main()
