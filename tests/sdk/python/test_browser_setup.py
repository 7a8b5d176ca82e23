"""Seed 003 (Amazon Pay, set up future payments), client side, in headless Chromium: the seed's
checkout.html head and client.js as printed, with only the script URL pointing at Pasarela's
`/clover/stripe.js`. The merchant's server (a small Python server on its own origin) creates
the customer and the SetupIntent with the seed's curl parameters, fills the seed's
`{{SETUP_INTENT_CLIENT_SECRET}}` placeholder as a server-side template does, hands the same
secret out from /secret as the seed's fetch snippet expects, and serves a page at /return
that reads the intent back with Stripe.js. The seed's return_url
(https://example.com/setup/complete) is answered by the browser's request routing.

Then Stripe.js's SetupIntent calls with cards: confirmCardSetup with 3-D Secure in the
overlay, handleNextAction with a SetupIntent secret, confirmSetup, retrieveSetupIntent, and
the IntegrationErrors for a secret of the wrong kind.
"""
import http.server
import json
import threading
import urllib.parse

import pytest

from helpers import CLOVER, PK, SK, check_schema, request

RETURN_URL = "https://example.com/setup/complete"  # the seed's
RETURN_PAGE = "<!doctype html><html><head><title>Setup complete</title></head><body>done</body></html>"
RETURN_HEAD = '<!doctype html><html><head><script src="{script}"></script></head><body>done</body></html>'

# checkout.html's head as printed (script URL changed); the seed's /secret snippet, its
# "Render the form" comment followed by showing a button; client.js as printed, run when the
# button is pressed. Line breaks added after the seed's `//` comments so they end where the
# docs' formatting ended them.
CHECKOUT = """<!doctype html>
<html>
<head> <title>Checkout</title> <script src="%(script)s"></script> </head>
<body>
<button id="submit" type="button" hidden>Save Amazon Pay</button><div id="error-message"></div>
<script>
(async () => { const response = await fetch('/secret'); const {client_secret: clientSecret} = await response.json(); // Render the form using the clientSecret
 document.body.dataset.secret = clientSecret; document.getElementById('submit').hidden = false; document.body.dataset.ready = '1'; })();
</script>
<script>
// Set your publishable key. Remember to change this to your live publishable key in production!
// See your keys here: https://dashboard.stripe.com/apikeys
const stripe = Stripe(
'%(pk)s'
);
document.getElementById('submit').addEventListener('click', async () => {
// Redirects away from the client
 const {error} = await stripe.confirmAmazonPaySetup( '{{SETUP_INTENT_CLIENT_SECRET}}', { return_url: 'https://example.com/setup/complete', mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true } } }, } ); if (error) { // Inform the customer that there was an error.
 document.getElementById('error-message').textContent = error.message; }
});
</script>
</body>
</html>"""


def seed_customer(base: str) -> dict:
    r = request(base, "POST", "/v1/customers",
                [("description", "My First Test Customer (created for API docs)")], auth="basic")
    assert r.status == 200, r
    return r.json


def seed_setup_intent(base: str, customer_id: str) -> dict:
    r = request(base, "POST", "/v1/setup_intents",
                [("payment_method_types[]", "amazon_pay"), ("payment_method_data[type]", "amazon_pay"),
                 ("usage", "off_session"), ("customer", customer_id)], auth="basic")
    assert r.status == 200, r
    return r.json


def merchant_site(pasarela_url: str):
    """The merchant's server: /checkout creates the customer and SetupIntent (seed curls) and
    renders the page; /secret hands out that SetupIntent's client secret."""
    state = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.urlparse(self.path).path
            if path == "/return":
                body = RETURN_HEAD.format(script=pasarela_url + "/clover/stripe.js").encode()
                ctype = "text/html; charset=utf-8"
            elif path == "/secret":
                # get '/secret' do intent = # ... Create or retrieve the SetupIntent
                body = json.dumps({"client_secret": state["setup_intent"]["client_secret"]}).encode()
                ctype = "application/json"
            else:
                state["customer"] = seed_customer(pasarela_url)
                state["setup_intent"] = seed_setup_intent(pasarela_url, state["customer"]["id"])
                page = CHECKOUT % {"script": pasarela_url + "/clover/stripe.js", "pk": PK}
                page = page.replace("{{SETUP_INTENT_CLIENT_SECRET}}", state["setup_intent"]["client_secret"])
                body = page.encode()
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
    return server, f"http://127.0.0.1:{server.server_address[1]}", state


def sk_get(base: str, path: str, params=None) -> dict:
    r = request(base, "GET", path, params, auth="basic")
    assert r.status == 200, r
    return r.json


def open_page(browser):
    """A page whose requests to the seed's return_url host get a small page back (the
    machine is offline)."""
    page = browser.new_page()
    page.route("https://example.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=RETURN_PAGE))
    return page


# --------------------------------------------------------------------------------------------
# seed 003 in the browser
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("button,redirect_status", [
    ("Authorize test payment", "succeeded"),
    ("Fail test payment", "failed"),
])
def test_seed_003_confirm_amazon_pay_setup_in_the_browser(us, browser, button, redirect_status):
    server, site, state = merchant_site(us.url)
    page = open_page(browser)
    confirms = []
    page.on("request", lambda req: confirms.append(req) if req.url.endswith("/confirm") else None)
    try:
        page.goto(f"{site}/checkout")
        page.wait_for_selector("body[data-ready='1']")
        assert page.evaluate("Stripe.version") == "clover"
        seti, cus = state["setup_intent"], state["customer"]
        assert page.evaluate("document.body.dataset.secret") == seti["client_secret"], "/secret hands out the same intent"
        assert seti["status"] == "requires_confirmation", seti
        pm_created = seti["payment_method"]
        assert pm_created and pm_created.startswith("pm_"), seti
        user_agent = page.evaluate("navigator.userAgent")

        page.click("#submit")
        page.wait_for_url(f"{us.url}/authorize/**")
        assert page.get_by_text("Amazon Pay").first.is_visible()
        # What Stripe.js sent: the publishable key, the secret, the return_url and the mandate
        # data to infer from the client; no new method, the intent already carries one.
        assert len(confirms) == 1, [r.url for r in confirms]
        sent = dict(urllib.parse.parse_qsl(confirms[0].post_data))
        assert confirms[0].url == f"{us.url}/v1/setup_intents/{seti['id']}/confirm"
        assert sent["key"] == PK
        assert sent["client_secret"] == seti["client_secret"]
        assert sent["return_url"] == RETURN_URL
        assert sent["mandate_data[customer_acceptance][type]"] == "online"
        assert sent["mandate_data[customer_acceptance][online][infer_from_client]"] == "true"
        assert not [k for k in sent if k.startswith("payment_method")], sent

        pending = sk_get(us.url, f"/v1/setup_intents/{seti['id']}")
        assert pending["status"] == "requires_action", pending
        assert pending["next_action"]["type"] == "redirect_to_url"
        assert pending["next_action"]["redirect_to_url"]["return_url"] == RETURN_URL
        assert pending["next_action"]["redirect_to_url"]["url"] == page.url

        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{RETURN_URL}?**")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query == {"setup_intent": [seti["id"]], "setup_intent_client_secret": [seti["client_secret"]],
                         "redirect_status": [redirect_status]}, page.url

        # A merchant page reads the intent with Stripe.js (publishable key + the secret from the
        # return URL). On the merchant's own origin: Chromium's Local Network Access keeps a
        # page of a public origin (example.com) from calling the loopback address.
        page.goto(f"{site}/return")
        got = page.evaluate("async ([pk, cs]) => await Stripe(pk).retrieveSetupIntent(cs)",
                            [PK, query["setup_intent_client_secret"][0]])
        assert "error" not in got, got
        view = got["setupIntent"]
        check_schema(view, "Stripe.js retrieveSetupIntent", version=CLOVER, partial=True)
        assert view["id"] == seti["id"]
        assert "customer" not in view and "mandate" not in view, "the publishable view leaves them out"

        after = sk_get(us.url, f"/v1/setup_intents/{seti['id']}")
        assert after["next_action"] is None
        if redirect_status == "succeeded":
            assert view["status"] == "succeeded"
            assert after["status"] == "succeeded", after
            assert after["payment_method"] == pm_created, "the method made at creation is the one set up"
            assert after["customer"] == cus["id"]
            assert after["last_setup_error"] is None
            mandate = sk_get(us.url, f"/v1/mandates/{after['mandate']}")
            assert mandate["status"] == "active", mandate
            assert mandate["type"] == "multi_use"
            assert mandate["payment_method"] == pm_created
            assert mandate["payment_method_details"]["type"] == "amazon_pay"
            acceptance = mandate["customer_acceptance"]
            assert acceptance["type"] == "online"
            assert acceptance["online"]["user_agent"] == user_agent
            assert acceptance["online"]["ip_address"] == "127.0.0.1"
            pm = sk_get(us.url, f"/v1/payment_methods/{pm_created}")
            assert pm["type"] == "amazon_pay" and pm["customer"] == cus["id"]
        else:
            assert view["status"] == "requires_payment_method"
            assert after["status"] == "requires_payment_method", after
            assert after["mandate"] is None
            assert after["payment_method"] is None
            assert after["last_setup_error"]["code"] == "setup_intent_authentication_failure", after
            assert view["last_setup_error"]["code"] == "setup_intent_authentication_failure", view
        attempts = sk_get(us.url, "/v1/setup_attempts", {"setup_intent": seti["id"]})["data"]
        assert [a["status"] for a in attempts] == [redirect_status]
    finally:
        page.close()
        server.shutdown()


def test_confirm_amazon_pay_setup_describes_the_method_when_none_is_attached(us, browser):
    """A SetupIntent created without payment_method_data: confirmAmazonPaySetup sends
    payment_method_data[type]=amazon_pay, and the redirect completes as in the seed."""
    r = request(us.url, "POST", "/v1/setup_intents", [("payment_method_types[]", "amazon_pay")], auth="basic")
    assert r.status == 200, r
    seti = r.json
    assert seti["payment_method"] is None
    page = stripe_page(browser, us.url)
    confirms = []
    page.on("request", lambda req: confirms.append(req) if req.url.endswith("/confirm") else None)
    try:
        page.evaluate("""([pk, cs]) => { Stripe(pk).confirmAmazonPaySetup(cs, {return_url: 'https://example.com/setup/complete',
            mandate_data: {customer_acceptance: {type: 'online', online: {infer_from_client: true}}}}); }""",
                      [PK, seti["client_secret"]])
        page.wait_for_url(f"{us.url}/authorize/**")
        sent = dict(urllib.parse.parse_qsl(confirms[0].post_data))
        assert sent["payment_method_data[type]"] == "amazon_pay", sent
        page.get_by_role("button", name="Authorize test payment").click()
        page.wait_for_url(f"{RETURN_URL}?**")
        assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["redirect_status"] == ["succeeded"]
        after = sk_get(us.url, f"/v1/setup_intents/{seti['id']}")
        assert after["status"] == "succeeded"
        assert sk_get(us.url, f"/v1/payment_methods/{after['payment_method']}")["type"] == "amazon_pay"
    finally:
        page.close()


# --------------------------------------------------------------------------------------------
# cards: 3-D Secure in the overlay, handleNextAction, confirmSetup, retrieveSetupIntent
# --------------------------------------------------------------------------------------------
def card_setup_intent(base: str) -> dict:
    r = request(base, "POST", "/v1/setup_intents", {"payment_method_types[]": "card"}, auth="basic")
    assert r.status == 200, r
    return r.json


def stripe_page(browser, base: str):
    page = open_page(browser)
    page.goto(base + "/healthz")
    page.add_script_tag(url=f"{base}/clover/stripe.js")
    return page


def run_async(page, script: str, *args):
    """Starts a Stripe.js call in the page; its promise's value lands in window.result."""
    page.evaluate("""([script, args]) => { window.result = null; window.stripe = Stripe('%s');
        (new Function('args', 'return ' + script))(args).then(
          (r) => { window.result = r; }, (e) => { window.result = {thrown: e.name + ': ' + e.message}; }); }""" % PK,
                  [script, list(args)])


def authenticate_in_overlay(page, button: str):
    frame = page.wait_for_selector("iframe[name='pasarela-authentication']")
    frame.content_frame().get_by_role("button", name=button).click()
    page.wait_for_function("window.result !== null", timeout=10000)
    assert page.query_selector("[data-pasarela-3ds]") is None, "the overlay is gone"
    return page.evaluate("window.result")


def test_confirm_card_setup_3ds_in_the_overlay_then_retrieve(us, browser):
    seti = card_setup_intent(us.url)
    page = stripe_page(browser, us.url)
    try:
        run_async(page, "stripe.confirmCardSetup(args[0], {payment_method: 'pm_card_authenticationRequiredOnSetup'})",
                  seti["client_secret"])
        result = authenticate_in_overlay(page, "Authorize test payment")
        assert "error" not in result, result
        assert set(result) == {"setupIntent"}, result
        view = result["setupIntent"]
        check_schema(view, "confirmCardSetup result", version=CLOVER, partial=True)
        assert view["id"] == seti["id"]
        assert view["status"] == "succeeded"
        assert view["next_action"] is None
        assert view["payment_method"].startswith("pm_")

        run_async(page, "stripe.retrieveSetupIntent(args[0])", seti["client_secret"])
        page.wait_for_function("window.result !== null")
        got = page.evaluate("window.result")
        assert got["setupIntent"]["status"] == "succeeded"
        assert got["setupIntent"]["payment_method"] == view["payment_method"]

        after = sk_get(us.url, f"/v1/setup_intents/{seti['id']}")
        assert after["status"] == "succeeded"
        assert after["payment_method"] == view["payment_method"]
        pm = sk_get(us.url, f"/v1/payment_methods/{view['payment_method']}")
        assert pm["card"]["last4"] == "3155", pm
    finally:
        page.close()


def test_confirm_card_setup_failed_authentication_resolves_error(us, browser):
    seti = card_setup_intent(us.url)
    page = stripe_page(browser, us.url)
    try:
        run_async(page, "stripe.confirmCardSetup(args[0], {payment_method: 'pm_card_authenticationRequiredOnSetup'})",
                  seti["client_secret"])
        result = authenticate_in_overlay(page, "Fail test payment")
        assert set(result) == {"error"}, result
        err = result["error"]
        assert err["code"] == "setup_intent_authentication_failure", err
        assert err["type"] == "invalid_request_error", err
        assert err["setup_intent"]["id"] == seti["id"]
        assert err["setup_intent"]["status"] == "requires_payment_method"
        assert sk_get(us.url, f"/v1/setup_intents/{seti['id']}")["status"] == "requires_payment_method"
    finally:
        page.close()


def test_handle_next_action_with_a_setup_intent_secret(us, browser):
    """confirmCardSetup with handleActions: false hands back the intent in requires_action;
    handleNextAction({clientSecret}) then runs 3-D Secure and resolves {setupIntent}."""
    seti = card_setup_intent(us.url)
    page = stripe_page(browser, us.url)
    try:
        run_async(page, "stripe.confirmCardSetup(args[0], {payment_method: 'pm_card_authenticationRequiredOnSetup'}, "
                        "{handleActions: false})", seti["client_secret"])
        page.wait_for_function("window.result !== null")
        first = page.evaluate("window.result")
        assert first["setupIntent"]["status"] == "requires_action", first
        assert first["setupIntent"]["next_action"]["type"] == "use_stripe_sdk"
        assert page.query_selector("[data-pasarela-3ds]") is None, "no overlay with handleActions: false"

        run_async(page, "stripe.handleNextAction({clientSecret: args[0]})", seti["client_secret"])
        result = authenticate_in_overlay(page, "Authorize test payment")
        assert set(result) == {"setupIntent"}, result
        assert result["setupIntent"]["status"] == "succeeded"

        # Nothing left to handle: an error naming the SetupIntent.
        run_async(page, "stripe.handleNextAction({clientSecret: args[0]})", seti["client_secret"])
        page.wait_for_function("window.result !== null")
        again = page.evaluate("window.result")
        assert again["error"]["code"] == "setup_intent_unexpected_state", again
        assert again["error"]["setup_intent"]["status"] == "succeeded"
    finally:
        page.close()


def test_confirm_setup_if_required_and_redirect(us, browser):
    """confirmSetup with a card that needs no action: `if_required` resolves {setupIntent};
    the default redirect goes to return_url with setup_intent, its secret and
    redirect_status=succeeded."""
    seti = card_setup_intent(us.url)
    page = stripe_page(browser, us.url)
    try:
        run_async(page, "stripe.confirmSetup({clientSecret: args[0], confirmParams: {payment_method: 'pm_card_visa'}, "
                        "redirect: 'if_required'})", seti["client_secret"])
        page.wait_for_function("window.result !== null")
        result = page.evaluate("window.result")
        assert set(result) == {"setupIntent"}, result
        assert result["setupIntent"]["status"] == "succeeded"

        other = card_setup_intent(us.url)
        run_async(page, "stripe.confirmSetup({clientSecret: args[0], confirmParams: {payment_method: 'pm_card_visa', "
                        "return_url: args[1]}})", other["client_secret"], RETURN_URL + "?order=9#top")
        page.wait_for_url(f"{RETURN_URL}?**")
        parts = urllib.parse.urlparse(page.url)
        assert urllib.parse.parse_qs(parts.query) == {
            "order": ["9"], "setup_intent": [other["id"]], "setup_intent_client_secret": [other["client_secret"]],
            "redirect_status": ["succeeded"]}, page.url
        assert sk_get(us.url, f"/v1/setup_intents/{other['id']}")["status"] == "succeeded"
    finally:
        page.close()


def test_confirm_setup_declined_card_resolves_error(us, browser):
    seti = card_setup_intent(us.url)
    page = stripe_page(browser, us.url)
    try:
        run_async(page, "stripe.confirmSetup({clientSecret: args[0], confirmParams: {payment_method: "
                        "'pm_card_chargeDeclined', return_url: args[1]}})", seti["client_secret"], RETURN_URL)
        page.wait_for_function("window.result !== null")
        result = page.evaluate("window.result")
        assert set(result) == {"error"}, result
        assert result["error"]["type"] == "card_error"
        assert result["error"]["code"] == "card_declined"
        assert result["error"]["setup_intent"]["status"] == "requires_payment_method"
        assert page.url == us.url + "/healthz", "no redirect on an error"
    finally:
        page.close()


def test_intent_secret_of_the_wrong_kind_is_an_integration_error(us, browser):
    seti = card_setup_intent(us.url)
    r = request(us.url, "POST", "/v1/payment_intents",
                {"amount": 2000, "currency": "usd", "payment_method_types[]": "card"}, auth="basic")
    assert r.status == 200, r
    pi = r.json
    page = stripe_page(browser, us.url)
    try:
        def thrown(script, secret):
            return page.evaluate("""async ([script, cs]) => { const stripe = Stripe('%s');
                try { await (new Function('stripe', 'cs', 'return ' + script))(stripe, cs); return null; }
                catch (e) { return [e.name, e.message]; } }""" % PK, [script, secret])

        assert thrown("stripe.confirmCardPayment(cs, {payment_method: 'pm_card_visa'})", seti["client_secret"]) == [
            "IntegrationError", "Invalid value for stripe.confirmCardPayment intent secret: value should be a "
            "PaymentIntent client secret. You specified: a SetupIntent client secret."]
        assert thrown("stripe.confirmCardSetup(cs, {payment_method: 'pm_card_visa'})", pi["client_secret"]) == [
            "IntegrationError", "Invalid value for stripe.confirmCardSetup intent secret: value should be a "
            "SetupIntent client secret. You specified: a PaymentIntent client secret."]
        for script, secret in [
            ("stripe.retrievePaymentIntent(cs)", seti["client_secret"]),
            ("stripe.retrieveSetupIntent(cs)", pi["client_secret"]),
            ("stripe.confirmAmazonPaySetup(cs, {return_url: 'https://example.com/'})", pi["client_secret"]),
            ("stripe.confirmSetup({clientSecret: cs, confirmParams: {return_url: 'https://example.com/'}})",
             pi["client_secret"]),
            ("stripe.confirmPayment({clientSecret: cs, confirmParams: {return_url: 'https://example.com/'}})",
             seti["client_secret"]),
            ("stripe.confirmCardSetup(cs)", "seti_123"),
        ]:
            name, message = thrown(script, secret)
            assert name == "IntegrationError", (script, name, message)
            assert "intent secret" in message, (script, message)
        # Nothing was confirmed.
        assert sk_get(us.url, f"/v1/setup_intents/{seti['id']}")["status"] == "requires_payment_method"
        assert sk_get(us.url, f"/v1/payment_intents/{pi['id']}")["status"] == "requires_payment_method"
    finally:
        page.close()
