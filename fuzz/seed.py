#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the repository (nothing here is committed but this script).

manifest: every fixture manifest under 64 kB (rule fixtures, examples, malformed corpus);
rules: every built-in rule file; cel: every CEL expression of the built-in rules, each with
the slot byte (which place in the rule the expression goes) 0..7.
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


n = 0
for base, _, names in os.walk(os.path.join(ROOT, "fixtures")):
    for name in sorted(names):
        path = os.path.join(base, name)
        if name.endswith(".plan.toml") and os.path.getsize(path) < 65536:
            rel = os.path.relpath(path, ROOT).replace(os.sep, "_")
            write("manifest", rel, open(path, "rb").read())
            n += 1
print(f"manifest: {n}")

n = 0
exprs = set()
for base, _, names in os.walk(os.path.join(ROOT, "rules")):
    for name in sorted(names):
        if name.endswith(".toml"):
            text = open(os.path.join(base, name), "rb").read()
            write("rules", name, text)
            n += 1
            for m in re.finditer(rb'^(?:assert|when|for_each|let\.\w+|match) = "((?:[^"\\]|\\.)*)"', text, re.M):
                exprs.add(m.group(1).replace(b'\\"', b'"').replace(b"\\\\", b"\\"))
print(f"rules: {n}")
for i, e in enumerate(sorted(exprs)):
    write("cel", f"expr-{i:04d}", bytes([i % 8]) + e)
print(f"cel: {len(exprs)}")

# config: every TOML block of the configuration docs, plus a few hand-written ones.
n = 0
for doc in ("configuration.md", "ci.md"):
    text = open(os.path.join(ROOT, "docs", doc), "rb").read()
    for i, m in enumerate(re.finditer(rb"```toml\n(.*?)```", text, re.S)):
        write("config", f"{doc}-{i:02d}", m.group(1))
        n += 1
for i, seed in enumerate([
    b'[check]\nfail_on = "warning"\ninclude = ["plans/**"]\nexclude = ["**/draft-*"]\nrules = ["team-rules"]\n',
    b'[rules]\nNTC001 = "warning"\nWRD001 = "off"\n\n[params]\nNTC001.min_days = 45\nACC001.cooling_days = { service = 20 }\n',
    b'[calendar]\nfiles = ["calendar/2027.toml"]\n',
]):
    write("config", f"seed-{i}", seed)
    n += 1
print(f"config: {n}")
