"""The units of the dated versions before 2024-06-20 (src/versions/legacy.rs,
docs/api-versions.md), end to end with raw HTTP and a `Stripe-Version` header per request: the
old shape or behaviour on the last version before each change, the new one from it. The SDK
majors of those years run the seeds' flows in test_sdk_majors.py."""
import pytest

from helpers import Server, request, submit_outcome

V2019 = "2019-12-03"
V2020_03 = "2020-03-02"
V2020 = "2020-08-27"
V2022_08 = "2022-08-01"
V2022_11 = "2022-11-15"
V2023_08 = "2023-08-16"
V2023_10 = "2023-10-16"
V2024_04 = "2024-04-10"
V2024_06 = "2024-06-20"


def card_payment(base, version, **extra):
    params = {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true",
              "payment_method_types[]": "card"}
    params.update(extra)
    r = request(base, "POST", "/v1/payment_intents", params, version=version)
    assert r.status == 200, r
    return r.json


# -- 2024-04-10: capture_method defaults to automatic_async -----------------------------------
@pytest.mark.parametrize("version,default", [(V2019, "automatic"), (V2023_10, "automatic"),
                                             (V2024_04, "automatic_async"), (V2024_06, "automatic_async")])
def test_capture_method_default(base, version, default):
    r = request(base, "POST", "/v1/payment_intents", {"amount": 1000, "currency": "usd"}, version=version)
    assert r.status == 200, r
    assert r.json["capture_method"] == default
    # Stored so, not only shown so: it reads back the same at the newest version.
    assert request(base, "GET", f"/v1/payment_intents/{r.json['id']}").json["capture_method"] == default
    explicit = request(base, "POST", "/v1/payment_intents",
                       {"amount": 1000, "currency": "usd", "capture_method": "manual"}, version=version)
    assert explicit.json["capture_method"] == "manual"


# -- 2024-04-10: Product features renamed marketing_features ----------------------------------
@pytest.mark.parametrize("version,field", [(V2023_10, "features"), (V2024_04, "marketing_features")])
def test_product_features(base, version, field):
    r = request(base, "POST", "/v1/products", {"name": "Mug"}, version=version)
    assert r.status == 200, r
    assert r.json[field] == []
    other = "marketing_features" if field == "features" else "features"
    assert other not in r.json


# -- 2023-08-16: automatic_payment_methods by default ------------------------------------------
@pytest.mark.parametrize("path", ["/v1/payment_intents", "/v1/setup_intents"])
def test_intents_without_types_take_cards_before_2023_08_16(base, path):
    params = {"amount": 1000, "currency": "usd"} if "payment" in path else {}
    old = request(base, "POST", path, params, version=V2022_11)
    assert old.status == 200, old
    assert (old.json["payment_method_types"], old.json["automatic_payment_methods"]) == (["card"], None)
    new = request(base, "POST", path, params, version=V2023_08)
    assert new.json["automatic_payment_methods"]["enabled"] is True
    assert "card" in new.json["payment_method_types"] and len(new.json["payment_method_types"]) > 1
    # An old card-only intent confirms without a return_url, as it did then.
    confirmed = request(base, "POST", f"{path}/{old.json['id']}/confirm", {"payment_method": "pm_card_visa"},
                        version=V2022_11)
    assert confirmed.status == 200, confirmed
    assert confirmed.json["status"] == "succeeded"


def test_named_types_are_kept_before_2023_08_16(base):
    r = request(base, "POST", "/v1/payment_intents", {"amount": 1000, "currency": "usd",
                "automatic_payment_methods[enabled]": "true"}, version=V2020)
    assert r.json["automatic_payment_methods"]["enabled"] is True


# -- 2022-11-15: PaymentIntent charges, Charge refunds ------------------------------------------
def test_charges_and_refunds_lists_before_2022_11_15(base):
    pi = card_payment(base, V2022_08)
    charges = pi["charges"]
    assert (charges["object"], charges["has_more"], charges["total_count"]) == ("list", False, 1)
    assert charges["url"] == f"/v1/charges?payment_intent={pi['id']}"
    charge = charges["data"][0]
    assert charge["id"] == pi["latest_charge"] and charge["object"] == "charge"
    assert charge["refunds"] == {"object": "list", "data": [], "has_more": False, "total_count": 0,
                                 "url": f"/v1/charges/{charge['id']}/refunds"}
    refund = request(base, "POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": 500}, version=V2022_08)
    assert refund.status == 200, refund
    again = request(base, "GET", f"/v1/payment_intents/{pi['id']}", version=V2022_08).json
    refunds = again["charges"]["data"][0]["refunds"]
    assert [r["id"] for r in refunds["data"]] == [refund.json["id"]] and refunds["total_count"] == 1
    charge = request(base, "GET", f"/v1/charges/{charge['id']}", version=V2019).json
    assert charge["refunds"]["data"][0]["amount"] == 500
    listed = request(base, "GET", "/v1/charges", {"payment_intent": pi["id"]}, version=V2022_08).json
    assert listed["data"][0]["refunds"]["total_count"] == 1
    # From 2022-11-15: neither, unless refunds are asked for.
    new = request(base, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "latest_charge"},
                  version=V2022_11).json
    assert "charges" not in new and "refunds" not in new["latest_charge"]
    asked = request(base, "GET", f"/v1/charges/{charge['id']}", {"expand[]": "refunds"}, version=V2022_11).json
    assert asked["refunds"]["data"][0]["amount"] == 500 and "total_count" not in asked["refunds"]


def test_an_unpaid_intent_has_an_empty_charges_list(base):
    r = request(base, "POST", "/v1/payment_intents", {"amount": 1000, "currency": "usd"}, version=V2020)
    assert r.json["charges"] == {"object": "list", "data": [], "has_more": False, "total_count": 0,
                                 "url": f"/v1/charges?payment_intent={r.json['id']}"}


def test_searched_intents_carry_charges_before_2022_11_15(base):
    pi = card_payment(base, V2020, **{"metadata[order]": "legacy-search"})
    found = request(base, "GET", "/v1/payment_intents/search", {"query": "metadata['order']:'legacy-search'"},
                    version=V2020).json
    assert [p["charges"]["total_count"] for p in found["data"] if p["id"] == pi["id"]] == [1]


# -- 2022-08-01 and 2020-08-27: Customer ---------------------------------------------------------
def test_customer_lists_and_default_currency(base):
    old = request(base, "POST", "/v1/customers", {"email": "old@example.com"}, version=V2020_03).json
    for name in ["sources", "subscriptions", "tax_ids"]:
        assert old[name] == {"object": "list", "data": [], "has_more": False, "total_count": 0,
                             "url": f"/v1/customers/{old['id']}/{name}"}
    assert old["default_currency"] is None
    mid = request(base, "GET", f"/v1/customers/{old['id']}", version=V2020).json
    assert "sources" not in mid and mid["default_currency"] is None
    new = request(base, "GET", f"/v1/customers/{old['id']}", version=V2022_08).json
    assert "default_currency" not in new and "sources" not in new


# -- 2022-08-01 and 2020-08-27: Checkout Sessions ----------------------------------------------
SESSION = {"mode": "payment", "success_url": "https://example.com/ok",
           "line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "1500",
           "line_items[0][price_data][product_data][name]": "Poster", "line_items[0][quantity]": "2"}


def test_checkout_before_2022_08_01(base):
    r = request(base, "POST", "/v1/checkout/sessions", SESSION, version=V2020)
    assert r.status == 200, r
    s = r.json
    # Its PaymentIntent comes with it, and every buyer becomes a Customer.
    assert s["payment_intent"].startswith("pi_") and s["customer_creation"] == "always"
    pi = request(base, "GET", f"/v1/payment_intents/{s['payment_intent']}").json
    assert (pi["amount"], pi["status"]) == (3000, "requires_payment_method")
    assert (s["shipping"], s["shipping_rate"]) == (None, None)
    assert "shipping_details" not in s and "shipping_cost" not in s
    assert s["payment_method_collection"] == "always"
    assert "display_items" not in s
    new = request(base, "POST", "/v1/checkout/sessions", SESSION, version=V2022_08).json
    assert new["payment_intent"] is None and new["customer_creation"] == "if_required"
    assert "shipping" not in new and new["shipping_details"] is None


def test_checkout_display_items_before_2020_08_27(base):
    s = request(base, "POST", "/v1/checkout/sessions", SESSION, version=V2020_03).json
    assert s["display_items"] == [{"amount": 1500, "currency": "usd", "quantity": 2, "type": "custom",
                                   "custom": {"description": None, "images": None, "name": "Poster"}}]
    assert "display_items" not in request(base, "GET", f"/v1/checkout/sessions/{s['id']}", version=V2020).json


def test_ad_hoc_line_items_before_2022_08_01(base):
    params = {"mode": "payment", "success_url": "https://example.com/ok", "line_items[0][amount]": "700",
              "line_items[0][currency]": "eur", "line_items[0][name]": "Mug", "line_items[0][quantity]": "3"}
    old = request(base, "POST", "/v1/checkout/sessions", params, version=V2020)
    assert old.status == 200, old
    assert (old.json["amount_total"], old.json["currency"]) == (2100, "eur")
    items = request(base, "GET", f"/v1/checkout/sessions/{old.json['id']}/line_items").json["data"]
    assert (items[0]["description"], items[0]["quantity"]) == ("Mug", 3)
    new = request(base, "POST", "/v1/checkout/sessions", params, version=V2022_08)
    assert new.status == 400 and new.error["code"] == "parameter_unknown"


def test_no_cost_orders_from_2023_08_16(base):
    old = request(base, "POST", "/v1/checkout/sessions", SESSION, version=V2022_11).json
    assert old["payment_method_collection"] == "always"
    new = request(base, "POST", "/v1/checkout/sessions", SESSION, version=V2023_08).json
    assert new["payment_method_collection"] == "if_required"


# -- 2020-08-27: 3-D Secure booleans on the charge ----------------------------------------------
def test_three_d_secure_booleans_before_2020_08_27(base):
    pi = request(base, "POST", "/v1/payment_intents", {
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_authenticationRequired",
        "payment_method_types[]": "card", "confirm": "true", "return_url": "https://example.com/r"}).json
    assert pi["status"] == "requires_action"
    submit_outcome(pi["next_action"]["redirect_to_url"]["url"], "authorize")
    paid = request(base, "GET", f"/v1/payment_intents/{pi['id']}").json
    charge = request(base, "GET", f"/v1/charges/{paid['latest_charge']}", version=V2020_03).json
    tds = charge["payment_method_details"]["card"]["three_d_secure"]
    assert (tds["authenticated"], tds["succeeded"], tds["result"]) == (True, True, "authenticated")
    newer = request(base, "GET", f"/v1/charges/{charge['id']}", version=V2020).json
    assert "succeeded" not in newer["payment_method_details"]["card"]["three_d_secure"]


# -- events: at an old account default, and to an endpoint pinned to an old version -------------
def test_events_at_an_old_account_default_embed_what_was_true_then():
    srv = Server("US", ["--api-version", V2020]).start()
    try:
        pi = card_payment(srv.url, None)
        assert "charges" in pi, "the account default is 2020-08-27"
        request(srv.url, "POST", "/v1/refunds", {"payment_intent": pi["id"]})
        events = request(srv.url, "GET", "/v1/events", {"limit": 20}).json["data"]
        by_type = {e["type"]: e for e in events}
        assert by_type["payment_intent.succeeded"]["api_version"] == V2020
        succeeded = by_type["payment_intent.succeeded"]["data"]["object"]
        assert succeeded["charges"]["total_count"] == 1
        # When it succeeded the charge had no refunds yet; the refund came after.
        assert succeeded["charges"]["data"][0]["refunds"]["total_count"] == 0
        refunded = by_type["charge.refunded"]["data"]
        assert refunded["object"]["refunds"]["total_count"] == 1
        assert "refunds" not in refunded["previous_attributes"]
        # Read at the newest version, the events keep the shape they were recorded in.
        newest = request(srv.url, "GET", f"/v1/events/{by_type['charge.refunded']['id']}",
                         version="2026-10-28.endive").json
        assert newest["data"]["object"]["refunds"]["total_count"] == 1
    finally:
        srv.cleanup()


def test_webhook_endpoints_take_the_old_versions(base):
    ok = request(base, "POST", "/v1/webhook_endpoints", {"url": "https://example.com/hook", "enabled_events[]": "*",
                                                        "api_version": V2020})
    assert ok.status == 200 and ok.json["api_version"] == V2020
    too_old = request(base, "POST", "/v1/webhook_endpoints", {"url": "https://example.com/hook",
                                                             "enabled_events[]": "*", "api_version": "2019-05-16"})
    assert too_old.status == 400 and too_old.error["param"] == "api_version"
    assert too_old.error["message"] == "Invalid api_version: 2019-05-16. Pasarela serves API versions from 2019-12-03 on."
    request(base, "DELETE", f"/v1/webhook_endpoints/{ok.json['id']}")


def test_expanding_into_the_charges_list_before_2022_11_15(base):
    """Integrations of those years read the fee as `charges.data[0].balance_transaction`."""
    pi = card_payment(base, V2020)
    got = request(base, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "charges.data.balance_transaction"},
                  version=V2020)
    assert got.status == 200, got
    txn = got.json["charges"]["data"][0]["balance_transaction"]
    assert txn["object"] == "balance_transaction" and txn["amount"] == 2000 and txn["fee"] > 0
    listed = request(base, "GET", "/v1/payment_intents", {"limit": 1, "expand[]": "data.charges.data.balance_transaction"},
                     version=V2020).json
    assert listed["data"][0]["charges"]["data"][0]["balance_transaction"]["object"] == "balance_transaction"
    refused = request(base, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "charges.data.balance_transaction"},
                      version=V2022_11)
    assert refused.status == 400 and "cannot be expanded" in refused.error["message"]
