"""The version units of src/versions/changes.rs, end to end (issue 10, docs/api-versions.md).

Each request is served at its own Stripe-Version: stripe-python with `stripe_version=` per
request, or raw HTTP with a `Stripe-Version` header. Bodies served at endive go through the full
schema check (helpers.check_schema, as everywhere in the suite); bodies served at older versions
are held to types/enums only there, so the tests below check the fields that differ.

- 2025-03-31.basil  `invoice` removed from PaymentIntent and Charge → `invoice: null` before.
- 2025-03-31.basil  `coupon` / `promotion_code` removed from Customer create/update.
- 2026-09-30.endive `payment_method_types` no longer writable on PaymentIntent create/update/confirm.
- additive changes (dahlia's `allowed_payment_method_types`) show on every version.
- the 35 known versions are echoed in the response header; anything else is refused, a real
  version older than 2019-12-03 with a message naming the oldest served.
The units of the versions before 2024-06-20 are in test_versions_legacy.py.
"""
import re
import uuid

import pytest
import stripe

from helpers import CLOVER, ENDIVE, REPO, SK, Server, assert_error, newest_id, raw, request, schema_problems

ACACIA = "2025-02-24.acacia"
BASIL = "2025-03-31.basil"
DAHLIA = "2026-08-26.dahlia"
ENDIVE_FIRST = "2026-09-30.endive"

BEFORE_BASIL = [ACACIA, "2024-06-20"]
FROM_BASIL = [BASIL, CLOVER, ENDIVE]

ALL_VERSIONS = [
    "2019-12-03", "2020-03-02", "2020-08-27", "2022-08-01", "2022-11-15", "2023-08-16",
    "2023-10-16", "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia", "2024-10-28.acacia", "2024-11-20.acacia", "2024-12-18.acacia",
    "2025-01-27.acacia", "2025-02-24.acacia",
    "2025-03-31.basil", "2025-04-30.basil", "2025-05-28.basil", "2025-06-30.basil",
    "2025-07-30.basil", "2025-08-27.basil",
    "2025-09-30.clover", "2025-10-29.clover", "2025-11-17.clover", "2025-12-15.clover",
    "2026-01-28.clover", "2026-02-25.clover",
    "2026-03-25.dahlia", "2026-04-22.dahlia", "2026-05-27.dahlia", "2026-06-24.dahlia",
    "2026-07-29.dahlia", "2026-08-26.dahlia",
    "2026-09-30.endive", "2026-10-28.endive", "2026-11-18.endive",
]

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}


def opts(version: str) -> dict:
    return {"stripe_version": version}


@pytest.fixture(scope="module")
def paid(client):
    """One succeeded card payment (created at endive), read back at the other versions."""
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
         "automatic_payment_methods": NO_REDIRECTS})
    body = raw(pi)
    assert body["status"] == "succeeded"
    assert body["latest_charge"].startswith("ch_")
    return body


# -- the list of versions ---------------------------------------------------------------------
def test_version_list_matches_the_server_source():
    src = (REPO / "src" / "versions" / "mod.rs").read_text()
    block = re.search(r"pub const VERSIONS: &\[&str\] = &\[(.*?)\];", src, re.S)
    assert block, "VERSIONS not found in src/versions/mod.rs"
    assert re.findall(r'"([^"]+)"', block.group(1)) == ALL_VERSIONS
    assert len(ALL_VERSIONS) == 36


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_response_header_echoes_every_version(base, version):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=version)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == version
    assert r.json["object"] == "list"


@pytest.mark.parametrize("version", ALL_VERSIONS[::6] + [ALL_VERSIONS[-1]])
def test_sdk_request_at_each_version(client, version):
    lst = client.v1.customers.list({"limit": 1}, opts(version))
    assert lst.last_response.headers.get("Stripe-Version") == version


@pytest.mark.parametrize("bad", ["2026-08-26.preview", "2025-03-01.dashboard", "2024-04-11", "2020-08-27.acacia"])
def test_versions_outside_the_window_are_refused(base, bad):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=bad)
    assert_error(r, 400, "invalid_request_error", None, "Stripe-Version")
    assert r.error["message"] == f"Invalid Stripe API version: {bad}. The newest version Pasarela serves is {ALL_VERSIONS[-1]}."


@pytest.mark.parametrize("old", ["2019-11-05", "2019-09-09", "2017-06-05", "2011-01-01"])
def test_versions_before_2019_12_03_are_refused_by_name(base, old):
    """Real Stripe versions older than the oldest served: refused, never served in a newer shape."""
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=old)
    assert_error(r, 400, "invalid_request_error", None, "Stripe-Version")
    assert r.error["message"] == (f"Invalid Stripe API version: {old}. Pasarela serves API versions from "
                                  "2019-12-03 on; send one of them in the Stripe-Version header.")


def test_refused_version_through_the_sdk(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.list({"limit": 1}, opts("2026-08-26.preview"))
    assert_error(e.value, 400, "invalid_request_error", None, "Stripe-Version")
    assert e.value.json_body["error"]["message"] == ("Invalid Stripe API version: 2026-08-26.preview. "
                                                     f"The newest version Pasarela serves is {ALL_VERSIONS[-1]}.")


# -- 2025-03-31.basil: invoice removed from PaymentIntent and Charge ---------------------------
@pytest.mark.parametrize("version", BEFORE_BASIL)
def test_invoice_null_before_basil_sdk(client, paid, version):
    pi = client.v1.payment_intents.retrieve(paid["id"], {}, opts(version))
    assert pi.last_response.headers.get("Stripe-Version") == version
    body = raw(pi)
    assert "invoice" in body and body["invoice"] is None
    ch = client.v1.charges.retrieve(paid["latest_charge"], {}, opts(version))
    body = raw(ch)
    assert "invoice" in body and body["invoice"] is None
    assert body["payment_intent"] == paid["id"]


@pytest.mark.parametrize("version", BEFORE_BASIL)
def test_invoice_null_before_basil_expanded_and_listed(base, paid, version):
    r = request(base, "GET", f"/v1/payment_intents/{paid['id']}", {"expand": ["latest_charge"]},
                version=version)
    assert r.status == 200, r
    assert r.json["invoice"] is None and "invoice" in r.json
    assert r.json["latest_charge"]["object"] == "charge"
    assert "invoice" in r.json["latest_charge"] and r.json["latest_charge"]["invoice"] is None
    # the charge's own expanded payment_intent as well
    r = request(base, "GET", f"/v1/charges/{paid['latest_charge']}", {"expand": ["payment_intent"]},
                version=version)
    assert r.status == 200, r
    assert "invoice" in r.json and "invoice" in r.json["payment_intent"]
    for path in ("/v1/payment_intents", "/v1/charges"):
        r = request(base, "GET", path, {"limit": 5}, version=version)
        assert r.status == 200, r
        assert r.json["object"] == "list" and r.json["data"]
        assert "invoice" not in r.json  # the list itself is not a payment
        for item in r.json["data"]:
            assert "invoice" in item and item["invoice"] is None, item["id"]


@pytest.mark.parametrize("version", BEFORE_BASIL)
def test_invoice_null_on_create_and_confirm_before_basil(client, version):
    pi = client.v1.payment_intents.create(
        {"amount": 1500, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS}, opts(version))
    assert raw(pi)["invoice"] is None and "invoice" in raw(pi)
    done = client.v1.payment_intents.confirm(
        pi.id, {"payment_method": "pm_card_visa", "expand": ["latest_charge"]}, opts(version))
    body = raw(done)
    assert body["status"] == "succeeded"
    assert "invoice" in body and "invoice" in body["latest_charge"]


@pytest.mark.parametrize("version", FROM_BASIL)
def test_no_invoice_from_basil(client, base, paid, version):
    pi = raw(client.v1.payment_intents.retrieve(paid["id"], {"expand": ["latest_charge"]}, opts(version)))
    assert "invoice" not in pi
    assert "invoice" not in pi["latest_charge"]
    ch = raw(client.v1.charges.retrieve(paid["latest_charge"], {}, opts(version)))
    assert "invoice" not in ch
    for path in ("/v1/payment_intents", "/v1/charges"):
        r = request(base, "GET", path, {"limit": 5}, version=version)
        assert r.status == 200, r
        assert r.json["data"]
        assert all("invoice" not in item for item in r.json["data"])


def test_endive_payment_passes_the_schema_check(base, paid):
    r = request(base, "GET", f"/v1/payment_intents/{paid['id']}", {"expand": ["latest_charge"]},
                version=ENDIVE)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == ENDIVE
    assert schema_problems(r.json, version=ENDIVE) == []
    # the acacia rendering of the same object is not endive's shape: the checker sees the extra field
    old = request(base, "GET", f"/v1/payment_intents/{paid['id']}", version=ACACIA, validate=False)
    strict = schema_problems(old.json, version=ENDIVE)
    assert any(p.startswith(".invoice") for p in strict), strict


def test_events_keep_the_shape_they_were_rendered_in(client, base, paid):
    """Events are rendered at the account default (clover here) and not re-rendered per request."""
    r = request(base, "GET", "/v1/events", {"limit": 100, "type": "payment_intent.succeeded"},
                version=ACACIA)
    assert r.status == 200, r
    ev = next(e for e in r.json["data"] if e["data"]["object"]["id"] == paid["id"])
    assert ev["api_version"] == CLOVER
    assert "invoice" not in ev["data"]["object"]


def test_events_rendered_at_an_acacia_default_carry_invoice_null():
    srv = Server("US", ["--api-version", ACACIA]).start()
    try:
        r = request(srv.url, "POST", "/v1/payment_intents",
                    {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
                     "automatic_payment_methods": NO_REDIRECTS})
        assert r.status == 200, r
        assert r.headers.get("Stripe-Version") == ACACIA
        assert "invoice" in r.json and r.json["invoice"] is None
        evs = request(srv.url, "GET", "/v1/events", {"limit": 100}, version=ENDIVE).json["data"]
        mine = [e for e in evs if e["data"]["object"].get("id") in (r.json["id"], r.json["latest_charge"])]
        assert {e["type"] for e in mine} >= {"payment_intent.created", "payment_intent.succeeded",
                                             "charge.succeeded"}
        for e in mine:
            assert e["api_version"] == ACACIA
            assert "invoice" in e["data"]["object"] and e["data"]["object"]["invoice"] is None, e["type"]
    finally:
        srv.cleanup()


# -- 2025-03-31.basil: coupon / promotion_code removed from Customer create/update -------------
COUPON_PARAMS = [("coupon", "SPRING", "No such coupon: 'SPRING'"),
                 ("promotion_code", "promo_SPRING", "No such promotion code: 'promo_SPRING'")]


@pytest.mark.parametrize("param,value,message", COUPON_PARAMS)
def test_customer_create_coupon_before_basil_is_missing(client, param, value, message):
    before_cus = newest_id(client, "customers")
    before_ev = newest_id(client, "events")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"email": "coupon@example.com", param: value}, opts(ACACIA))
    err = assert_error(e.value, 400, "invalid_request_error", "resource_missing", param)
    assert err["message"] == message
    assert e.value.headers.get("Stripe-Version") == ACACIA
    assert newest_id(client, "customers") == before_cus
    assert newest_id(client, "events") == before_ev


@pytest.mark.parametrize("version", [BASIL, CLOVER, ENDIVE])
@pytest.mark.parametrize("param,value,message", COUPON_PARAMS)
def test_customer_create_coupon_from_basil_is_unknown(client, version, param, value, message):
    before_cus = newest_id(client, "customers")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"email": "coupon@example.com", param: value}, opts(version))
    err = assert_error(e.value, 400, "invalid_request_error", "parameter_unknown", param)
    assert param in err["message"]
    assert e.value.headers.get("Stripe-Version") == version
    assert newest_id(client, "customers") == before_cus


@pytest.mark.parametrize("version,code", [(ACACIA, "resource_missing"), ("2024-06-20", "resource_missing"),
                                          (BASIL, "parameter_unknown"), (CLOVER, "parameter_unknown"),
                                          (ENDIVE, "parameter_unknown")])
@pytest.mark.parametrize("param,value,message", COUPON_PARAMS)
def test_customer_update_coupon(client, base, version, code, param, value, message):
    cus = client.v1.customers.create({"email": "keep@example.com", "name": "Keep"})
    before_ev = newest_id(client, "events")
    r = request(base, "POST", f"/v1/customers/{cus.id}", {"name": "Changed", param: value}, version=version)
    assert_error(r, 400, "invalid_request_error", code, param)
    if code == "resource_missing":
        assert r.error["message"] == message
    assert r.headers.get("Stripe-Version") == version
    after = raw(client.v1.customers.retrieve(cus.id))
    assert after["name"] == "Keep"
    assert after["discount"] is None
    assert newest_id(client, "events") == before_ev


def test_customer_without_coupon_is_fine_at_acacia(client):
    c = client.v1.customers.create({"email": "plain@example.com"}, opts(ACACIA))
    assert c.last_response.headers.get("Stripe-Version") == ACACIA
    assert raw(c)["discount"] is None


# -- 2026-09-30.endive: payment_method_types not writable on PaymentIntents -------------------
def assert_pmt_refused(r, version):
    assert_error(r, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert r.headers.get("Stripe-Version") == version


@pytest.mark.parametrize("version", [ENDIVE_FIRST, ENDIVE])
def test_pmt_refused_on_create_nothing_written(client, base, version):
    before_pi = newest_id(client, "payment_intents")
    before_ev = newest_id(client, "events")
    key = f"vers-{uuid.uuid4()}"
    r = request(base, "POST", "/v1/payment_intents",
                {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]},
                version=version, headers={"Idempotency-Key": key})
    assert_pmt_refused(r, version)
    assert newest_id(client, "payment_intents") == before_pi
    assert newest_id(client, "events") == before_ev
    # the key is free: a valid call with it runs and is not a replay of the refusal
    ok = request(base, "POST", "/v1/payment_intents",
                 {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["card"]},
                 version=version, headers={"Idempotency-Key": key})
    assert ok.status == 200, ok
    assert ok.headers.get("Idempotent-Replayed") in (None, "false")
    assert ok.json["payment_method_types"] == ["card"]
    assert newest_id(client, "payment_intents") == ok.json["id"]
    # and that one is now what the key replays
    again = request(base, "POST", "/v1/payment_intents",
                    {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["card"]},
                    version=version, headers={"Idempotency-Key": key})
    assert again.status == 200, again
    assert again.json["id"] == ok.json["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"


@pytest.mark.parametrize("version", [ENDIVE_FIRST, ENDIVE])
def test_pmt_refused_on_create_through_the_sdk(client, version):
    before_pi = newest_id(client, "payment_intents")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}, opts(version))
    assert_error(e.value, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert e.value.headers.get("Stripe-Version") == version
    assert newest_id(client, "payment_intents") == before_pi


@pytest.mark.parametrize("version", [ENDIVE_FIRST, ENDIVE])
def test_pmt_refused_on_update_nothing_written(client, base, version):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "allowed_payment_method_types": ["card", "amazon_pay"]}))
    before_ev = newest_id(client, "events")
    r = request(base, "POST", f"/v1/payment_intents/{pi['id']}",
                {"payment_method_types": ["card"], "description": "changed"}, version=version)
    assert_pmt_refused(r, version)
    after = raw(client.v1.payment_intents.retrieve(pi["id"]))
    assert after["payment_method_types"] == pi["payment_method_types"]
    assert sorted(after["payment_method_types"]) == ["amazon_pay", "card"]
    assert after["description"] is None
    assert newest_id(client, "events") == before_ev


@pytest.mark.parametrize("version", [ENDIVE_FIRST, ENDIVE])
def test_pmt_refused_on_confirm_nothing_written(client, base, version):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS}))
    before_ev = newest_id(client, "events")
    before_ch = newest_id(client, "charges")
    r = request(base, "POST", f"/v1/payment_intents/{pi['id']}/confirm",
                {"payment_method": "pm_card_visa", "payment_method_types": ["card"]}, version=version)
    assert_pmt_refused(r, version)
    after = raw(client.v1.payment_intents.retrieve(pi["id"]))
    assert after["status"] == "requires_payment_method"
    assert after["payment_method"] is None and after["latest_charge"] is None
    assert newest_id(client, "events") == before_ev
    assert newest_id(client, "charges") == before_ch


def test_pmt_accepted_at_dahlia_create_update_confirm(client, base):
    r = request(base, "POST", "/v1/payment_intents",
                {"amount": 2000, "currency": "usd", "payment_method_types": ["card", "amazon_pay"]},
                version=DAHLIA)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == DAHLIA
    assert sorted(r.json["payment_method_types"]) == ["amazon_pay", "card"]
    pid = r.json["id"]
    r = request(base, "POST", f"/v1/payment_intents/{pid}", {"payment_method_types": ["card"]}, version=DAHLIA)
    assert r.status == 200, r
    assert r.json["payment_method_types"] == ["card"]
    r = request(base, "POST", f"/v1/payment_intents/{pid}/confirm",
                {"payment_method": "pm_card_visa", "payment_method_types": ["card"]}, version=DAHLIA)
    assert r.status == 200, r
    assert r.json["status"] == "succeeded"
    assert r.json["payment_method_types"] == ["card"]
    # read at endive it keeps the computed list (read-only there, not gone)
    end = raw(client.v1.payment_intents.retrieve(pid))
    assert end["payment_method_types"] == ["card"]


def test_pmt_accepted_at_dahlia_through_the_sdk(client):
    pi = client.v1.payment_intents.create(
        {"amount": 1099, "currency": "usd", "payment_method_types": ["amazon_pay"]}, opts(DAHLIA))
    assert pi.last_response.headers.get("Stripe-Version") == DAHLIA
    assert raw(pi)["payment_method_types"] == ["amazon_pay"]


# -- additive: allowed_payment_method_types on every version ----------------------------------
@pytest.mark.parametrize("version", [CLOVER, "2024-06-20", ENDIVE])
def test_allowed_payment_method_types_on_every_version(client, version):
    pi = client.v1.payment_intents.create(
        {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["amazon_pay", "card"]},
        opts(version))
    assert pi.last_response.headers.get("Stripe-Version") == version
    body = raw(pi)
    assert body["allowed_payment_method_types"] == ["amazon_pay", "card"]
    assert sorted(body["payment_method_types"]) == ["amazon_pay", "card"]


def test_allowed_payment_method_types_drop_silently_at_clover(client):
    body = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "mxn", "allowed_payment_method_types": ["amazon_pay", "card"]},
        opts(CLOVER)))
    assert body["payment_method_types"] == ["card"]
    assert body["allowed_payment_method_types"] == ["amazon_pay", "card"]


def test_allowed_and_payment_method_types_exclusive_at_clover(client):
    before = newest_id(client, "payment_intents")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 2000, "currency": "usd", "allowed_payment_method_types": ["card"],
             "payment_method_types": ["card"]}, opts(CLOVER))
    assert_error(e.value, 400, "invalid_request_error", None, "allowed_payment_method_types")
    assert newest_id(client, "payment_intents") == before


# -- 2025-03-31.basil: total_count on lists — refused on every version (Stripe's rule for new accounts)
@pytest.mark.parametrize("version", [ACACIA, "2024-06-20", CLOVER, ENDIVE])
@pytest.mark.parametrize("param", ["include[]", "expand[]"])
@pytest.mark.parametrize("path", ["/v1/customers", "/v1/payment_intents", "/v1/charges"])
def test_total_count_refused_on_every_version(base, version, param, path):
    r = request(base, "GET", path, [(param, "total_count")], version=version)
    if param == "include[]":  # not a parameter of the list endpoints
        assert_error(r, 400, "invalid_request_error", "parameter_unknown", "include[]")
    else:
        err = assert_error(r, 400, "invalid_request_error", None, None)
        assert "total_count" in err["message"], err
    assert r.headers.get("Stripe-Version") == version


@pytest.mark.parametrize("version", [ACACIA, CLOVER, ENDIVE])
@pytest.mark.parametrize("param", ["link[persistent_token]", "pay_by_bank[bank]"])
def test_payment_method_update_refuses_link_and_pay_by_bank_on_every_version(base, version, param):
    """2025-09-30.clover (stripe-node 19.0.0): `link` and `pay_by_bank` left PaymentMethod
    update; Pasarela refuses them on every version (docs/api-versions.md)."""
    cus = request(base, "POST", "/v1/customers", {}).json["id"]
    pm = request(base, "POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": cus}).json["id"]
    r = request(base, "POST", f"/v1/payment_methods/{pm}", {param: "x"}, version=version)
    assert_error(r, 400, "invalid_request_error", "parameter_unknown", param)
