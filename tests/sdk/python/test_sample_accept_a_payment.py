"""Stripe's flagship sample, accept-a-payment's `payment-element` flow (vendored in
tests/samples/accept-a-payment, MIT), run unchanged but for the API host in its Node server
and the Stripe.js URL in its pages: its page creates the Link Authentication and Payment
Elements, the customer types a card and pays, and the return page shows the outcome."""
import pytest

import samples
from helpers import payment_frame, request, screenshots, type_card


@pytest.fixture(scope="module")
def sample(us):
    running = samples.start(us.url, "payment-element", ["index.html", "return.html"])
    yield running
    running.stop()


def returned(page, sample):
    page.wait_for_url(f"{sample.url}/return.html?**", timeout=15000)
    page.wait_for_function("document.querySelector('#messages').innerText.includes('Payment ')")
    return page.inner_text("#messages")


def test_the_payment_element_sample_pays_with_a_card_and_an_email(sample, us, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(sample.url + "/")
        link = page.frame_locator('iframe[title="Secure email input frame"]')
        link.locator("#email").fill("jenny.rosen@example.com")
        payment_frame(page).locator("#Field-numberInput").wait_for()
        # Found as tests written against Stripe's DOM find them.
        stripes = page.frame_locator('iframe[src*="elements-inner-payment"]')
        assert stripes.locator('[data-testid="card"]').inner_text() == "Card"
        assert page.locator('iframe[src*="elements-inner-link-authentication"]').count() == 1
        type_card(page, "4242424242424242", "12 / 34", "123", "10001")
        screenshots(page, "sample-payment-element")
        page.click("#submit")
        said = returned(page, sample)
        assert "Payment succeeded: pi_" in said, said
        intent_id = said.split("Payment succeeded: ")[1].split()[0]
        pi = request(us.url, "GET", f"/v1/payment_intents/{intent_id}", {"expand[]": "payment_method"}).json
        assert pi["amount"] == 1400 and pi["status"] == "succeeded"
        # The Link Authentication Element's email is the payment method's.
        assert pi["payment_method"]["billing_details"]["email"] == "jenny.rosen@example.com"
        assert not errors, errors
        # The sample's webhook handler verified the signed event and logged it.
        assert samples.logged(sample, "💰 Payment captured!"), sample.logged
    finally:
        page.close()


@pytest.mark.parametrize("card,outcome,shown", [
    ("4000000000009995", None, "Your card has insufficient funds."),
    ("4000002760003184", "authorize", "Payment succeeded"),
    ("4000002760003184", "fail", "Payment requires_payment_method"),
])
def test_the_payment_element_sample_with_declines_and_3ds(sample, us, browser, card, outcome, shown):
    page = browser.new_page()
    try:
        page.goto(sample.url + "/")
        payment_frame(page).locator("#Field-numberInput").wait_for()
        type_card(page, card, "12 / 34", "123", "10001")
        page.click("#submit")
        if outcome is None:
            page.wait_for_function("document.querySelector('#messages').innerText.includes(%r)" % shown)
            return
        page.wait_for_url(f"{us.url}/authorize/**", timeout=10000)
        page.click("text=Authorize test payment" if outcome == "authorize" else "text=Fail test payment")
        assert shown in returned(page, sample)
    finally:
        page.close()


def test_the_payment_element_sample_pays_with_amazon_pay(sample, us, browser):
    page = browser.new_page()
    try:
        page.goto(sample.url + "/")
        frame = payment_frame(page)
        frame.locator("#amazon_pay-tab").click()
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**", timeout=10000)
        assert "Amazon Pay" in page.inner_text("body")
        page.click("text=Authorize test payment")
        assert "Payment succeeded" in returned(page, sample)
    finally:
        page.close()
