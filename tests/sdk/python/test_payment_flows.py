"""Flows from Stripe's guides beyond the seeds: save a card during payment, ask for
3-D Secure on any card, and a PaymentMethod used once without a customer.

Behaviour from reference/behaviour/intents.md §1.4 (setup_future_usage, request_three_d_secure)
and §7 (reuse rule), driven by stripe-python at endive.
"""
import pytest
import stripe

from helpers import assert_error, events_for, raw, submit_outcome

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}


def test_save_card_during_payment_attaches_it_to_the_customer(client, base):
    customer = client.v1.customers.create({"email": "saver@example.com"})
    pi = raw(client.v1.payment_intents.create({
        "amount": 1500, "currency": "usd", "customer": customer.id, "payment_method": "pm_card_visa",
        "setup_future_usage": "off_session", "confirm": True, "automatic_payment_methods": NO_REDIRECTS}))
    assert pi["status"] == "succeeded"
    assert pi["setup_future_usage"] == "off_session"
    pm = raw(client.v1.payment_methods.retrieve(pi["payment_method"]))
    assert pm["customer"] == customer.id
    types = [e["type"] for e in events_for(base, {pi["payment_method"]})]
    assert "payment_method.attached" in types
    # A saved card pays again off-session without the customer.
    again = raw(client.v1.payment_intents.create({
        "amount": 700, "currency": "usd", "customer": customer.id, "payment_method": pm["id"],
        "off_session": True, "confirm": True, "automatic_payment_methods": NO_REDIRECTS}))
    assert again["status"] == "succeeded"


def test_a_saved_card_needs_its_customer(client):
    customer = client.v1.customers.create({})
    pi = raw(client.v1.payment_intents.create({
        "amount": 1500, "currency": "usd", "customer": customer.id, "payment_method": "pm_card_visa",
        "setup_future_usage": "on_session", "confirm": True, "automatic_payment_methods": NO_REDIRECTS}))
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({
            "amount": 700, "currency": "usd", "payment_method": pi["payment_method"], "confirm": True,
            "automatic_payment_methods": NO_REDIRECTS})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_method")
    assert customer.id in e.value.user_message


def test_payment_method_used_without_customer_cannot_be_reused(client):
    pi = raw(client.v1.payment_intents.create({
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS}))
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({
            "amount": 700, "currency": "usd", "payment_method": pi["payment_method"], "confirm": True,
            "automatic_payment_methods": NO_REDIRECTS})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_method")
    assert "may not be used again" in e.value.user_message


def test_request_three_d_secure_any_challenges_a_plain_card(client):
    pi = raw(client.v1.payment_intents.create({
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "return_url": "https://shop.example/back",
        "payment_method_options": {"card": {"request_three_d_secure": "any"}}}))
    assert pi["status"] == "requires_action"
    assert pi["payment_method_options"]["card"]["request_three_d_secure"] == "any"
    loc = submit_outcome(pi["next_action"]["redirect_to_url"]["url"], "authorize").headers["Location"]
    assert "redirect_status=succeeded" in loc
    done = raw(client.v1.payment_intents.retrieve(pi["id"], {"expand": ["latest_charge"]}))
    assert done["status"] == "succeeded"
    assert done["latest_charge"]["payment_method_details"]["card"]["three_d_secure"]["result"] == "authenticated"
