"""What a user of today's SDK writes: stripe-python 16.1.0 pins 2026-10-28.endive on every call.

Versions (issue 10): each request is served at its Stripe-Version (account default 2025-09-30.clover
without one); endive refuses `payment_method_types` (400 payment_method_types_no_longer_supported,
nothing written); `allowed_payment_method_types` (dahlia) filters silently; the response header
says which version served it.
"""
import uuid

import pytest
import stripe

from helpers import CLOVER, ENDIVE, SK, assert_error, newest_id, raw, request


def test_sdk_pins_endive():
    assert stripe.VERSION == "16.1.0"
    assert stripe.api_version == ENDIVE


def test_automatic_payment_methods_compute_the_list(client):
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "automatic_payment_methods": {"enabled": True}})
    assert pi.last_response.headers.get("Stripe-Version") == ENDIVE
    body = raw(pi)
    assert body["status"] == "requires_payment_method"
    assert "card" in body["payment_method_types"]
    assert body["automatic_payment_methods"]["enabled"] is True
    assert body["allowed_payment_method_types"] is None
    assert "alma" not in body["payment_method_types"]  # US account


def test_automatic_payment_methods_on_by_default(client):
    body = raw(client.v1.payment_intents.create({"amount": 2000, "currency": "usd"}))
    assert body["automatic_payment_methods"] is not None
    assert body["automatic_payment_methods"]["enabled"] is True
    assert "card" in body["payment_method_types"]


def test_automatic_payment_methods_allow_redirects_never_is_echoed(client):
    body = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd",
         "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}}))
    assert body["automatic_payment_methods"] == {"enabled": True, "allow_redirects": "never"}
    assert "card" in body["payment_method_types"]
    assert "amazon_pay" not in body["payment_method_types"]  # a redirect method


def test_allowed_payment_method_types(client):
    body = raw(client.v1.payment_intents.create(
        {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["amazon_pay", "card"]}))
    assert sorted(body["payment_method_types"]) == ["amazon_pay", "card"]
    assert body["allowed_payment_method_types"] == ["amazon_pay", "card"]
    apm = body["automatic_payment_methods"]
    assert apm is None or apm["enabled"] is False


def test_allowed_payment_method_types_drop_what_does_not_fit(client):
    """amazon_pay cannot take mxn: dropped silently, not refused."""
    body = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "mxn", "allowed_payment_method_types": ["amazon_pay", "card"]}))
    assert body["payment_method_types"] == ["card"]
    assert body["allowed_payment_method_types"] == ["amazon_pay", "card"]


def test_allowed_and_automatic_are_mutually_exclusive(client):
    before = newest_id(client, "payment_intents")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 2000, "currency": "usd", "allowed_payment_method_types": ["card"],
             "automatic_payment_methods": {"enabled": True}})
    assert_error(e.value, 400, "invalid_request_error", None, "allowed_payment_method_types")
    assert newest_id(client, "payment_intents") == before


def test_payment_method_types_refused_at_endive_and_nothing_written(client):
    before_pi = newest_id(client, "payment_intents")
    before_ev = newest_id(client, "events")
    key = str(uuid.uuid4())
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 1099, "currency": "usd", "payment_method_types": ["amazon_pay"]},
            {"idempotency_key": key})
    err = e.value
    assert_error(err, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert err.headers.get("Stripe-Version") == ENDIVE
    assert newest_id(client, "payment_intents") == before_pi
    assert newest_id(client, "events") == before_ev
    # a refused parameter leaves no idempotency record behind: the corrected call runs
    ok = client.v1.payment_intents.create(
        {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["amazon_pay"]},
        {"idempotency_key": key})
    assert ok.last_response.headers.get("Idempotent-Replayed") in (None, "false")
    assert raw(ok)["payment_method_types"] == ["amazon_pay"]
    assert newest_id(client, "payment_intents") == ok.id


def test_payment_method_types_refused_on_update_at_endive(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.update(pi.id, {"payment_method_types": ["card"]})
    assert_error(e.value, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert raw(client.v1.payment_intents.retrieve(pi.id))["payment_method_types"] == \
        raw(pi)["payment_method_types"]


def test_payment_method_types_work_again_at_clover(client):
    pi = client.v1.payment_intents.create(
        {"amount": 1099, "currency": "usd", "payment_method_types": ["amazon_pay"]},
        {"stripe_version": CLOVER})
    assert pi.last_response.headers.get("Stripe-Version") == CLOVER
    assert raw(pi)["payment_method_types"] == ["amazon_pay"]
    # and the same object read back at endive keeps its computed list
    again = client.v1.payment_intents.retrieve(pi.id)
    assert again.last_response.headers.get("Stripe-Version") == ENDIVE
    assert raw(again)["payment_method_types"] == ["amazon_pay"]


def test_seed_curl_with_endive_header_is_refused(base):
    r = request(base, "POST", "/v1/payment_intents",
                [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "usd")],
                auth="basic", version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert r.headers.get("Stripe-Version") == ENDIVE


def test_seed_curl_with_clover_header(base):
    r = request(base, "POST", "/v1/payment_intents",
                [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "usd")],
                auth="basic", version=CLOVER)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER


def test_dahlia_accepts_allowed_types_and_still_payment_method_types(base):
    v = "2026-07-29.dahlia"
    r = request(base, "POST", "/v1/payment_intents",
                {"amount": 1099, "currency": "usd", "allowed_payment_method_types": ["amazon_pay", "card"]},
                version=v)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == v
    r = request(base, "POST", "/v1/payment_intents",
                {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}, version=v)
    assert r.status == 200, r
    assert r.json["payment_method_types"] == ["card"]


def test_unknown_version_header_is_refused(base):
    # A well-formed future version is served as the newest known (test_real_clients.py); a
    # malformed one is refused.
    r = request(base, "GET", "/v1/payment_intents", {"limit": 1}, version="2099-01-01.Zebra")
    assert_error(r, 400, "invalid_request_error", None, "Stripe-Version")
    assert "2099-01-01.Zebra" in r.error["message"]


def test_unknown_version_through_the_sdk(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.list({"limit": 1}, {"stripe_version": "2024-13-45.bogus"})
    assert_error(e.value, 400, "invalid_request_error", None, "Stripe-Version")
    assert "2024-13-45.bogus" in e.value.user_message


@pytest.mark.parametrize("version", [ENDIVE, CLOVER, "2026-09-30.endive", "2025-03-31.basil",
                                     "2024-06-20", "2026-03-25.dahlia"])
def test_response_header_names_the_requested_version(base, version):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, version=version)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == version


def test_no_header_is_served_at_the_account_default(base):
    r = request(base, "GET", "/v1/customers", {"limit": 1})
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER


def test_events_are_rendered_at_the_account_default(client, base):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    evs = raw(client.v1.events.list({"limit": 20, "type": "payment_intent.created"}))["data"]
    ev = next(e for e in evs if e["data"]["object"]["id"] == pi.id)
    assert ev["api_version"] == CLOVER
    # and GET /v1/events returns it as rendered, whatever the request's version
    again = request(base, "GET", f"/v1/events/{ev['id']}", version="2026-03-25.dahlia")
    assert again.status == 200, again
    assert again.json["data"] == ev["data"]
    assert again.json["api_version"] == CLOVER


def test_sdk_request_carries_endive_and_bearer(client):
    """The SDK really talks to Pasarela: it authenticates with Bearer and gets JSON back."""
    c = client.v1.customers.create({"email": "sdk@example.com"})
    assert c.id.startswith("cus_")
    assert c.last_response.headers.get("Stripe-Version") == ENDIVE
    assert (c.last_response.request_id or "").startswith("req_")


def test_account_default_version_change_between_starts(tmp_path):
    """Events are rendered at the account default of the moment and keep it; the default
    follows --api-version at each start."""
    from helpers import Server
    srv = Server("US").start()
    try:
        a = request(srv.url, "POST", "/v1/payment_intents",
                    [("payment_method_types[]", "card"), ("amount", "2000"), ("currency", "usd")], auth="basic")
        assert a.status == 200, a
        srv.stop()
        srv.extra_args = ["--api-version", "2026-03-25.dahlia"]
        srv.start()
        b = request(srv.url, "POST", "/v1/payment_intents",
                    [("payment_method_types[]", "card"), ("amount", "2000"), ("currency", "usd")], auth="basic")
        assert b.status == 200, b
        assert b.headers.get("Stripe-Version") == "2026-03-25.dahlia"
        evs = request(srv.url, "GET", "/v1/events", {"limit": 100, "type": "payment_intent.created"},
                      version=ENDIVE).json["data"]
        by_pi = {e["data"]["object"]["id"]: e["api_version"] for e in evs}
        assert by_pi[a.json["id"]] == CLOVER
        assert by_pi[b.json["id"]] == "2026-03-25.dahlia"
    finally:
        srv.cleanup()


def test_account_default_endive_refuses_the_seed_curl():
    from helpers import Server
    srv = Server("US", ["--api-version", ENDIVE]).start()
    try:
        r = request(srv.url, "POST", "/v1/payment_intents",
                    [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "usd")],
                    auth="basic")
        assert_error(r, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                     "payment_method_types")
        assert r.headers.get("Stripe-Version") == ENDIVE
        ok = request(srv.url, "POST", "/v1/payment_intents",
                     [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "usd")],
                     auth="basic", version=CLOVER)
        assert ok.status == 200, ok
    finally:
        srv.cleanup()
