"""Saving Amazon Pay while paying (`setup_future_usage=off_session` on a PaymentIntent, the
other way seed 003 names besides a SetupIntent): the method is attached to the customer with a
mandate recording the acceptance given on confirm, later off-session payments go through with no
redirect, and detaching the method stops them (its mandate inactive).
"""
from helpers import PK, assert_error, request, submit_outcome

RETURN_URL = "https://example.com/checkout/complete"
# As Stripe.js sends it: the browser vouches for itself.
INFERRED = {"mandate_data[customer_acceptance][type]": "online",
            "mandate_data[customer_acceptance][online][infer_from_client]": "true"}


def pay_and_save(base) -> tuple[str, str]:
    """A customer pays with Amazon Pay and saves it; returns (customer, payment method)."""
    cus = request(base, "POST", "/v1/customers", {"email": "ap@example.com"}).json["id"]
    pi = request(base, "POST", "/v1/payment_intents", {
        "amount": "1000", "currency": "usd", "payment_method_types[]": "amazon_pay",
        "customer": cus, "setup_future_usage": "off_session"}, auth="basic").json
    confirmed = request(base, "POST", f"/v1/payment_intents/{pi['id']}/confirm", {
        "key": PK, "client_secret": pi["client_secret"], "payment_method_data[type]": "amazon_pay",
        "return_url": RETURN_URL, **INFERRED}, key=None, auth="param", partial=True)
    assert confirmed.status == 200, confirmed
    assert confirmed.json["status"] == "requires_action"
    back = submit_outcome(confirmed.json["next_action"]["redirect_to_url"]["url"], "authorize")
    assert back.status == 303, back
    done = request(base, "GET", f"/v1/payment_intents/{pi['id']}", {}).json
    assert done["status"] == "succeeded"
    pm_id = done["payment_method"]
    assert pm_id, done
    pm = request(base, "GET", f"/v1/payment_methods/{pm_id}", {})
    assert pm.json["customer"] == cus, pm
    return cus, pm_id


def off_session(base, cus: str, pm: str):
    return request(base, "POST", "/v1/payment_intents", {
        "payment_method_types[]": "amazon_pay", "payment_method": pm, "amount": "1000",
        "currency": "usd", "customer": cus, "confirm": "true", "off_session": "true"}, auth="basic")


def test_a_payment_that_saves_amazon_pay_allows_off_session_payments(base):
    cus, pm = pay_and_save(base)
    later = off_session(base, cus, pm)
    assert later.status == 200, later
    assert later.json["status"] == "succeeded"
    assert later.json["next_action"] is None


def test_detaching_the_saved_method_stops_off_session_payments(base):
    cus, pm = pay_and_save(base)
    detached = request(base, "POST", f"/v1/payment_methods/{pm}/detach", {})
    assert detached.status == 200, detached
    refused = off_session(base, cus, pm)
    assert_error(refused, 400, "invalid_request_error", None, "payment_method")


def test_amazon_pay_attached_without_a_mandate_cannot_pay_off_session(base):
    """Attached by the API, never set up: no mandate, so no off-session payment."""
    cus = request(base, "POST", "/v1/customers", {}).json["id"]
    pm = request(base, "POST", "/v1/payment_methods", {"type": "amazon_pay"}, key=PK, partial=True).json["id"]
    attached = request(base, "POST", f"/v1/payment_methods/{pm}/attach", {"customer": cus})
    assert attached.status == 200, attached
    refused = off_session(base, cus, pm)
    assert_error(refused, 400, "invalid_request_error", None, "off_session")
