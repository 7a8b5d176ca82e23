"""Stripe's accept-a-payment sample, its `prebuilt-checkout-page` flow (vendored in
tests/samples/accept-a-payment, MIT), run unchanged but for the API host and the Stripe.js
URL: "Buy" posts to its server, which makes a Checkout Session for a Price and sends the
customer to Pasarela's hosted Checkout; paying there lands on its success page, which shows
the session, and its webhook handler logs checkout.session.completed."""
import json

import pytest

import samples
from helpers import request, screenshots


@pytest.fixture(scope="module")
def sample(us):
    product = request(us.url, "POST", "/v1/products", {"name": "Stubborn Attachments"}).json
    price = request(us.url, "POST", "/v1/prices", {"product": product["id"], "unit_amount": "2000",
                                                   "currency": "usd"}).json
    running = samples.start(us.url, "prebuilt-checkout-page", ["index.html"],
                            PRICE=price["id"], DOMAIN=f"http://localhost:{samples.PORT}")
    running.price = price
    yield running
    running.stop()


def test_buy_pays_on_the_hosted_checkout_page(sample, us, browser):
    page = browser.new_page()
    try:
        page.goto(sample.url + "/")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/c/pay/**")
        assert page.inner_text("#total") == "$20.00"
        page.fill("#email", "jenny.rosen@example.com")
        page.fill("#cardNumber", "4242424242424242")
        page.fill("#cardExpiry", "1234")
        page.fill("#cardCvc", "123")
        page.fill("#billingName", "Jenny Rosen")
        page.fill("#billingPostalCode", "94107")
        screenshots(page, "sample-prebuilt-checkout")
        page.click(".SubmitButton")
        page.wait_for_url(f"{sample.url}/success.html?session_id=cs_test_**", timeout=15000)
        page.wait_for_function("document.querySelector('pre').textContent.length > 2")
        session = json.loads(page.inner_text("pre"))
        assert (session["status"], session["payment_status"], session["amount_total"]) == ("complete", "paid", 2000)
        assert session["customer_details"]["email"] == "jenny.rosen@example.com"
        assert samples.logged(sample, "🔔  Payment received!"), sample.logged
    finally:
        page.close()


def test_cancel_returns_to_the_samples_canceled_page(sample, us, browser):
    page = browser.new_page()
    try:
        page.goto(sample.url + "/")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/c/pay/**")
        page.click("#cancel")
        page.wait_for_url(f"{sample.url}/canceled.html")
    finally:
        page.close()
