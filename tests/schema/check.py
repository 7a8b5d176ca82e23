#!/usr/bin/env python3
"""Checks Stripe-shaped JSON against Stripe's object schemas in `objects.json` beside this file
(the newest API version) or `versions/<API version>.json` (the older ones Pasarela serves),
generated from the official SDKs' type declarations by `gen/gen.js`; see `gen/regen.sh`.
Python standard library only.

    check.py [--version V [--additive]] [FILE ...]
                             # '-' or none: stdin. Exit 0 and no output when every body
                             # conforms; exit 1 and one line per problem otherwise;
                             # exit 2 (message on stderr) when a file is not JSON.
As a module: `from check import problems; problems(body, version="2020-08-27")` ->
["<path>: <what>", ...].

The version picks the schema file: `versions/<V>.json` for one of the older versions (a date in
between gets the one in force then: the latest not after it), `objects.json` for anything newer
than the last of them, and by default. An object an old version's SDK does not declare (it came
later, e.g. `customer_session` before 2023-10-16) is held to the schema of the first later
version that does. `additive=True` (old versions only) also accepts what Stripe adds to every
version: a field the old schema lacks but a later version's (or the newest) has on the same
object, checked as the first of them declares it; and an enum value any later version lists for
the same field (a value renamed since, such as Checkout's `ui_mode: "hosted"`, stays valid).

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

import functools
import json
import sys
from pathlib import Path

SPEC = Path(__file__).resolve().parent / "objects.json"
VERSIONS = SPEC.parent / "versions"
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
    def __init__(self, spec: Path | str = SPEC, later: Checker | None = None, additive: bool = False) -> None:
        """later: for an old version's file (spec), the Checker of the next version (the newest's
        after the last old one): the schemas this version's SDK does not declare come from it, and
        with `additive` so do the fields and enum values Stripe added since (see the module's doc)."""
        raw = json.loads(Path(spec).read_text(encoding="utf-8"))
        self.info: dict = raw.get("info", {})
        self.schemas: dict = raw["components"]["schemas"]
        self.by_object, self.deleted_by_object = _tags(self.schemas)
        self.later = later if additive else None
        if later is not None:
            added = {n: s for n, s in later.schemas.items() if n not in self.schemas}
            self.schemas = {**self.schemas, **added}
            by_object, deleted = _tags(added)
            self.by_object = {**by_object, **self.by_object}
            self.deleted_by_object = {**deleted, **self.deleted_by_object}

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

    # -- additive: later versions' schemas of the same place ---------------------------
    # `owner` names a place as the schema it is in and the fields leading to it from there:
    # ("PaymentIntent",), ("Charge", "refunds") for an inline object, ("PaymentIntent", "status").
    def _field(self, owner: tuple, key: str) -> dict | None:
        """This version's schema of field `key` of the object at `owner` (None: not there)."""
        s = self._object_in(self.schemas.get(owner[0])) if owner else None
        for prop in owner[1:]:
            s = self._object_in(((s or {}).get("properties") or {}).get(prop))
        return ((s or {}).get("properties") or {}).get(key)

    def _added_field(self, owner: tuple, key: str) -> tuple[Checker, dict] | None:
        """The first later version that has field `key` at `owner`, and its schema of it."""
        c = self.later
        while c is not None:
            s = c._field(owner, key)
            if s is not None:
                return c, s
            c = c.later
        return None

    def _object_in(self, s) -> dict | None:
        """The object schema a field's schema holds (through $ref, anyOf, items)."""
        if not isinstance(s, dict):
            return None
        s, _ = self._resolve(s)
        if "properties" in s:
            return s
        for sub in [*s.get("anyOf", []), s.get("items")]:
            found = self._object_in(sub)
            if found:
                return found
        return None

    def _added_values(self, owner: tuple) -> list:
        """The values later versions list for the field at `owner`."""
        values: list = []
        c = self.later if len(owner) > 1 else None
        while c is not None:
            s = c._field(owner[:-1], owner[-1])
            while s:
                values += s.get("enum", [])
                for b in s.get("anyOf", []):
                    values += b.get("enum", [])
                s = s.get("items")
            c = c.later
        return values

    # -- the rules ----------------------------------------------------------------------
    def _resolve(self, s: dict) -> tuple[dict, bool]:
        """Follows `$ref`s; a `nullable` beside a `$ref` belongs to the field."""
        nullable = bool(s.get("nullable"))
        while "$ref" in s:
            s = self.schemas[s["$ref"].rsplit("/", 1)[-1]]
            nullable = nullable or bool(s.get("nullable"))
        return s, nullable

    def _check(self, v, s: dict, path: str, out: list[str], owner: tuple = ()) -> None:
        if "$ref" in s:
            owner = (_ref_name(s, self.schemas),)
        s, nullable = self._resolve(s)
        where = path or "."
        if v is None:
            if not (nullable or any(self._resolve(b)[1] for b in s.get("anyOf", []))):
                out.append(f"{where}: null, but the field is not nullable")
            return
        if "anyOf" in s:
            self._check_any_of(v, s["anyOf"], path, out, owner)
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
        if "enum" in s and v not in s["enum"] and v not in self._added_values(owner):
            shown = ", ".join(map(str, s["enum"][:8])) + (", ..." if len(s["enum"]) > 8 else "")
            out.append(f"{where}: {_short(v)} is not one of [{shown}]")
        if isinstance(v, dict):
            self._check_object(v, s, path, out, owner)
        elif isinstance(v, list) and "items" in s:
            for i, item in enumerate(v):
                self._check(item, s["items"], f"{path}[{i}]", out, owner)

    def _check_object(self, v: dict, s: dict, path: str, out: list[str], owner: tuple) -> None:
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
                    self._check(val, props[key], sub, out, (*owner, key))
            elif isinstance(extra, dict):
                self._check(val, extra, sub, out, (*owner, "*"))
            elif extra is not True:
                added = self._added_field(owner, key)
                if added is None:
                    out.append(f"{sub}: {EXTRA}")
                else:
                    # Stripe added it since: as the first version that has it declares it.
                    later, schema = added
                    later._check(val, schema, sub, out, (*owner, key))

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

    def _check_any_of(self, v, branches: list, path: str, out: list[str], owner: tuple) -> None:
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
            self._check(v, b, path, errs, owner)
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


def _tags(schemas: dict) -> tuple[dict[str, str], dict[str, str]]:
    """`object` tag -> schema name, for live objects and for deleted ones."""
    live: dict[str, str] = {}
    deleted: dict[str, str] = {}
    for name, s in schemas.items():
        enum = ((s.get("properties") or {}).get("object") or {}).get("enum") or []
        if len(enum) != 1:
            continue
        table = deleted if name.rsplit(".", 1)[-1].startswith("Deleted") else live
        # Nested types may share a tag; the shortest name is the object itself.
        if enum[0] not in table or len(name) < len(table[enum[0]]):
            table[enum[0]] = name
    return live, deleted


def _ref_name(s: dict, schemas: dict) -> str:
    """The name of the schema a `$ref` (chain) ends at."""
    while True:
        name = s["$ref"].rsplit("/", 1)[-1]
        s = schemas[name]
        if "$ref" not in s:
            return name


def _kind(v) -> str:
    if v is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string",
            dict: "object", list: "array"}.get(type(v), type(v).__name__)


def _short(v, n: int = 60) -> str:
    text = json.dumps(v)
    return text if len(text) <= n else text[: n - 3] + "..."


@functools.cache
def old_versions() -> tuple[str, ...]:
    """The older API versions with a schema file of their own, oldest first."""
    return tuple(sorted(p.stem for p in VERSIONS.glob("*.json")))


def spec_for(version: str | None) -> Path:
    """The schema file of an API version (see the module's doc)."""
    olds = old_versions()
    if not version or not olds or version[:10] > olds[-1]:
        return SPEC
    in_force = [v for v in olds if v <= version[:10]]
    if not in_force:
        raise ValueError(f"no schema for API version {version} (the oldest is {olds[0]})")
    return VERSIONS / f"{in_force[-1]}.json"


_checkers: dict[tuple[Path, bool], Checker] = {}


def checker(version: str | None = None, additive: bool = False) -> Checker:
    spec = spec_for(version)
    additive = additive and spec != SPEC
    if (spec, additive) not in _checkers:
        if spec == SPEC:
            _checkers[(spec, additive)] = Checker()
        else:
            after = [v for v in old_versions() if v > spec.stem]
            later = checker(after[0] if after else None, additive)
            _checkers[(spec, additive)] = Checker(spec, later=later, additive=additive)
    return _checkers[(spec, additive)]


def problems(body, limit: int | None = None, version: str | None = None, additive: bool = False) -> list[str]:
    found = checker(version, additive).problems(body, limit)
    if additive and version in old_versions():
        found = [p for p in found if not known_type_gap(p, version)]
    return found


# Where the SDK types of an old version say otherwise than Stripe's changelog and the responses of
# that time (docs/api-versions.md, "2019-12-03 … 2024-04-10"); the answers follow the changelog:
#  * embedded lists (a PaymentIntent's `charges`, a Charge's `refunds`, a Customer's `sources`,
#    `subscriptions`, `tax_ids`) carry `total_count`, which the SDKs' `ApiList` never declared;
#  * a Charge's `refunds` is no longer sent by default from 2022-11-15 (changelog), though the types
#    of stripe-node 12-14 still declare it;
#  * Checkout's `cancel_url` became optional (additive: on every version); the types written while
#    it was required declare it non-null.
EMBEDDED_LISTS = ("charges", "refunds", "sources", "subscriptions", "tax_ids")


def known_type_gap(problem: str, version: str) -> bool:
    path = problem.split(":", 1)[0]
    if path.endswith(".total_count") and "not a field of this object" in problem:
        return path.rsplit(".", 2)[-2].split("[")[0] in EMBEDDED_LISTS
    if path.endswith(".refunds") and "missing (Stripe always sends it" in problem:
        return version >= "2022-11-15"
    return path.endswith(".cancel_url") and "but the field is not nullable" in problem


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    version, additive = None, False
    while argv and argv[0] in ("--version", "--additive"):
        if argv[0] == "--additive":
            additive, argv = True, argv[1:]
        else:
            version, argv = argv[1], argv[2:]
    try:
        checker(version, additive)
    except ValueError as e:  # a version older than every schema
        print(f"check.py: {e}", file=sys.stderr)
        return 2
    bad = False
    for f in argv or ["-"]:
        try:
            text = sys.stdin.read() if f == "-" else Path(f).read_text(encoding="utf-8")
            body = json.loads(text)
        except (OSError, ValueError) as e:
            print(f"check.py: {f}: {e}", file=sys.stderr)
            return 2
        for p in problems(body, version=version, additive=additive):
            print(p)
            bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
