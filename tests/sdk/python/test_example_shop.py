"""examples/shop/server.py, the runnable example shop, started as a newcomer would (one
command, pointed at a Pasarela) and clicked through in headless Chromium: every flow ends on
its status page saying it succeeded."""
import os
import subprocess
import sys

import pytest

from helpers import PK, REPO, SK, payment_frame, request, screenshots, type_card

SHOP = os.path.join(REPO, "examples", "shop", "server.py")


@pytest.fixture(scope="module")
def shop(us):
    env = dict(os.environ, PASARELA_URL=us.url, PASARELA_SECRET_KEY=SK, PASARELA_PUBLISHABLE_KEY=PK, SHOP_PORT="0")
    proc = subprocess.Popen([sys.executable, SHOP], env=env, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("Example shop on "), line
    yield line.split()[3]
    proc.terminate()
    proc.wait(timeout=10)


def finish(page, shop):
    page.wait_for_url(f"{shop}/complete?**")
    page.wait_for_function("document.querySelector('#message').innerText.length > 1")
    return page.inner_text("#message")


def test_every_flow_of_the_example_shop(shop, us, browser):
    # The shop's returning customer may exist already without a saved card (here: made by
    # someone else); the shop saves one for it.
    request(us.url, "POST", "/v1/customers", {"email": "jenny.rosen@example.com"})
    page = browser.new_page()
    try:
        page.goto(shop + "/")
        links = page.locator("li a").all_inner_texts()
        assert links == ["Payment Element", "Returning customer", "Amazon Pay", "Alma", "Save Amazon Pay for later",
                         "Checkout, setup mode"]
        screenshots(page, "shop-index")

        page.click("text=Payment Element")
        payment_frame(page).locator("#Field-numberInput").wait_for()
        type_card(page, "4242424242424242", "1234")
        screenshots(page, "shop-payment-element")
        page.click("#submit")
        assert finish(page, shop) == "Success! Payment received."
        screenshots(page, "shop-status-succeeded")

        page.goto(shop + "/saved-card")
        payment_frame(page).locator(".p-pe-choice").first.wait_for()
        assert payment_frame(page).locator(".p-pe-choice").first.inner_text().startswith("Visa \u2022\u2022\u2022\u2022 4242")
        screenshots(page, "shop-saved-card")
        page.click("#submit")
        assert finish(page, shop) == "Success! Payment received."

        page.goto(shop + "/amazon-pay")
        page.wait_for_timeout(300)  # the page fetches its client secret first, as seed 000's does
        screenshots(page, "shop-amazon-pay")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        screenshots(page, "authorization-page")
        page.get_by_role("button", name="Authorize test payment").click()
        assert finish(page, shop) == "Success! Payment received."

        page.goto(shop + "/setup-amazon-pay")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        assert finish(page, shop) == "Success! Your payment method is saved."

        page.goto(shop + "/checkout")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/c/pay/**")
        screenshots(page, "checkout-setup-mode")
        page.check("#payment-method-amazon_pay")
        page.click("[data-testid='hosted-payment-submit-button']")
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{shop}/checkout-success?**")
        assert page.inner_text("#message") == "Success! Your payment method is saved."
        screenshots(page, "shop-checkout-success")
    finally:
        page.close()
