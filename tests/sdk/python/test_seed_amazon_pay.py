"""Seed 000 (docs.stripe.com/payments/amazon-pay, accept a payment), step by step, on a US account."""
import pytest

from helpers import CLOVER, assert_error, request
from seedflow import RedirectSeedFlow


class TestAmazonPaySeed(RedirectSeedFlow):
    method = "amazon_pay"
    amount = 1099
    currency = "usd"
    amount_texts = ("10.99",)
    label = "Amazon Pay"

    @pytest.fixture
    def srv(self, us):
        return us


@pytest.mark.parametrize("currency", ["usd", "eur", "gbp", "jpy", "chf"])
def test_amazon_pay_currencies_of_the_seed_table(us, currency):
    """The seed's table: aud gbp dkk eur hkd jpy nzd nok zar sek chf usd, for a US account too."""
    amount = 1099 if currency != "jpy" else 1100
    r = request(us.url, "POST", "/v1/payment_intents",
                [("payment_method_types[]", "amazon_pay"), ("amount", str(amount)), ("currency", currency)],
                auth="basic")
    assert r.status == 200, r
    assert r.json["payment_method_types"] == ["amazon_pay"]
    assert r.json["currency"] == currency


def test_amazon_pay_unsupported_currency_is_refused(us):
    """An explicit list with a method that cannot take the currency (mxn is not in the table)."""
    r = request(us.url, "POST", "/v1/payment_intents",
                [("payment_method_types[]", "amazon_pay"), ("amount", "2000"), ("currency", "mxn")],
                auth="basic")
    assert_error(r, 400, "invalid_request_error", None, "payment_method_types")
    assert r.headers.get("Stripe-Version") == CLOVER


def test_amazon_pay_on_fr_account_in_eur(fr):
    r = request(fr.url, "POST", "/v1/payment_intents",
                [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "eur")],
                auth="basic")
    assert r.status == 200, r
    assert r.json["payment_method_types"] == ["amazon_pay"]
