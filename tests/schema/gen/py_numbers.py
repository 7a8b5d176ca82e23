#!/usr/bin/env python3
"""Which numeric fields of Stripe's objects are integers, read from the official stripe-python
package's type annotations (`amount: int`, `exchange_rate: Optional[float]`).

stripe-node's declarations say `number` for both; stripe-python, generated from the same
OpenAPI spec for the same API version, says `int` or `float`. gen.js asks this script, so
that `amount: 10.5` is caught while `exchange_rate: 1.234` passes.

    py_numbers.py STRIPE_PYTHON_PACKAGE_DIR   # prints {"PaymentIntent": {"amount": "integer", ...}, ...}

Keys are the classes' dotted paths as stripe-node names them: `PaymentIntent.NextAction`,
and for a subpackage its CamelCase name first (`checkout/_session.py` -> `Checkout.Session`).
Standard library only: the source is parsed with `ast`, never imported.
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

SKIP = {"params", "v2", "events", "_api_requestor"}


def number_kind(annotation: ast.AST) -> str | None:
    names = {n.id for n in ast.walk(annotation) if isinstance(n, ast.Name)}
    if "int" in names and "float" not in names:
        return "integer"
    if "float" in names:
        return "number"
    return None


def camel(part: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in part.split("_"))


def walk_class(cls: ast.ClassDef, prefix: str, out: dict) -> None:
    name = f"{prefix}{cls.name}"
    fields = {}
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            kind = number_kind(node.annotation)
            if kind:
                fields[node.target.id] = kind
        elif isinstance(node, ast.ClassDef):
            walk_class(node, name + ".", out)
    if fields:
        if name in out and out[name] != fields:
            # Two modules define the same dotted name differently: keep what they agree on.
            fields = {k: v for k, v in fields.items() if out[name].get(k) == v}
        out[name] = fields


def main(package_dir: str) -> int:
    root = Path(package_dir)
    if not (root / "_api_version.py").exists():
        print(f"{root} is not the stripe-python package", file=sys.stderr)
        return 2
    out: dict[str, dict[str, str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP or path.name.endswith("_service.py"):
            continue
        prefix = "".join(camel(p) + "." for p in rel.parts[:-1])
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                walk_class(node, prefix, out)
    json.dump(out, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
