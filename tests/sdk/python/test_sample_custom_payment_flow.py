"""Stripe's accept-a-payment sample, its `custom-payment-flow` card page (vendored in
tests/samples/accept-a-payment, MIT), run unchanged but for the API host and the Stripe.js
URL: the Card Element and confirmCardPayment, with ordinary clicks and typing."""
import pytest

import samples
from helpers import CARD_FRAME, screenshots


@pytest.fixture(scope="module")
def sample(us):
    running = samples.start(us.url, "custom-payment-flow", ["card.html"])
    yield running
    running.stop()


def pay(page, sample, number):
    page.goto(sample.url + "/card.html")
    card = page.frame_locator(CARD_FRAME)
    card.locator("input[name=cardnumber]").click()
    page.keyboard.type(number)
    card.locator("input[name=exp-date]").click()
    page.keyboard.type("1234")
    card.locator("input[name=cvc]").click()
    page.keyboard.type("123")
    card.locator("input[name=postal]").click()
    page.keyboard.type("94107")
    # An ordinary click: nothing may cover the button (the Card Element once did).
    page.click("#submit", timeout=5000)


def said(page, fragment):
    page.wait_for_function("(f) => document.querySelector('#messages').innerText.includes(f)", arg=fragment,
                           timeout=15000)
    return page.inner_text("#messages")


def test_the_card_page_pays_and_its_webhook_handler_logs_it(sample, browser):
    page = browser.new_page()
    try:
        pay(page, sample, "4242424242424242")
        assert "Payment succeeded: pi_" in said(page, "Payment succeeded")
        screenshots(page, "sample-custom-payment-flow-card")
        assert samples.logged(sample, "💰 Payment captured!"), sample.logged
    finally:
        page.close()


@pytest.mark.parametrize("outcome,shown", [("Authorize", "Payment succeeded"),
                                           ("Fail", "We are unable to authenticate your payment method")])
def test_the_card_page_with_3d_secure(sample, browser, outcome, shown):
    page = browser.new_page()
    try:
        pay(page, sample, "4000002500003155")
        frame = page.wait_for_selector("iframe[name='pasarela-authentication']", timeout=10000)
        frame.content_frame().get_by_role("button", name=f"{outcome} test payment").click()
        assert shown in said(page, shown)
    finally:
        page.close()


def test_the_card_page_shows_a_decline(sample, browser):
    page = browser.new_page()
    try:
        pay(page, sample, "4000000000009995")
        assert "Your card has insufficient funds." in said(page, "insufficient funds")
    finally:
        page.close()
