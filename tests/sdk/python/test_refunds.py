"""Refunds through stripe-python (reference: intents.md §5.2), and the 2025-03-31.basil
change: before it, releasing a held payment made a Refund."""
import pytest
import stripe

from helpers import assert_error, events_for, raw, request, submit_outcome

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}
ACACIA = "2025-02-24.acacia"


def paid(client, amount=2000, **extra):
    params = {"amount": amount, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
              "automatic_payment_methods": NO_REDIRECTS}
    params.update(extra)
    return raw(client.v1.payment_intents.create(params))


def test_full_refund_by_payment_intent(client, base):
    pi = paid(client)
    r = raw(client.v1.refunds.create({"payment_intent": pi["id"], "reason": "requested_by_customer",
                                      "metadata": {"ticket": "42"}}))
    assert r["object"] == "refund" and r["id"].startswith("re_")
    assert (r["amount"], r["status"], r["reason"]) == (2000, "succeeded", "requested_by_customer")
    assert r["charge"] == pi["latest_charge"] and r["payment_intent"] == pi["id"]
    assert r["destination_details"]["type"] == "card"
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"], {"expand": ["refunds"]}))
    assert (ch["amount_refunded"], ch["refunded"]) == (2000, True)
    assert [x["id"] for x in ch["refunds"]["data"]] == [r["id"]]
    txn = raw(client.v1.balance_transactions.retrieve(r["balance_transaction"]))
    assert (txn["amount"], txn["type"], txn["source"]) == (-2000, "refund", r["id"])
    assert raw(client.v1.payment_intents.retrieve(pi["id"]))["status"] == "succeeded"
    evs = events_for(base, {r["id"], ch["id"]})
    types = [e["type"] for e in evs]
    assert "refund.created" in types and "charge.refunded" in types
    refunded = next(e for e in evs if e["type"] == "charge.refunded")
    assert refunded["data"]["previous_attributes"]["amount_refunded"] == 0
    assert refunded["data"]["previous_attributes"]["refunded"] is False


def test_partial_refunds_up_to_the_charge(client):
    pi = paid(client, amount=2145)
    client.v1.refunds.create({"charge": pi["latest_charge"], "amount": 1000})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.refunds.create({"charge": pi["latest_charge"], "amount": 2500})
    assert_error(e.value, 400, "invalid_request_error", "amount_too_large", "amount")
    assert "$25.00" in e.value.user_message and "$11.45" in e.value.user_message
    client.v1.refunds.create({"charge": pi["latest_charge"]})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.refunds.create({"charge": pi["latest_charge"], "amount": 1})
    assert_error(e.value, 400, "invalid_request_error", "charge_already_refunded", "charge")
    listed = raw(client.v1.refunds.list({"payment_intent": pi["id"]}))
    assert [x["amount"] for x in listed["data"]] == [1145, 1000]
    assert listed["url"] == "/v1/refunds"


def test_a_held_payment_is_canceled_not_refunded(client):
    pi = paid(client, capture_method="manual")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.refunds.create({"payment_intent": pi["id"]})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_intent")
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.refunds.create({})
    assert_error(e.value, 400, "invalid_request_error", "parameter_missing", "charge")


def test_amazon_pay_refund(client):
    pi = raw(client.v1.payment_intents.create({
        "amount": 1099, "currency": "usd", "allowed_payment_method_types": ["amazon_pay"],
        "payment_method_data": {"type": "amazon_pay"}, "confirm": True, "return_url": "https://shop.example/r"}))
    submit_outcome(pi["next_action"]["redirect_to_url"]["url"], "authorize")
    r = raw(client.v1.refunds.create({"payment_intent": pi["id"], "amount": 500}))
    assert r["id"].startswith("pyr_")
    assert r["destination_details"] == {"amazon_pay": {}, "type": "amazon_pay"}


def test_refund_metadata_update(client, base):
    pi = paid(client)
    r = raw(client.v1.refunds.create({"payment_intent": pi["id"]}))
    up = raw(client.v1.refunds.update(r["id"], {"metadata": {"note": "late"}}))
    assert up["metadata"] == {"note": "late"}
    assert "refund.updated" in [e["type"] for e in events_for(base, {r["id"]})]


@pytest.mark.parametrize("version,refunded", [(ACACIA, 400), ("2025-03-31.basil", 0), (None, 0)])
def test_partial_capture_released_rest_was_a_refund_before_basil(client, base, version, refunded):
    pi = paid(client, amount=1000, capture_method="manual")
    r = request(base, "POST", f"/v1/payment_intents/{pi['id']}/capture", {"amount_to_capture": 600},
                version=version, validate=False)
    assert r.status == 200, r
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"], {"expand": ["refunds"]}))
    assert ch["amount_captured"] == 600
    assert ch["amount_refunded"] == refunded
    assert sum(x["amount"] for x in ch["refunds"]["data"]) == refunded


@pytest.mark.parametrize("version,refunded", [(ACACIA, True), (None, False)])
def test_cancel_of_a_hold_was_a_refund_before_basil(client, base, version, refunded):
    pi = paid(client, amount=1000, capture_method="manual")
    r = request(base, "POST", f"/v1/payment_intents/{pi['id']}/cancel", {}, version=version, validate=False)
    assert r.status == 200 and r.json["status"] == "canceled"
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"]))
    assert ch["refunded"] is refunded
    assert ch["amount_refunded"] == (1000 if refunded else 0)
