"""What changes between Stripe.js scripts (`/v3/`, `/basil/stripe.js`, `/clover/stripe.js`,
`/dahlia/stripe.js`, `/endive/stripe.js`), each change tested on the script before it and
the script that brings it, in headless Chromium. Each test is a row of
docs/api-versions.md."""
import pytest

from helpers import PK, payment_frame, request

SCRIPTS = {"v3": "/v3/", "basil": "/basil/stripe.js", "clover": "/clover/stripe.js",
           "dahlia": "/dahlia/stripe.js", "endive": "/endive/stripe.js"}


@pytest.fixture
def with_script(us, browser):
    """A page with one release's script loaded (a blank page of the server's origin)."""
    pages = []

    def load(release):
        page = browser.new_page()
        pages.append(page)
        page.goto(us.url + "/healthz")
        page.set_content('<div id="pe"></div>')
        page.add_script_tag(url=us.url + SCRIPTS[release])
        return page

    yield load
    for page in pages:
        page.close()


def payment_intent(base, **extra):
    params = {"amount": "1099", "currency": "usd", "payment_method_types[]": "card"}
    params.update(extra)
    r = request(base, "POST", "/v1/payment_intents", params)
    assert r.status == 200, r
    return r.json


MOUNT = """([pk, options, create]) => new Promise((resolve) => {
    const elements = Stripe(pk).elements(options);
    const element = elements.create('payment', create);
    element.on('ready', () => resolve({ready: true}));
    element.on('loaderror', (e) => resolve({error: {type: e.error.type, code: e.error.code || null}}));
    element.mount('#pe');
})"""


@pytest.mark.parametrize("release,layout", [("v3", "tabs"), ("basil", "accordion"), ("endive", "accordion")])
def test_the_payment_elements_default_layout(us, with_script, release, layout):
    """2025-03-31.basil: the Payment Element is an accordion unless told otherwise (tabs before)."""
    page = with_script(release)
    pi = payment_intent(us.url)
    assert page.evaluate(MOUNT, [PK, {"clientSecret": pi["client_secret"]}, {}]) == {"ready": True}
    classes = payment_frame(page).locator("[data-pasarela=payment-element]").get_attribute("class").split()
    assert f"p-pe-{layout}" in classes


@pytest.mark.parametrize("release,refused", [("basil", False), ("clover", True), ("endive", True)])
def test_elements_refuses_the_client_secret_of_a_finished_intent(us, with_script, release, refused):
    """2025-09-30.clover: Elements with the client secret of a succeeded (or canceled,
    processing, requires_capture) intent fails to load; older scripts draw the form."""
    page = with_script(release)
    pi = payment_intent(us.url, payment_method="pm_card_visa", confirm="true")
    assert pi["status"] == "succeeded"
    got = page.evaluate(MOUNT, [PK, {"clientSecret": pi["client_secret"]}, {}])
    if refused:
        assert got == {"error": {"type": "invalid_request_error", "code": "payment_intent_unexpected_state"}}
    else:
        assert got == {"ready": True}


@pytest.mark.parametrize("release,asks", [("basil", True), ("clover", False)])
def test_a_british_card_form_asks_for_a_postcode_before_clover(us, with_script, release, asks):
    """2025-09-30.clover: no postal code for card payments in Canada, the UK and Puerto Rico."""
    page = with_script(release)
    pi = payment_intent(us.url)
    options = {"clientSecret": pi["client_secret"]}
    create = {"defaultValues": {"billingDetails": {"address": {"country": "GB"}}}}
    assert page.evaluate(MOUNT, [PK, options, create]) == {"ready": True}
    frame = payment_frame(page)
    assert frame.locator("#Field-countryInput").input_value() == "GB"
    assert frame.locator("#Field-postalCodeInput").is_visible() == asks
    if asks:
        assert frame.locator("label[for=Field-postalCodeInput]").inner_text() == "Postal code"
    frame.locator("#Field-countryInput").select_option("US")
    assert frame.locator("label[for=Field-postalCodeInput]").inner_text() == "ZIP code", "a ZIP in the US on every script"


@pytest.mark.parametrize("release", ["v3", "basil"])
def test_redirect_to_checkout_before_clover(us, with_script, release):
    """stripe.redirectToCheckout({sessionId}) opens the session's page; clover removed it."""
    page = with_script(release)
    session = request(us.url, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "https://example.com/ok",
        "line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "500",
        "line_items[0][price_data][product_data][name]": "Mug", "line_items[0][quantity]": "1"}).json
    assert page.evaluate("""async ([pk]) => { try { await Stripe(pk).redirectToCheckout({}); }
        catch (e) { return [e.name, e.message]; } }""", [PK]) == [
        "IntegrationError", "stripe.redirectToCheckout: You must provide a `sessionId`."]
    page.evaluate("([pk, id]) => { Stripe(pk).redirectToCheckout({sessionId: id}); }", [PK, session["id"]])
    page.wait_for_url(session["url"])
    assert page.locator("[data-testid='hosted-payment-submit-button']").count() == 1


def test_redirect_to_checkout_is_gone_from_clover(with_script):
    page = with_script("clover")
    assert page.evaluate("([pk]) => typeof Stripe(pk).redirectToCheckout", [PK]) == "undefined"


CARD_ELEMENT = """([pk]) => new Promise((resolve) => {
    const card = Stripe(pk).elements().create('card');
    window.card = card;
    card.on('ready', () => resolve(true));
    card.mount('#pe');
})"""


@pytest.mark.parametrize("release,present", [("v3", True), ("clover", True), ("dahlia", False), ("endive", False)])
def test_the_legacy_card_methods_until_dahlia(us, with_script, release, present):
    """2026-03-25.dahlia removed handleCardPayment, handleCardSetup, confirmPaymentIntent and
    confirmSetupIntent; before it, handleCardPayment(secret, cardElement, data) pays."""
    page = with_script(release)
    names = ["handleCardPayment", "handleCardSetup", "confirmPaymentIntent", "confirmSetupIntent"]
    types = page.evaluate("([pk, names]) => names.map((n) => typeof Stripe(pk)[n])", [PK, names])
    assert types == ["function" if present else "undefined"] * 4
    if not present:
        return
    assert page.evaluate(CARD_ELEMENT, [PK]) is True
    card = page.frame_locator('iframe[title="Secure card payment input frame"]')
    card.locator("input[name=cardnumber]").fill("4242424242424242")
    card.locator("input[name=exp-date]").fill("12 / 34")
    card.locator("input[name=cvc]").fill("123")
    card.locator("input[name=postal]").fill("10001")
    pi = payment_intent(us.url)
    got = page.evaluate("""async ([pk, secret]) => {
        const {paymentIntent, error} = await Stripe(pk).handleCardPayment(secret, window.card,
            {payment_method_data: {billing_details: {name: 'Jenny Rosen'}}});
        return error ? error.message : paymentIntent.status; }""", [PK, pi["client_secret"]])
    assert got == "succeeded"
    paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
    assert paid["payment_method"]["billing_details"]["name"] == "Jenny Rosen"


@pytest.mark.parametrize("release,promise", [("clover", False), ("dahlia", True)])
def test_elements_update_returns_a_promise_from_dahlia(with_script, release, promise):
    page = with_script(release)
    got = page.evaluate("""([pk]) => { const e = Stripe(pk).elements({mode: 'payment', amount: 1099, currency: 'usd'});
        const r = e.update({amount: 2000}); return r instanceof Promise; }""", [PK])
    assert got is promise


@pytest.mark.parametrize("release,refused", [("clover", False), ("dahlia", True)])
def test_boolean_radios_are_refused_from_dahlia(with_script, release, refused):
    page = with_script(release)
    got = page.evaluate("""([pk]) => { const e = Stripe(pk).elements({mode: 'payment', amount: 1099, currency: 'usd'});
        try { e.create('payment', {layout: {type: 'accordion', radios: true}}); return 'ok'; }
        catch (x) { return x.name; } }""", [PK])
    assert got == ("IntegrationError" if refused else "ok")


def test_an_address_the_merchant_collects_itself(us, with_script):
    """`fields.billingDetails.address: 'never'`: no country or postal code in the card form,
    and the address the merchant passes in `confirmParams` is the method's; without it, the
    form's own country and ZIP are, and the change event carries them."""
    page = with_script("clover")
    pi = payment_intent(us.url)
    create = {"fields": {"billingDetails": {"address": "never"}}}
    page.evaluate("""([pk, secret, create]) => new Promise((resolve) => {
        window.stripe = Stripe(pk);
        window.elements = window.stripe.elements({clientSecret: secret});
        const element = window.elements.create('payment', create);
        element.on('ready', () => resolve(true));
        element.mount('#pe');
    })""", [PK, pi["client_secret"], create])
    frame = payment_frame(page)
    assert frame.locator("#Field-countryInput").count() == 0 and frame.locator("#Field-postalCodeInput").count() == 0
    frame.locator("#Field-numberInput").fill("4242424242424242")
    frame.locator("#Field-expiryInput").fill("12 / 34")
    frame.locator("#Field-cvcInput").fill("123")
    got = page.evaluate("""async () => {
        const {error, paymentIntent} = await window.stripe.confirmPayment({elements: window.elements, redirect: 'if_required',
            confirmParams: {payment_method_data: {billing_details: {name: 'Jenny Rosen',
                address: {country: 'DE', postal_code: '10115', city: 'Berlin', line1: 'Unter den Linden 1'}}}}});
        return error ? error.message : paymentIntent.status; }""")
    assert got == "succeeded"
    paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
    address = paid["payment_method"]["billing_details"]["address"]
    assert (address["country"], address["postal_code"], address["city"]) == ("DE", "10115", "Berlin")

    page = with_script("clover")
    pi = payment_intent(us.url)
    page.evaluate("""([pk, secret]) => new Promise((resolve) => {
        const elements = Stripe(pk).elements({clientSecret: secret});
        const element = elements.create('payment', {defaultValues: {billingDetails: {address: {country: 'US'}}}});
        element.on('change', (e) => { window.lastChange = e; });
        element.on('ready', () => resolve(true));
        element.mount('#pe');
    })""", [PK, pi["client_secret"]])
    frame = payment_frame(page)
    frame.locator("#Field-numberInput").fill("4242424242424242")
    frame.locator("#Field-postalCodeInput").fill("94107")
    assert page.evaluate("window.lastChange.value") == {
        "type": "card", "billingDetails": {"address": {"country": "US", "postalCode": "94107"}}}
