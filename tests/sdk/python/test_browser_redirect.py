"""The redirect round trip of seeds 000 and 004 in a real browser (headless Chromium):
a merchant page on its own origin confirms with the publishable key and the client
secret (as Stripe.js does, through CORS), the browser follows
next_action.redirect_to_url to the hosted test page, the customer clicks a button, and
the browser lands back on return_url with Stripe's query parameters.
"""
import http.server
import json
import threading
import urllib.parse

import pytest

from helpers import PK, raw


MERCHANT_PAGE = """<!doctype html><html><head><title>Checkout</title></head><body>
<p id="status">loading</p>
<script>
const params = new URLSearchParams(location.search);
const api = params.get('api');
async function main() {
  if (params.get('payment_intent_client_secret')) {
    const cs = params.get('payment_intent_client_secret');
    const id = cs.split('_secret_')[0];
    const r = await fetch(`${api}/v1/payment_intents/${id}?key=%(pk)s&client_secret=${encodeURIComponent(cs)}`);
    const pi = await r.json();
    document.getElementById('status').textContent = 'returned:' + pi.status + ':' + params.get('redirect_status');
    return;
  }
  const body = new URLSearchParams({
    key: '%(pk)s', client_secret: params.get('secret'),
    'payment_method_data[type]': params.get('type'),
    return_url: location.href,
  });
  const r = await fetch(`${api}/v1/payment_intents/${params.get('secret').split('_secret_')[0]}/confirm`,
                        {method: 'POST', body});
  const pi = await r.json();
  if (pi.next_action && pi.next_action.type === 'redirect_to_url') {
    location.assign(pi.next_action.redirect_to_url.url);
  } else {
    document.getElementById('status').textContent = 'error:' + JSON.stringify(pi.error || pi.status);
  }
}
main();
</script></body></html>""" % {"pk": PK}


@pytest.fixture(scope="module")
def merchant():
    """The merchant's site, on another origin than Pasarela."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = MERCHANT_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def seed_intent(server, method, amount, currency):
    """The seed's curl call, at the account default version."""
    from helpers import request
    r = request(server.url, "POST", "/v1/payment_intents",
                {"payment_method_types[]": method, "amount": amount, "currency": currency}, version=None)
    assert r.status == 200, r
    return r.json


@pytest.mark.parametrize("seed,outcome,method,amount,currency,button,status", [
    ("000", "authorize", "amazon_pay", 1099, "usd", "Authorize test payment", "succeeded"),
    ("000", "fail", "amazon_pay", 1099, "usd", "Fail test payment", "requires_payment_method"),
    ("004", "authorize", "alma", 5099, "eur", "Authorize test payment", "succeeded"),
])
def test_redirect_round_trip_in_a_browser(us, fr, merchant, browser, seed, outcome, method, amount, currency,
                                          button, status):
    server = us if currency == "usd" else fr
    pi = seed_intent(server, method, amount, currency)
    page = browser.new_page()
    try:
        start = f"{merchant}/checkout?order=42&api={urllib.parse.quote(server.url)}&type={method}&secret={pi['client_secret']}"
        page.goto(start)
        page.wait_for_url(f"{server.url}/authorize/**")
        text = page.inner_text("body")
        assert ("Amazon Pay" if method == "amazon_pay" else "Alma") in text
        assert ("$10.99" if currency == "usd" else "50.99") in text
        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{merchant}/checkout?**")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query["order"] == ["42"]
        assert query["payment_intent"] == [pi["id"]]
        assert query["payment_intent_client_secret"] == [pi["client_secret"]]
        expected = "succeeded" if outcome == "authorize" else "failed"
        assert query["redirect_status"] == [expected]
        page.wait_for_function("document.getElementById('status').textContent.startsWith('returned:')")
        assert page.inner_text("#status") == f"returned:{status}:{expected}"
    finally:
        page.close()
