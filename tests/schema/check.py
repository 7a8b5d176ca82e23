#!/usr/bin/env python3
"""Checks Stripe-shaped JSON against Stripe's object schemas in `objects.json` beside this file
(generated from the official SDKs' type declarations by `gen/gen.js`; see `gen/regen.sh`).
Python standard library only.

    check.py [FILE ...]      # '-' or none: stdin. Exit 0 and no output when every body
                             # conforms; exit 1 and one line per problem otherwise;
                             # exit 2 (message on stderr) when a file is not JSON.
As a module: `from check import problems; problems(body)` -> ["<path>: <what>", ...].

The schema is chosen by the body's `object` (`payment_intent` -> PaymentIntent; a `customer`
with `deleted: true` -> DeletedCustomer); `{"error": ...}` is checked as Error. Rules:
  * objects are closed: `<path>: not a field of this object` for an undeclared property,
    except where the schema gives `additionalProperties` (metadata and other maps);
  * `<path>: missing (Stripe always sends it, null when empty)` for a required property;
  * null only where `nullable` (also when it stands beside a `$ref`), enums, integer (a JSON
    number without a fraction, never a boolean) vs number, `anyOf` (an expandable field is
    its id or the object);
  * a list (`object: "list"` / `"search_result"`, top level or embedded such as a charge's
    expanded `refunds`) has its items checked by their own `object`, which must be one the
    list may hold; an event's `data.object` is checked by its own `object`.
The suites classify problems by the phrases above: keep them.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parent / "objects.json"
MISSING = "missing (Stripe always sends it, null when empty)"
EXTRA = "not a field of this object"
TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}
LIST_TAGS = (["list"], ["search_result"])
SHAPING = ("type", "properties", "anyOf", "enum", "items", "additionalProperties")


class Checker:
    def __init__(self, spec: Path | str = SPEC) -> None:
        raw = json.loads(Path(spec).read_text(encoding="utf-8"))
        self.info: dict = raw.get("info", {})
        self.schemas: dict = raw["components"]["schemas"]
        self.by_object: dict[str, str] = {}
        self.deleted_by_object: dict[str, str] = {}
        for name, s in self.schemas.items():
            enum = ((s.get("properties") or {}).get("object") or {}).get("enum") or []
            if len(enum) != 1:
                continue
            deleted = name.rsplit(".", 1)[-1].startswith("Deleted")
            table = self.deleted_by_object if deleted else self.by_object
            # Nested types may share a tag; the shortest name is the object itself.
            if enum[0] not in table or len(name) < len(table[enum[0]]):
                table[enum[0]] = name

    # -- choosing the schema --------------------------------------------------------------
    def schema_for(self, body: dict) -> str | None:
        obj = body.get("object")
        if not isinstance(obj, str):
            return None
        if body.get("deleted") is True and obj in self.deleted_by_object:
            return self.deleted_by_object[obj]
        return self.by_object.get(obj)

    def problems(self, body, limit: int | None = None) -> list[str]:
        """Every way `body` departs from Stripe's schema of it (empty when it conforms)."""
        out: list[str] = []
        if not isinstance(body, dict):
            out.append(f".: expected a JSON object, got {_kind(body)} {_short(body)}")
        elif "error" in body and "object" not in body:
            self._check(body, {"$ref": "#/components/schemas/Error"}, "", out)
        else:
            name = self.schema_for(body)
            if name is None:
                out.append(f".object: no schema for object {_short(body.get('object'))}")
            else:
                self._check(body, {"$ref": f"#/components/schemas/{name}"}, "", out)
        return out if limit is None else out[:limit]

    # -- the rules ----------------------------------------------------------------------
    def _resolve(self, s: dict) -> tuple[dict, bool]:
        """Follows `$ref`s; a `nullable` beside a `$ref` belongs to the field."""
        nullable = bool(s.get("nullable"))
        while "$ref" in s:
            s = self.schemas[s["$ref"].rsplit("/", 1)[-1]]
            nullable = nullable or bool(s.get("nullable"))
        return s, nullable

    def _check(self, v, s: dict, path: str, out: list[str]) -> None:
        s, nullable = self._resolve(s)
        where = path or "."
        if v is None:
            if not (nullable or any(self._resolve(b)[1] for b in s.get("anyOf", []))):
                out.append(f"{where}: null, but the field is not nullable")
            return
        if "anyOf" in s:
            self._check_any_of(v, s["anyOf"], path, out)
            return
        if not any(k in s for k in SHAPING):
            # Any value; an object that says what it is is held to its own schema
            # (an event's data.object).
            if isinstance(v, dict) and self.schema_for(v):
                self._check(v, {"$ref": f"#/components/schemas/{self.schema_for(v)}"}, path, out)
            return
        t = s.get("type")
        if t in TYPES and not TYPES[t](v):
            out.append(f"{where}: expected {t}, got {_kind(v)} {_short(v)}")
            return
        if "enum" in s and v not in s["enum"]:
            shown = ", ".join(map(str, s["enum"][:8])) + (", ..." if len(s["enum"]) > 8 else "")
            out.append(f"{where}: {_short(v)} is not one of [{shown}]")
        if isinstance(v, dict):
            self._check_object(v, s, path, out)
        elif isinstance(v, list) and "items" in s:
            for i, item in enumerate(v):
                self._check(item, s["items"], f"{path}[{i}]", out)

    def _check_object(self, v: dict, s: dict, path: str, out: list[str]) -> None:
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True if "properties" not in s else False)
        is_list = (props.get("object") or {}).get("enum") in LIST_TAGS
        for key in s.get("required", []):
            if key not in v:
                out.append(f"{path}.{key}: {MISSING}")
        for key, val in v.items():
            sub = f"{path}.{key}"
            if key in props:
                if is_list and key == "data" and isinstance(val, list):
                    self._check_items(val, props[key].get("items", {}), sub, out)
                else:
                    self._check(val, props[key], sub, out)
            elif isinstance(extra, dict):
                self._check(val, extra, sub, out)
            elif extra is not True:
                out.append(f"{sub}: {EXTRA}")

    def _check_items(self, items: list, declared: dict, path: str, out: list[str]) -> None:
        """A list's items, each by its own `object`, which must be one the list may hold."""
        allowed = self._objects_of(declared)
        for i, item in enumerate(items):
            sub = f"{path}[{i}]"
            name = self.schema_for(item) if isinstance(item, dict) else None
            if name is None:
                if declared:
                    self._check(item, declared, sub, out)
                else:
                    out.append(f"{sub}: an item without a known `object`")
                continue
            if allowed and item["object"] not in allowed:
                out.append(f"{sub}.object: {_short(item['object'])} is not one of [{', '.join(sorted(allowed))}]")
                continue
            self._check(item, {"$ref": f"#/components/schemas/{name}"}, sub, out)

    def _objects_of(self, s: dict) -> set[str]:
        """The `object` tags a schema allows (empty: any)."""
        s, _ = self._resolve(s)
        if "anyOf" in s:
            tags = [self._objects_of(b) for b in s["anyOf"]]
            return set() if any(not t for t in tags) else set().union(*tags)
        enum = ((s.get("properties") or {}).get("object") or {}).get("enum") or []
        return set(enum)

    def _check_any_of(self, v, branches: list, path: str, out: list[str]) -> None:
        # Only the branches of the value's JSON kind can match (an expandable field is a
        # string or an object); report the closest one when none does.
        fits = [b for b in branches if self._kind_fits(v, b)]
        if not fits:
            kinds = sorted({self._resolve(b)[0].get("type", "any") for b in branches})
            out.append(f"{path or '.'}: expected {' or '.join(kinds)}, got {_kind(v)} {_short(v)}")
            return
        best: list[str] | None = None
        for b in fits:
            errs: list[str] = []
            self._check(v, b, path, errs)
            if not errs:
                return
            if best is None or len(errs) < len(best):
                best = errs
        out.extend(best or [])

    def _kind_fits(self, v, branch: dict) -> bool:
        s, _ = self._resolve(branch)
        if "anyOf" in s:
            return any(self._kind_fits(v, b) for b in s["anyOf"])
        t = s.get("type") or ("object" if "properties" in s else None)
        return t is None or TYPES.get(t, lambda _: True)(v)


def _kind(v) -> str:
    if v is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string",
            dict: "object", list: "array"}.get(type(v), type(v).__name__)


def _short(v, n: int = 60) -> str:
    text = json.dumps(v)
    return text if len(text) <= n else text[: n - 3] + "..."


_checker: Checker | None = None


def checker() -> Checker:
    global _checker
    if _checker is None:
        _checker = Checker()
    return _checker


def problems(body, limit: int | None = None) -> list[str]:
    return checker().problems(body, limit)


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    bad = False
    for f in argv or ["-"]:
        try:
            text = sys.stdin.read() if f == "-" else Path(f).read_text(encoding="utf-8")
            body = json.loads(text)
        except (OSError, ValueError) as e:
            print(f"check.py: {f}: {e}", file=sys.stderr)
            return 2
        for p in problems(body):
            print(p)
            bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
