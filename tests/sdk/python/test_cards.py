"""Cards through Stripe's test PaymentMethods, driven by stripe-python at endive.

Behaviour from reference/behaviour/intents.md §1 (state machine) and §3 (test cards).
"""
import pytest
import stripe

from helpers import assert_error, events_for, open_auth_page, query_of, raw, submit_outcome

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}
RETURN_URL = "https://shop.example/return?cart=7"


def pay(client, pm, amount=2000, currency="usd", **extra):
    params = {"amount": amount, "currency": currency, "payment_method": pm, "confirm": True,
              "automatic_payment_methods": NO_REDIRECTS}
    params.update(extra)
    return client.v1.payment_intents.create(params)


def declined(client, pm, **extra):
    with pytest.raises(stripe.CardError) as e:
        pay(client, pm, **extra)
    return e.value


# -- successes ------------------------------------------------------------------------------
@pytest.mark.parametrize("pm,brand,last4", [("pm_card_visa", "visa", "4242"),
                                            ("pm_card_mastercard", "mastercard", "4444")])
def test_successful_card_payment(client, pm, brand, last4):
    pi = raw(pay(client, pm))
    assert pi["status"] == "succeeded"
    assert pi["amount_received"] == 2000
    assert pi["amount_capturable"] == 0
    assert pi["last_payment_error"] is None
    assert pi["next_action"] is None
    assert pi["payment_method"].startswith("pm_") and pi["payment_method"] != pm
    assert pi["latest_charge"].startswith("ch_")
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"]))
    assert ch["status"] == "succeeded"
    assert ch["paid"] is True and ch["captured"] is True
    assert ch["amount"] == 2000 and ch["amount_captured"] == 2000 and ch["amount_refunded"] == 0
    assert ch["payment_intent"] == pi["id"]
    assert ch["payment_method"] == pi["payment_method"]
    assert ch["outcome"]["type"] == "authorized"
    assert ch["outcome"]["network_status"] == "approved_by_network"
    assert ch["failure_code"] is None
    card = ch["payment_method_details"]["card"]
    assert ch["payment_method_details"]["type"] == "card"
    assert card["brand"] == brand and card["last4"] == last4


def test_card_payment_events(client, base):
    pi = raw(pay(client, "pm_card_visa"))
    types = [e["type"] for e in reversed(events_for(base, {pi["id"]}, since=pi["created"]))]
    assert types.count("payment_intent.created") == 1, types
    assert types.count("charge.succeeded") == 1, types
    assert types.count("payment_intent.succeeded") == 1, types
    assert types.index("payment_intent.created") < types.index("payment_intent.succeeded")


def test_create_then_confirm_separately(client):
    pi = client.v1.payment_intents.create(
        {"amount": 1500, "currency": "usd", "payment_method": "pm_card_visa",
         "automatic_payment_methods": NO_REDIRECTS})
    assert raw(pi)["status"] == "requires_confirmation"
    done = raw(client.v1.payment_intents.confirm(pi.id))
    assert done["status"] == "succeeded"
    assert done["amount_received"] == 1500


def test_confirm_without_payment_method_is_unexpected_state(client):
    pi = client.v1.payment_intents.create({"amount": 1500, "currency": "usd",
                                           "automatic_payment_methods": NO_REDIRECTS})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.confirm(pi.id)
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    assert "missing a payment method" in e.value.user_message


def test_confirm_with_payment_method_at_confirm_time(client):
    pi = client.v1.payment_intents.create({"amount": 1500, "currency": "usd",
                                           "automatic_payment_methods": NO_REDIRECTS})
    done = raw(client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"}))
    assert done["status"] == "succeeded"


# -- declines -------------------------------------------------------------------------------
def test_generic_decline(client):
    err = declined(client, "pm_card_chargeDeclined")
    assert_error(err, 402, "card_error", "card_declined", None)
    body = err.json_body["error"]
    assert body["type"] == "card_error"
    assert body["decline_code"] == "generic_decline"
    assert body["message"] == "Your card was declined."
    assert body["charge"].startswith("ch_")
    epi = body["payment_intent"]
    assert epi["status"] == "requires_payment_method"
    assert epi["last_payment_error"]["code"] == "card_declined"

    pi = raw(client.v1.payment_intents.retrieve(epi["id"]))
    assert pi["status"] == "requires_payment_method"
    assert pi["payment_method"] is None
    assert pi["amount_received"] == 0
    lpe = pi["last_payment_error"]
    assert lpe["type"] == "card_error"
    assert lpe["code"] == "card_declined"
    assert lpe["decline_code"] == "generic_decline"
    assert lpe["charge"] == body["charge"]
    assert lpe["payment_method"]["type"] == "card"
    assert pi["latest_charge"] == body["charge"]

    ch = raw(client.v1.charges.retrieve(body["charge"]))
    assert ch["status"] == "failed"
    assert ch["paid"] is False and ch["captured"] is False
    assert ch["failure_code"] == "card_declined"
    assert ch["outcome"]["type"] == "issuer_declined"
    assert ch["outcome"]["reason"] == "generic_decline"


@pytest.mark.parametrize("pm", ["pm_card_visa_chargeDeclinedInsufficientFunds",
                                "pm_card_chargeDeclinedInsufficientFunds",
                                "pm_card_insufficientFunds"])
def test_insufficient_funds(client, pm):
    err = declined(client, pm)
    assert_error(err, 402, "card_error", "card_declined", None)
    assert err.json_body["error"]["decline_code"] == "insufficient_funds"
    assert err.json_body["error"]["message"] == "Your card has insufficient funds."


def test_decline_events(client, base):
    err = declined(client, "pm_card_chargeDeclined")
    epi = err.json_body["error"]["payment_intent"]
    types = [e["type"] for e in reversed(events_for(base, {epi["id"]}, since=epi["created"]))]
    assert "charge.failed" in types, types
    assert "payment_intent.payment_failed" in types, types
    assert "payment_intent.succeeded" not in types


def test_retry_after_decline_with_another_card(client):
    err = declined(client, "pm_card_chargeDeclined")
    pi_id = err.json_body["error"]["payment_intent"]["id"]
    done = raw(client.v1.payment_intents.confirm(pi_id, {"payment_method": "pm_card_visa"}))
    assert done["status"] == "succeeded"
    assert done["last_payment_error"] is None
    assert done["latest_charge"] != err.json_body["error"]["charge"]


# -- 3-D Secure -----------------------------------------------------------------------------
@pytest.mark.parametrize("pm", ["pm_card_authenticationRequired", "pm_card_threeDSecure2Required"])
def test_3ds_card_redirect_then_complete(client, pm):
    pi = client.v1.payment_intents.create(
        {"amount": 2500, "currency": "usd", "payment_method": pm, "confirm": True,
         "return_url": RETURN_URL})
    body = raw(pi)
    assert body["status"] == "requires_action"
    assert body["next_action"]["type"] == "redirect_to_url"
    rtu = body["next_action"]["redirect_to_url"]
    assert rtu["return_url"] == RETURN_URL
    assert body["latest_charge"] is None or isinstance(body["latest_charge"], str)

    page, _ = open_auth_page(rtu["url"])
    assert page.status == 200, page
    r = submit_outcome(rtu["url"], "authorize")
    assert r.status == 303, r
    loc = r.headers["Location"]
    assert loc.startswith("https://shop.example/return?"), loc
    q = query_of(loc)
    assert q["cart"] == ["7"] and q["payment_intent"] == [pi.id]
    assert q["payment_intent_client_secret"] == [body["client_secret"]]
    assert q["redirect_status"] == ["succeeded"]

    done = raw(client.v1.payment_intents.retrieve(pi.id))
    assert done["status"] == "succeeded"
    assert done["amount_received"] == 2500
    ch = raw(client.v1.charges.retrieve(done["latest_charge"]))
    assert ch["status"] == "succeeded" and ch["captured"] is True


def test_3ds_card_fail_authentication(client):
    pi = client.v1.payment_intents.create(
        {"amount": 2500, "currency": "usd", "payment_method": "pm_card_authenticationRequired",
         "confirm": True, "return_url": RETURN_URL})
    url = raw(pi)["next_action"]["redirect_to_url"]["url"]
    r = submit_outcome(url, "fail")
    assert r.status == 303, r
    assert query_of(r.headers["Location"])["redirect_status"] == ["failed"]
    done = raw(client.v1.payment_intents.retrieve(pi.id))
    assert done["status"] == "requires_payment_method"
    assert done["payment_method"] is None
    assert done["last_payment_error"]["code"] == "payment_intent_authentication_failure"


def test_3ds_card_with_manual_capture_waits_for_capture(client):
    pi = client.v1.payment_intents.create(
        {"amount": 2500, "currency": "usd", "payment_method": "pm_card_authenticationRequired",
         "confirm": True, "return_url": RETURN_URL, "capture_method": "manual"})
    url = raw(pi)["next_action"]["redirect_to_url"]["url"]
    assert submit_outcome(url, "authorize").status == 303
    done = raw(client.v1.payment_intents.retrieve(pi.id))
    assert done["status"] == "requires_capture"
    assert done["amount_capturable"] == 2500


def test_return_url_required_for_automatic_methods_that_may_redirect(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
             "automatic_payment_methods": {"enabled": True}})
    assert_error(e.value, 400, "invalid_request_error", None, "return_url")
    assert "return_url" in e.value.user_message


# -- capture --------------------------------------------------------------------------------
def test_manual_capture_partial(client, base):
    pi = pay(client, "pm_card_visa", capture_method="manual")
    body = raw(pi)
    assert body["status"] == "requires_capture"
    assert body["amount_capturable"] == 2000
    assert body["amount_received"] == 0
    assert body["capture_method"] == "manual"
    ch = raw(client.v1.charges.retrieve(body["latest_charge"]))
    assert ch["status"] == "succeeded" and ch["captured"] is False and ch["amount_captured"] == 0

    done = raw(client.v1.payment_intents.capture(pi.id, {"amount_to_capture": 1500}))
    assert done["status"] == "succeeded"
    assert done["amount_received"] == 1500
    assert done["amount_capturable"] == 0
    ch = raw(client.v1.charges.retrieve(done["latest_charge"]))
    assert ch["captured"] is True and ch["amount_captured"] == 1500

    types = [e["type"] for e in events_for(base, {pi.id}, since=body["created"])]
    assert "payment_intent.amount_capturable_updated" in types, types
    assert "payment_intent.succeeded" in types, types

    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.capture(pi.id)
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)


def test_manual_capture_full(client):
    pi = pay(client, "pm_card_mastercard", capture_method="manual")
    done = raw(client.v1.payment_intents.capture(pi.id))
    assert done["status"] == "succeeded" and done["amount_received"] == 2000


def test_capture_more_than_capturable_is_refused(client):
    pi = pay(client, "pm_card_visa", capture_method="manual")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.capture(pi.id, {"amount_to_capture": 2001})
    assert_error(e.value, 400, "invalid_request_error", "amount_too_large", "amount_to_capture")
    assert raw(client.v1.payment_intents.retrieve(pi.id))["status"] == "requires_capture"


def test_capture_from_wrong_state(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.capture(pi.id)
    err = e.value
    assert_error(err, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    body = err.json_body["error"]
    assert body["type"] == "invalid_request_error"
    assert body["payment_intent"]["id"] == pi.id
    assert body["payment_intent"]["status"] == "requires_payment_method"
    assert "requires_capture" in body["message"]


def test_confirm_twice(client):
    pi = pay(client, "pm_card_visa")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"})
    err = e.value
    assert_error(err, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    assert "already succeeded" in err.user_message
    assert err.json_body["error"]["payment_intent"]["status"] == "succeeded"
    charges = raw(client.v1.charges.list({"payment_intent": pi.id}))["data"]
    assert len(charges) == 1


# -- cancel ---------------------------------------------------------------------------------
def test_cancel(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    done = raw(client.v1.payment_intents.cancel(pi.id, {"cancellation_reason": "requested_by_customer"}))
    assert done["status"] == "canceled"
    assert done["cancellation_reason"] == "requested_by_customer"
    assert isinstance(done["canceled_at"], int) and done["canceled_at"] > 0
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.cancel(pi.id)
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"})
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)


def test_cancel_authorised_payment(client):
    pi = pay(client, "pm_card_visa", capture_method="manual")
    done = raw(client.v1.payment_intents.cancel(pi.id))
    assert done["status"] == "canceled"
    assert done["amount_capturable"] == 0
    assert done["amount_received"] == 0


def test_cancel_succeeded_is_unexpected_state(client):
    pi = pay(client, "pm_card_visa")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.cancel(pi.id)
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)


def test_bad_cancellation_reason(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.cancel(pi.id, {"cancellation_reason": "bored"})
    assert_error(e.value, 400, "invalid_request_error", None, "cancellation_reason")


# -- update rules ---------------------------------------------------------------------------
def test_update_amount_after_success_refused_but_metadata_allowed(client):
    pi = pay(client, "pm_card_visa")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.update(pi.id, {"amount": 3000})
    assert_error(e.value, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    upd = raw(client.v1.payment_intents.update(pi.id, {"metadata": {"shipped": "yes"}}))
    assert upd["metadata"] == {"shipped": "yes"}
    assert upd["amount"] == 2000


def test_update_payment_method_moves_to_requires_confirmation(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                           "automatic_payment_methods": NO_REDIRECTS})
    upd = raw(client.v1.payment_intents.update(pi.id, {"payment_method": "pm_card_visa", "amount": 2100}))
    assert upd["status"] == "requires_confirmation"
    assert upd["amount"] == 2100


# -- amounts and descriptors ----------------------------------------------------------------
def test_statement_descriptor_with_card_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 2000, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS,
             "statement_descriptor": "PASARELA SHOP"})
    assert_error(e.value, 400, "invalid_request_error", None, "statement_descriptor")
    assert "statement_descriptor" in e.value.user_message
    assert "card" in e.value.user_message


def test_statement_descriptor_without_card_is_accepted(client):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "allowed_payment_method_types": ["amazon_pay"],
         "statement_descriptor": "test_statement"}))
    assert pi["statement_descriptor"] == "test_statement"


def test_statement_descriptor_suffix_with_card(client):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS,
         "statement_descriptor_suffix": "ORDER42"}))
    assert pi["statement_descriptor_suffix"] == "ORDER42"


@pytest.mark.parametrize("amount,currency", [(10, "usd"), (49, "usd"), (49, "jpy")])
def test_amount_too_small(client, amount, currency):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": amount, "currency": currency})
    assert_error(e.value, 400, "invalid_request_error", "amount_too_small", "amount")


def test_amount_zero(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 0, "currency": "usd"})
    assert_error(e.value, 400, "invalid_request_error", "parameter_invalid_integer", "amount")


def test_minimum_amounts_accepted(client):
    assert raw(client.v1.payment_intents.create({"amount": 50, "currency": "usd"}))["amount"] == 50
    assert raw(client.v1.payment_intents.create({"amount": 50, "currency": "jpy"}))["amount"] == 50


def test_zero_decimal_currency_jpy(client):
    pi = raw(pay(client, "pm_card_visa", amount=100, currency="jpy"))
    assert pi["status"] == "succeeded"
    assert pi["currency"] == "jpy"
    assert pi["amount_received"] == 100
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"]))
    assert ch["amount"] == 100 and ch["currency"] == "jpy"


def test_unknown_currency(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "xyz"})
    assert_error(e.value, 400, "invalid_request_error", "parameter_invalid_string", "currency")


def test_unknown_test_payment_method(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        pay(client, "pm_card_doesNotExist")
    assert_error(e.value, 400, "invalid_request_error", "resource_missing", "payment_method")


# -- confirmation variants ------------------------------------------------------------------
def test_3ds_without_return_url_uses_stripe_sdk(client):
    """No return_url (Stripe.js / mobile handle it): next_action is use_stripe_sdk, not a redirect."""
    pi = raw(pay(client, "pm_card_authenticationRequired"))
    assert pi["status"] == "requires_action"
    assert pi["next_action"]["type"] == "use_stripe_sdk"


def test_off_session_card_needing_authentication(client):
    err = declined(client, "pm_card_authenticationRequired", off_session=True)
    assert_error(err, 402, "card_error", "authentication_required", None)
    body = err.json_body["error"]
    assert body["code"] == "authentication_required"
    assert body["decline_code"] == "authentication_required"
    assert body["payment_intent"]["status"] == "requires_payment_method"
    assert body["payment_intent"]["last_payment_error"]["code"] == "authentication_required"


def test_error_on_requires_action(client):
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "payment_method": "pm_card_authenticationRequired",
         "automatic_payment_methods": NO_REDIRECTS})
    with pytest.raises(stripe.StripeError) as e:
        client.v1.payment_intents.confirm(pi.id, {"error_on_requires_action": True})
    assert_error(e.value, 402, "card_error", "authentication_required", None)
    after = raw(client.v1.payment_intents.retrieve(pi.id))
    assert after["status"] == "requires_payment_method"
    assert after["last_payment_error"] is not None
    assert after["next_action"] is None


def test_manual_confirmation_method_refuses_publishable_key(client, base):
    from helpers import PK, request
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "confirmation_method": "manual",
         "automatic_payment_methods": NO_REDIRECTS})
    r = request(base, "POST", f"/v1/payment_intents/{pi.id}/confirm",
                [("client_secret", pi.client_secret), ("payment_method", "pm_card_visa")],
                key=PK, auth="param")
    assert_error(r, 400, "invalid_request_error", None, "client_secret")
    assert raw(client.v1.payment_intents.retrieve(pi.id))["status"] == "requires_payment_method"
    done = raw(client.v1.payment_intents.confirm(pi.id, {"payment_method": "pm_card_visa"}))
    assert done["status"] == "succeeded"


def test_publishable_key_confirm_with_card(client, base):
    """Stripe.js confirmCardPayment with a saved test PaymentMethod (no redirect needed)."""
    from helpers import PK, request
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                           "automatic_payment_methods": NO_REDIRECTS})
    r = request(base, "POST", f"/v1/payment_intents/{pi.id}/confirm",
                [("client_secret", pi.client_secret), ("payment_method", "pm_card_visa")],
                key=PK, auth="param")
    assert r.status == 200, r
    assert r.json["status"] == "succeeded"
    assert raw(client.v1.payment_intents.retrieve(pi.id))["amount_received"] == 2000


def test_publishable_key_decline_is_a_402(client, base):
    from helpers import PK, request
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                           "automatic_payment_methods": NO_REDIRECTS})
    r = request(base, "POST", f"/v1/payment_intents/{pi.id}/confirm",
                [("client_secret", pi.client_secret), ("payment_method", "pm_card_chargeDeclined")],
                key=PK, auth="param")
    assert_error(r, 402, "card_error", "card_declined", None)
    assert r.error["type"] == "card_error" and r.error["decline_code"] == "generic_decline"
