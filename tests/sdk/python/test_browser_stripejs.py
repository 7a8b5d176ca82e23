"""Seeds 000 (Amazon Pay) and 004 (Alma), client side, in headless Chromium: the seeds'
checkout.html and client.js as printed, with only the script URL pointing at Pasarela.
The merchant's server (here a small Python server on its own origin) creates the
PaymentIntent with the seed's curl parameters and hands out the client secret from
/secret, as the seeds show.
"""
import http.server
import json
import threading
import urllib.parse

import pytest

from helpers import PK, SK, request


# checkout.html from the seeds (head as printed, script URL changed), the seeds' form,
# the /secret snippet and client.js verbatim. `clientSecret` is shared between the two
# snippets as the seeds intend.
CHECKOUT = """<!doctype html>
<html>
<head> <title>Checkout</title> <script src="%(script)s"></script> </head>
<body>
<form id="payment-form"><button id="submit" type="submit">Pay</button><div id="error-message"></div></form>
<script>
let clientSecret;
(async () => { const response = await fetch('/secret'); const {client_secret: secret} = await response.json(); clientSecret = secret; document.body.dataset.ready = '1'; })();
</script>
<script>
// Set your publishable key. Remember to change this to your live publishable key in production!
// See your keys here: https://dashboard.stripe.com/apikeys
const stripe = Stripe(
'%(pk)s'%(options)s
);
const form = document.getElementById('payment-form'); form.addEventListener('submit', async function(event) { event.preventDefault(); // Set the clientSecret of the PaymentIntent
 const { error } = await stripe.confirmPayment({ clientSecret: clientSecret, confirmParams: { payment_method_data: { type: '%(method)s', }, // Return URL where the customer should be redirected after the authorization
 return_url: `${window.location.href}`, }, }); if (error) { // Inform the customer that there was an error.
 const errorElement = document.getElementById('error-message'); errorElement.textContent = error.message; } });
</script>
</body>
</html>"""


def merchant_site(pasarela_url, script_path, method, amount, currency, options=""):
    created = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.urlparse(self.path).path
            if path == "/secret":
                # get '/secret' do intent = # ... Create or retrieve the PaymentIntent
                r = request(pasarela_url, "POST", "/v1/payment_intents",
                            {"payment_method_types[]": method, "amount": amount, "currency": currency},
                            key=SK, auth="basic", version=None)
                created.append(r.json)
                body = json.dumps({"client_secret": r.json["client_secret"]}).encode()
                ctype = "application/json"
            else:
                body = (CHECKOUT % {"script": pasarela_url + script_path, "pk": PK, "method": method,
                                    "options": options}).encode()
                ctype = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}", created


@pytest.mark.parametrize("seed,script_path,method,amount,currency,button,redirect_status,final", [
    ("000", "/v3/", "amazon_pay", 1099, "usd", "Authorize test payment", "succeeded", "succeeded"),
    ("000", "/v3/", "amazon_pay", 1099, "usd", "Fail test payment", "failed", "requires_payment_method"),
    ("004", "/basil/stripe.js", "alma", 5099, "eur", "Authorize test payment", "succeeded", "succeeded"),
])
def test_seed_client_flow_with_pasarela_stripejs(us, fr, browser, seed, script_path, method, amount, currency,
                                                 button, redirect_status, final):
    pasarela = us if currency == "usd" else fr
    server, site, created = merchant_site(pasarela.url, script_path, method, amount, currency)
    page = browser.new_page()
    try:
        page.goto(f"{site}/checkout?order=42")
        page.wait_for_selector("body[data-ready='1']")
        assert page.evaluate("Stripe.version") == (3 if script_path == "/v3/" else "basil")
        page.click("#submit")
        page.wait_for_url(f"{pasarela.url}/authorize/**")
        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{site}/checkout?**")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        pi = created[0]
        assert query["order"] == ["42"]
        assert query["payment_intent"] == [pi["id"]]
        assert query["payment_intent_client_secret"] == [pi["client_secret"]]
        assert query["redirect_status"] == [redirect_status]
        # The return page reads the intent as the seeds suggest (publishable key + secret).
        status = page.evaluate("""async (cs) => (await Stripe('%s').retrievePaymentIntent(cs)).paymentIntent.status""" % PK,
                               pi["client_secret"])
        assert status == final
        after = request(pasarela.url, "GET", f"/v1/payment_intents/{pi['id']}").json
        assert after["status"] == final
        assert after["payment_method_types"] == [method]
    finally:
        page.close()
        server.shutdown()


def test_seed_000_with_stripe_js_pinned_to_2020_08_27(us, browser):
    """Stripe's own samples still pass `apiVersion: '2020-08-27'` to Stripe.js v3: every call the
    script makes is served at that version, and seed 000's Amazon Pay flow runs as printed."""
    server, site, created = merchant_site(us.url, "/v3/", "amazon_pay", 1099, "usd",
                                          options=", {apiVersion: '2020-08-27'}")
    page = browser.new_page()
    served = []
    page.on("response", lambda r: served.append((r.url, r.headers.get("stripe-version")))
            if "/v1/" in r.url else None)
    try:
        page.goto(f"{site}/checkout")
        page.wait_for_selector("body[data-ready='1']")
        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{site}/checkout?**")
        pi = created[0]
        assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["redirect_status"] == ["succeeded"]
        got = page.evaluate("""async ([pk, cs]) => { const r = await Stripe(pk, {apiVersion: '2020-08-27'})
            .retrievePaymentIntent(cs); return r.paymentIntent.status; }""", [PK, pi["client_secret"]])
        assert got == "succeeded"
        assert served and {v for _, v in served} == {"2020-08-27"}, served
        # A version older than any served is refused to the page, with the oldest named.
        refused = page.evaluate("""async ([pk, cs]) => (await Stripe(pk, {apiVersion: '2019-05-16'})
            .retrievePaymentIntent(cs)).error.message""", [PK, pi["client_secret"]])
        assert refused.startswith("Invalid Stripe API version: 2019-05-16. Pasarela serves API versions from 2019-12-03")
        assert request(us.url, "GET", f"/v1/payment_intents/{pi['id']}").json["status"] == "succeeded"
    finally:
        page.close()
        server.shutdown()


def test_versioned_scripts_and_integration_errors(us, browser):
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        for release in ["basil", "clover", "dahlia", "endive"]:
            page.add_script_tag(url=f"{us.url}/{release}/stripe.js")
            assert page.evaluate("Stripe.version") == release
        page.add_script_tag(url=f"{us.url}/v3/")
        assert page.evaluate("Stripe.version") == 3
        assert "secret key" in page.evaluate("() => { try { Stripe('%s'); } catch (e) { return e.message; } }" % SK)
        assert page.evaluate("() => { try { Stripe(''); } catch (e) { return e.name; } }") == "IntegrationError"
    finally:
        page.close()


def test_card_3ds_in_the_authentication_overlay(us, browser):
    """confirmCardPayment with a 3-D Secure card: the test page opens over the merchant's
    page, the customer completes it, and the promise resolves with the intent."""
    r = request(us.url, "POST", "/v1/payment_intents",
                {"amount": 2000, "currency": "usd", "payment_method_types[]": "card"}, version=None)
    pi = r.json
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.add_script_tag(url=f"{us.url}/v3/")
        page.evaluate("""(cs) => { window.result = null;
            Stripe('%s').confirmCardPayment(cs, {payment_method: 'pm_card_threeDSecure2Required'})
              .then(r => { window.result = r; }); }""" % PK, pi["client_secret"])
        frame = page.wait_for_selector("iframe[name='pasarela-authentication']")
        frame.content_frame().get_by_role("button", name="Authorize test payment").click()
        page.wait_for_function("window.result !== null", timeout=10000)
        result = page.evaluate("window.result")
        assert "error" not in result, result
        assert result["paymentIntent"]["status"] == "succeeded"
    finally:
        page.close()


def test_wallets_are_absent_as_in_a_browser_without_one_and_the_email_element_works(us, browser):
    """The Express Checkout Element, the Payment Request Button and stripe.paymentRequest behave
    as Stripe's do in a browser with no wallet; the Link Authentication Element reports its
    email; getElement takes a type or a wrapper's component."""
    page = browser.new_page()
    try:
        page.goto(us.url + "/healthz")
        page.add_script_tag(url=f"{us.url}/v3/")
        got = page.evaluate("""(pk) => new Promise((done) => {
            const stripe = Stripe(pk);
            const out = {};
            const pr = stripe.paymentRequest({country: 'US', currency: 'usd',
                                              total: {label: 'Demo total', amount: 1099}});
            try { stripe.paymentRequest({currency: 'usd'}); } catch (e) { out.bad = e.message; }
            pr.canMakePayment().then((r) => { out.canMakePayment = r; });
            const elements = stripe.elements({mode: 'payment', amount: 1099, currency: 'usd'});
            for (const id of ['ece', 'prb', 'link']) {
                const d = document.createElement('div'); d.id = id; document.body.appendChild(d);
            }
            const ece = elements.create('expressCheckout');
            ece.on('availablepaymentmethodschange', (e) => { out.changed = e.paymentMethods === undefined; });
            ece.on('ready', (e) => { out.ready = e.elementType; out.none = e.availablePaymentMethods === undefined; });
            ece.mount('#ece');
            const prb = elements.create('paymentRequestButton', {paymentRequest: pr});
            prb.on('ready', () => { out.prbReady = true; });
            prb.mount('#prb');
            const link = elements.create('linkAuthentication', {defaultValues: {email: 'jenny@example.com'}});
            link.on('change', (e) => { out.link = e; });
            link.mount('#link');
            out.byType = elements.getElement('linkAuthentication') === link;
            out.byComponent = elements.getElement({__elementType: 'linkAuthentication'}) === link;
            setTimeout(() => done(out), 300);
        })""", PK)
        assert got["canMakePayment"] is None
        assert got["bad"].startswith("Missing value for paymentRequest(): country")
        assert got["ready"] == "expressCheckout" and got["none"] and got["changed"], got
        assert got["prbReady"], got
        assert got["link"] == {"elementType": "linkAuthentication", "complete": True, "empty": False,
                               "value": {"email": "jenny@example.com"}}, got
        assert got["byType"] and got["byComponent"], got
    finally:
        page.close()


@pytest.mark.parametrize("wallet", ["google_pay", "apple_pay"])
def test_a_simulated_wallet_pays_through_express_checkout_and_payment_request(us, browser, wallet):
    """With the script loaded as /v3/?wallet=…, the wallet buttons behave as Stripe's in a
    browser whose wallet holds a test card: Stripe's Express Checkout flow (click → resolve →
    confirm → elements.submit → confirmPayment) and the Payment Request Button's
    (paymentmethod → confirmCardPayment) both pay."""
    page = browser.new_page()
    try:
        express = request(us.url, "POST", "/v1/payment_intents", {
            "amount": 1099, "currency": "usd", "automatic_payment_methods[enabled]": "true"}).json
        button = request(us.url, "POST", "/v1/payment_intents", {
            "amount": 1500, "currency": "usd", "payment_method_types[]": "card"}).json
        page.goto(us.url + "/healthz")
        page.set_content('<div id="ece"></div><div id="prb"></div>')
        page.add_script_tag(url=f"{us.url}/v3/?wallet={wallet}")
        page.evaluate("""([pk, ece, prb]) => { window.stripe = Stripe(pk); window.out = {};
            const elements = stripe.elements({mode: 'payment', amount: 1099, currency: 'usd'});
            const e = elements.create('expressCheckout');
            e.on('ready', (ev) => { window.out.ready = ev.availablePaymentMethods; });
            e.on('click', (ev) => ev.resolve({emailRequired: true}));
            e.on('confirm', async (ev) => {
                window.out.type = ev.expressPaymentType;
                const {error: submitError} = await elements.submit();
                if (submitError) { window.out.express = submitError.message; return; }
                const {error, paymentIntent} = await stripe.confirmPayment({elements, clientSecret: ece,
                    confirmParams: {return_url: location.href}, redirect: 'if_required'});
                window.out.express = error ? error.message : paymentIntent.status;
            });
            e.mount('#ece');
            const pr = stripe.paymentRequest({country: 'US', currency: 'usd', total: {label: 'Demo', amount: 1500}});
            pr.canMakePayment().then((r) => { window.out.can = r; });
            pr.on('paymentmethod', async (ev) => {
                const {error, paymentIntent} = await stripe.confirmCardPayment(prb,
                    {payment_method: ev.paymentMethod.id}, {handleActions: false});
                ev.complete(error ? 'fail' : 'success');
                window.out.button = error ? error.message : paymentIntent.status;
            });
            stripe.elements().create('paymentRequestButton', {paymentRequest: pr}).mount('#prb'); }""",
                      [PK, express["client_secret"], button["client_secret"]])
        key = "googlePay" if wallet == "google_pay" else "applePay"
        page.wait_for_function("window.out.ready !== undefined && window.out.can !== undefined")
        out = page.evaluate("window.out")
        assert out["ready"][key] is True and out["can"][key] is True, out
        name = "Google Pay" if wallet == "google_pay" else "Apple Pay"
        page.frame_locator('iframe[title="Secure express checkout frame"]').get_by_role("button", name=name).click()
        page.wait_for_function("window.out.express !== undefined", timeout=10000)
        page.frame_locator('iframe[title="Secure payment request button frame"]').get_by_role("button", name=name).click()
        page.wait_for_function("window.out.button !== undefined", timeout=10000)
        out = page.evaluate("window.out")
        assert (out["type"], out["express"], out["button"]) == (wallet, "succeeded", "succeeded"), out
        for pi in (express, button):
            paid = request(us.url, "GET", f"/v1/payment_intents/{pi['id']}", {"expand[]": "payment_method"}).json
            assert paid["status"] == "succeeded"
            assert paid["payment_method"]["card"]["last4"] == "4242"
            assert paid["payment_method"]["billing_details"]["name"] == "Jenny Rosen"
    finally:
        page.close()
