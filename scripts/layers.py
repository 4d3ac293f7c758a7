#!/usr/bin/env python3
"""Checks that src/'s top-level modules depend on each other one way (issue #11).

Prints each layer's uses of other layers and fails (exit 1) when a layer uses one above it.
Paths through the crate root's re-exports count as uses of the layer that defines them.
"""
import glob, os, re, sys

ORDER = ["text", "syntax", "cel", "model", "load", "eval", "disk", "output"]
ROOT = {"Severity": "text", "Lang": "text", "Finding": "text", "finding_fingerprint": "text",
        "Source": "text", "SourceFile": "text", "Options": "eval", "Engine": "eval",
        "RuleSet": "model", "Run": "disk", "check_paths": "disk", "check_file": "disk",
        "check_configured": "disk", "read_rule_dir": "disk", "LoadError": "disk",
        "builtin_sources": "root", "BUILTIN_PACKS": "root", "STARTER_MANIFEST": "root"}
os.chdir(os.path.join(os.path.dirname(__file__), ".."))
uses = {l: {} for l in ORDER}
bad = []
for layer in ORDER:
    for f in sorted(glob.glob(f"src/{layer}/**/*.rs", recursive=True)):
        text = open(f).read()
        for m in re.finditer(r"crate::(\{[^}]*\}|[A-Za-z_]+)", text):
            names = re.findall(r"[A-Za-z_]+", m.group(1))
            for n in names[:1] if not m.group(1).startswith("{") else names:
                dep = n if n in ORDER else ROOT.get(n)
                if dep is None or dep == layer:
                    continue
                uses[layer].setdefault(dep, set()).add(f)
                if dep != "root" and ORDER.index(dep) > ORDER.index(layer):
                    bad.append(f"{f}: {layer} uses {dep} ({n})")
for layer in ORDER:
    print(f"{layer:7} -> {', '.join(sorted(uses[layer])) or '-'}")
for b in bad:
    print("BACK-EDGE", b)
sys.exit(1 if bad else 0)
