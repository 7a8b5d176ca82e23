"""SetupIntents and Mandates: seed 003 (docs.stripe.com/payments/amazon-pay/set-up-future-payments,
German edition) step by step, and the SetupIntent API through stripe-python at endive.

Seed 003's steps, as the page does them:
  1. server: `POST /v1/customers` and `POST /v1/setup_intents` with `payment_method_types[]=amazon_pay`,
     `payment_method_data[type]=amazon_pay`, `usage=off_session`, `customer` (curl as printed: `-u sk_...:`,
     no Stripe-Version, so the account default 2025-09-30.clover serves it);
  2. browser: `stripe.confirmAmazonPaySetup(clientSecret, {return_url, mandate_data: {customer_acceptance:
     {type: 'online', online: {infer_from_client: true}}}})` = `POST /v1/setup_intents/:id/confirm` with
     `key=pk_...` and `client_secret`;
  3. browser: the hosted test page (`next_action.redirect_to_url.url`), authorize / fail, 303 to return_url
     with `setup_intent`, `setup_intent_client_secret`, `redirect_status`;
  4. server: off-session PaymentIntents with the saved method (curl as printed), and detaching it
     (mandate -> inactive, `mandate.updated` + `payment_method.detached`).
Plus the optional manual redirect (a confirmed amazon_pay PaymentIntent, curl as printed).

Behaviour from reference/behaviour/intents.md §2 (SetupIntent, Mandate object), §3.3 (3DS cards on
SetupIntents), §4 (Amazon Pay), §6 (events), §7 (PaymentMethods).
"""
from __future__ import annotations

import re
import time
import urllib.parse

import pytest
import stripe

from helpers import (CLOVER, ENDIVE, PK, SK, assert_error, events_for, newest_id, open_auth_page,
                     outcome_form, query_of, raw, request, submit_outcome)

SETI_SECRET_RE = re.compile(r"^(seti_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$")
NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}
SETUP_RETURN_URL = "https://example.com/setup/complete?order=42"  # the seed's, plus a query of our own
CHECKOUT_RETURN_URL = "https://example.com/checkout/complete"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) PasarelaSetupTest/1.0"
# Stripe.js's reduced view of a SetupIntent (publishable key + client_secret)
PK_VIEW_FIELDS = {"id", "object", "cancellation_reason", "client_secret", "created", "description",
                  "last_setup_error", "livemode", "next_action", "payment_method", "payment_method_types",
                  "status", "usage"}
MANDATE_ACCEPTANCE_ONLINE = {"customer_acceptance": {
    "type": "online", "online": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (merchant-recorded)"}}}


# --------------------------------------------------------------------------------------------
# the seed's steps
# --------------------------------------------------------------------------------------------
def curl_customer(srv) -> dict:
    r = request(srv.url, "POST", "/v1/customers",
                [("description", "My First Test Customer (created for API docs)")], auth="basic")
    assert r.status == 200, r
    return r.json


def curl_setup_intent(srv, customer_id: str):
    """Seed 003's SetupIntent curl as printed."""
    return request(srv.url, "POST", "/v1/setup_intents",
                   [("payment_method_types[]", "amazon_pay"), ("payment_method_data[type]", "amazon_pay"),
                    ("usage", "off_session"), ("customer", customer_id)],
                   auth="basic")


def stripejs_confirm_setup(srv, seti: dict, return_url: str = SETUP_RETURN_URL, *, secret: str | None = None,
                           user_agent: str = BROWSER_UA):
    """What `stripe.confirmAmazonPaySetup(clientSecret, {return_url, mandate_data: {... infer_from_client:
    true}})` sends."""
    return request(srv.url, "POST", f"/v1/setup_intents/{seti['id']}/confirm",
                   [("client_secret", secret or seti["client_secret"]),
                    ("payment_method_data[type]", "amazon_pay"),
                    ("return_url", return_url),
                    ("mandate_data[customer_acceptance][type]", "online"),
                    ("mandate_data[customer_acceptance][online][infer_from_client]", "true")],
                   key=PK, auth="param", headers={"User-Agent": user_agent})


def pk_retrieve(srv, seti_id: str, secret: str):
    return request(srv.url, "GET", f"/v1/setup_intents/{seti_id}", [("client_secret", secret)],
                   key=PK, auth="param")


def sk_get(srv, path: str, params=None):
    r = request(srv.url, "GET", path, params, auth="basic")
    assert r.status == 200, r
    return r.json


def curl_off_session(srv, customer_id: str, pm_id: str):
    """Seed 003's off-session PaymentIntent curl as printed."""
    return request(srv.url, "POST", "/v1/payment_intents",
                   [("payment_method_types[]", "amazon_pay"), ("payment_method", pm_id), ("amount", "1000"),
                    ("currency", "usd"), ("customer", customer_id), ("statement_descriptor", "test_statement"),
                    ("capture_method", "automatic"), ("confirm", "true"), ("off_session", "true")],
                   auth="basic")


def redirect_url(body: dict) -> str:
    na = body["next_action"]
    assert na and na["type"] == "redirect_to_url", body
    return na["redirect_to_url"]["url"]


def saved_amazon_pay(srv) -> tuple[dict, dict]:
    """Seed 003 steps 1-3 with the authorize button: (customer, the succeeded SetupIntent)."""
    cus = curl_customer(srv)
    c = curl_setup_intent(srv, cus["id"])
    assert c.status == 200, c
    conf = stripejs_confirm_setup(srv, c.json)
    assert conf.status == 200, conf
    assert conf.json["status"] == "requires_action", conf.json
    r = submit_outcome(redirect_url(conf.json), "authorize")
    assert r.status == 303, r
    seti = sk_get(srv, f"/v1/setup_intents/{c.json['id']}")
    assert seti["status"] == "succeeded", seti
    return cus, seti


def sdk_card_setup(client, pm: str, **extra):
    """A card SetupIntent for a fresh customer, created and confirmed in one call with a return_url."""
    cus = client.v1.customers.create({})
    params = {"customer": cus.id, "payment_method": pm, "confirm": True,
              "automatic_payment_methods": {"enabled": True}, "return_url": SETUP_RETURN_URL}
    params.update(extra)
    return cus, client.v1.setup_intents.create(params)


def off_session_card(client, customer_id: str, pm_id: str, amount: int = 2500):
    return client.v1.payment_intents.create({
        "amount": amount, "currency": "usd", "customer": customer_id, "payment_method": pm_id,
        "confirm": True, "off_session": True, "automatic_payment_methods": NO_REDIRECTS})


def event_types(evs: list[dict], obj_id: str) -> list[str]:
    """Types of the events about one object, oldest first."""
    return [e["type"] for e in reversed(evs) if e["data"]["object"].get("id") == obj_id]


# --------------------------------------------------------------------------------------------
# 1. seed 003, creation
# --------------------------------------------------------------------------------------------
def test_seed_setup_intent_curl_as_printed(us):
    cus = curl_customer(us)
    assert cus["id"].startswith("cus_")
    r = curl_setup_intent(us, cus["id"])
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER
    assert (r.headers.get("Request-Id") or "").startswith("req_")
    si = r.json
    assert si["object"] == "setup_intent"
    assert si["id"].startswith("seti_")
    m = SETI_SECRET_RE.match(si["client_secret"] or "")
    assert m and m.group(1) == si["id"], si["client_secret"]
    assert si["status"] == "requires_confirmation"  # a method was given, not confirmed
    assert si["usage"] == "off_session"
    assert si["customer"] == cus["id"]
    assert si["payment_method_types"] == ["amazon_pay"]
    assert isinstance(si["payment_method"], str) and si["payment_method"].startswith("pm_"), si
    assert si["mandate"] is None
    assert si["next_action"] is None
    assert si["last_setup_error"] is None
    assert si["cancellation_reason"] is None
    assert si["livemode"] is False
    assert si["metadata"] == {}

    pm = sk_get(us, f"/v1/payment_methods/{si['payment_method']}")
    assert pm["type"] == "amazon_pay" and pm["amazon_pay"] == {}
    assert pm["customer"] is None, "attached only when the setup succeeds"

    again = sk_get(us, f"/v1/setup_intents/{si['id']}")
    assert again["status"] == "requires_confirmation"
    assert again["client_secret"] == si["client_secret"]
    assert again["payment_method"] == si["payment_method"]


# --------------------------------------------------------------------------------------------
# 2. seed 003, Stripe.js confirmation, the hosted page, the mandate
# --------------------------------------------------------------------------------------------
def test_seed_stripejs_confirm_authorize_saves_method_with_mandate(us):
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    before = int(time.time())

    conf = stripejs_confirm_setup(us, si)
    assert conf.status == 200, conf
    body = conf.json
    assert body["id"] == si["id"]
    assert body["status"] == "requires_action"
    rtu = body["next_action"]["redirect_to_url"]
    assert body["next_action"]["type"] == "redirect_to_url"
    assert rtu["return_url"] == SETUP_RETURN_URL
    assert rtu["url"].startswith(f"{us.url}/authorize/{si['id']}/"), rtu
    assert "customer" not in body and "metadata" not in body, "the publishable key sees the reduced view"
    assert set(body) <= PK_VIEW_FIELDS, set(body) - PK_VIEW_FIELDS

    page, forms = open_auth_page(rtu["url"])
    assert page.status == 200, page
    assert "text/html" in (page.headers.get("Content-Type") or "")
    outcome_form(forms, "authorize")
    outcome_form(forms, "fail")

    r = submit_outcome(rtu["url"], "authorize")
    assert r.status == 303, r
    loc = r.headers.get("Location")
    parts = urllib.parse.urlsplit(loc)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "example.com", "/setup/complete"), loc
    q = query_of(loc)
    assert q.get("order") == ["42"], loc
    assert q.get("setup_intent") == [si["id"]], loc
    assert q.get("setup_intent_client_secret") == [si["client_secret"]], loc
    assert q.get("redirect_status") == ["succeeded"], loc
    assert "payment_intent" not in q and "payment_intent_client_secret" not in q, loc

    # the return page reads it with the publishable key
    g = pk_retrieve(us, si["id"], si["client_secret"])
    assert g.status == 200, g
    assert g.json["status"] == "succeeded"
    assert g.json["next_action"] is None
    assert "customer" not in g.json and "metadata" not in g.json
    assert set(g.json) <= PK_VIEW_FIELDS, set(g.json) - PK_VIEW_FIELDS

    # the merchant's server
    done = sk_get(us, f"/v1/setup_intents/{si['id']}")
    assert done["status"] == "succeeded"
    assert done["next_action"] is None
    assert done["last_setup_error"] is None
    assert done["customer"] == cus["id"]
    assert done["usage"] == "off_session"
    pm_id = done["payment_method"]
    assert isinstance(pm_id, str) and pm_id.startswith("pm_"), done
    assert isinstance(done["mandate"], str) and done["mandate"].startswith("mandate_"), done

    pm = sk_get(us, f"/v1/payment_methods/{pm_id}")
    assert pm["type"] == "amazon_pay"
    assert pm["customer"] == cus["id"]
    listed = sk_get(us, f"/v1/customers/{cus['id']}/payment_methods", {"type": "amazon_pay"})
    assert [p["id"] for p in listed["data"]] == [pm_id]

    mandate = sk_get(us, f"/v1/mandates/{done['mandate']}")
    assert mandate["object"] == "mandate"
    assert mandate["id"] == done["mandate"]
    assert mandate["livemode"] is False
    assert mandate["status"] == "active"
    assert mandate["type"] == "multi_use"
    assert mandate["multi_use"] == {}
    assert mandate["payment_method"] == pm_id
    assert mandate["payment_method_details"] == {"type": "amazon_pay", "amazon_pay": {}}
    acc = mandate["customer_acceptance"]
    assert acc["type"] == "online"
    assert isinstance(acc["accepted_at"], int) and before - 5 <= acc["accepted_at"] <= int(time.time()) + 5, acc
    # infer_from_client: the confirming request's address and User-Agent
    assert acc["online"] == {"ip_address": "127.0.0.1", "user_agent": BROWSER_UA}, acc


def test_confirm_records_a_setup_attempt(us, client):
    """Each confirmation creates a SetupAttempt: `latest_attempt` is `setatt_...` once confirmed (§2)."""
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    assert si["latest_attempt"] is None
    conf = stripejs_confirm_setup(us, si)
    assert conf.status == 200, conf
    waiting = raw(client.v1.setup_intents.retrieve(si["id"]))
    first = waiting["latest_attempt"]
    assert isinstance(first, str) and first.startswith("setatt_"), waiting
    assert submit_outcome(redirect_url(conf.json), "authorize").status == 303
    done = raw(client.v1.setup_intents.retrieve(si["id"]))
    assert done["latest_attempt"] == first, done


def test_seed_fail_button_then_retry(us, client):
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    conf = stripejs_confirm_setup(us, si)
    assert conf.status == 200 and conf.json["status"] == "requires_action", conf
    r = submit_outcome(redirect_url(conf.json), "fail")
    assert r.status == 303, r
    q = query_of(r.headers["Location"])
    assert q.get("setup_intent") == [si["id"]], q
    assert q.get("setup_intent_client_secret") == [si["client_secret"]], q
    assert q.get("redirect_status") == ["failed"], q

    failed = raw(client.v1.setup_intents.retrieve(si["id"]))
    assert failed["status"] == "requires_payment_method"
    assert failed["payment_method"] is None
    assert failed["next_action"] is None
    assert failed["mandate"] is None
    err = failed["last_setup_error"]
    assert err["code"] == "setup_intent_authentication_failure"
    assert err["type"] == "invalid_request_error"
    assert raw(client.v1.customers.payment_methods.list(cus["id"], {"type": "amazon_pay"}))["data"] == []

    again = stripejs_confirm_setup(us, si)
    assert again.status == 200, again
    assert again.json["status"] == "requires_action"
    assert submit_outcome(redirect_url(again.json), "authorize").status == 303
    done = raw(client.v1.setup_intents.retrieve(si["id"]))
    assert done["status"] == "succeeded"
    assert done["last_setup_error"] is None
    assert done["mandate"].startswith("mandate_")


def test_hosted_page_is_spent_after_use_and_refuses_wrong_nonce(us, client):
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    url = redirect_url(stripejs_confirm_setup(us, si).json)
    wrong = url.rsplit("/", 1)[0] + "/" + "x" * 24
    bad = request("", "GET", wrong, key=None, validate=False, headers={"Accept": "text/html"})
    assert bad.status == 404, bad
    assert si["client_secret"] not in bad.text

    assert submit_outcome(url, "authorize").status == 303
    page = request("", "GET", url, key=None, validate=False, headers={"Accept": "text/html"})
    assert page.status == 404, page
    replay = request("", "POST", url, [("outcome", "fail")], key=None, validate=False,
                     headers={"Accept": "text/html"})
    assert replay.status == 404, replay
    assert not replay.headers.get("Location"), replay.headers
    assert si["client_secret"] not in replay.text
    assert raw(client.v1.setup_intents.retrieve(si["id"]))["status"] == "succeeded"


def test_publishable_key_confirm_needs_the_right_client_secret(us, client):
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    other = curl_setup_intent(us, cus["id"]).json
    r = stripejs_confirm_setup(us, si, secret=other["client_secret"])
    assert r.status == 400, r
    assert r.error["type"] == "invalid_request_error"
    assert "client_secret" in r.error["message"]
    g = pk_retrieve(us, si["id"], other["client_secret"])
    assert g.status in (400, 404), g
    assert raw(client.v1.setup_intents.retrieve(si["id"]))["status"] == "requires_confirmation"


def test_publishable_key_may_only_read_and_confirm(us, client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": {"enabled": True},
                                         "metadata": {"order": "42"}})
    assert raw(si)["metadata"] == {"order": "42"}
    r = request(us.url, "POST", "/v1/setup_intents", {"customer": cus.id}, key=PK, auth="param")
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)
    r = request(us.url, "GET", "/v1/setup_intents", key=PK)
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)
    r = request(us.url, "POST", f"/v1/setup_intents/{si.id}/cancel", {"client_secret": si.client_secret},
                key=PK, auth="param")
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)
    r = request(us.url, "POST", f"/v1/setup_intents/{si.id}", {"client_secret": si.client_secret,
                                                                "description": "x"}, key=PK, auth="param")
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)
    r = request(us.url, "GET", f"/v1/setup_intents/{si.id}", key=PK, auth="param")
    assert_error(r, 400, "invalid_request_error", "parameter_missing", "client_secret")

    g = pk_retrieve(us, si.id, si.client_secret)
    assert g.status == 200, g
    assert g.json["id"] == si.id and g.json["client_secret"] == si.client_secret
    assert g.json["status"] == "requires_payment_method"
    assert "customer" not in g.json and "metadata" not in g.json
    assert set(g.json) <= PK_VIEW_FIELDS, set(g.json) - PK_VIEW_FIELDS
    after = raw(client.v1.setup_intents.retrieve(si.id))
    assert after["status"] == "requires_payment_method" and after["description"] is None


# --------------------------------------------------------------------------------------------
# 3. seed 003, off-session payments with the saved method, and detaching it
# --------------------------------------------------------------------------------------------
def test_seed_off_session_payment_then_detach(us):
    cus, seti = saved_amazon_pay(us)
    pm_id = seti["payment_method"]

    r = curl_off_session(us, cus["id"], pm_id)
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER
    pi = r.json
    assert pi["status"] == "succeeded", pi
    assert pi["next_action"] is None
    assert pi["payment_method"] == pm_id
    assert pi["customer"] == cus["id"]
    assert pi["amount_received"] == 1000
    ch = sk_get(us, f"/v1/charges/{pi['latest_charge']}")
    assert ch["status"] == "succeeded" and ch["captured"] is True
    assert ch["amount"] == 1000 and ch["currency"] == "usd"
    assert ch["statement_descriptor"] == "test_statement"
    assert ch["payment_method"] == pm_id
    assert ch["payment_method_details"]["type"] == "amazon_pay"

    # "Wiederverwendbare Zahlungsmethode entfernen": detach -> mandate inactive + two events
    d = request(us.url, "POST", f"/v1/payment_methods/{pm_id}/detach", auth="basic")
    assert d.status == 200, d
    assert d.json["customer"] is None
    mandate = sk_get(us, f"/v1/mandates/{seti['mandate']}")
    assert mandate["status"] == "inactive"
    assert mandate["payment_method"] == pm_id

    evs = events_for(us.url, {seti["mandate"], pm_id}, since=seti["created"])
    updated = [e for e in evs if e["type"] == "mandate.updated"]
    assert len(updated) == 1, [e["type"] for e in evs]
    assert updated[0]["data"]["object"]["id"] == seti["mandate"]
    assert updated[0]["data"]["object"]["status"] == "inactive"
    assert updated[0]["data"]["previous_attributes"]["status"] == "active", updated[0]["data"]
    detached = [e for e in evs if e["type"] == "payment_method.detached"]
    assert len(detached) == 1, [e["type"] for e in evs]
    assert detached[0]["data"]["object"]["id"] == pm_id
    assert detached[0]["data"]["object"]["customer"] is None

    # the same off-session payment no longer works
    again = curl_off_session(us, cus["id"], pm_id)
    assert again.status == 400, again
    assert again.error["type"] == "invalid_request_error"
    pis = sk_get(us, "/v1/payment_intents", {"customer": cus["id"], "limit": 100})["data"]
    assert [p["id"] for p in pis if p["status"] == "succeeded"] == [pi["id"]], pis


def test_seed_manual_redirect_payment_intent_curl(us):
    """The optional step "Amazon Pay-Weiterleitung manuell handhaben", curl as printed."""
    r = request(us.url, "POST", "/v1/payment_intents",
                [("amount", "1000"), ("currency", "usd"), ("payment_method_types[]", "amazon_pay"),
                 ("payment_method_data[type]", "amazon_pay"), ("return_url", CHECKOUT_RETURN_URL),
                 ("confirm", "true")], auth="basic")
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER
    pi = r.json
    assert pi["object"] == "payment_intent"
    assert pi["status"] == "requires_action"
    assert pi["next_action"]["type"] == "redirect_to_url"
    assert pi["next_action"]["redirect_to_url"]["return_url"] == CHECKOUT_RETURN_URL
    assert pi["next_action"]["redirect_to_url"]["url"].startswith(us.url + "/"), pi["next_action"]
    assert pi["payment_method_types"] == ["amazon_pay"]
    assert pi["payment_method"].startswith("pm_")
    back = submit_outcome(pi["next_action"]["redirect_to_url"]["url"], "authorize")
    assert back.status == 303, back
    q = query_of(back.headers["Location"])
    assert back.headers["Location"].startswith(CHECKOUT_RETURN_URL + "?"), back.headers["Location"]
    assert q.get("payment_intent") == [pi["id"]] and q.get("redirect_status") == ["succeeded"], q
    assert sk_get(us, f"/v1/payment_intents/{pi['id']}")["status"] == "succeeded"


# --------------------------------------------------------------------------------------------
# 4. events
# --------------------------------------------------------------------------------------------
def test_events_of_success_failure_and_cancel(us, client):
    cus, ok = saved_amazon_pay(us)
    pm_id = ok["payment_method"]

    bad = curl_setup_intent(us, cus["id"]).json
    assert submit_outcome(redirect_url(stripejs_confirm_setup(us, bad).json), "fail").status == 303
    gone = curl_setup_intent(us, cus["id"]).json
    assert raw(client.v1.setup_intents.cancel(gone["id"]))["status"] == "canceled"

    evs = events_for(us.url, {ok["id"], bad["id"], gone["id"], pm_id}, since=ok["created"])
    for ev in evs:
        assert ev["object"] == "event" and ev["id"].startswith("evt_")
        assert ev["livemode"] is False
    t_ok = event_types(evs, ok["id"])
    for t in ("setup_intent.created", "setup_intent.requires_action", "setup_intent.succeeded"):
        assert t_ok.count(t) == 1, (t, t_ok)
    assert "setup_intent.setup_failed" not in t_ok
    assert t_ok.index("setup_intent.created") < t_ok.index("setup_intent.requires_action") \
        < t_ok.index("setup_intent.succeeded"), t_ok
    succeeded = next(e for e in evs if e["type"] == "setup_intent.succeeded")
    assert succeeded["data"]["object"]["status"] == "succeeded"
    assert succeeded["data"]["object"]["mandate"] == ok["mandate"]
    attached = [e for e in evs if e["type"] == "payment_method.attached" and e["data"]["object"]["id"] == pm_id]
    assert len(attached) == 1, [e["type"] for e in evs]
    assert attached[0]["data"]["object"]["customer"] == cus["id"]

    t_bad = event_types(evs, bad["id"])
    for t in ("setup_intent.created", "setup_intent.requires_action", "setup_intent.setup_failed"):
        assert t_bad.count(t) == 1, (t, t_bad)
    assert "setup_intent.succeeded" not in t_bad
    failed = next(e for e in evs if e["type"] == "setup_intent.setup_failed")
    assert failed["data"]["object"]["id"] == bad["id"]
    assert failed["data"]["object"]["last_setup_error"]["code"] == "setup_intent_authentication_failure"

    t_gone = event_types(evs, gone["id"])
    assert t_gone == ["setup_intent.created", "setup_intent.canceled"], t_gone

    one = request(us.url, "GET", f"/v1/events/{succeeded['id']}", version=ENDIVE)
    assert one.status == 200, one
    assert one.json == succeeded


# --------------------------------------------------------------------------------------------
# 5. stripe-python at endive
# --------------------------------------------------------------------------------------------
def test_endive_refuses_payment_method_types_and_writes_nothing(us, client):
    cus = client.v1.customers.create({})
    before_si = newest_id(client, "setup_intents")
    before_ev = newest_id(client, "events")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.create({"customer": cus.id, "payment_method_types": ["amazon_pay"],
                                        "usage": "off_session"})
    assert_error(e.value, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert e.value.headers.get("Stripe-Version") == ENDIVE
    # the seed's curl with an endive header is refused the same way
    r = request(us.url, "POST", "/v1/setup_intents",
                [("payment_method_types[]", "amazon_pay"), ("payment_method_data[type]", "amazon_pay"),
                 ("usage", "off_session"), ("customer", cus.id)], auth="basic", version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert raw(client.v1.setup_intents.list({"customer": cus.id}))["data"] == []
    assert newest_id(client, "setup_intents") == before_si
    assert newest_id(client, "events") == before_ev
    assert raw(client.v1.payment_methods.list({"customer": cus.id, "type": "amazon_pay"}))["data"] == []

    # what endive wants instead
    ok = raw(client.v1.setup_intents.create({"customer": cus.id,
                                             "allowed_payment_method_types": ["amazon_pay"]}))
    assert ok["payment_method_types"] == ["amazon_pay"]
    assert ok["allowed_payment_method_types"] == ["amazon_pay"]
    assert ok["status"] == "requires_payment_method"
    auto = raw(client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": {"enabled": True}}))
    assert auto["automatic_payment_methods"]["enabled"] is True
    assert "card" in auto["payment_method_types"] and "amazon_pay" in auto["payment_method_types"], auto
    listed = raw(client.v1.setup_intents.list({"customer": cus.id}))
    assert [s["id"] for s in listed["data"]] == [auto["id"], ok["id"]]


def test_create_without_method_then_confirm_is_unexpected_state(client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({"customer": cus.id, "usage": "on_session",
                                         "automatic_payment_methods": {"enabled": True}})
    body = raw(si)
    assert si.last_response.headers.get("Stripe-Version") == ENDIVE
    assert body["object"] == "setup_intent"
    assert body["status"] == "requires_payment_method"
    assert body["usage"] == "on_session"
    assert body["customer"] == cus.id
    assert body["payment_method"] is None
    assert body["mandate"] is None and body["next_action"] is None and body["last_setup_error"] is None
    assert body["latest_attempt"] is None
    m = SETI_SECRET_RE.match(body["client_secret"] or "")
    assert m and m.group(1) == si.id
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.confirm(si.id)
    assert_error(e.value, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    assert raw(client.v1.setup_intents.retrieve(si.id))["status"] == "requires_payment_method"


def test_usage_default_and_bad_usage(client):
    si = raw(client.v1.setup_intents.create({"automatic_payment_methods": {"enabled": True}}))
    assert si["usage"] == "off_session"
    assert si["customer"] is None
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.create({"usage": "sometimes", "automatic_payment_methods": {"enabled": True}})
    assert_error(e.value, 400, "invalid_request_error", None, "usage")


def test_sdk_amazon_pay_setup_with_recorded_online_acceptance(us, client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({
        "customer": cus.id, "automatic_payment_methods": {"enabled": True},
        "payment_method_data": {"type": "amazon_pay"}, "description": "Amazon Pay for later",
        "metadata": {"plan": "gold"}})
    created = raw(si)
    assert created["status"] == "requires_confirmation"
    assert created["description"] == "Amazon Pay for later"
    assert created["metadata"] == {"plan": "gold"}
    pm_id = created["payment_method"]
    assert pm_id.startswith("pm_")

    started = raw(client.v1.setup_intents.confirm(si.id, {"return_url": SETUP_RETURN_URL,
                                                           "mandate_data": MANDATE_ACCEPTANCE_ONLINE}))
    assert started["status"] == "requires_action"
    assert started["payment_method"] == pm_id, "confirm without a method keeps the one given at creation"
    assert started["mandate"] is None
    assert started["next_action"]["redirect_to_url"]["return_url"] == SETUP_RETURN_URL
    assert submit_outcome(redirect_url(started), "authorize").status == 303

    done = raw(client.v1.setup_intents.retrieve(si.id, {"expand": ["payment_method"]}))
    assert done["status"] == "succeeded"
    assert done["metadata"] == {"plan": "gold"}
    assert isinstance(done["payment_method"], dict), done["payment_method"]
    assert done["payment_method"]["id"] == pm_id
    assert done["payment_method"]["type"] == "amazon_pay"
    assert done["payment_method"]["customer"] == cus.id
    mandate = raw(client.v1.mandates.retrieve(done["mandate"]))
    assert mandate["object"] == "mandate" and mandate["status"] == "active"
    assert mandate["type"] == "multi_use"
    assert mandate["payment_method"] == pm_id
    assert mandate["customer_acceptance"]["type"] == "online"
    assert mandate["customer_acceptance"]["online"] == MANDATE_ACCEPTANCE_ONLINE["customer_acceptance"]["online"]

    # the saved method pays off session without a redirect (endive: allowed types, no payment_method_types)
    pi = raw(client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "customer": cus.id, "payment_method": pm_id,
        "allowed_payment_method_types": ["amazon_pay"], "confirm": True, "off_session": True}))
    assert pi["status"] == "succeeded"
    assert pi["next_action"] is None


def test_offline_customer_acceptance(client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({
        "customer": cus.id, "automatic_payment_methods": {"enabled": True}, "confirm": True,
        "payment_method_data": {"type": "amazon_pay"}, "return_url": SETUP_RETURN_URL,
        "mandate_data": {"customer_acceptance": {"type": "offline"}}})
    assert raw(si)["status"] == "requires_action"
    assert submit_outcome(redirect_url(raw(si)), "authorize").status == 303
    done = raw(client.v1.setup_intents.retrieve(si.id))
    mandate = raw(client.v1.mandates.retrieve(done["mandate"]))
    assert mandate["customer_acceptance"]["type"] == "offline"
    assert mandate["customer_acceptance"].get("online") is None
    assert mandate["status"] == "active"


def test_mandate_needs_secret_key_and_a_real_id(us, client):
    r = request(us.url, "GET", "/v1/mandates/mandate_doesnotexist", version=ENDIVE)
    assert r.status == 404, r
    assert r.error["type"] == "invalid_request_error" and r.error["code"] == "resource_missing", r.error
    assert "mandate_doesnotexist" in r.error["message"], r.error
    _, seti = saved_amazon_pay(us)
    r = request(us.url, "GET", f"/v1/mandates/{seti['mandate']}", key=PK)
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)


# --------------------------------------------------------------------------------------------
# 6. cards on SetupIntents (§3.3)
# --------------------------------------------------------------------------------------------
def test_visa_sets_up_at_once_without_mandate(us, client):
    cus = client.v1.customers.create({})
    si = raw(client.v1.setup_intents.create({
        "customer": cus.id, "payment_method": "pm_card_visa", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS}))
    assert si["status"] == "succeeded"
    assert si["next_action"] is None
    assert si["mandate"] is None, "cards get no mandate"
    pm_id = si["payment_method"]
    assert pm_id.startswith("pm_") and pm_id != "pm_card_visa"
    pm = raw(client.v1.payment_methods.retrieve(pm_id))
    assert pm["customer"] == cus.id
    assert pm["card"]["last4"] == "4242"
    types = event_types(events_for(us.url, {si["id"]}, since=si["created"]), si["id"])
    assert types == ["setup_intent.created", "setup_intent.succeeded"], types

    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.confirm(si["id"], {"payment_method": "pm_card_visa"})
    assert_error(e.value, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.cancel(si["id"])
    assert_error(e.value, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    assert raw(client.v1.setup_intents.retrieve(si["id"]))["status"] == "succeeded"


def test_card_set_up_on_setup_then_charged_off_session(us, client):
    cus, si = sdk_card_setup(client, "pm_card_authenticationRequiredOnSetup")
    body = raw(si)
    assert body["status"] == "requires_action"
    assert body["next_action"]["type"] == "redirect_to_url"
    rtu = body["next_action"]["redirect_to_url"]
    assert rtu["return_url"] == SETUP_RETURN_URL
    assert rtu["url"].startswith(f"{us.url}/authorize/{si.id}/"), rtu
    r = submit_outcome(rtu["url"], "authorize")
    assert r.status == 303, r
    q = query_of(r.headers["Location"])
    assert q.get("setup_intent") == [si.id] and q.get("redirect_status") == ["succeeded"], q

    done = raw(client.v1.setup_intents.retrieve(si.id))
    assert done["status"] == "succeeded"
    pm_id = done["payment_method"]
    assert raw(client.v1.payment_methods.retrieve(pm_id))["customer"] == cus.id

    pi = raw(off_session_card(client, cus.id, pm_id))
    assert pi["status"] == "succeeded"
    assert pi["amount_received"] == 2500


def test_always_authenticate_card_sets_up_but_fails_off_session(client):
    cus, si = sdk_card_setup(client, "pm_card_authenticationRequired")
    assert raw(si)["status"] == "requires_action"
    assert submit_outcome(redirect_url(raw(si)), "authorize").status == 303
    done = raw(client.v1.setup_intents.retrieve(si.id))
    assert done["status"] == "succeeded"
    pm_id = done["payment_method"]

    with pytest.raises(stripe.CardError) as e:
        off_session_card(client, cus.id, pm_id)
    assert_error(e.value, 402, "card_error", "authentication_required", None)
    pi = e.value.json_body["error"]["payment_intent"]
    assert pi["status"] == "requires_payment_method"
    lpe = pi["last_payment_error"]
    assert lpe["code"] == "authentication_required"
    assert lpe["payment_method"]["id"] == pm_id


def test_3ds_setup_fail_authentication(client):
    cus, si = sdk_card_setup(client, "pm_card_authenticationRequiredOnSetup")
    r = submit_outcome(redirect_url(raw(si)), "fail")
    assert r.status == 303, r
    assert query_of(r.headers["Location"]).get("redirect_status") == ["failed"]
    done = raw(client.v1.setup_intents.retrieve(si.id))
    assert done["status"] == "requires_payment_method"
    assert done["payment_method"] is None
    assert done["last_setup_error"]["code"] == "setup_intent_authentication_failure"
    assert done["last_setup_error"]["type"] == "invalid_request_error"
    assert raw(client.v1.customers.payment_methods.list(cus.id, {"type": "card"}))["data"] == []
    # another card on the same SetupIntent
    ok = raw(client.v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_visa",
                                                      "return_url": SETUP_RETURN_URL}))
    assert ok["status"] == "succeeded"
    assert ok["last_setup_error"] is None


def test_declined_card_setup_is_a_402(us, client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS})
    with pytest.raises(stripe.CardError) as e:
        client.v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_chargeDeclined"})
    err = assert_error(e.value, 402, "card_error", "card_declined", None)
    assert err.get("decline_code") == "generic_decline", err
    after = raw(client.v1.setup_intents.retrieve(si.id))
    assert after["status"] == "requires_payment_method"
    assert after["last_setup_error"]["type"] == "card_error"
    assert after["last_setup_error"]["code"] == "card_declined"
    assert raw(client.v1.customers.payment_methods.list(cus.id, {"type": "card"}))["data"] == []
    evs = events_for(us.url, {si.id}, since=raw(si)["created"])
    assert event_types(evs, si.id).count("setup_intent.setup_failed") == 1, event_types(evs, si.id)


def test_customer_fail_card_sets_up_then_charges_decline(client):
    cus = client.v1.customers.create({})
    si = raw(client.v1.setup_intents.create({
        "customer": cus.id, "payment_method": "pm_card_chargeCustomerFail", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS}))
    assert si["status"] == "succeeded"
    pm = raw(client.v1.payment_methods.retrieve(si["payment_method"]))
    assert pm["customer"] == cus.id and pm["card"]["last4"] == "0341"
    with pytest.raises(stripe.CardError) as e:
        off_session_card(client, cus.id, pm["id"])
    assert_error(e.value, 402, "card_error", "card_declined", None)


# --------------------------------------------------------------------------------------------
# 7. update, cancel, list
# --------------------------------------------------------------------------------------------
def test_update_fields_and_method(us, client):
    si = client.v1.setup_intents.create({"automatic_payment_methods": NO_REDIRECTS, "metadata": {"a": "1"}})
    cus = client.v1.customers.create({})
    upd = raw(client.v1.setup_intents.update(si.id, {
        "customer": cus.id, "description": "card on file", "metadata": {"b": "2"},
        "payment_method": "pm_card_visa"}))
    assert upd["customer"] == cus.id
    assert upd["description"] == "card on file"
    assert upd["metadata"] == {"a": "1", "b": "2"}
    assert upd["status"] == "requires_confirmation"
    assert upd["payment_method"].startswith("pm_")
    got = raw(client.v1.setup_intents.retrieve(si.id))
    assert (got["customer"], got["description"], got["metadata"], got["status"]) == \
        (cus.id, "card on file", {"a": "1", "b": "2"}, "requires_confirmation")

    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.update(si.id, {"payment_method_types": ["card"]})
    assert_error(e.value, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    assert raw(client.v1.setup_intents.retrieve(si.id))["payment_method_types"] == upd["payment_method_types"]

    done = raw(client.v1.setup_intents.confirm(si.id))
    assert done["status"] == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.update(si.id, {"payment_method": "pm_card_mastercard"})
    assert e.value.http_status == 400
    assert raw(client.v1.setup_intents.retrieve(si.id))["payment_method"] == done["payment_method"]


def test_clover_update_of_payment_method_types(us):
    """Before endive the list may still be written on update (the seed's curl era)."""
    cus = curl_customer(us)
    si = curl_setup_intent(us, cus["id"]).json
    assert si["payment_method_types"] == ["amazon_pay"]
    r = request(us.url, "POST", f"/v1/setup_intents/{si['id']}",
                [("payment_method_types[]", "card"), ("payment_method", "pm_card_visa")], auth="basic")
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER
    assert r.json["payment_method_types"] == ["card"]
    assert r.json["status"] == "requires_confirmation"
    c = request(us.url, "POST", f"/v1/setup_intents/{si['id']}/confirm", auth="basic")
    assert c.status == 200, c
    assert c.json["status"] == "succeeded"
    assert c.json["mandate"] is None
    assert sk_get(us, f"/v1/payment_methods/{c.json['payment_method']}")["type"] == "card"


@pytest.mark.parametrize("reason", ["abandoned", "requested_by_customer", "duplicate"])
def test_cancel_with_reason(client, reason):
    si = client.v1.setup_intents.create({"automatic_payment_methods": NO_REDIRECTS,
                                         "payment_method": "pm_card_visa"})
    done = raw(client.v1.setup_intents.cancel(si.id, {"cancellation_reason": reason}))
    assert done["status"] == "canceled"
    assert done["cancellation_reason"] == reason
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.cancel(si.id)
    assert_error(e.value, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_visa"})
    assert_error(e.value, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    assert raw(client.v1.setup_intents.retrieve(si.id))["status"] == "canceled"


def test_cancel_waiting_for_action_and_bad_reason(client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({
        "customer": cus.id, "automatic_payment_methods": {"enabled": True}, "confirm": True,
        "payment_method_data": {"type": "amazon_pay"}, "return_url": SETUP_RETURN_URL,
        "mandate_data": MANDATE_ACCEPTANCE_ONLINE})
    url = redirect_url(raw(si))
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.cancel(si.id, {"cancellation_reason": "bored"})
    assert_error(e.value, 400, "invalid_request_error", None, "cancellation_reason")
    assert raw(client.v1.setup_intents.retrieve(si.id))["status"] == "requires_action"
    done = raw(client.v1.setup_intents.cancel(si.id))
    assert done["status"] == "canceled"
    assert done["next_action"] is None
    # the page of a canceled SetupIntent no longer redirects
    page = request("", "GET", url, key=None, validate=False, headers={"Accept": "text/html"})
    assert page.status == 404, page
    assert raw(client.v1.customers.payment_methods.list(cus.id, {"type": "amazon_pay"}))["data"] == []


def test_list_filters_and_pagination(client):
    cus = client.v1.customers.create({})
    ids = [client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS}).id
           for _ in range(3)]
    with_pm = raw(client.v1.setup_intents.create({"customer": cus.id, "payment_method": "pm_card_visa",
                                                  "automatic_payment_methods": NO_REDIRECTS}))
    ids.append(with_pm["id"])  # oldest first

    page = raw(client.v1.setup_intents.list({"customer": cus.id, "limit": 2}))
    assert set(page) == {"object", "data", "has_more", "url"}
    assert page["object"] == "list" and page["url"] == "/v1/setup_intents"
    assert page["has_more"] is True
    assert [s["id"] for s in page["data"]] == list(reversed(ids))[:2]
    rest = raw(client.v1.setup_intents.list({"customer": cus.id, "limit": 10,
                                             "starting_after": page["data"][-1]["id"]}))
    assert rest["has_more"] is False
    assert [s["id"] for s in rest["data"]] == list(reversed(ids))[2:]
    before = raw(client.v1.setup_intents.list({"customer": cus.id, "ending_before": ids[0], "limit": 10}))
    assert [s["id"] for s in before["data"]] == list(reversed(ids))[:3]

    walked = [s.id for s in client.v1.setup_intents.list({"customer": cus.id, "limit": 1}).auto_paging_iter()]
    assert walked == list(reversed(ids))

    by_pm = raw(client.v1.setup_intents.list({"payment_method": with_pm["payment_method"]}))
    assert [s["id"] for s in by_pm["data"]] == [with_pm["id"]]
    other = client.v1.customers.create({})
    assert raw(client.v1.setup_intents.list({"customer": other.id}))["data"] == []


def test_retrieve_unknown_setup_intent(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.retrieve("seti_doesnotexist")
    assert_error(e.value, 404, "invalid_request_error", "resource_missing", "intent")


# --------------------------------------------------------------------------------------------
# 8. more of the API around the flow
# --------------------------------------------------------------------------------------------
def test_redirect_method_needs_a_return_url(client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({"customer": cus.id, "allowed_payment_method_types": ["amazon_pay"],
                                         "payment_method_data": {"type": "amazon_pay"}})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.setup_intents.confirm(si.id, {"mandate_data": MANDATE_ACCEPTANCE_ONLINE})
    assert_error(e.value, 400, "invalid_request_error", None, "return_url")
    after = raw(client.v1.setup_intents.retrieve(si.id))
    assert after["status"] == "requires_confirmation"
    assert after["next_action"] is None


def test_stripejs_confirm_card_setup(us, client):
    """`stripe.confirmCardSetup(clientSecret, {payment_method})`: publishable key + client_secret."""
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS})
    r = request(us.url, "POST", f"/v1/setup_intents/{si.id}/confirm",
                [("client_secret", si.client_secret), ("payment_method", "pm_card_visa")],
                key=PK, auth="param")
    assert r.status == 200, r
    assert r.json["status"] == "succeeded"
    assert "customer" not in r.json
    done = raw(client.v1.setup_intents.retrieve(si.id))
    assert done["status"] == "succeeded"
    assert raw(client.v1.payment_methods.retrieve(done["payment_method"]))["customer"] == cus.id

    declined = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS})
    r = request(us.url, "POST", f"/v1/setup_intents/{declined.id}/confirm",
                [("client_secret", declined.client_secret), ("payment_method", "pm_card_chargeDeclined")],
                key=PK, auth="param")
    assert_error(r, 402, "card_error", "card_declined", None)
    assert raw(client.v1.setup_intents.retrieve(declined.id))["status"] == "requires_payment_method"


def test_expand_customer_and_mandate(us, client):
    cus, seti = saved_amazon_pay(us)
    got = raw(client.v1.setup_intents.retrieve(seti["id"], {"expand": ["customer", "mandate"]}))
    assert isinstance(got["customer"], dict) and got["customer"]["id"] == cus["id"], got["customer"]
    assert got["customer"]["object"] == "customer"
    assert isinstance(got["mandate"], dict) and got["mandate"]["id"] == seti["mandate"], got["mandate"]
    assert got["mandate"]["object"] == "mandate" and got["mandate"]["status"] == "active"
    r = request(us.url, "GET", f"/v1/setup_intents/{seti['id']}",
                [("client_secret", seti["client_secret"]), ("expand[]", "customer")], key=PK, auth="param")
    assert_error(r, 400, "invalid_request_error", None, None)


def test_idempotent_create_replays_the_same_setup_intent(client):
    cus = client.v1.customers.create({})
    key = f"seti-{cus.id}"
    a = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS},
                                       {"idempotency_key": key})
    b = client.v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": NO_REDIRECTS},
                                       {"idempotency_key": key})
    assert a.id == b.id
    assert b.last_response.headers.get("Idempotent-Replayed") == "true"
    assert [s["id"] for s in raw(client.v1.setup_intents.list({"customer": cus.id}))["data"]] == [a.id]


def test_publishable_key_errors_show_only_stripejs_view_of_the_intent(us, client):
    """An unexpected-state error answered to Stripe.js carries the reduced intent, as its
    successes do: nothing of the customer or the metadata."""
    cus = client.v1.customers.create({"email": "private@example.com"})
    si = client.v1.setup_intents.create({
        "customer": cus.id, "payment_method": "pm_card_visa", "confirm": True,
        "metadata": {"secret_note": "vip"}, "automatic_payment_methods": NO_REDIRECTS})
    assert si.status == "succeeded"
    again = request(us.url, "POST", f"/v1/setup_intents/{si.id}/confirm",
                    {"key": PK, "client_secret": si.client_secret}, key=None, auth="param", partial=True)
    err = assert_error(again, 400, "invalid_request_error", "setup_intent_unexpected_state", None)
    assert set(err["setup_intent"]) <= PK_VIEW_FIELDS, err["setup_intent"]
    assert "private@example.com" not in again.text and "vip" not in again.text
    pi = client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "customer": cus.id, "metadata": {"secret_note": "vip"},
        "automatic_payment_methods": NO_REDIRECTS})
    bare = request(us.url, "POST", f"/v1/payment_intents/{pi.id}/confirm",
                   {"key": PK, "client_secret": pi.client_secret}, key=None, auth="param", partial=True)
    err = assert_error(bare, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    assert "customer" not in err["payment_intent"] and "metadata" not in err["payment_intent"]
    assert "vip" not in bare.text


def test_publishable_key_expands_the_setup_intents_payment_method(us, client):
    cus = client.v1.customers.create({})
    si = client.v1.setup_intents.create({
        "customer": cus.id, "payment_method": "pm_card_visa", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS})
    r = request(us.url, "GET", f"/v1/setup_intents/{si.id}",
                {"key": PK, "client_secret": si.client_secret, "expand[]": "payment_method"},
                key=None, auth="param", partial=True)
    assert r.status == 200, r
    assert r.json["payment_method"]["id"] == si.payment_method
    assert r.json["payment_method"]["customer"] == cus.id
    refused = request(us.url, "GET", f"/v1/setup_intents/{si.id}",
                      {"key": PK, "client_secret": si.client_secret, "expand[]": "customer"},
                      key=None, auth="param", partial=True)
    assert_error(refused, 400, "invalid_request_error", None, None)
