#!/usr/bin/env python3
"""A merchant's shop against a local Pasarela: the seeds' server endpoints and pages, as
Stripe's docs print them, with only the API host and the script URL changed. Python's standard
library only.

    cargo run --release -- serve --secret-key sk_test_BQokikJOvBiI2HlWgH4olfQ2 \\
        --publishable-key pk_test_TYooMQauvdEDq54NiTphI7jx        # Pasarela on :4111
    python3 examples/shop/server.py                                  # the shop on :4343

then open http://127.0.0.1:4343. Environment: PASARELA_URL (http://127.0.0.1:4111),
PASARELA_SECRET_KEY, PASARELA_PUBLISHABLE_KEY (the docs' test keys), SHOP_PORT (4343).
"""
import base64
import http.server
import json
import os
import urllib.error
import urllib.parse
import urllib.request

PASARELA = os.environ.get("PASARELA_URL", "http://127.0.0.1:4111").rstrip("/")
SK = os.environ.get("PASARELA_SECRET_KEY", "sk_test_BQokikJOvBiI2HlWgH4olfQ2")
PK = os.environ.get("PASARELA_PUBLISHABLE_KEY", "pk_test_TYooMQauvdEDq54NiTphI7jx")
PORT = int(os.environ.get("SHOP_PORT", "4343"))


def api(method, path, params=()):
    """One call to Pasarela's /v1 with the secret key, as `curl -u sk_...:` does."""
    data = urllib.parse.urlencode(list(params)).encode() if method == "POST" else None
    url = PASARELA + path + ("" if method == "POST" or not params else "?" + urllib.parse.urlencode(list(params)))
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", "Basic " + base64.b64encode(f"{SK}:".encode()).decode())
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def returning_customer():
    """The shop's returning customer (seed 002's {{CUSTOMER_ID}}), with a card saved with
    consent (allow_redisplay=always) so that the Payment Element shows it."""
    email = "jenny.rosen@example.com"
    found = api("GET", "/v1/customers", [("email", email)])["data"]
    customer = found[0]["id"] if found else api("POST", "/v1/customers", [("email", email), ("name", "Jenny Rosen")])["id"]
    cards = api("GET", "/v1/payment_methods", [("customer", customer), ("type", "card")])["data"]
    if not any(pm["allow_redisplay"] == "always" for pm in cards):
        pm = api("POST", "/v1/payment_methods", [("type", "card"), ("card[token]", "tok_visa"),
                                                 ("allow_redisplay", "always")])["id"]
        api("POST", f"/v1/payment_methods/{pm}/attach", [("customer", customer)])
    return customer


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title><script src="%(pasarela)s/v3/"></script>
<style>
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;color:#30313d;max-width:480px;margin:48px auto;padding:0 20px}
h1{font-size:22px} a{color:#5469d4} .muted{color:#6d6e78;font-size:14px}
button#submit{margin-top:16px;width:100%%;padding:12px;background:#5469d4;color:#fff;border:0;border-radius:6px;font-size:16px;cursor:pointer}
#error-message{color:#df1b41;margin-top:12px} li{margin:10px 0}
</style></head><body><h1>%(title)s</h1>%(body)s<p class="muted"><a href="/">&larr; All flows</a></p></body></html>"""

INDEX = """<p class="muted">Each page runs a flow of Stripe's docs against Pasarela at <code>%(pasarela)s</code>.</p>
<ul>
<li><a href="/payment-element">Payment Element</a>: card, Amazon Pay (and Alma on a FR account)</li>
<li><a href="/saved-card">Returning customer</a>: the saved card from a CustomerSession (seed 002)</li>
<li><a href="/amazon-pay">Amazon Pay</a>: <code>confirmPayment</code> with <code>payment_method_data</code> (seed 000)</li>
<li><a href="/alma">Alma</a>: the same with Alma, 50.99 EUR (seed 004; needs <code>--country FR</code>)</li>
<li><a href="/setup-amazon-pay">Save Amazon Pay for later</a>: a SetupIntent and its mandate (seed 003)</li>
<li><a href="/checkout">Checkout, setup mode</a>: save a card or Amazon Pay on the hosted Checkout page (seed 001)</li>
</ul><p class="muted">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,
4000 0027 6000 3184 asks for 3-D Secure; any future date and CVC.</p>"""

FORM = """<form id="payment-form"><div id="payment-element"></div>
<button id="submit">%(button)s</button><div id="error-message"></div></form>"""

# The Payment Element pages: Stripe's quickstart checkout.js, and seed 002's.
ELEMENTS_JS = """<script type="module">
const stripe = Stripe('%(pk)s');
const response = await fetch('%(endpoint)s', { method: "POST" });
const { client_secret, customer_session_client_secret } = await response.json();
const elements = stripe.elements({ clientSecret: client_secret, customerSessionClientSecret: customer_session_client_secret,
  appearance: { theme: 'stripe', variables: { colorPrimary: '#5469d4' } } });
const paymentElement = elements.create('payment', { layout: '%(layout)s' });
paymentElement.mount('#payment-element');
const form = document.getElementById('payment-form');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const {error} = await stripe.confirmPayment({ elements, confirmParams: { return_url: window.location.origin + '/complete' } });
  if (error) { document.querySelector('#error-message').textContent = error.message; }
});
</script>"""

# Seeds 000 and 004: client.js as printed.
REDIRECT_JS = """<script>
let clientSecret;
(async () => { const r = await fetch('/secret?method=%(method)s'); const {client_secret: secret} = await r.json(); clientSecret = secret; })();
const stripe = Stripe('%(pk)s');
const form = document.getElementById('payment-form'); form.addEventListener('submit', async function(event) { event.preventDefault();
 const { error } = await stripe.confirmPayment({ clientSecret: clientSecret, confirmParams: { payment_method_data: { type: '%(method)s', },
 return_url: window.location.origin + '/complete', }, }); if (error) { document.getElementById('error-message').textContent = error.message; } });
</script>"""

# Seed 003: confirmAmazonPaySetup with the mandate the browser vouches for.
SETUP_JS = """<script>
const stripe = Stripe('%(pk)s');
document.getElementById('payment-form').addEventListener('submit', async (event) => { event.preventDefault();
  const { client_secret } = await (await fetch('/create-setup-intent', { method: 'POST' })).json();
  const { error } = await stripe.confirmAmazonPaySetup(client_secret, { return_url: window.location.origin + '/complete',
    mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true } } } });
  if (error) { document.getElementById('error-message').textContent = error.message; } });
</script>"""

# status.js, for PaymentIntents and SetupIntents.
STATUS_JS = """<div id="message">&hellip;</div><script>
const stripe = Stripe('%(pk)s');
const q = new URLSearchParams(window.location.search);
const setup = q.get('setup_intent_client_secret');
const shown = setup ? stripe.retrieveSetupIntent(setup).then(({setupIntent}) => setupIntent)
                    : stripe.retrievePaymentIntent(q.get('payment_intent_client_secret')).then(({paymentIntent}) => paymentIntent);
shown.then((intent) => { const message = document.querySelector('#message');
  switch (intent.status) {
    case 'succeeded': message.innerText = setup ? 'Success! Your payment method is saved.' : 'Success! Payment received.'; break;
    case 'processing': message.innerText = "Payment processing. We'll update you when payment is received."; break;
    case 'requires_payment_method': message.innerText = 'Payment failed. Please try another payment method.'; break;
    default: message.innerText = 'Something went wrong.'; break; } });
</script>"""


class Shop(http.server.BaseHTTPRequestHandler):
    def page(self, title, body):
        self.send(PAGE % {"title": title, "body": body, "pasarela": PASARELA}, "text/html; charset=utf-8")

    def send(self, text, content_type, status=200):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        values = {"pk": PK, "pasarela": PASARELA}
        if url.path == "/":
            self.page("Pasarela example shop", INDEX % values)
        elif url.path in ("/payment-element", "/saved-card"):
            endpoint = "/create-intent" if url.path == "/payment-element" else "/create-intent-and-customer-session"
            layout = "tabs" if url.path == "/payment-element" else "accordion"
            self.page("Pay 10.99", FORM % {"button": "Pay now"} + ELEMENTS_JS % dict(values, endpoint=endpoint, layout=layout))
        elif url.path in ("/amazon-pay", "/alma"):
            method = url.path.strip("/").replace("-", "_")
            self.page("Pay with " + ("Amazon Pay" if method == "amazon_pay" else "Alma"),
                      FORM % {"button": "Pay"} + REDIRECT_JS % dict(values, method=method))
        elif url.path == "/setup-amazon-pay":
            self.page("Save Amazon Pay for later", FORM % {"button": "Save"} + SETUP_JS % values)
        elif url.path == "/secret":
            # get '/secret': the seeds' curl parameters.
            method = urllib.parse.parse_qs(url.query).get("method", ["amazon_pay"])[0]
            amount, currency = ("5099", "eur") if method == "alma" else ("1099", "usd")
            intent = api("POST", "/v1/payment_intents", [("payment_method_types[]", method),
                                                          ("amount", amount), ("currency", currency)])
            self.send(json.dumps({"client_secret": intent.get("client_secret"), "error": intent.get("error")}),
                      "application/json")
        elif url.path == "/complete":
            self.page("Thank you", STATUS_JS % values)
        elif url.path == "/checkout":
            # Seed 001's index.html.
            self.page("Checkout", '<form action="/create-checkout-session" method="POST"><button id="submit" type="submit">Checkout</button></form>')
        elif url.path == "/checkout-success":
            session_id = urllib.parse.parse_qs(url.query).get("session_id", [""])[0]
            session = api("GET", f"/v1/checkout/sessions/{session_id}")
            saved = session.get("status") == "complete"
            self.page("Thank you", '<div id="message">%s</div>' % (
                "Success! Your payment method is saved." if saved else "Something went wrong."))
        else:
            self.send("not found", "text/plain", 404)

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/create-intent":
            intent = api("POST", "/v1/payment_intents", [("amount", "1099"), ("currency", "usd"),
                                                          ("automatic_payment_methods[enabled]", "true")])
            body = {"client_secret": intent["client_secret"]}
        elif path == "/create-intent-and-customer-session":
            # Seed 002's server.rb.
            customer = returning_customer()
            intent = api("POST", "/v1/payment_intents", [("amount", "1099"), ("currency", "usd"),
                                                          ("automatic_payment_methods[enabled]", "true"),
                                                          ("customer", customer)])
            session = api("POST", "/v1/customer_sessions", [
                ("customer", customer), ("components[payment_element][enabled]", "true"),
                ("components[payment_element][features][payment_method_redisplay]", "enabled")])
            body = {"client_secret": intent["client_secret"],
                    "customer_session_client_secret": session["client_secret"]}
        elif path == "/create-checkout-session":
            # Seed 001: a Checkout Session in setup mode for the customer, then a redirect to it.
            customer = returning_customer()
            origin = f"http://127.0.0.1:{self.server.server_address[1]}"
            session = api("POST", "/v1/checkout/sessions", [
                ("mode", "setup"), ("payment_method_types[]", "card"), ("payment_method_types[]", "amazon_pay"),
                ("customer", customer), ("success_url", origin + "/checkout-success?session_id={CHECKOUT_SESSION_ID}"),
                ("cancel_url", origin + "/checkout")])
            self.send_response(303)
            self.send_header("Location", session.get("url") or "/checkout")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif path == "/create-setup-intent":
            # Seed 003: a SetupIntent for Amazon Pay, for a customer.
            customer = returning_customer()
            setup = api("POST", "/v1/setup_intents", [("customer", customer), ("payment_method_types[]", "amazon_pay")])
            body = {"client_secret": setup.get("client_secret"), "error": setup.get("error")}
        else:
            return self.send("not found", "text/plain", 404)
        self.send(json.dumps(body), "application/json")

    def log_message(self, fmt, *args):
        pass


if __name__ == "__main__":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Shop)
    print(f"Example shop on http://127.0.0.1:{server.server_address[1]} (Pasarela at {PASARELA})", flush=True)
    server.serve_forever()
