"""Details SDK users meet when they copy from Stripe's docs: digit metadata keys,
the decline codes and params the error-handling guide reads, includable charge
refunds, and capture's final_capture. Driven by stripe-python at endive."""
import pytest
import stripe

from helpers import assert_error, raw

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}


def test_metadata_keys_made_of_digits_are_kept(client):
    c = raw(client.v1.customers.create({"metadata": {"1": "a", "2": "b"}}))
    assert c["metadata"] == {"1": "a", "2": "b"}
    pi = raw(client.v1.payment_intents.create({
        "amount": 1000, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS,
        "metadata": {"0": "x", "order_id": "6735"}}))
    assert pi["metadata"] == {"0": "x", "order_id": "6735"}
    updated = raw(client.v1.customers.update(c["id"], {"metadata": {"1": "", "3": "c"}}))
    assert updated["metadata"] == {"2": "b", "3": "c"}
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"metadata": {str(i): "v" for i in range(51)}})
    assert_error(e.value, 400, "invalid_request_error", None, "metadata")
    assert "50" in e.value.user_message


@pytest.mark.parametrize("pm,code,param", [
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "exp_month"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
])
def test_declines_carry_decline_code_and_param(client, pm, code, param):
    with pytest.raises(stripe.CardError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "payment_method": pm, "confirm": True,
                                          "automatic_payment_methods": NO_REDIRECTS})
    assert_error(e.value, 402, "card_error", code, param)
    assert e.value.error.decline_code == code
    pi = e.value.error.payment_intent
    assert pi.last_payment_error.decline_code == code


def test_charge_refunds_are_includable(client):
    pi = raw(client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
                                               "confirm": True, "automatic_payment_methods": NO_REDIRECTS}))
    plain = raw(client.v1.charges.retrieve(pi["latest_charge"]))
    assert "refunds" not in plain
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"], {"expand": ["refunds"]}))
    assert ch["refunds"] == {"object": "list", "data": [], "has_more": False,
                             "url": f"/v1/charges/{ch['id']}/refunds"}


def test_final_capture_false_needs_multicapture(client):
    pi = raw(client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
                                               "confirm": True, "capture_method": "manual",
                                               "automatic_payment_methods": NO_REDIRECTS}))
    assert pi["status"] == "requires_capture"
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.capture(pi["id"], {"amount_to_capture": 100, "final_capture": False})
    assert_error(e.value, 400, "invalid_request_error", None, "final_capture")
    still = raw(client.v1.payment_intents.retrieve(pi["id"]))
    assert still["status"] == "requires_capture" and still["amount_capturable"] == 2000


def test_allow_redisplay_filter_pages_correctly(client):
    cus = client.v1.customers.create({})
    shown = []
    for i in range(9):
        pm = client.v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
        if i % 3 == 0:
            client.v1.payment_methods.update(pm.id, {"allow_redisplay": "always"})
            shown.append(pm.id)
    first = raw(client.v1.customers.payment_methods.list(cus.id, {"allow_redisplay": "always", "limit": 2}))
    assert [p["id"] for p in first["data"]] == list(reversed(shown))[:2]
    assert first["has_more"] is True
    walked = [p.id for p in client.v1.customers.payment_methods.list(
        cus.id, {"allow_redisplay": "always", "limit": 2}).auto_paging_iter()]
    assert walked == list(reversed(shown))


def test_charges_filtered_by_transfer_group(client):
    import uuid
    group = "group_" + uuid.uuid4().hex[:8]
    mine = []
    for i in range(5):
        extra = {"transfer_group": group} if i % 2 == 0 else {}
        pi = raw(client.v1.payment_intents.create({
            "amount": 1000 + i, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
            "automatic_payment_methods": NO_REDIRECTS, **extra}))
        if extra:
            mine.append(pi["latest_charge"])
    got = [c.id for c in client.v1.charges.list({"transfer_group": group, "limit": 2}).auto_paging_iter()]
    assert got == list(reversed(mine))
