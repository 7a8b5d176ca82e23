"""Seed 002 (existing customers: a CustomerSession and the Payment Element showing saved
methods) end to end in headless Chromium: the seed's server.rb as a small Python server, its
checkout.html, checkout.js and status.js as printed, with only the script URL pointing at
Pasarela. The seed's return_url (https://example.com/order/123/complete) stands for the
merchant's site: the test answers it (there is no internet here) with a redirect to the same
path on the local shop, which serves the seed's status page (a public origin may not load
scripts from loopback in Chromium, and Pasarela runs on loopback here)."""
import http.server
import json
import os
import threading

from helpers import PK, SK, answer, payment_frame, request, type_card

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".artifacts")

CHECKOUT = """<!doctype html>
<html>
<head> <title>Checkout</title> <script src="%(script)s"></script> </head>
<body>
<form id="payment-form"> <div id="payment-element"> <!-- Elements will create form elements here --> </div> <button id="submit">Submit</button> <div id="error-message"> <!-- Display error message to your customers here --> </div> </form>
<script type="module">
// Set your publishable key: remember to change this to your live publishable key in production // See your keys here: https://dashboard.stripe.com/apikeys
const stripe = Stripe(
'%(pk)s'
);
// Fetch the two `client_secret`
const response = await fetch('/create-intent-and-customer-session', { method: "POST" }); const { client_secret, customer_session_client_secret } = await response.json(); // Initialize Elements
const elements = stripe.elements({ clientSecret: client_secret, customerSessionClientSecret: customer_session_client_secret, }); // Create and mount the Payment Element
const paymentElementOptions = { layout: 'accordion'}; const paymentElement = elements.create('payment', paymentElementOptions); paymentElement.mount('#payment-element');
paymentElement.on('ready', () => { document.body.dataset.ready = '1'; });
const form = document.getElementById('payment-form'); form.addEventListener('submit', async (event) => { event.preventDefault(); const {error} = await stripe.confirmPayment({ //`Elements` instance that was used to create the Payment Element
 elements, confirmParams: { return_url: 'https://example.com/order/123/complete', }, }); if (error) { // This point will only be reached if there is an immediate error when
 // confirming the payment. Show error to your customer (for example, payment
 // details incomplete)
 const messageContainer = document.querySelector('#error-message'); messageContainer.textContent = error.message; } else { // Your customer will be redirected to your `return_url`. For some payment
 // methods like iDEAL, your customer will be redirected to an intermediate
 // site first to authorize the payment, then redirected to the `return_url`.
 } });
</script>
</body>
</html>"""

STATUS = """<!doctype html>
<html><head><title>Order</title><script src="%(script)s"></script></head>
<body><div id="message"></div>
<script>
// Initialize Stripe.js using your publishable key
const stripe = Stripe(
'%(pk)s'
); // Retrieve the "payment_intent_client_secret" query parameter appended to
// your return_url by Stripe.js
const clientSecret = new URLSearchParams(window.location.search).get( 'payment_intent_client_secret' ); // Retrieve the PaymentIntent
stripe.retrievePaymentIntent(clientSecret).then(({paymentIntent}) => { const message = document.querySelector('#message')
 switch (paymentIntent.status) { case 'succeeded': message.innerText = 'Success! Payment received.'; break; case 'processing': message.innerText = "Payment processing. We'll update you when payment is received."; break; case 'requires_payment_method': message.innerText = 'Payment failed. Please try another payment method.'; break; default: message.innerText = 'Something went wrong.'; break; } });
</script></body></html>"""


def shop(pasarela_url, customer_id, features=None):
    """server.rb: post '/create-intent-and-customer-session' for {{CUSTOMER_ID}} (with more
    Payment Element `features` when given)."""
    created = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            intent = request(pasarela_url, "POST", "/v1/payment_intents", {
                "amount": 1099, "currency": "usd", "automatic_payment_methods[enabled]": "true",
                "customer": customer_id}, key=SK, auth="basic", version=None).json
            params = {"customer": customer_id, "components[payment_element][enabled]": "true",
                      "components[payment_element][features][payment_method_redisplay]": "enabled"}
            for k, v in (features or {}).items():
                params[f"components[payment_element][features][{k}]"] = v
            session = request(pasarela_url, "POST", "/v1/customer_sessions", params,
                              key=SK, auth="basic", version=None).json
            created.append((intent, session))
            answer(self, json.dumps({"client_secret": intent["client_secret"],
                                     "customer_session_client_secret": session["client_secret"]}),
                   "application/json")

        def do_GET(self):
            page = STATUS if self.path.startswith("/order/") else CHECKOUT
            answer(self, page % {"script": pasarela_url + "/v3/", "pk": PK}, "text/html; charset=utf-8")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}", created


def saved_card(base, customer, alias, allow_redisplay):
    pm = request(base, "POST", "/v1/payment_methods", {
        "type": "card", "card[token]": alias.replace("pm_card_", "tok_"),
        "allow_redisplay": allow_redisplay}).json
    attached = request(base, "POST", f"/v1/payment_methods/{pm['id']}/attach", {"customer": customer})
    assert attached.status == 200, attached
    return pm["id"]


def open_page(browser, pasarela, site, **kw):
    page = browser.new_page(**kw)
    page.route("https://example.com/**", lambda route: route.fulfill(
        status=302, headers={"Location": site + route.request.url[len("https://example.com"):]}))
    page.goto(site + "/checkout")
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_seed_002_pays_with_the_saved_card_the_session_shows(us, browser):
    customer = request(us.url, "POST", "/v1/customers", {"email": "returning@example.com"}).json["id"]
    hidden = saved_card(us.url, customer, "pm_card_mastercard", "unspecified")
    shown = saved_card(us.url, customer, "pm_card_visa", "always")
    server, site, created = shop(us.url, customer)
    page = open_page(browser, us, site)
    frame = payment_frame(page)
    try:
        choices = frame.locator(".p-pe-choice").all_inner_texts()
        assert choices[0].startswith("Visa \u2022\u2022\u2022\u2022 4242"), choices
        assert choices[-1] == "New payment method"
        assert len(choices) == 2, "a method saved without consent (allow_redisplay unspecified) is not shown"
        assert frame.locator(f"#p-pe-saved-{shown}").is_checked(), "the saved card is chosen by default"
        assert not frame.locator(f"#p-pe-saved-{hidden}").count()
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, "seed-002-saved-card.png"), full_page=True)
        page.click("#submit")
        page.wait_for_url(f"{site}/order/123/complete?**")
        page.wait_for_function("document.querySelector('#message').innerText.length > 0")
        assert page.inner_text("#message") == "Success! Payment received."
        intent, _ = created[0]
        after = request(us.url, "GET", f"/v1/payment_intents/{intent['id']}").json
        assert (after["status"], after["payment_method"], after["customer"]) == ("succeeded", shown, customer)
    finally:
        page.close()
        server.shutdown()


def test_seed_002_a_new_card_instead_of_the_saved_one(us, browser):
    customer = request(us.url, "POST", "/v1/customers", {}).json["id"]
    saved_card(us.url, customer, "pm_card_visa", "always")
    server, site, created = shop(us.url, customer)
    page = open_page(browser, us, site, viewport={"width": 390, "height": 844})
    frame = payment_frame(page)
    try:
        frame.locator("#p-pe-saved-new").check()
        type_card(page, "4000000000000002", "1234")
        page.screenshot(path=os.path.join(ARTIFACTS, "seed-002-new-card-phone.png"), full_page=True)
        page.click("#submit")
        page.wait_for_function("document.querySelector('#error-message').textContent.trim().length > 0")
        assert page.inner_text("#error-message") == "Your card was declined."
        frame.locator("#Field-numberInput").fill("4242424242424242")
        page.click("#submit")
        page.wait_for_url(f"{site}/order/123/complete?**")
        page.wait_for_function("document.querySelector('#message').innerText.length > 0")
        assert page.inner_text("#message") == "Success! Payment received."
    finally:
        page.close()
        server.shutdown()


def test_the_saved_methods_endpoint_refuses_a_foreign_or_unknown_session(us):
    """What Pasarela's Payment Element asks with the publishable key: only a live session's
    customer's methods, and only for that customer's intent."""
    alice = request(us.url, "POST", "/v1/customers", {}).json["id"]
    bob = request(us.url, "POST", "/v1/customers", {}).json["id"]
    card = saved_card(us.url, alice, "pm_card_visa", "always")
    session = request(us.url, "POST", "/v1/customer_sessions", {
        "customer": alice, "components[payment_element][enabled]": "true",
        "components[payment_element][features][payment_method_redisplay]": "enabled"}).json
    mine = request(us.url, "POST", "/v1/payment_intents", {
        "amount": 1099, "currency": "usd", "customer": alice}).json
    theirs = request(us.url, "POST", "/v1/payment_intents", {
        "amount": 1099, "currency": "usd", "customer": bob}).json
    path = "/v1/elements/saved_payment_methods"
    ok = request(us.url, "GET", path, {"customer_session_client_secret": session["client_secret"],
                                       "client_secret": mine["client_secret"]}, key=PK, validate=False)
    assert ok.status == 200 and [pm["id"] for pm in ok.json["data"]] == [card]
    foreign = request(us.url, "GET", path, {"customer_session_client_secret": session["client_secret"],
                                            "client_secret": theirs["client_secret"]}, key=PK)
    assert foreign.status == 400 and foreign.error["param"] == "customer_session_client_secret"
    unknown = request(us.url, "GET", path, {"customer_session_client_secret": "cuss_secret_nope"}, key=PK)
    assert unknown.status == 400 and unknown.error["code"] == "resource_missing"
    off = request(us.url, "POST", "/v1/customer_sessions", {
        "customer": alice, "components[payment_element][enabled]": "true"}).json
    none = request(us.url, "GET", path, {"customer_session_client_secret": off["client_secret"]}, key=PK,
                   validate=False)
    assert none.json["data"] == [], "redisplay is off unless the session enables it"


def test_a_new_card_saved_from_the_payment_element_is_shown_next_time(us, browser):
    """`payment_method_save: enabled`: the customer ticks "Save payment details for future
    purchases"; the card is saved for later (`setup_future_usage` as the session says) with
    `allow_redisplay: always`, so the next session shows it."""
    customer = request(us.url, "POST", "/v1/customers", {}).json["id"]
    server, site, created = shop(us.url, customer, {
        "payment_method_save": "enabled", "payment_method_save_usage": "on_session"})
    page = open_page(browser, us, site)
    frame = payment_frame(page)
    try:
        assert frame.locator(".p-pe-choice").count() == 1, "nothing saved yet: only the save box"
        type_card(page, "4242424242424242", "1234")
        frame.locator("#p-pe-save").check()
        page.click("#submit")
        page.wait_for_url(f"{site}/order/123/complete?**")
        intent, _ = created[0]
        after = request(us.url, "GET", f"/v1/payment_intents/{intent['id']}", {"expand[]": "payment_method"}).json
        assert (after["status"], after["setup_future_usage"]) == ("succeeded", "on_session")
        pm = after["payment_method"]
        assert (pm["customer"], pm["allow_redisplay"]) == (customer, "always")
        page.goto(site + "/checkout")
        page.wait_for_selector("body[data-ready='1']")
        assert frame.locator(f"#p-pe-saved-{pm['id']}").is_checked()
    finally:
        page.close()
        server.shutdown()


def test_the_customer_removes_a_saved_card(us, browser):
    """`payment_method_remove: enabled`: each saved card has a Remove button that detaches it
    (`payment_method.detached`); without the feature there is none."""
    customer = request(us.url, "POST", "/v1/customers", {}).json["id"]
    old = saved_card(us.url, customer, "pm_card_mastercard", "always")
    kept = saved_card(us.url, customer, "pm_card_visa", "always")
    server, site, created = shop(us.url, customer, {"payment_method_remove": "enabled"})
    page = open_page(browser, us, site)
    frame = payment_frame(page)
    try:
        assert frame.locator(".p-pe-remove").count() == 2
        frame.locator(f"#p-pe-remove-{old}").click()
        frame.locator(f"#p-pe-saved-{old}").wait_for(state="detached")
        assert frame.locator(f"#p-pe-saved-{kept}").is_checked()
        gone = request(us.url, "GET", f"/v1/payment_methods/{old}", {}).json
        assert gone["customer"] is None
        detached = request(us.url, "GET", "/v1/events", {"type": "payment_method.detached"}).json["data"]
        assert detached[0]["data"]["object"]["id"] == old
        page.click("#submit")
        page.wait_for_url(f"{site}/order/123/complete?**")
    finally:
        page.close()
        server.shutdown()
    # A session without the feature shows no button, and the endpoint refuses.
    server, site, created = shop(us.url, customer)
    page = open_page(browser, us, site)
    frame = payment_frame(page)
    try:
        assert frame.locator(".p-pe-remove").count() == 0
        _, session = created[0]
        refused = request(us.url, "POST", f"/v1/elements/saved_payment_methods/{kept}/detach",
                          {"customer_session_client_secret": session["client_secret"]}, key=PK)
        assert refused.status == 400 and refused.error["param"] == "customer_session_client_secret"
    finally:
        page.close()
        server.shutdown()
