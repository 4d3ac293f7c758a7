#!/usr/bin/env python3
"""Checks that src/'s top-level modules depend on each other one way (issue #11).

Prints each layer's uses of other layers and fails (exit 1) when a layer uses one above it
(docs/architecture.md lists the order). Paths through the crate root's re-exports and the
old flat aliases count as uses of the layer that defines them; comments and `#[cfg(test)]`
modules are not counted (tests may use anything).
"""
import glob, os, re, sys

ORDER = ["text", "syntax", "cel", "model", "load", "eval", "disk", "fix", "schedule",
         "output", "lsp"]
# Items the crate root re-exports, and the flat module paths it still aliases, by layer.
ROOT = {
    "Severity": "text", "Lang": "text", "Finding": "text", "finding_fingerprint": "text",
    "Source": "text", "SourceFile": "text", "escape": "text", "finding": "text",
    "source": "text",
    "reader": "syntax", "tree": "syntax",
    "budget": "cel", "calendar": "cel", "celval": "cel", "functions": "cel", "lazy": "cel",
    "fixtures": "model", "law": "model", "rules": "model", "shape": "model", "RuleSet": "model",
    "rulecheck": "load",
    "baseline": "eval", "engine": "eval", "rule_tests": "eval", "waivers": "eval",
    "Options": "eval", "Engine": "eval", "FileResolver": "eval", "NoFiles": "eval",
    "confine": "disk", "walk": "disk", "config": "disk", "Run": "disk", "check_paths": "disk",
    "check_file": "disk", "check_file_with": "disk", "check_configured": "disk",
    "discover_configured": "disk", "read_rule_dir": "disk", "read_rule_dir_inside": "disk",
    "rule_sources": "disk", "configured_sources": "disk", "LoadError": "disk", "DiskFiles": "disk", "display_path": "disk",
    "render": "output", "docs": "output", "explain": "output", "report": "output",
    "schema": "output",
    "builtin_sources": "root", "BUILTIN_PACKS": "root", "STARTER_MANIFEST": "root",
}
os.chdir(os.path.join(os.path.dirname(__file__), ".."))


def code(text):
    """The text without `//` comments and without the `#[cfg(test)]` module at the end."""
    cut = text.find("#[cfg(test)]\nmod tests")
    if cut >= 0:
        text = text[:cut]
    return re.sub(r"//[^\n]*", "", text)


uses = {l: {} for l in ORDER}
bad = []
for layer in ORDER:
    for f in sorted(glob.glob(f"src/{layer}/**/*.rs", recursive=True)):
        text = code(open(f).read())
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
    print(f"{layer:8} -> {', '.join(sorted(uses[layer], key=lambda d: (ORDER + ['root']).index(d))) or '-'}")
for b in bad:
    print("BACK-EDGE", b)
sys.exit(1 if bad else 0)
