"""Checkout Sessions: the API (stripe-python, schema-checked) and the hosted page in headless
Chromium, driven through the element ids of Stripe's own hosted Checkout (`cardNumber`,
`cardExpiry`, `cardCvc`, `billingName`, the submit button's data-testid). Seed 001 (setup mode
with Amazon Pay) runs as its Ruby call writes it, with its success and cancel URLs on the
merchant's site here (a small server of the test: example.com cannot be reached)."""
import http.server
import os
import threading

import pytest
import stripe

from helpers import CLOVER, ENDIVE, answer, assert_error, request

class Site(http.server.BaseHTTPRequestHandler):
    """The merchant's success and cancel pages."""

    def do_GET(self):
        answer(self, f"<h1 id='landed'>{self.path}</h1>", "text/html")

    def log_message(self, *args):
        pass


_site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
threading.Thread(target=_site.serve_forever, daemon=True).start()
SITE = f"http://127.0.0.1:{_site.server_address[1]}"
SUCCESS = SITE + "/success"
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".artifacts")
CANCEL = SITE + "/cancel"


def submit(page):
    page.click("[data-testid='hosted-payment-submit-button']")


def test_create_retrieve_list_and_expire_with_the_sdk(client):
    session = client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": SUCCESS + "?session_id={CHECKOUT_SESSION_ID}", "cancel_url": CANCEL,
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 2000,
                                       "product_data": {"name": "T-shirt"}}, "quantity": 2}],
        "metadata": {"order": "42"}})
    assert session.id.startswith("cs_test_")
    assert (session.status, session.payment_status, session.amount_total) == ("open", "unpaid", 4000)
    assert session.url.endswith("/c/pay/" + session.id)
    assert session.ui_mode == "hosted_page" and session.payment_intent is None
    assert session.payment_method_types == ["card", "amazon_pay"], "the types the account offers in usd"
    again = client.v1.checkout.sessions.retrieve(session.id)
    assert again.metadata.to_dict() == {"order": "42"}
    listed = client.v1.checkout.sessions.list(params={"limit": 3})
    assert session.id in [s.id for s in listed.data]
    expired = client.v1.checkout.sessions.expire(session.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.checkout.sessions.expire(session.id)
    assert e.value.http_status == 400


def test_bad_sessions_are_refused(base):
    assert_error(request(base, "POST", "/v1/checkout/sessions", {"success_url": SUCCESS}),
                 400, "invalid_request_error", "parameter_missing", "mode")
    assert_error(request(base, "POST", "/v1/checkout/sessions", {"mode": "payment", "success_url": SUCCESS}),
                 400, "invalid_request_error", "parameter_missing", "line_items")
    assert_error(request(base, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": SUCCESS, "line_items[0][price]": "price_123", "line_items[0][quantity]": "1"}),
        400, "invalid_request_error", "resource_missing", "line_items[0][price]")
    assert_error(request(base, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": SUCCESS, "line_items[0][quantity]": "1"}),
        400, "invalid_request_error", "parameter_missing", "line_items[0][price]")
    assert_error(request(base, "POST", "/v1/checkout/sessions", {"mode": "setup", "success_url": SUCCESS,
                                                                  "customer": "cus_nope"}),
                 400, "invalid_request_error", "resource_missing", "customer")
    # From endive the types are no longer chosen on create; before it they are.
    endive = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS, "payment_method_types[]": "card"}, version=ENDIVE)
    assert_error(endive, 400, "invalid_request_error", "payment_method_types_no_longer_supported",
                 "payment_method_types")
    clover = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS, "payment_method_types[]": "card", "ui_mode": "hosted"},
        version=CLOVER)
    assert clover.status == 200, clover
    assert (clover.json["payment_method_types"], clover.json["ui_mode"]) == (["card"], "hosted")
    assert "shipping_details" not in clover.json
    acacia = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS}, version="2025-02-24.acacia")
    assert acacia.json["shipping_details"] is None, "before basil the field was there"
    wrong = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS, "ui_mode": "hosted"}, version=ENDIVE)
    assert wrong.status == 400 and wrong.error["param"] == "ui_mode"


def test_seed_001_setup_mode_with_amazon_pay(us, browser):
    """Stripe::Checkout::Session.create({mode: 'setup', payment_method_types: ['card', 'amazon_pay'],
    customer: customer.id, success_url, cancel_url}), through curl at the account's version."""
    customer = request(us.url, "POST", "/v1/customers",
                       {"description": "My First Test Customer (created for API docs)"}, auth="basic", version=None).json
    r = request(us.url, "POST", "/v1/checkout/sessions", [
        ("mode", "setup"), ("payment_method_types[]", "card"), ("payment_method_types[]", "amazon_pay"),
        ("customer", customer["id"]), ("success_url", SUCCESS), ("cancel_url", CANCEL)], auth="basic", version=None)
    assert r.status == 200, r
    session = r.json
    assert (session["mode"], session["payment_status"]) == ("setup", "no_payment_required")
    page = browser.new_page()
    try:
        page.goto(session["url"])
        assert page.locator(".Methods label").all_inner_texts() == ["Card", "Amazon Pay"]
        assert page.inner_text("[data-testid='hosted-payment-submit-button']") == "Save"
        page.check("#payment-method-amazon_pay")
        submit(page)
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(SUCCESS)
    finally:
        page.close()
    done = request(us.url, "GET", f"/v1/checkout/sessions/{session['id']}", {}).json
    assert (done["status"], done["payment_status"]) == ("complete", "no_payment_required")
    si = request(us.url, "GET", f"/v1/setup_intents/{done['setup_intent']}", {"expand[]": "payment_method"}).json
    assert si["status"] == "succeeded"
    assert (si["payment_method"]["type"], si["payment_method"]["customer"]) == ("amazon_pay", customer["id"])
    assert si["mandate"], "Amazon Pay saved for later has its mandate"
    completed = request(us.url, "GET", "/v1/events", {"type": "checkout.session.completed"}).json["data"]
    assert completed[0]["data"]["object"]["id"] == session["id"]
    assert completed[0]["request"]["id"] is None


def new_payment_session(base, **extra):
    params = {"mode": "payment", "success_url": SUCCESS + "?session_id={CHECKOUT_SESSION_ID}",
              "cancel_url": CANCEL, "customer_email": "jenny@example.com",
              "line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "1500",
              "line_items[0][price_data][product_data][name]": "Poster", "line_items[0][quantity]": "1"}
    params.update(extra)
    r = request(base, "POST", "/v1/checkout/sessions", params)
    assert r.status == 200, r
    return r.json


def fill_card(page, number):
    page.fill("#cardNumber", number)
    page.fill("#cardExpiry", "1234")
    page.fill("#cardCvc", "123")
    page.fill("#billingName", "Jenny Rosen")
    page.fill("#billingPostalCode", "94103")


def test_payment_mode_with_a_card_and_a_decline_shown_in_place(us, browser):
    session = new_payment_session(us.url)
    page = browser.new_page()
    try:
        page.goto(session["url"])
        assert page.input_value("#email") == "jenny@example.com"
        assert page.inner_text("#total") == "$15.00"
        # As on Stripe, the PaymentIntent is made when the customer submits, not on opening.
        before = {pi["id"] for pi in request(us.url, "GET", "/v1/payment_intents", {"limit": "100"}).json["data"]}
        fill_card(page, "4000000000000002")
        submit(page)
        page.wait_for_function("document.querySelector('#error-message').textContent.length > 0")
        assert page.inner_text("#error-message") == "Your card was declined."
        assert page.input_value("#cardExpiry") == "12 / 34"
        fill_card(page, "4242424242424242")
        submit(page)
        page.wait_for_url(SUCCESS + "?session_id=" + session["id"])
    finally:
        page.close()
    done = request(us.url, "GET", f"/v1/checkout/sessions/{session['id']}", {}).json
    assert (done["status"], done["payment_status"]) == ("complete", "paid")
    assert done["customer_details"]["name"] == "Jenny Rosen"
    assert done["customer_details"]["email"] == "jenny@example.com"
    pi = request(us.url, "GET", f"/v1/payment_intents/{done['payment_intent']}", {}).json
    assert (pi["status"], pi["amount"]) == ("succeeded", 1500)
    assert pi["id"] not in before, "no PaymentIntent before the first submit"
    attempts = request(us.url, "GET", "/v1/charges", {"payment_intent": pi["id"]}).json["data"]
    assert len(attempts) == 2, "the declined and the paid attempt, on one PaymentIntent"


def test_the_cancel_link_and_a_spent_session(us, browser):
    session = new_payment_session(us.url)
    page = browser.new_page()
    try:
        page.goto(session["url"])
        page.click("#cancel")
        page.wait_for_url(CANCEL)
        request(us.url, "POST", f"/v1/checkout/sessions/{session['id']}/expire", {})
        response = page.goto(session["url"])
        assert response.status == 404
        assert "no longer available" in page.inner_text("h1")
    finally:
        page.close()


def test_only_the_hosted_page_is_served(base):
    for version, ui in [(ENDIVE, "embedded_page"), (ENDIVE, "elements"), (CLOVER, "embedded")]:
        r = request(base, "POST", "/v1/checkout/sessions", {
            "mode": "setup", "success_url": SUCCESS, "ui_mode": ui}, version=version)
        assert r.status == 400 and r.error["param"] == "ui_mode", (version, ui, r)
        assert "hosted Checkout page only" in r.error["message"]
    ok = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS, "ui_mode": "hosted_page"}, version=ENDIVE)
    assert ok.status == 200 and ok.json["ui_mode"] == "hosted_page"


def test_products_and_prices_sold_in_a_session(client):
    """The catalog through stripe-python: a product with its default price, another price, a
    Checkout Session selling both (its line items listed with their prices), and the rules:
    an archived price does not sell, a product with prices cannot be deleted."""
    product = client.v1.products.create(params={
        "name": "Poster", "description": "A2, matte", "default_price_data": {"currency": "usd", "unit_amount": 1500}})
    assert (product.name, product.active, product.type) == ("Poster", True, "service")
    default = client.v1.prices.retrieve(product.default_price)
    assert (default.unit_amount, default.currency, default.product, default.type) == (1500, "usd", product.id, "one_time")
    frame = client.v1.prices.create(params={"product": product.id, "currency": "usd", "unit_amount": 2500,
                                            "nickname": "framed"})
    listed = client.v1.prices.list(params={"product": product.id})
    assert sorted(p.id for p in listed.data) == sorted([default.id, frame.id])
    inline = client.v1.prices.create(params={"currency": "usd", "unit_amount": 300,
                                             "product_data": {"name": "Gift wrap"}})
    assert client.v1.products.retrieve(inline.product).name == "Gift wrap"

    session = client.v1.checkout.sessions.create(params={
        "mode": "payment", "success_url": SUCCESS,
        "line_items": [{"price": default.id, "quantity": 2}, {"price": frame.id, "quantity": 1},
                       {"price_data": {"currency": "usd", "unit_amount": 300,
                                       "product_data": {"name": "Card"}}, "quantity": 1}]})
    assert session.amount_total == 2 * 1500 + 2500 + 300
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total, i.price.unit_amount) for i in items.data] == [
        ("Poster", 2, 3000, 1500), ("Poster", 1, 2500, 2500), ("Card", 1, 300, 300)]
    assert items.data[0].price.id == default.id

    client.v1.prices.update(frame.id, params={"active": False})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.checkout.sessions.create(params={
            "mode": "payment", "success_url": SUCCESS, "line_items": [{"price": frame.id, "quantity": 1}]})
    assert e.value.param == "line_items[0][price]" and "not active" in e.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.checkout.sessions.create(params={
            "mode": "payment", "success_url": SUCCESS, "line_items": [{"price": "price_nope", "quantity": 1}]})
    assert e.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.products.delete(product.id)
    lone = client.v1.products.create(params={"name": "Sticker"})
    assert client.v1.products.delete(lone.id).deleted is True
    updated = client.v1.products.update(product.id, params={"name": "Big poster", "active": False})
    assert (updated.name, updated.active) == ("Big poster", False)
    assert product.id not in [p.id for p in client.v1.products.list(params={"active": True, "limit": 100}).data]


def test_customer_creation_always_makes_a_customer_for_the_buyer(us, browser):
    session = new_payment_session(us.url, customer_creation="always")
    assert session["customer_creation"] == "always" and session["customer"] is None
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(session["url"])
        fill_card(page, "4242424242424242")
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, "checkout-payment-phone.png"), full_page=True)
        submit(page)
        page.wait_for_url(SUCCESS + "?session_id=" + session["id"])
    finally:
        page.close()
    done = request(us.url, "GET", f"/v1/checkout/sessions/{session['id']}", {}).json
    customer = request(us.url, "GET", f"/v1/customers/{done['customer']}", {}).json
    assert (customer["email"], customer["name"]) == ("jenny@example.com", "Jenny Rosen")
    pi = request(us.url, "GET", f"/v1/payment_intents/{done['payment_intent']}", {}).json
    assert pi["customer"] == customer["id"]
    refused = request(us.url, "POST", "/v1/checkout/sessions", {
        "mode": "setup", "success_url": SUCCESS, "customer_creation": "always"})
    assert refused.status == 400 and refused.error["param"] == "customer_creation"


def test_the_card_is_checked_in_the_page_as_typed_before_any_call(us, browser):
    """As Stripe's Checkout: the number spaced as typed, and empty or wrong card fields shown
    under each field with Stripe.js's messages, with no call made; the Link opt-in is there."""
    session = new_payment_session(us.url)
    page = browser.new_page()
    try:
        page.goto(session["url"])
        page.type("#cardNumber", "4242424242424242")
        assert page.input_value("#cardNumber") == "4242 4242 4242 4242"
        page.fill("#cardNumber", "")
        page.type("#cardNumber", "378282246310005")
        assert page.input_value("#cardNumber") == "3782 822463 10005", "Amex is grouped 4-6-5"
        assert page.is_visible("#enableStripePass") and not page.is_checked("#enableStripePass")
        page.fill("#cardNumber", "")
        submit(page)
        shown = {f: page.inner_text(f"#{f}-fieldError") for f in ("cardNumber", "cardExpiry", "cardCvc")}
        assert shown == {"cardNumber": "Your card number is incomplete.",
                         "cardExpiry": "Your card\u2019s expiration date is incomplete.",
                         "cardCvc": "Your card\u2019s security code is incomplete."}, shown
        assert page.get_attribute("#cardNumber", "aria-invalid") == "true"
        page.fill("#cardNumber", "4242424242424241")
        page.fill("#cardExpiry", "1210")
        page.fill("#cardCvc", "123")
        page.fill("#email", "not-an-email")
        submit(page)
        assert page.inner_text("#cardNumber-fieldError") == "Your card number is invalid."
        assert page.inner_text("#cardExpiry-fieldError") == "Your card\u2019s expiration year is in the past."
        assert page.inner_text("#email-fieldError") == "Your email address is invalid."
        assert page.inner_text("#error-message") == ""
        # Nothing was sent: the session has no PaymentIntent yet.
        got = request(us.url, "GET", f"/v1/checkout/sessions/{session['id']}", {}).json
        assert got["payment_intent"] is None
        page.fill("#email", "jenny@example.com")
        fill_card(page, "4242424242424242")
        assert page.inner_text("#cardNumber-fieldError") == "", "typing clears the field's error"
        submit(page)
        page.wait_for_url(SUCCESS + "?session_id=" + session["id"])
    finally:
        page.close()
