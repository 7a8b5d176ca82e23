#!/usr/bin/env python3
"""Checks Stripe-shaped JSON against ../shared/reference/openapi/objects.json with the
shared validate.py, with two corrections:
- a `$ref` that carries `nullable: true` beside it allows null (validate.py resolves the
  `$ref` first and loses that sibling, which makes every nullable sub-object such as
  `next_action: null` a false problem);
- an embedded list (`...ApiList`, e.g. a charge's expanded `refunds`) has its items
  checked by their own `object`: objects.json's generator typed every embedded list
  with one item schema (PaymentIntentAmountDetailsLineItem).

    check.py [FILE ...]      # '-' or none: stdin; exit 1 and one line per problem
As a module: `from check import problems`.
"""
import json
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "openapi"
sys.path.insert(0, str(SHARED))
from validate import Validator  # noqa: E402


class NullableRefValidator(Validator):
    def _check(self, v, s, path, out):
        if v is None and "$ref" in s and s.get("nullable"):
            return
        if "$ref" in s and s["$ref"].endswith("/...ApiList") and isinstance(v, dict):
            for key, want in (("object", str), ("has_more", bool), ("url", str), ("data", list)):
                if not isinstance(v.get(key), want):
                    out.append(f"{path or '.'}.{key}: a list must have {key}")
            for i, item in enumerate(v.get("data") or []):
                out.extend(f"{path}.data[{i}]{p}" for p in self.problems(item))
            return
        super()._check(v, s, path, out)


_validator = None


def problems(body):
    global _validator
    if _validator is None:
        _validator = NullableRefValidator()
    return _validator.problems(body)


if __name__ == "__main__":
    files = sys.argv[1:] or ["-"]
    bad = False
    for f in files:
        text = sys.stdin.read() if f == "-" else Path(f).read_text()
        for p in problems(json.loads(text)):
            print(p)
            bad = True
    sys.exit(1 if bad else 0)
