"""Seed 004 (docs.stripe.com/payments/alma, accept a payment), step by step, on a FR account;
and Alma's availability: account country (FR IT ES NL BE LU), currency (eur) and amount
(50 to 5 000 EUR)."""
import pytest
import stripe

from helpers import CLOVER, assert_error, raw, request
from seedflow import RedirectSeedFlow


class TestAlmaSeed(RedirectSeedFlow):
    method = "alma"
    amount = 5099
    currency = "eur"
    amount_texts = ("50.99", "50,99")
    label = "Alma"

    @pytest.fixture
    def srv(self, fr):
        return fr


def curl(server, amount=5099, currency="eur", method="alma"):
    return request(server.url, "POST", "/v1/payment_intents",
                   [("payment_method_types[]", method), ("amount", str(amount)), ("currency", currency)],
                   auth="basic")


def newest_pi(server):
    r = request(server.url, "GET", "/v1/payment_intents", {"limit": 1})
    assert r.status == 200, r
    return r.json["data"][0]["id"] if r.json["data"] else None


def test_alma_on_a_us_account_is_refused(us):
    before = newest_pi(us)
    r = curl(us)
    assert_error(r, 400, "invalid_request_error", None, "payment_method_types")
    assert r.headers.get("Stripe-Version") == CLOVER
    assert newest_pi(us) == before, "a refused request must not create an intent"


def test_alma_in_usd_is_refused(fr):
    before = newest_pi(fr)
    r = curl(fr, currency="usd")
    assert_error(r, 400, "invalid_request_error", None, "payment_method_types")
    assert "alma" in r.error["message"]
    assert newest_pi(fr) == before


@pytest.mark.parametrize("amount", [4999, 1000, 500001, 900000])
def test_alma_amount_outside_50_to_5000_eur_is_refused(fr, amount):
    r = curl(fr, amount=amount)
    assert_error(r, 400, "invalid_request_error", None, "payment_method_types")


@pytest.mark.parametrize("amount", [5000, 500000])
def test_alma_amount_limits_are_inclusive(fr, amount):
    r = curl(fr, amount=amount)
    assert r.status == 200, r
    assert r.json["payment_method_types"] == ["alma"]


def test_alma_dropped_silently_from_allowed_list_when_currency_does_not_fit(fr_client):
    pi = raw(fr_client.v1.payment_intents.create(
        {"amount": 5099, "currency": "usd", "allowed_payment_method_types": ["alma", "card"]}))
    assert pi["payment_method_types"] == ["card"]
    assert pi["allowed_payment_method_types"] == ["alma", "card"]


def test_alma_dropped_silently_from_allowed_list_when_amount_does_not_fit(fr_client):
    pi = raw(fr_client.v1.payment_intents.create(
        {"amount": 1000, "currency": "eur", "allowed_payment_method_types": ["alma", "card"]}))
    assert pi["payment_method_types"] == ["card"]


def test_alma_kept_in_allowed_list_when_it_fits(fr_client):
    pi = raw(fr_client.v1.payment_intents.create(
        {"amount": 5099, "currency": "eur", "allowed_payment_method_types": ["alma", "card"]}))
    assert sorted(pi["payment_method_types"]) == ["alma", "card"]


def test_allowed_list_that_leaves_nothing_is_refused(client):
    """alma is the only allowed type and a US account cannot use it: no type is left."""
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create(
            {"amount": 5099, "currency": "eur", "allowed_payment_method_types": ["alma"]})
    assert_error(e.value, 400, "invalid_request_error", None, "allowed_payment_method_types")


def test_alma_not_in_automatic_methods_of_a_us_account(client):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 5099, "currency": "eur", "automatic_payment_methods": {"enabled": True}}))
    assert "alma" not in pi["payment_method_types"]
    assert "card" in pi["payment_method_types"]


def test_alma_charge_details(fr):
    """payment_method_details.alma on the charge after authorisation."""
    from helpers import PK, submit_outcome
    r = curl(fr)
    pi = r.json
    c = request(fr.url, "POST", f"/v1/payment_intents/{pi['id']}/confirm",
                [("client_secret", pi["client_secret"]), ("payment_method_data[type]", "alma"),
                 ("return_url", "https://example.com/done")], key=PK, auth="param")
    assert c.status == 200, c
    assert submit_outcome(c.json["next_action"]["redirect_to_url"]["url"], "authorize").status == 303
    g = request(fr.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand": ["latest_charge"]})
    ch = g.json["latest_charge"]
    assert ch["payment_method_details"]["type"] == "alma"
    assert set(ch["payment_method_details"]["alma"]) <= {"transaction_id", "installments"}
