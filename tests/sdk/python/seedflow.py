"""The redirect flow of seeds 000 (Amazon Pay) and 004 (Alma), step by step.

A seed module subclasses `RedirectSeedFlow` and says which server, method, amount and currency.
Steps, as the seed pages do them:
  1. server: the page's curl call, verbatim (`-u sk_test_...:`, `payment_method_types[]=...`, no
     Stripe-Version header, so the account default 2025-09-30.clover serves it);
  2. browser: Stripe.js `confirmPayment({clientSecret, confirmParams: {payment_method_data: {type},
     return_url}})` = `POST /v1/payment_intents/:id/confirm` with `key=pk_...` and `client_secret`;
  3. browser: the redirect to `next_action.redirect_to_url.url`, the hosted test authorization page,
     and one of its two buttons (outcome=authorize / outcome=fail), answered by a 303 to return_url;
  4. browser: `retrievePaymentIntent(clientSecret)` on the return page; server: the SDK.
"""
from __future__ import annotations

import urllib.parse

import pytest

from helpers import (CLOVER, ENDIVE, PK, SECRET_RE, SK, events_for, open_auth_page, outcome_form,
                     query_of, raw, request, submit_outcome)

RETURN_URL = "http://127.0.0.1:9/return?order=42"


class RedirectSeedFlow:
    method = ""        # "amazon_pay" / "alma"
    amount = 0
    currency = ""
    amount_texts: tuple[str, ...] = ()  # how the page may print the amount
    label = ""         # the method's name on the page

    @pytest.fixture
    def srv(self):  # overridden: the server whose country fits the seed
        raise NotImplementedError

    @pytest.fixture
    def sdk(self, srv):
        return srv.client()

    # -- steps ------------------------------------------------------------------------
    def curl_create(self, srv):
        """The seed's curl command as printed."""
        return request(srv.url, "POST", "/v1/payment_intents",
                       [("payment_method_types[]", self.method), ("amount", str(self.amount)),
                        ("currency", self.currency)],
                       key=SK, auth="basic")

    def pk_confirm(self, srv, pi_id, client_secret, return_url=RETURN_URL):
        return request(srv.url, "POST", f"/v1/payment_intents/{pi_id}/confirm",
                       [("client_secret", client_secret), ("payment_method_data[type]", self.method),
                        ("return_url", return_url)],
                       key=PK, auth="param")

    def pk_retrieve(self, srv, pi_id, client_secret):
        return request(srv.url, "GET", f"/v1/payment_intents/{pi_id}", [("client_secret", client_secret)],
                       key=PK, auth="param")

    def created(self, srv):
        r = self.curl_create(srv)
        assert r.status == 200, r
        return r.json

    def redirected(self, srv):
        pi = self.created(srv)
        r = self.pk_confirm(srv, pi["id"], pi["client_secret"])
        assert r.status == 200, r
        assert r.json["status"] == "requires_action", r.json
        return pi, r.json

    # -- 1. creation --------------------------------------------------------------------
    def test_curl_create_as_printed(self, srv):
        r = self.curl_create(srv)
        assert r.status == 200, r
        assert r.headers.get("Stripe-Version") == CLOVER
        assert (r.headers.get("Request-Id") or "").startswith("req_")
        pi = r.json
        assert pi["object"] == "payment_intent"
        assert pi["id"].startswith("pi_")
        assert pi["status"] == "requires_payment_method"
        assert pi["amount"] == self.amount
        assert pi["currency"] == self.currency
        assert pi["payment_method_types"] == [self.method]
        assert pi["livemode"] is False
        assert pi["payment_method"] is None
        assert pi["latest_charge"] is None
        assert pi["next_action"] is None
        assert pi["amount_received"] == 0
        m = SECRET_RE.match(pi["client_secret"] or "")
        assert m and m.group(1) == pi["id"], pi["client_secret"]

    def test_curl_create_with_bearer_and_bracket_index(self, srv):
        """Same call as the SDKs encode it (Bearer, `payment_method_types[0]`, pinned to clover)."""
        r = request(srv.url, "POST", "/v1/payment_intents",
                    {"payment_method_types": [self.method], "amount": self.amount, "currency": self.currency},
                    version=CLOVER)
        assert r.status == 200, r
        assert r.json["payment_method_types"] == [self.method]

    # -- 2. Stripe.js confirmation ------------------------------------------------------
    def test_publishable_key_confirm_asks_for_redirect(self, srv):
        pi = self.created(srv)
        r = self.pk_confirm(srv, pi["id"], pi["client_secret"])
        assert r.status == 200, r
        body = r.json
        assert body["id"] == pi["id"]
        assert body["status"] == "requires_action"
        na = body["next_action"]
        assert na["type"] == "redirect_to_url"
        assert na["redirect_to_url"]["return_url"] == RETURN_URL
        assert na["redirect_to_url"]["url"].startswith(srv.url + "/"), na
        assert body["payment_method"], "confirm with payment_method_data creates a PaymentMethod"

    def test_publishable_key_confirm_with_wrong_secret_is_refused(self, srv, sdk):
        pi = self.created(srv)
        wrong = pi["id"] + "_secret_" + "x" * 25
        r = self.pk_confirm(srv, pi["id"], wrong)
        assert r.status == 400, r
        assert r.error["type"] == "invalid_request_error"
        assert "client_secret" in r.error["message"]
        assert raw(sdk.v1.payment_intents.retrieve(pi["id"]))["status"] == "requires_payment_method"

    def test_publishable_key_cannot_confirm_without_client_secret(self, srv, sdk):
        pi = self.created(srv)
        r = request(srv.url, "POST", f"/v1/payment_intents/{pi['id']}/confirm",
                    [("payment_method_data[type]", self.method), ("return_url", RETURN_URL)],
                    key=PK, auth="param")
        assert r.status in (400, 401, 403), r
        assert raw(sdk.v1.payment_intents.retrieve(pi["id"]))["status"] == "requires_payment_method"

    def test_publishable_key_retrieve_hides_metadata(self, srv):
        r = request(srv.url, "POST", "/v1/payment_intents",
                    [("payment_method_types[]", self.method), ("amount", str(self.amount)),
                     ("currency", self.currency), ("metadata[order]", "42")], auth="basic")
        assert r.status == 200, r
        assert r.json["metadata"] == {"order": "42"}
        g = self.pk_retrieve(srv, r.json["id"], r.json["client_secret"])
        assert g.status == 200, g
        assert g.json["id"] == r.json["id"]
        assert g.json["client_secret"] == r.json["client_secret"]
        assert "metadata" not in g.json

    # -- 3. the hosted test authorization page ------------------------------------------
    def test_hosted_page_shows_payment_and_two_buttons(self, srv):
        _, conf = self.redirected(srv)
        page, forms = open_auth_page(conf["next_action"]["redirect_to_url"]["url"])
        assert page.status == 200, page
        assert "text/html" in (page.headers.get("Content-Type") or "")
        text = page.text
        assert any(t in text for t in self.amount_texts), f"amount not shown ({self.amount_texts})"
        assert self.label.lower() in text.lower()
        outcome_form(forms, "authorize")
        outcome_form(forms, "fail")
        assert len([f for f in forms if f["method"] == "post"]) >= 2

    def test_authorize_redirects_to_return_url_and_succeeds(self, srv, sdk):
        pi, conf = self.redirected(srv)
        r = submit_outcome(conf["next_action"]["redirect_to_url"]["url"], "authorize")
        assert r.status == 303, r
        loc = r.headers.get("Location")
        parts = urllib.parse.urlsplit(loc)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "127.0.0.1:9", "/return"), loc
        q = query_of(loc)
        assert q.get("order") == ["42"], loc
        assert q.get("payment_intent") == [pi["id"]], loc
        assert q.get("payment_intent_client_secret") == [pi["client_secret"]], loc
        assert q.get("redirect_status") == ["succeeded"], loc

        # the return page reads the intent with the publishable key
        g = self.pk_retrieve(srv, pi["id"], pi["client_secret"])
        assert g.status == 200, g
        assert g.json["status"] == "succeeded"
        assert g.json["next_action"] is None

        # the merchant's server reads it with the SDK
        got = sdk.v1.payment_intents.retrieve(pi["id"])
        assert got.last_response.headers.get("Stripe-Version") == ENDIVE
        full = raw(got)
        assert full["status"] == "succeeded"
        assert full["amount_received"] == self.amount
        assert full["amount_capturable"] == 0
        assert full["last_payment_error"] is None
        assert full["next_action"] is None
        assert full["payment_method_types"] == [self.method]
        assert isinstance(full["latest_charge"], str) and full["latest_charge"][:3] in ("ch_", "py_")
        assert full["payment_method"].startswith("pm_")

        ch = raw(sdk.v1.charges.retrieve(full["latest_charge"]))
        assert ch["object"] == "charge"
        assert ch["status"] == "succeeded"
        assert ch["paid"] is True and ch["captured"] is True
        assert ch["amount"] == self.amount and ch["amount_captured"] == self.amount
        assert ch["currency"] == self.currency
        assert ch["payment_intent"] == pi["id"]
        assert ch["payment_method"] == full["payment_method"]
        assert ch["payment_method_details"]["type"] == self.method
        assert isinstance(ch["payment_method_details"][self.method], dict)

        pm = raw(sdk.v1.payment_intents.retrieve(pi["id"], {"expand": ["payment_method"]}))["payment_method"]
        assert isinstance(pm, dict), f"expand[]=payment_method not applied: {pm!r}"
        assert pm["object"] == "payment_method" and pm["type"] == self.method
        assert isinstance(pm[self.method], dict)

    def test_fail_redirects_with_failed_status_and_no_charge(self, srv, sdk):
        pi, conf = self.redirected(srv)
        r = submit_outcome(conf["next_action"]["redirect_to_url"]["url"], "fail")
        assert r.status == 303, r
        loc = r.headers.get("Location")
        q = query_of(loc)
        assert urllib.parse.urlsplit(loc).netloc == "127.0.0.1:9", loc
        assert q.get("order") == ["42"], loc
        assert q.get("payment_intent") == [pi["id"]], loc
        assert q.get("payment_intent_client_secret") == [pi["client_secret"]], loc
        assert q.get("redirect_status") == ["failed"], loc

        full = raw(sdk.v1.payment_intents.retrieve(pi["id"]))
        assert full["status"] == "requires_payment_method"
        assert full["payment_method"] is None
        assert full["latest_charge"] is None
        assert full["next_action"] is None
        err = full["last_payment_error"]
        assert err["code"] == "payment_intent_authentication_failure"
        assert err["type"] == "invalid_request_error"
        assert err["payment_method"]["type"] == self.method
        assert err.get("payment_method_type") == self.method  # populated since endive
        charges = raw(sdk.v1.charges.list({"payment_intent": pi["id"]}))
        assert charges["data"] == []

        g = self.pk_retrieve(srv, pi["id"], pi["client_secret"])
        assert g.status == 200 and g.json["status"] == "requires_payment_method", g

    def test_retry_after_failure_succeeds(self, srv, sdk):
        pi, conf = self.redirected(srv)
        assert submit_outcome(conf["next_action"]["redirect_to_url"]["url"], "fail").status == 303
        again = self.pk_confirm(srv, pi["id"], pi["client_secret"])
        assert again.status == 200, again
        assert again.json["status"] == "requires_action"
        url2 = again.json["next_action"]["redirect_to_url"]["url"]
        r = submit_outcome(url2, "authorize")
        assert r.status == 303 and query_of(r.headers["Location"])["redirect_status"] == ["succeeded"], r
        full = raw(sdk.v1.payment_intents.retrieve(pi["id"]))
        assert full["status"] == "succeeded"
        assert full["last_payment_error"] is None

    def test_confirm_after_success_is_unexpected_state(self, srv):
        pi, conf = self.redirected(srv)
        assert submit_outcome(conf["next_action"]["redirect_to_url"]["url"], "authorize").status == 303
        r = self.pk_confirm(srv, pi["id"], pi["client_secret"])
        assert r.status == 400, r
        assert r.error["code"] == "payment_intent_unexpected_state"

    # -- events -----------------------------------------------------------------------
    def test_events_of_both_paths(self, srv):
        ok, conf_ok = self.redirected(srv)
        assert submit_outcome(conf_ok["next_action"]["redirect_to_url"]["url"], "authorize").status == 303
        bad, conf_bad = self.redirected(srv)
        assert submit_outcome(conf_bad["next_action"]["redirect_to_url"]["url"], "fail").status == 303

        evs = events_for(srv.url, {ok["id"], bad["id"]}, since=ok["created"])
        for ev in evs:
            assert ev["object"] == "event" and ev["id"].startswith("evt_")
            assert ev["livemode"] is False
            assert ev["api_version"] == CLOVER  # rendered at the account default when it happened

        def types(pi_id):
            chrono = list(reversed(evs))  # the list is newest first
            return [e["type"] for e in chrono
                    if e["data"]["object"].get("id") == pi_id or e["data"]["object"].get("payment_intent") == pi_id]

        t_ok = types(ok["id"])
        for t in ("payment_intent.created", "payment_intent.requires_action", "charge.succeeded",
                  "payment_intent.succeeded"):
            assert t_ok.count(t) == 1, (t, t_ok)
        assert "payment_intent.payment_failed" not in t_ok
        assert t_ok.index("payment_intent.created") < t_ok.index("payment_intent.requires_action") \
            < t_ok.index("payment_intent.succeeded"), t_ok
        succeeded = next(e for e in evs if e["type"] == "payment_intent.succeeded"
                         and e["data"]["object"]["id"] == ok["id"])
        assert succeeded["data"]["object"]["status"] == "succeeded"
        charge_ev = next(e for e in evs if e["type"] == "charge.succeeded"
                         and e["data"]["object"]["payment_intent"] == ok["id"])
        assert charge_ev["data"]["object"]["object"] == "charge"
        assert charge_ev["data"]["object"]["payment_method_details"]["type"] == self.method

        t_bad = types(bad["id"])
        for t in ("payment_intent.created", "payment_intent.requires_action", "payment_intent.payment_failed"):
            assert t_bad.count(t) == 1, (t, t_bad)
        assert "payment_intent.succeeded" not in t_bad
        assert not [t for t in t_bad if t.startswith("charge.")], t_bad
        failed = next(e for e in evs if e["type"] == "payment_intent.payment_failed")
        assert failed["data"]["object"]["id"] == bad["id"]
        assert failed["data"]["object"]["last_payment_error"]["code"] == "payment_intent_authentication_failure"

        one = request(srv.url, "GET", f"/v1/events/{succeeded['id']}", version=ENDIVE)
        assert one.status == 200, one
        assert one.json == succeeded
