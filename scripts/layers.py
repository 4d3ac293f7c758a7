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
# Items defined in the crate root itself.
ROOT_ITEMS = {"builtin_sources", "BUILTIN_PACKS", "STARTER_MANIFEST"}
os.chdir(os.path.join(os.path.dirname(__file__), ".."))


def root_exports():
    """What src/lib.rs re-exports (`use layer::…` lines), by name: the layer it comes from."""
    exports = {}
    text = re.sub(r"//[^\n]*", "", open("src/lib.rs").read())
    for m in re.finditer(r"use\s+([a-z_]+)(::)?([^;]*);", text, re.S):
        layer, rest = m.group(1), m.group(3) or ""
        # `use engine::Engine` goes through a flat alias defined above it.
        layer = layer if layer in ORDER else exports.get(layer)
        if layer is None:
            continue
        if " as " in rest or rest.strip() == "" and " as " in m.group(0):
            alias = re.search(r"\bas\s+([A-Za-z_]+)", m.group(0))
            exports[alias.group(1)] = layer
            continue
        inner = re.sub(r"\{([^{}]*)\}", lambda b: b.group(1), rest)
        for part in re.split(r"[,\s]+", inner):
            name = part.split("::")[-1].strip("{} ")
            if name:
                exports[name] = layer
    return exports


ROOT = root_exports()


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
                if dep is None and n in ROOT_ITEMS:
                    dep = "root"
                if dep is None:
                    bad.append(f"{f}: {layer} uses crate::{n}, which is neither a layer nor a re-export")
                    continue
                if dep == layer:
                    continue
                uses[layer].setdefault(dep, set()).add(f)
                if dep != "root" and ORDER.index(dep) > ORDER.index(layer):
                    bad.append(f"{f}: {layer} uses {dep} ({n})")
for layer in ORDER:
    print(f"{layer:8} -> {', '.join(sorted(uses[layer], key=lambda d: (ORDER + ['root']).index(d))) or '-'}")
for b in bad:
    print("BACK-EDGE", b)
sys.exit(1 if bad else 0)
