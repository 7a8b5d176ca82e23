"""What clients written for Stripe by others touch first (issue 26): API versions newer than the
newest Pasarela knows, the account and its balance, every operation of Stripe's API answered as
Stripe answers an account without such objects, inline prices and products, catalog events, and
Checkout's `allowed_payment_method_types` at endive."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import stripe

from helpers import ENDIVE, PK, REPO, SK, CLOVER, Server, assert_error, events_for, raw, request

NEWEST = "2026-11-18.endive"  # the newest version Pasarela knows
TABLE = REPO / "src" / "api" / "stripe_paths.tsv"


def operations():
    rows = []
    for line in TABLE.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        method, path, kind, served, *_ = line.split("\t")
        rows.append((method, path, kind, served))
    return rows


# -- versions that don't expire ----------------------------------------------------------------
@pytest.mark.parametrize("asked", ["2026-12-16.endive", "2027-01-27.fig", "2031-05-30.juniper"])
def test_a_newer_version_is_served_as_the_newest(base, asked):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=asked)
    assert r.status == 200, r.text
    assert r.headers.get("Stripe-Version") == NEWEST


def test_a_newer_version_through_the_sdk(client):
    lst = client.v1.customers.list({"limit": 1}, {"stripe_version": "2027-01-27.fig"})
    assert lst.last_response.headers.get("Stripe-Version") == NEWEST


@pytest.mark.parametrize("bad", ["2027-01-27", "2027-01-27.Fig", "2027-01-27.basil", "2027-13-01.fig",
                                 "2026-10-29.endive", "fig"])
def test_what_stripe_refuses_stays_refused_and_names_the_newest(base, bad):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=bad)
    assert_error(r, 400, "invalid_request_error", None, "Stripe-Version")
    assert r.error["message"] == f"Invalid Stripe API version: {bad}. The newest version Pasarela serves is {NEWEST}."


def test_a_newer_version_is_said_once_in_the_log(us):
    asked = "2029-02-28.gardenia"
    for _ in range(3):
        assert request(us.url, "GET", "/v1/customers", {"limit": 1}, version=asked).status == 200
    log = Path(us.log_path).read_text()
    lines = [l for l in log.splitlines() if asked in l]
    assert len(lines) == 1, lines
    assert NEWEST in lines[0]


def test_a_webhook_endpoint_at_a_newer_version(client):
    ep = client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"],
                                             "api_version": "2027-01-27.fig"})
    try:
        assert ep.api_version == NEWEST
    finally:
        client.v1.webhook_endpoints.delete(ep.id)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"],
                                            "api_version": "2027-01-27.acacia"})
    assert_error(e.value, 400, "invalid_request_error", None, "api_version")
    assert NEWEST in e.value.user_message


def test_a_newer_stripe_js_release(base):
    r = request(base, "GET", "/fig/stripe.js", key=None, validate=False)
    assert r.status == 200
    assert f"'{NEWEST}'" in r.text or f'"{NEWEST}"' in r.text
    assert "var RELEASE = 'endive'" in r.text
    assert request(base, "GET", "/acacia/stripe.js", key=None, validate=False).status == 404


def test_a_newer_default_version_flag():
    server = Server("US", ["--api-version", "2027-01-27.fig"]).start()
    try:
        r = request(server.url, "GET", "/v1/customers", {"limit": 1})
        assert r.headers.get("Stripe-Version") == NEWEST
    finally:
        server.cleanup()


# -- the account and its balance -------------------------------------------------------------
def test_the_account(client, base):
    acct = client.v1.accounts.retrieve_current()
    body = raw(acct)
    assert body["id"].startswith("acct_1") and len(body["id"]) == 21
    assert body["object"] == "account"
    assert (body["country"], body["default_currency"], body["type"]) == ("US", "usd", "standard")
    assert body["charges_enabled"] and body["payouts_enabled"] and body["details_submitted"]
    assert body["capabilities"] == {"amazon_pay_payments": "active", "card_payments": "active",
                                    "transfers": "active"}
    same = client.v1.accounts.retrieve(body["id"])
    assert raw(same) == body
    # Stable: the same id on every call, as tools that store it expect.
    assert client.v1.accounts.retrieve_current().id == body["id"]
    missing = request(base, "GET", "/v1/accounts/acct_1NotThisOne000000")
    assert_error(missing, 404, "invalid_request_error", "resource_missing", "id")
    refused = request(base, "GET", "/v1/account", key=PK)
    assert refused.status in (401, 403)


def test_the_account_in_france(fr_client):
    body = raw(fr_client.v1.accounts.retrieve_current())
    assert (body["country"], body["default_currency"]) == ("FR", "eur")
    assert body["capabilities"]["alma_payments"] == "active"


def test_the_balance_follows_its_transactions(us):
    # A server of its own: the balance sums everything the account ever did.
    server = Server("US").start()
    try:
        client = server.client()
        empty = raw(client.v1.balance.retrieve())
        assert empty["object"] == "balance" and empty["livemode"] is False
        assert empty["available"] == [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}]
        assert empty["pending"] == [{"amount": 0, "currency": "usd", "source_types": {"card": 0}}]
        pi = client.v1.payment_intents.create({
            "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
        client.v1.refunds.create({"payment_intent": pi.id, "amount": 500})
        txns = client.v1.balance_transactions.list({"limit": 100}).data
        now = int(time.time())
        pending = sum(t.net for t in txns if t.available_on > now)
        available = sum(t.net for t in txns if t.available_on <= now)
        assert pending == 2000 - 88 and available == -500  # Stripe's 2.9% + 30c; a refund at once
        body = raw(client.v1.balance.retrieve())
        assert body["pending"] == [{"amount": pending, "currency": "usd", "source_types": {"card": pending}}]
        assert body["available"] == [{"amount": available, "currency": "usd", "source_types": {"card": available}}]
    finally:
        server.cleanup()


# -- every operation of Stripe's API ---------------------------------------------------------
def _concrete(path: str, customer: str) -> str:
    """The table's path with ids: a real customer under /v1/customers, made-up ids elsewhere."""
    parts = path.split("/")
    out = []
    for i, p in enumerate(parts):
        if p == "{id}":
            out.append(customer if parts[i - 1] == "customers" else "x_missing_1")
        else:
            out.append(p)
    return "/".join(out)


def test_every_operation_answers_as_stripe_would(base, client):
    customer = client.v1.customers.create({"email": "walk@example.com"}).id
    # The customer the paths name is deleted last: it must live through the rest.
    rows = sorted(operations(), key=lambda r: (r[0], r[1]) == ("DELETE", "/v1/customers/{id}"))
    assert len(rows) > 500
    served = not_served = 0
    for method, path, kind, status in rows:
        url = _concrete(path, customer)
        r = request(base, method, url, {"query": "created>0"} if kind == "search" else None)
        assert r.status < 500, f"{method} {url}: {r.status} {r.text}"
        message = (r.json or {}).get("error", {}).get("message", "") if r.status >= 400 else ""
        assert "Unrecognized request URL" not in message, f"{method} {url} is not routed: {message}"
        if status in ("yes", "partly"):
            served += 1
            assert "does not serve" not in message, f"{method} {url}: {message}"
            continue
        not_served += 1
        ids = [p for p in path.split("/") if p == "{id}"]
        if kind == "list" and url.count("x_missing_1") == 0:
            assert r.status == 200, f"{method} {url}: {r.text}"
            assert r.json == {"object": "list", "data": [], "has_more": False, "url": url}, r.text
        elif kind == "search" and not ids:
            assert r.status == 200 and r.json["object"] == "search_result" and r.json["data"] == [], r.text
        elif "x_missing_1" in url:
            assert_error(r, 404, "invalid_request_error", "resource_missing", "id")
            assert message.endswith(": 'x_missing_1'"), message
        else:
            assert_error(r, 400, "invalid_request_error", None, None)
            assert message.startswith(f"Pasarela does not serve {method} {path} yet"), message
    assert served >= 60 and not_served > 400, (served, not_served)


def test_a_backfill_walks_lists_pasarela_does_not_hold(client):
    for name in ["plans", "invoices", "subscriptions", "subscription_schedules", "disputes", "tax_ids",
                 "credit_notes", "coupons", "promotion_codes", "payouts", "transfers", "reviews"]:
        page = getattr(client.v1, name).list({"limit": 100, "created": {"gte": 0}})
        assert page.data == [] and page.has_more is False, name
        assert list(page.auto_paging_iter()) == [], name
    efw = client.v1.radar.early_fraud_warnings.list({"limit": 100})
    assert efw.data == [] and efw.url == "/v1/radar/early_fraud_warnings"
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.invoices.retrieve("in_1NotHere")
    assert_error(e.value, 404, "invalid_request_error", "resource_missing", "id")
    assert e.value.user_message == "No such invoice: 'in_1NotHere'"
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.plans.create({"amount": 1000, "currency": "usd", "interval": "month", "product": "prod_x"})
    assert e.value.http_status == 400
    assert e.value.user_message.startswith("Pasarela does not serve POST /v1/plans yet")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.plans.list({"starting_after": "plan_1"})
    assert_error(e.value, 400, "invalid_request_error", "resource_missing", "starting_after")
    customer = client.v1.customers.create({})
    assert client.v1.customers.tax_ids.list(customer.id).data == []
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.tax_ids.list("cus_1NotHere")
    assert e.value.user_message == "No such customer: 'cus_1NotHere'"


# -- prices and products made inline ---------------------------------------------------------
def test_inline_prices_and_products_are_real(client, base):
    since = int(time.time()) - 1
    session = client.v1.checkout.sessions.create({
        "mode": "payment", "success_url": "http://127.0.0.1:1/ok",
        "line_items": [{"quantity": 2, "price_data": {"currency": "usd", "unit_amount": 1250,
                                                      "product_data": {"name": "Inline poster",
                                                                       "description": "made in the session"}}}]})
    item = client.v1.checkout.sessions.line_items.list(session.id).data[0]
    price = client.v1.prices.retrieve(item.price.id)
    assert (price.active, price.unit_amount, price.currency, price.type) == (False, 1250, "usd", "one_time")
    product = client.v1.products.retrieve(price.product)
    assert (product.name, product.description, product.active) == ("Inline poster", "made in the session", True)
    # Stripe lists no inline prices, whatever the filter; the product is a product like any.
    listed = [p.id for p in client.v1.prices.list({"limit": 100}).auto_paging_iter()]
    inactive = [p.id for p in client.v1.prices.list({"limit": 100, "active": False}).auto_paging_iter()]
    assert price.id not in listed and price.id not in inactive
    assert client.v1.prices.search({"query": f"product:'{product.id}'"}).data == []
    assert product.id in [p.id for p in client.v1.products.list({"limit": 100}).auto_paging_iter()]
    kinds = {(e["type"], e["data"]["object"]["id"]) for e in events_for(base, {price.id, product.id}, since=since)}
    assert kinds == {("price.created", price.id), ("product.created", product.id)}


# -- catalog events ------------------------------------------------------------------------
def test_products_and_prices_record_their_events(client, base):
    since = int(time.time()) - 1
    product = client.v1.products.create({"name": "Mug", "default_price_data": {"currency": "usd", "unit_amount": 900}})
    price = client.v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1200})
    client.v1.products.update(product.id, {"name": "Big mug"})
    client.v1.prices.update(price.id, {"nickname": "large"})
    other = client.v1.products.create({"name": "Gone soon"})
    client.v1.products.delete(other.id)
    made = client.v1.prices.create({"currency": "usd", "unit_amount": 300, "product_data": {"name": "Sticker"}})
    events = events_for(base, {product.id, price.id, product.default_price, other.id, made.id, made.product},
                        since=since)
    got = sorted((e["type"], e["data"]["object"]["id"]) for e in events)
    assert got == sorted([
        ("product.created", product.id), ("price.created", product.default_price),
        ("price.created", price.id), ("product.updated", product.id), ("price.updated", price.id),
        ("product.created", other.id), ("product.deleted", other.id),
        ("product.created", made.product), ("price.created", made.id),
    ])
    updated = next(e for e in events if e["type"] == "product.updated")
    assert updated["data"]["previous_attributes"]["name"] == "Mug"
    assert updated["data"]["object"]["name"] == "Big mug"
    repriced = next(e for e in events if e["type"] == "price.updated")
    assert repriced["data"]["previous_attributes"] == {"nickname": None}
    deleted = next(e for e in events if e["type"] == "product.deleted")
    assert deleted["data"]["object"]["name"] == "Gone soon"
    # Search, as the Dashboard and tools use it: the deleted product is gone.
    found = client.v1.products.search({"query": "name:'Big mug' AND active:'true'"})
    assert [p.id for p in found.data] == [product.id]
    assert client.v1.products.search({"query": "name:'Gone soon'"}).data == []
    found = client.v1.prices.search({"query": f"product:'{product.id}' AND currency:'usd'"})
    assert sorted(p.id for p in found.data) == sorted([price.id, product.default_price])


# -- Checkout at endive ----------------------------------------------------------------------
def _session(types_param: dict, version: str, base: str):
    return request(base, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "http://127.0.0.1:1/ok",
        "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 1000,
                                                      "product_data": {"name": "T"}}}],
        **types_param}, version=version)


def test_checkout_takes_allowed_payment_method_types_at_endive(client, base):
    s = client.v1.checkout.sessions.create({
        "mode": "payment", "success_url": "http://127.0.0.1:1/ok",
        "allowed_payment_method_types": ["card", "alma", "amazon_pay"],
        "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 1000,
                                                      "product_data": {"name": "T"}}}]})
    # Alma needs euros and a European account: dropped silently, as on intents.
    assert s.payment_method_types == ["card", "amazon_pay"]
    r = _session({"allowed_payment_method_types": ["alma"]}, ENDIVE, base)
    assert_error(r, 400, "invalid_request_error", None, "allowed_payment_method_types")
    r = _session({"allowed_payment_method_types": ["card"], "excluded_payment_method_types": ["alma"]}, ENDIVE, base)
    assert_error(r, 400, "invalid_request_error", None, "allowed_payment_method_types")
    assert "only specify one of" in r.error["message"]
    r = _session({"allowed_payment_method_types": ["card"], "payment_method_types": ["card"]}, CLOVER, base)
    assert_error(r, 400, "invalid_request_error", None, "allowed_payment_method_types")
    r = _session({"excluded_payment_method_types": ["amazon_pay"]}, ENDIVE, base)
    assert r.status == 200 and r.json["payment_method_types"] == ["card"], r.text
    r = _session({"allowed_payment_method_types": ["bogus"]}, ENDIVE, base)
    assert_error(r, 400, "invalid_request_error", None, "allowed_payment_method_types")


@pytest.mark.parametrize("version", ["2019-12-03", "2020-08-27", "2022-11-15", "2024-04-10", CLOVER, ENDIVE, NEWEST])
def test_the_account_and_balance_in_stripes_shape_at_every_version(base, version):
    # request() checks each body against that version's schema (tests/schema/versions/).
    for path in ("/v1/account", "/v1/balance"):
        r = request(base, "GET", path, version=version)
        assert r.status == 200, r.text
        assert r.headers.get("Stripe-Version") == version
