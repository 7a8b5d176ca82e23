#!/usr/bin/env python3
"""Regenerates src/api/stripe_paths.tsv, the table of every /v1 operation in Stripe's API,
from the official stripe-node package's generated resources (its OpenAPI-derived calls).

Usage: scripts/stripe-paths.py PATH/TO/stripe-node/package [VERSION]
(get one with `npm pack stripe@VERSION && tar xzf stripe-VERSION.tgz`).

Rows already in the table keep their `served` column and note (Pasarela's own facts, kept by
hand); new rows start as `no`. Columns: method, path (ids as {id}), kind (list, retrieve,
search, other), served (yes, partly, no), note."""
import os
import re
import sys

pkg = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), "..", "src", "api", "stripe_paths.tsv")

ops = set()
root = os.path.join(pkg, "cjs", "resources")
for d, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".js"):
            continue
        text = open(os.path.join(d, f)).read()
        for m in re.finditer(r"_makeRequest\('(\w+)',\s*[`'](/v1/[^`']*)[`'](?=(.{0,300}))", text, re.S):
            method, path, rest = m.groups()
            path = re.sub(r"\$\{encodeURIComponent\(\w+\)\}", "{id}", path)
            rest = rest.split("_makeRequest")[0]
            if "methodType: 'list'" in rest:
                kind = "list"
            elif "methodType: 'search'" in rest:
                kind = "search"
            elif method == "GET" and path.endswith("{id}"):
                kind = "retrieve"
            else:
                kind = "other"
            ops.add((method, path, kind))

kept = {}
if os.path.exists(out):
    for line in open(out):
        if line.startswith("#") or not line.strip():
            continue
        method, path, _kind, served, note = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
        kept[(method, path)] = (served, note)

version = sys.argv[2] if len(sys.argv) > 2 else open(os.path.join(pkg, "VERSION")).read().strip()
with open(out, "w") as w:
    w.write(f"# Every /v1 operation of Stripe's API, from stripe-node {version} (scripts/stripe-paths.py).\n")
    w.write("# method\tpath\tkind\tserved\tnote\n")
    for method, path, kind in sorted(ops, key=lambda o: (o[1], o[0])):
        served, note = kept.get((method, path), ("no", ""))
        w.write(f"{method}\t{path}\t{kind}\t{served}\t{note}\n")
print(f"{len(ops)} operations -> {out}")
