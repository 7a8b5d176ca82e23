"""The schema checker's own tests (tests/schema/check.py and objects.json): it accepts what
Stripe's schemas allow, reports each kind of departure in the words the suites classify by, and
its command line answers the way tests/common/mod.rs and helpers.js expect."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import check  # tests/schema/check.py, put on sys.path by helpers
from helpers import ENDIVE, REPO

CHECK_PY = REPO / "tests" / "schema" / "check.py"
C = check.checker()


def example(name: str) -> dict:
    """The smallest body the schema allows: every required field, null where nullable."""
    return _example({"$ref": f"#/components/schemas/{name}"})


def _example(s: dict):
    s, nullable = C._resolve(s)
    if nullable:
        return None
    if "anyOf" in s:
        return _example(s["anyOf"][0])
    if "enum" in s:
        return s["enum"][0]
    t = s.get("type")
    if t == "object" or "properties" in s:
        props = s.get("properties", {})
        return {k: _example(props[k]) for k in s.get("required", [])}
    return {"string": "x", "integer": 1, "number": 1.5, "boolean": False, "array": []}.get(t)


def pi() -> dict:
    return {**example("PaymentIntent"), "id": "pi_1", "amount": 1099, "currency": "usd",
            "status": "requires_payment_method"}


def customer() -> dict:
    return {**example("Customer"), "id": "cus_1", "metadata": {"order": "6735"}}


def charge() -> dict:
    return {**example("Charge"), "id": "ch_1"}


def refund() -> dict:
    return {**example("Refund"), "id": "re_1", "amount": 500}


def a_list(*items, url="/v1/things") -> dict:
    return {"object": "list", "data": list(items), "has_more": False, "url": url}


MISSING = "missing (Stripe always sends it, null when empty)"


# -- what passes --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["PaymentIntent", "Charge", "Customer", "DeletedCustomer", "PaymentMethod",
                                  "Refund", "BalanceTransaction", "Mandate", "SetupIntent"])
def test_the_smallest_body_of_each_object_passes(name):
    body = example(name)
    assert body["object"] == C.schemas[name]["properties"]["object"]["enum"][0]
    assert check.problems(body) == []


def test_well_formed_bodies_pass():
    bt = {**example("BalanceTransaction"), "exchange_rate": 1.234, "amount": -300}
    event = {**example("Event"), "data": {"object": customer()}}
    search = {"object": "search_result", "data": [pi()], "has_more": True, "url": "/v1/payment_intents/search",
              "next_page": "page_2", "total_count": 1}
    expanded = {**charge(), "customer": customer(), "refunds": a_list(refund(), url="/v1/charges/ch_1/refunds")}
    error = {"error": {"type": "invalid_request_error", "code": "parameter_missing", "param": "amount",
                       "message": "Missing required param: amount.", "doc_url": "https://x"}}
    deleted = {"id": "cus_1", "object": "customer", "deleted": True}
    for body in (bt, event, search, expanded, error, deleted, a_list(pi(), customer(), deleted),
                 {**pi(), "customer": "cus_1", "next_action": None, "last_payment_error": None}):
        assert check.problems(body) == [], body


# -- what is reported ---------------------------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    ({**pi(), "colour": "red"}, ".colour: not a field of this object"),
    ({k: v for k, v in pi().items() if k != "latest_charge"}, f".latest_charge: {MISSING}"),
    ({**pi(), "status": "paid"}, '.status: "paid" is not one of [canceled, processing, requires_action, '
                                 'requires_confirmation, requires_payment_method, succeeded, requires_capture]'),
    ({**pi(), "amount": "1099"}, '.amount: expected integer, got string "1099"'),
    ({**pi(), "amount": 10.5}, ".amount: expected integer, got number 10.5"),
    ({**pi(), "amount": True}, ".amount: expected integer, got boolean true"),
    ({**pi(), "currency": None}, ".currency: null, but the field is not nullable"),
    ({**pi(), "customer": 5}, ".customer: expected object or string, got integer 5"),
    ({**pi(), "customer": {**customer(), "colour": 1}}, ".customer.colour: not a field of this object"),
    ({**customer(), "metadata": {"n": 1}}, ".metadata.n: expected string, got integer 1"),
    ({"id": "cus_1", "object": "customer", "deleted": True, "email": "x"}, ".email: not a field of this object"),
    (a_list(pi(), {**customer(), "colour": 1}), ".data[1].colour: not a field of this object"),
    (a_list({"id": "x"}), ".data[0]: an item without a known `object`"),
    ({**a_list(), "has_more": None}, ".has_more: null, but the field is not nullable"),
    ({k: v for k, v in a_list().items() if k != "url"}, f".url: {MISSING}"),
    ({**example("Event"), "data": {"object": {**customer(), "colour": 1}}}, ".data.object.colour: not a field of this object"),
    ({**charge(), "refunds": a_list({**refund(), "amount": "5"})}, '.refunds.data[0].amount: expected integer, got string "5"'),
    ({**charge(), "refunds": a_list(charge())}, '.refunds.data[0].object: "charge" is not one of [refund]'),
    ({**charge(), "refunds": {"object": "list", "data": []}}, f".refunds.has_more: {MISSING}"),
    ({"error": {"type": "nonsense"}}, '.error.type: "nonsense" is not one of [api_error, card_error, '
                                      'idempotency_error, invalid_request_error]'),
    ({"error": {"type": "card_error", "colour": 1}}, ".error.colour: not a field of this object"),
    ({"object": "no_such_thing"}, '.object: no schema for object "no_such_thing"'),
    ([1], ".: expected a JSON object, got array [1]"),
])
def test_departures_are_reported_in_the_suites_words(body, expected):
    assert expected in check.problems(body)


# -- the command line ---------------------------------------------------------------------
def run(*args, stdin: str = ""):
    return subprocess.run([sys.executable, str(CHECK_PY), *args], input=stdin, capture_output=True, text=True)


def test_command_line_exit_codes(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(pi()))
    bad.write_text(json.dumps({**pi(), "colour": "red", "amount": "1"}))
    r = run(str(good))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = run(stdin=json.dumps(pi()))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = run(str(good), str(bad))
    assert r.returncode == 1 and r.stderr == ""
    assert r.stdout.splitlines() == ['.amount: expected integer, got string "1"', ".colour: not a field of this object"]
    r = run("-", stdin="{not json")
    assert r.returncode == 2 and r.stdout == "" and "check.py: -:" in r.stderr


# -- where the schemas come from ----------------------------------------------------------
def test_the_schemas_are_the_pinned_sdks():
    info = C.info
    assert info["api_version"] == ENDIVE
    node_pin = json.loads((REPO / "tests" / "sdk" / "node" / "package.json").read_text())["dependencies"]["stripe"]
    gen_pin = json.loads((REPO / "tests" / "schema" / "gen" / "package.json").read_text())["dependencies"]["stripe"]
    assert info["sdk_version"] == node_pin == gen_pin
    py_pin = (REPO / "tests" / "schema" / "gen" / "requirements.txt").read_text().strip()
    assert py_pin in (REPO / "tests" / "sdk" / "python" / "requirements.txt").read_text().splitlines()
    assert info["integers"].startswith(f"PyPI {py_pin} ")
