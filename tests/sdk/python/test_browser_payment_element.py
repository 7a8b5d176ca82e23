"""The Payment Element in headless Chromium: the client code of Stripe's "accept a payment"
quickstart (checkout.html / checkout.js), with only the script URL pointing at Pasarela. The
merchant's server (a small Python server on its own origin) creates the intent with the
secret key and hands out its client secret. Screenshots of the element, desktop and phone
sized, are kept in tests/sdk/python/.artifacts/."""
import http.server
import json
import os
import threading
import urllib.parse

import pytest

from helpers import CARD_FRAME, PK, SK, answer, payment_frame, request, type_card

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".artifacts")

CHECKOUT = """<!doctype html>
<html>
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout</title><script src="%(script)s"></script>
<style>body{font-family:sans-serif;max-width:480px;margin:40px auto;padding:0 16px}
#submit{margin-top:16px;width:100%%;padding:12px;background:#5469d4;color:#fff;border:0;border-radius:4px;font-size:16px}
#error-message{color:#df1b41;margin-top:12px}</style></head>
<body>
<form id="payment-form">
  <div id="payment-element"><!--Stripe.js injects the Payment Element--></div>
  <button id="submit">Pay now</button>
  <div id="error-message"></div>
</form>
<script>
const stripe = Stripe('%(pk)s');
let elements;
initialize();
async function initialize() {
  const response = await fetch("/create-intent", { method: "POST" });
  const { clientSecret } = await response.json();
  const appearance = { theme: 'stripe', variables: { colorPrimary: '#5469d4' } };
  elements = stripe.elements({ appearance, clientSecret });
  const paymentElement = elements.create("payment", { layout: "%(layout)s" });
  paymentElement.on('ready', () => { document.body.dataset.ready = '1'; });
  paymentElement.on('change', (event) => {
    document.body.dataset.complete = event.complete ? '1' : '0';
    document.body.dataset.type = event.value.type;
  });
  paymentElement.mount("#payment-element");
}
document.querySelector("#payment-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const { error } = await stripe.%(confirm)s({
    elements,
    confirmParams: { return_url: window.location.origin + "/complete" },
  });
  // This point is only reached if there is an immediate error when confirming.
  if (error.type === "card_error" || error.type === "validation_error") {
    document.querySelector("#error-message").textContent = error.message;
  } else {
    document.querySelector("#error-message").textContent = "An unexpected error occurred.";
  }
});
</script>
</body>
</html>"""


def merchant(pasarela_url, kind="payment", layout="tabs", amount=1099, currency="usd"):
    created = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            if kind == "payment":
                r = request(pasarela_url, "POST", "/v1/payment_intents", {
                    "amount": amount, "currency": currency, "automatic_payment_methods[enabled]": "true"}, key=SK)
            else:
                cus = request(pasarela_url, "POST", "/v1/customers", {}, key=SK).json["id"]
                r = request(pasarela_url, "POST", "/v1/setup_intents", {
                    "customer": cus, "automatic_payment_methods[enabled]": "true"}, key=SK)
            created.append(r.json)
            answer(self, json.dumps({"clientSecret": r.json["client_secret"]}), "application/json")

        def do_GET(self):
            confirm = "confirmPayment" if kind == "payment" else "confirmSetup"
            page = CHECKOUT % {"script": pasarela_url + "/v3/", "pk": PK, "layout": layout, "confirm": confirm}
            answer(self, page if not self.path.startswith("/complete") else "<h1>Complete</h1>",
                   "text/html; charset=utf-8")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}", created


def open_checkout(browser, site, **kw):
    page = browser.new_page(**kw)
    page.goto(site + "/checkout")
    page.wait_for_selector("body[data-ready='1']")
    return page


def query(url):
    return {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(url).query).items()}


def test_a_card_typed_into_the_payment_element_pays(us, browser):
    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        frame = payment_frame(page)
        tabs = frame.locator("[role=tab]").all_inner_texts()
        assert tabs == ["Card", "Amazon Pay"], "the types the intent allows, in its order"
        assert page.get_attribute("body", "data-complete") is None
        type_card(page, "4242424242424242", "1234")
        assert frame.locator("#Field-numberInput").input_value() == "4242 4242 4242 4242"
        assert frame.locator("#Field-expiryInput").input_value() == "12 / 34"
        assert page.get_attribute("body", "data-complete") == "1"
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, "payment-element-desktop.png"), full_page=True)
        page.click("#submit")
        page.wait_for_url(f"{site}/complete?**")
        q = query(page.url)
        pi = created[0]
        assert (q["payment_intent"], q["redirect_status"]) == (pi["id"], "succeeded")
        after = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
        assert after["status"] == "succeeded"
        assert after["payment_method"]["card"]["last4"] == "4242"
    finally:
        page.close()
        server.shutdown()


@pytest.mark.parametrize("number,expiry,message,confirmed", [
    ("4242", "12 / 34", "Your card number is incomplete.", False),
    ("4242424242424241", "12 / 34", "Your card number is invalid.", False),
    ("4242424242424242", "12 / 1", "Your card\u2019s expiration date is incomplete.", False),
    ("4242424242424242", "12 / 20", "Your card\u2019s expiration year is in the past.", False),
    ("4000000000000002", "12 / 34", "Your card was declined.", True),
])
def test_errors_show_where_the_merchant_shows_them(us, browser, number, expiry, message, confirmed):
    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        type_card(page, number, expiry)
        page.click("#submit")
        page.wait_for_function("document.querySelector('#error-message').textContent.length > 0")
        assert page.inner_text("#error-message") == message
        after = request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}").json
        assert after["status"] == "requires_payment_method"
        assert (after["latest_charge"] is not None) == confirmed, "validation errors never reach the API"
        if not confirmed:
            assert payment_frame(page).locator("[aria-invalid='true']").get_attribute("class") == "p-pe-input"
    finally:
        page.close()
        server.shutdown()


def test_the_element_is_drawn_as_stripes_is(us, browser):
    """The fields sit in an iframe titled "Secure payment input frame" inside
    `div.__PrivateStripeElement` in the merchant's container, with Stripe's ids, so a test
    written against Stripe's Payment Element finds them."""
    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        assert page.locator("#payment-element > div.__PrivateStripeElement > iframe[title='Secure payment input frame']").count() == 1
        frame = payment_frame(page)
        for selector in ["#card-tab", "#amazon_pay-tab", "#Field-numberInput", "#Field-expiryInput", "#Field-cvcInput",
                         "select#Field-countryInput", "#Field-postalCodeInput"]:
            assert frame.locator(selector).count() == 1, selector
        assert frame.locator("label[for=Field-postalCodeInput]").inner_text() == "ZIP code"
        height = page.locator("iframe[title='Secure payment input frame']").bounding_box()["height"]
        assert height > frame.locator("#Field-postalCodeInput").bounding_box()["height"] * 4, "the frame fits its fields"
    finally:
        page.close()
        server.shutdown()


def test_the_billing_country_and_postal_code(us, browser):
    """A US card form asks for a ZIP (Stripe's message when it is missing); France has no
    postal code field; what was chosen is the payment method's billing address."""
    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        frame = payment_frame(page)
        type_card(page, "4242424242424242", postal="123")
        assert page.get_attribute("body", "data-complete") == "0"
        page.click("#submit")
        page.wait_for_function("document.querySelector('#error-message').textContent.length > 0")
        assert page.inner_text("#error-message") == "Your ZIP is incomplete."
        assert frame.locator("#Field-postalCodeError").inner_text() == "Your ZIP is incomplete."
        assert request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}").json["latest_charge"] is None
        frame.locator("#Field-countryInput").select_option("FR")
        assert not frame.locator("#Field-postalCodeInput").is_visible(), "no postal code in France"
        assert page.get_attribute("body", "data-complete") == "1"
        page.click("#submit")
        page.wait_for_url(f"{site}/complete?**")
        pi = request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}", {"expand[]": "payment_method"}).json
        assert pi["status"] == "succeeded"
        assert pi["payment_method"]["billing_details"]["address"]["country"] == "FR"
        assert pi["payment_method"]["billing_details"]["address"]["postal_code"] is None
    finally:
        page.close()
        server.shutdown()

    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        type_card(page, "4242424242424242", postal="94107")
        page.click("#submit")
        page.wait_for_url(f"{site}/complete?**")
        pi = request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}", {"expand[]": "payment_method"}).json
        address = pi["payment_method"]["billing_details"]["address"]
        assert (address["country"], address["postal_code"]) == ("US", "94107")
    finally:
        page.close()
        server.shutdown()


def test_amazon_pay_from_the_payment_element_goes_through_the_authorization_page(us, browser):
    server, site, created = merchant(us.url, layout="accordion")
    page = open_checkout(browser, site)
    try:
        # Stripe's test id of an accordion item.
        payment_frame(page).locator('[data-testid="amazon_pay-accordion-item"]').click()
        assert page.get_attribute("body", "data-type") == "amazon_pay"
        assert page.get_attribute("body", "data-complete") == "1"
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{site}/complete?**")
        assert query(page.url)["redirect_status"] == "succeeded"
        after = request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}").json
        assert after["status"] == "succeeded"
    finally:
        page.close()
        server.shutdown()


def test_alma_from_the_payment_element_on_a_french_account(fr, browser):
    """Seed 004's Alma, chosen in the Payment Element: a FR account, 50.99 EUR."""
    server, site, created = merchant(fr.url, amount=5099, currency="eur")
    page = open_checkout(browser, site)
    try:
        assert payment_frame(page).locator("[role=tab]").all_inner_texts() == ["Card", "Alma", "Amazon Pay"]
        payment_frame(page).locator("#alma-tab").click()
        page.click("#submit")
        page.wait_for_url(f"{fr.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{site}/complete?**")
        assert query(page.url)["redirect_status"] == "succeeded"
        after = request(fr.url, "GET", f"/v1/payment_intents/{created[0]['id']}", {"expand[]": "payment_method"}).json
        assert (after["status"], after["payment_method"]["type"]) == ("succeeded", "alma")
    finally:
        page.close()
        server.shutdown()


def test_a_3ds_card_is_authenticated_on_the_test_page(us, browser):
    server, site, created = merchant(us.url)
    page = open_checkout(browser, site)
    try:
        type_card(page, "4000002760003184")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{site}/complete?**")
        assert query(page.url)["redirect_status"] == "succeeded"
        assert request(us.url, "GET", f"/v1/payment_intents/{created[0]['id']}").json["status"] == "succeeded"
    finally:
        page.close()
        server.shutdown()


def test_confirm_setup_saves_a_card_typed_into_the_payment_element(us, browser):
    server, site, created = merchant(us.url, kind="setup")
    page = open_checkout(browser, site, viewport={"width": 390, "height": 844})
    try:
        type_card(page, "5555555555554444")
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, "payment-element-phone.png"), full_page=True)
        page.click("#submit")
        page.wait_for_url(f"{site}/complete?**")
        q = query(page.url)
        si = created[0]
        assert (q["setup_intent"], q["redirect_status"]) == (si["id"], "succeeded")
        after = request(us.url, "GET", f"/v1/setup_intents/{si['id']}", {"expand[]": "payment_method"}).json
        assert after["status"] == "succeeded"
        assert after["payment_method"]["customer"] == si["customer"]
        assert after["payment_method"]["card"]["brand"] == "mastercard"
    finally:
        page.close()
        server.shutdown()


def test_elements_integration_errors(us, browser):
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.add_script_tag(url=f"{us.url}/v3/")
        err = page.evaluate("() => { try { Stripe('%s').elements({}).create('payment'); } catch (e) { return [e.name, e.message]; } }" % PK)
        assert err[0] == "IntegrationError" and "clientSecret" in err[1]
        err = page.evaluate("""() => { const e = Stripe('%s').elements({mode: 'payment', amount: 1099, currency: 'usd'});
            try { e.create('payment').mount('#nowhere'); } catch (x) { return x.message; } }""" % PK)
        assert "applies to no DOM elements" in err
    finally:
        page.close()


def test_deferred_intent_types_by_script_version(us, browser):
    """Elements without an intent (`mode`): the endive script refuses `paymentMethodTypes`
    (use `allowedPaymentMethodTypes`); the scripts before it take it."""
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.set_content('<div id="pe"></div>')
        results = {}
        for release in ["dahlia", "endive"]:
            page.add_script_tag(url=f"{us.url}/{release}/stripe.js")
            results[release] = page.evaluate("""(pk) => {
                const stripe = Stripe(pk);
                const attempt = (opts) => { try { stripe.elements(opts); return 'ok'; } catch (e) { return e.name; } };
                return [attempt({mode: 'payment', amount: 1099, currency: 'usd', paymentMethodTypes: ['card']}),
                        attempt({mode: 'payment', amount: 1099, currency: 'usd', allowedPaymentMethodTypes: ['card']})];
            }""", PK)
        assert results == {"dahlia": ["ok", "ok"], "endive": ["IntegrationError", "ok"]}
        # The deferred element offers the allowed types.
        page.evaluate("""(pk) => { const e = Stripe(pk).elements({mode: 'payment', amount: 1099, currency: 'usd',
            allowedPaymentMethodTypes: ['card', 'amazon_pay']}); const p = e.create('payment');
            p.on('ready', () => { document.body.dataset.ready = '1'; }); p.mount('#pe'); }""", PK)
        page.wait_for_selector("body[data-ready='1']")
        assert payment_frame(page).locator("[role=tab]").all_inner_texts() == ["Card", "Amazon Pay"]
    finally:
        page.close()


CARD_PAGE = """<!doctype html><html><head><script src="%(script)s"></script></head><body>
<form id="payment-form"><div id="card-element"></div><button id="submit">Pay</button><div id="card-errors" role="alert"></div></form>
<script>
const stripe = Stripe('%(pk)s');
const elements = stripe.elements();
const cardElement = elements.create('card');
cardElement.on('ready', () => { document.body.dataset.ready = '1'; });
cardElement.on('change', ({error, complete, brand}) => {
  document.body.dataset.complete = complete ? '1' : '0'; document.body.dataset.brand = brand;
  document.getElementById('card-errors').textContent = error ? error.message : '';
});
cardElement.mount('#card-element');
window.pay = async (clientSecret) => {
  const {paymentIntent, error} = await stripe.confirmCardPayment(clientSecret, {
    payment_method: {card: cardElement, billing_details: {name: 'Jenny Rosen'}}});
  return error ? {error: [error.type, error.code || null, error.message]} : {status: paymentIntent.status};
};
window.save = async () => {
  const {paymentMethod, error} = await stripe.createPaymentMethod({type: 'card', card: cardElement});
  return error ? {error: error.message} : {last4: paymentMethod.card.last4, name: paymentMethod.type};
};
</script></body></html>"""


def test_the_card_element_with_confirm_card_payment(us, browser):
    """The Card Element of Stripe's older docs: `elements()` without options,
    `create('card')`, and `confirmCardPayment(secret, {payment_method: {card: cardElement}})`."""
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.set_content(CARD_PAGE % {"script": us.url + "/v3/", "pk": PK})
        page.wait_for_selector("body[data-ready='1']")

        def intent():
            return request(us.url, "POST", "/v1/payment_intents", {
                "amount": 2000, "currency": "usd", "automatic_payment_methods[enabled]": "true",
                "automatic_payment_methods[allow_redirects]": "never"}).json

        # The Card Element's inputs by the names Stripe's have.
        card = page.frame_locator(CARD_FRAME)

        def type_number(number):
            card.locator("input[name=cardnumber]").fill(number)
            card.locator("input[name=exp-date]").fill("12 / 34")
            card.locator("input[name=cvc]").fill("123")
            card.locator("input[name=postal]").fill("94107")

        pi = intent()
        type_number("4242")
        assert page.evaluate("(cs) => window.pay(cs)", pi["client_secret"]) == {
            "error": ["validation_error", "incomplete_number", "Your card number is incomplete."]}
        assert request(us.url, "GET", f"/v1/payment_intents/{pi['id']}").json["latest_charge"] is None
        type_number("4000000000000002")
        assert page.get_attribute("body", "data-brand") == "visa"
        declined = page.evaluate("(cs) => window.pay(cs)", pi["client_secret"])
        assert declined["error"][:2] == ["card_error", "card_declined"]
        assert declined["error"][2] == "Your card was declined."
        type_number("4242424242424242")
        assert page.get_attribute("body", "data-complete") == "1"
        assert page.evaluate("(cs) => window.pay(cs)", pi["client_secret"]) == {"status": "succeeded"}
        paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
        billing = paid["payment_method"]["billing_details"]
        assert (billing["name"], billing["address"]["postal_code"]) == ("Jenny Rosen", "94107"), \
            "the merchant's billing details and the element's postal code, together"
        assert page.evaluate("() => window.save()") == {"last4": "4242", "name": "card"}
    finally:
        page.close()


def test_the_card_element_is_one_line_styled_by_the_page_and_its_style_option(us, browser):
    """Stripe's Card Element is one line (number, MM / YY, CVC, ZIP) inside the page's own box:
    the mount node gets Stripe's `StripeElement` classes for the page's CSS, and the `style`,
    `value` and `disabled` options apply inside the frame."""
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.set_content("""<style>.StripeElement{padding:10px 12px;border:1px solid #ccc;width:420px}
            .StripeElement--focus{border-color:#0570de}</style><div id="card"></div><button id="b">Pay</button>""")
        page.add_script_tag(url=f"{us.url}/v3/")
        page.evaluate("""(pk) => { window.card = Stripe(pk).elements().create('card', {
            value: {postalCode: '94107'},
            style: {base: {color: 'rgb(50, 50, 93)', fontSize: '16px', '::placeholder': {color: 'rgb(170, 183, 196)'}},
                    invalid: {color: 'rgb(250, 117, 94)'}}});
            window.card.mount('#card'); }""", PK)
        card = page.frame_locator(CARD_FRAME)
        number = card.locator("input[name=cardnumber]")
        number.wait_for()
        assert page.frame_locator('iframe[src*="elements-inner-card"]').locator("input[name=cvc]").count() == 1
        classes = lambda: page.get_attribute("#card", "class").split()
        assert "StripeElement" in classes() and "StripeElement--empty" in classes()
        # One line: every input on the same row, the box about 40 px tall as Stripe's.
        tops = [card.locator(f"input[name={n}]").bounding_box()["y"] for n in ("cardnumber", "exp-date", "cvc", "postal")]
        assert max(tops) - min(tops) < 2, tops
        box = page.locator("#card").bounding_box()
        print(f"\nthe Card Element's box: {box['width']:.0f} x {box['height']:.0f} px")
        assert box["height"] < 50, box
        # The button below it is clickable (the frame does not cover it).
        page.click("#b", timeout=2000)
        assert card.locator("input[name=postal]").input_value() == "94107"
        assert number.evaluate("(n) => getComputedStyle(n).color") == "rgb(50, 50, 93)"
        assert number.get_attribute("placeholder") == "Card number"
        number.focus()
        assert "StripeElement--focus" in classes()
        number.fill("4242424242424242")
        card.locator("input[name=exp-date]").fill("12 / 34")
        card.locator("input[name=cvc]").fill("123")
        assert "StripeElement--complete" in classes() and "StripeElement--empty" not in classes()
        number.fill("4242424242424241")
        card.locator("input[name=cvc]").focus()
        assert "StripeElement--invalid" in classes()
        assert number.evaluate("(n) => getComputedStyle(n).color") == "rgb(250, 117, 94)"
        page.evaluate("() => window.card.update({disabled: true})")
        assert number.is_disabled()
    finally:
        page.close()


def test_the_split_card_elements_confirm_together(us, browser):
    """cardNumber, cardExpiry, cardCvc and postalCode, each in its own frame as Stripe's; the
    number's element confirms with all of them, and each reports its own state."""
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.set_content('<div id="n"></div><div id="e"></div><div id="c"></div><div id="z"></div>')
        page.add_script_tag(url=f"{us.url}/v3/")
        page.evaluate("""(pk) => { window.stripe = Stripe(pk); const elements = stripe.elements();
            window.changes = [];
            window.parts = {};
            for (const [kind, at] of [['cardNumber', '#n'], ['cardExpiry', '#e'], ['cardCvc', '#c'], ['postalCode', '#z']]) {
                const part = elements.create(kind);
                part.on('change', (e) => window.changes.push([e.elementType, e.complete, e.empty, e.error ? e.error.code : null]));
                part.mount(at);
                window.parts[kind] = part;
            }
            window.same = elements.getElement('cardNumber') === window.parts.cardNumber; }""", PK)
        frame = lambda title: page.frame_locator(f'iframe[title="{title}"]')
        frame("Secure card number input frame").locator("input[name=cardnumber]").fill("4242424242424242")
        frame("Secure expiration date input frame").locator("input[name=exp-date]").fill("12 / 34")
        assert page.evaluate("window.same") is True
        pi = request(us.url, "POST", "/v1/payment_intents", {
            "amount": 1500, "currency": "usd", "payment_method_types[]": "card"}).json
        pay = """([cs]) => stripe.confirmCardPayment(cs, {payment_method: {card: window.parts.cardNumber,
            billing_details: {name: 'Jenny Rosen'}}}).then((r) => r.error ? [r.error.type, r.error.code] : r.paymentIntent.status)"""
        # The CVC is missing: refused in place, before any call.
        assert page.evaluate(pay, [pi["client_secret"]]) == ["validation_error", "incomplete_cvc"]
        assert frame("Secure CVC input frame").locator("input[name=cvc]").get_attribute("aria-invalid") == "true"
        frame("Secure CVC input frame").locator("input[name=cvc]").fill("123")
        frame("Secure postal code input frame").locator("input[name=postal]").fill("94107")
        assert page.evaluate(pay, [pi["client_secret"]]) == "succeeded"
        paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
        pm = paid["payment_method"]
        assert (pm["card"]["last4"], pm["card"]["exp_year"], pm["billing_details"]["address"]["postal_code"],
                pm["billing_details"]["name"]) == ("4242", 2034, "94107", "Jenny Rosen"), pm
        changes = page.evaluate("window.changes")
        assert ["cardNumber", True, False, None] in changes, changes
        assert ["cardExpiry", True, False, None] in changes, changes
        made = page.evaluate("""() => stripe.createPaymentMethod({type: 'card', card: window.parts.cardNumber})
            .then((r) => r.error ? r.error.message : r.paymentMethod.card.last4)""")
        assert made == "4242"
    finally:
        page.close()


def test_the_address_element_in_shipping_and_billing_modes(us, browser):
    """The Address Element: Stripe's fields by country, defaultValues, change and getValue,
    checked in place on submit, and passed on as the intent's shipping (shipping mode) or the
    payment method's billing details (billing mode)."""
    page = browser.new_page()
    try:
        pi = request(us.url, "POST", "/v1/payment_intents", {
            "amount": 2500, "currency": "usd", "payment_method_types[]": "card"}).json
        page.goto(us.url + "/healthz")
        page.set_content('<div id="ship"></div><div id="bill"></div><div id="pay"></div>')
        page.add_script_tag(url=f"{us.url}/v3/")
        page.evaluate("""([pk, cs]) => { window.stripe = Stripe(pk);
            window.elements = stripe.elements({clientSecret: cs});
            window.changes = [];
            const ship = elements.create('address', {mode: 'shipping', fields: {phone: 'always'},
                defaultValues: {name: 'Jenny Rosen', address: {line1: '510 Townsend St', city: 'San Francisco',
                                state: 'CA', postal_code: '94103', country: 'US'}}});
            ship.on('change', (e) => window.changes.push(e));
            ship.mount('#ship');
            window.bill = elements.create('address', {mode: 'billing'});
            window.bill.mount('#bill');
            elements.create('payment').mount('#pay'); }""", [PK, pi["client_secret"]])
        ship = page.frame_locator('iframe[src*="elements-inner-address"]').first
        assert ship.locator("#Field-addressLine1Input").input_value() == "510 Townsend St"
        assert ship.locator("#Field-administrativeAreaInput").input_value() == "CA"
        assert ship.locator("#Field-phoneNumberInput").count() == 1
        bill = page.frame_locator('iframe[src*="elements-inner-address"]').nth(1)
        # Another country, other fields: the UK has no state, and a postcode.
        bill.locator("#Field-countryInput").select_option("GB")
        assert bill.locator("#Field-administrativeAreaInput").count() == 0
        assert bill.locator("label[for=Field-postalCodeInput]").inner_text() == "Postal code"
        payment_frame(page).locator("#Field-numberInput").wait_for()
        type_card(page, "4242424242424242", "12 / 34", "123", "10001")
        # Empty billing fields are refused in place, before any call.
        got = page.evaluate("() => elements.submit().then((r) => r.error ? r.error.message : 'ok')")
        assert got == "This field is incomplete."
        assert bill.locator("#Field-nameInput").get_attribute("aria-invalid") == "true"
        bill.locator("#Field-nameInput").fill("Jenny Rosen")
        bill.locator("#Field-addressLine1Input").fill("1 Main St")
        bill.locator("#Field-localityInput").fill("London")
        bill.locator("#Field-postalCodeInput").fill("SW1A 1AA")
        value = page.evaluate("() => window.bill.getValue()")
        assert value["complete"] is True and value["value"]["address"]["country"] == "GB", value
        assert page.evaluate("window.changes.length") >= 1
        assert page.evaluate("window.changes[0].value.address.city") == "San Francisco"
        done = page.evaluate("""() => stripe.confirmPayment({elements, redirect: 'if_required'})
            .then((r) => r.error ? r.error.message : r.paymentIntent.status)""")
        assert done == "succeeded"
        paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
        assert paid["shipping"]["address"]["line1"] == "510 Townsend St" and paid["shipping"]["name"] == "Jenny Rosen"
        billing = paid["payment_method"]["billing_details"]
        assert (billing["name"], billing["address"]["city"], billing["address"]["postal_code"]) == \
            ("Jenny Rosen", "London", "SW1A 1AA"), billing
    finally:
        page.close()


def test_appearance_rules_style_the_elements_fields(us, browser):
    """The Appearance API's `rules`: Stripe's class names (`.Input`, `.Label`, `.Tab--selected`,
    `.Input:focus`) style the Payment Element's fields; `elements.update` restyles them."""
    page = browser.new_page()
    try:
        pi = request(us.url, "POST", "/v1/payment_intents", {
            "amount": 1000, "currency": "usd", "automatic_payment_methods[enabled]": "true"}).json
        page.goto(us.url + "/healthz")
        page.set_content('<div id="pay"></div>')
        page.add_script_tag(url=f"{us.url}/v3/")
        page.evaluate("""([pk, cs]) => { window.elements = Stripe(pk).elements({clientSecret: cs, appearance: {rules: {
            '.Input': {borderColor: 'rgb(255, 0, 0)'}, '.Label': {fontWeight: '700'},
            '.Tab--selected': {color: 'rgb(0, 128, 0)'}, '.Input:focus': {borderColor: 'rgb(0, 0, 255)'},
            '.Nope': {color: 'red'}}}});
            elements.create('payment').mount('#pay'); }""", [PK, pi["client_secret"]])
        frame = payment_frame(page)
        number = frame.locator("#Field-numberInput")
        number.wait_for()
        style = lambda loc, prop: loc.evaluate(f"(n) => getComputedStyle(n).{prop}")
        assert style(number, "borderTopColor") == "rgb(255, 0, 0)"
        assert style(frame.locator("label[for=Field-numberInput]"), "fontWeight") == "700"
        assert style(frame.locator('[aria-selected="true"]'), "color") == "rgb(0, 128, 0)"
        number.focus()
        page.wait_for_timeout(400)  # the border's colour transition (0.15 s) ends
        assert style(number, "borderTopColor") == "rgb(0, 0, 255)"
        page.evaluate("() => elements.update({appearance: {rules: {'.Input': {borderColor: 'rgb(1, 2, 3)'}}}})")
        frame.locator("#Field-cvcInput").focus()
        page.wait_for_timeout(400)
        assert style(number, "borderTopColor") == "rgb(1, 2, 3)"
    finally:
        page.close()
