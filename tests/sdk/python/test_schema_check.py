"""The schema checker's own tests (tests/schema/check.py and objects.json): it accepts what
Stripe's schemas allow, reports each kind of departure in the words the suites classify by, and
its command line answers the way tests/common/mod.rs and helpers.js expect."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import check  # tests/schema/check.py, put on sys.path by helpers
from helpers import ENDIVE, REPO, schema_problems

CHECK_PY = REPO / "tests" / "schema" / "check.py"
C = check.checker()


def example(name: str, c: check.Checker = C) -> dict:
    """The smallest body the schema allows: every required field, null where nullable."""
    return _example({"$ref": f"#/components/schemas/{name}"}, c)


def _example(s: dict, c: check.Checker = C):
    s, nullable = c._resolve(s)
    if nullable:
        return None
    if "anyOf" in s:
        return _example(s["anyOf"][0], c)
    if "enum" in s:
        return s["enum"][0]
    t = s.get("type")
    if t == "object" or "properties" in s:
        props = s.get("properties", {})
        return {k: _example(props[k], c) for k in s.get("required", [])}
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
    # The schemas follow the version stripe-python pins (2026-10-28.endive): stripe-node 23.1.0, which the
    # Node suite runs beside today's 23.2.0 (2026-11-18.endive, additive over it).
    node_pins = json.loads((REPO / "tests" / "sdk" / "node" / "package.json").read_text())["dependencies"]
    gen_pin = json.loads((REPO / "tests" / "schema" / "gen" / "package.json").read_text())["dependencies"]["stripe"]
    assert info["sdk_version"] == gen_pin
    assert node_pins["stripe23_1"] == f"npm:stripe@{gen_pin}"
    py_pin = (REPO / "tests" / "schema" / "gen" / "requirements.txt").read_text().strip()
    assert py_pin in (REPO / "tests" / "sdk" / "python" / "requirements.txt").read_text().splitlines()
    assert info["integers"].startswith(f"PyPI {py_pin} ")


# -- older API versions (tests/schema/versions/) -------------------------------------------
OLD = ["2019-12-03", "2020-03-02", "2020-08-27", "2022-08-01", "2022-11-15", "2023-08-16", "2023-10-16",
       "2024-04-10"]
ROOTS = ["PaymentIntent", "SetupIntent", "Charge", "Refund", "Customer", "PaymentMethod", "Mandate", "Event",
         "Checkout.Session", "Product", "Price", "BalanceTransaction", "WebhookEndpoint", "CustomerSession"]


def test_each_old_version_has_its_schema_from_the_sdk_that_pinned_it():
    assert list(check.old_versions()) == OLD
    pins = json.loads((REPO / "tests" / "schema" / "gen" / "package.json").read_text())["dependencies"]
    for v in OLD:
        info = check.checker(v).info
        assert info["api_version"] == v
        assert pins[f"stripe-{v}"] == f"npm:stripe@{info['sdk_version']}"


@pytest.mark.parametrize("version, expected", [
    (None, "objects.json"), (ENDIVE, "objects.json"), ("2024-06-20", "objects.json"),
    ("2025-03-31.basil", "objects.json"), ("2024-04-10", "2024-04-10.json"), ("2019-12-03", "2019-12-03.json"),
    ("2021-05-01", "2020-08-27.json"),  # not a version of its own: the one in force then
])
def test_the_version_picks_the_schema_file(version, expected):
    assert check.spec_for(version).name == expected


@pytest.mark.parametrize("version", OLD)
@pytest.mark.parametrize("name", ROOTS)
def test_the_smallest_body_of_each_object_passes_at_each_old_version(version, name):
    c = check.checker(version)
    body = example(name, c)  # a root the old SDK lacks (it came later) comes from a later schema
    if name == "Event":
        body["data"]["object"] = {"id": "cus_1", "object": "customer", "deleted": True}
    assert check.problems(body, version=version) == []
    assert schema_problems(body, version=version) == []


def test_a_field_removed_since_is_required_at_the_old_version_only():
    old = {**example("PaymentIntent", check.checker("2022-08-01")), "id": "pi_1"}
    assert "charges" in old
    without = {k: v for k, v in old.items() if k != "charges"}
    assert schema_problems(without, version="2022-08-01") == [f".charges: {MISSING}"]
    assert f".charges: {MISSING}" in check.problems(pi(), version="2022-08-01")
    assert schema_problems(pi(), version="2024-06-20") == []
    assert schema_problems(pi(), version=ENDIVE) == []


def test_additive_fields_and_values_show_on_old_versions():
    v = "2020-08-27"
    old = example("PaymentIntent", check.checker(v))
    assert schema_problems(old, version=v) == []
    # A field the newest PaymentIntent has (2020-08-27's SDK does not): Stripe sends it on every version.
    added = {**old, "payment_method_configuration_details": {"id": "pmc_1", "parent": None}}
    assert "payment_method_configuration_details" not in check.checker(v).schemas["PaymentIntent"]["properties"]
    assert schema_problems(added, version=v) == []
    # ... as declared by the first version that has it ...
    assert schema_problems({**old, "payment_method_configuration_details": 5}, version=v) == [
        ".payment_method_configuration_details: expected object, got integer 5"]
    # ... while a field of neither is not Stripe's, and the plain (not additive) check refuses both.
    assert schema_problems({**old, "colour": "red"}, version=v) == [".colour: not a field of this object"]
    assert check.problems(added, version=v) == [".payment_method_configuration_details: not a field of this object"]
    # An enum value added since (a later version lists it), but not one no version lists.
    assert schema_problems({**old, "capture_method": "automatic_async"}, version=v) == []
    assert schema_problems({**old, "capture_method": "later"}, version=v) == [
        '.capture_method: "later" is not one of [automatic, manual]']
    # A field added after 2020-08-27 and renamed since, with a value renamed since: as when it was added.
    session = example("Checkout.Session", check.checker(v))
    assert "ui_mode" not in check.checker(v).schemas["Checkout.Session"]["properties"]
    assert schema_problems({**session, "ui_mode": "hosted"}, version=v) == []
    assert schema_problems({**session, "ui_mode": "hosted"}, version=ENDIVE) != []
    product = example("Product", check.checker(v))
    assert "features" not in check.checker().schemas["Product"]["properties"]  # marketing_features since 2024-04-10
    assert schema_problems({**product, "features": [{"name": "Soft"}]}, version=v) == []
    # Types and nullability are the old version's.
    assert schema_problems({**old, "amount": 10.5}, version=v) == [".amount: expected integer, got number 10.5"]


def test_command_line_version(tmp_path):
    f = tmp_path / "pi.json"
    f.write_text(json.dumps(pi()))
    assert run(str(f)).returncode == 0
    r = run("--version", "2022-08-01", str(f))
    assert r.returncode == 1 and f".charges: {MISSING}" in r.stdout.splitlines()
    r = run("--version", "2017-05-25", str(f))
    assert r.returncode == 2 and "no schema for API version 2017-05-25" in r.stderr
