"""Hardening (issue 27), each against the real binary from outside: the secret key saved by a browser
never writes for another site's page; an endpoint's huge answer is not read; hanging endpoints hold
up only themselves; thousands of trickling connections leave the server answering. Figures are
printed (pytest -s), never asserted as times."""
from __future__ import annotations

import base64
import http.server
import json
import resource
import socket
import socketserver
import threading
import time

import stripe

from helpers import SK, Server, request


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


class Page:
    """Another site's page (served on `localhost`, another site than `127.0.0.1`)."""

    def __init__(self, html: str):
        body = html.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def saving_browser(browser, origin: str):
    """A Chromium context that adds the secret key as Basic credentials to every request for
    `origin`, as a browser does once it has saved them for that origin."""
    ctx = browser.new_context()
    basic = "Basic " + base64.b64encode(f"{SK}:".encode()).decode()
    ctx.route(origin + "/**", lambda route: route.continue_(headers={**route.request.headers,
                                                                     "authorization": basic}))
    return ctx


def endpoint_count(base: str) -> int:
    r = request(base, "GET", "/v1/webhook_endpoints", {"limit": 100})
    assert r.status == 200
    return len(r.json["data"])


# -- the secret key saved by a browser ---------------------------------------------------------
def test_a_saved_key_does_not_write_for_another_sites_page(browser):
    server = Server("US").start()
    host = server.url.split("//")[1]
    evil = Page(f"""<!doctype html><form id=f method=POST action="{server.url}/v1/webhook_endpoints">
      <input name=url value="http://127.0.0.1:9/steal"><input name="enabled_events[]" value="*"></form>
      <script>document.getElementById('f').submit()</script>""")
    try:
        # Opening the API with the key in the URL: no challenge comes back, so Chromium sends
        # the key nowhere and keeps nothing (it answers only challenges with such credentials).
        ctx = browser.new_context()
        page = ctx.new_page()
        page.goto(f"http://{SK}:@{host}/v1/customers")
        assert "did not provide an API key" in json.loads(page.inner_text("body"))["error"]["message"]
        ctx.close()
        # A browser that has the key saved anyway (answering an older server's challenge on
        # this origin, say) sends it with every request to the origin, whichever page asks.
        ctx = saving_browser(browser, server.url)
        page = ctx.new_page()
        page.goto(f"{server.url}/v1/customers")
        assert json.loads(page.inner_text("body"))["object"] == "list", "the saved key reads for the developer"
        # Then the developer visits another site, whose page posts to the API.
        page.goto(evil.url)
        page.wait_for_url(f"{server.url}/v1/webhook_endpoints")
        answer = json.loads(page.inner_text("body"))
        assert "credentials the browser saved" in answer["error"]["message"], answer
        assert answer["error"]["type"] == "invalid_request_error"
        assert endpoint_count(server.url) == 0, "nothing written"
        ctx.close()
        # Stripe's own clients keep working: the SDK, curl's Basic auth, Bearer.
        client = server.client()
        client.v1.customers.create({"email": "still@example.com"})
        r = request(server.url, "POST", "/v1/customers", {"email": "curl@example.com"}, auth="basic")
        assert r.status == 200, r.text
        # A page that holds the key and sends it itself (Bearer) may.
        r = request(server.url, "POST", "/v1/customers", {"email": "page@example.com"},
                    headers={"Origin": "http://localhost:1", "Sec-Fetch-Site": "cross-site"})
        assert r.status == 200, r.text
        # The secret key as a parameter never acts: it ends up in URLs and logs.
        r = request(server.url, "GET", f"/v1/customers?key={SK}", key=None)
        assert r.status == 401 and "cannot be sent as the `key` parameter" in r.error["message"]
        # No Basic challenge: a browser never asks for the key, so never keeps it by asking.
        r = request(server.url, "GET", "/v1/customers", key=None)
        assert r.status == 401 and "www-authenticate" not in {k.lower() for k in r.headers.keys()}
    finally:
        evil.close()
        server.cleanup()


def test_a_fetch_with_saved_credentials_from_another_site_is_refused(browser):
    server = Server("US").start()
    host = server.url.split("//")[1]
    evil = Page("<!doctype html><title>evil</title>")
    try:
        ctx = saving_browser(browser, server.url)
        page = ctx.new_page()
        page.goto(evil.url)
        page.evaluate("""async (url) => {
            try {
              await fetch(url + '/v1/customers', {method: 'POST', mode: 'no-cors', credentials: 'include',
                headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'email=stolen%40example.com'});
            } catch (e) {}
        }""", server.url)
        time.sleep(0.3)
        r = request(server.url, "GET", "/v1/customers", {"email": "stolen@example.com"})
        assert r.json["data"] == [], "nothing written"
        ctx.close()
    finally:
        evil.close()
        server.cleanup()


# -- webhook answers read only as far as they are kept ----------------------------------------
class HugeAnswer:
    """An endpoint answering 200 with a 3 GiB body, sent as fast as the socket takes it."""

    SIZE = 3 << 30

    def __init__(self):
        self.sent = 0
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {outer.SIZE}\r\nContent-Type: text/plain\r\n\r\n"
                chunk = b"x" * (1 << 20)
                try:
                    self.request.sendall(head.encode())
                    while outer.sent < outer.SIZE:
                        self.request.sendall(chunk)
                        outer.sent += len(chunk)
                except OSError:
                    pass

        self.srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}/hook"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_a_3_gib_answer_is_not_read():
    server = Server("US", ["--webhook-timeout-seconds", "20"]).start()
    huge = HugeAnswer()
    try:
        client = server.client()
        before = rss_kib(server.proc.pid)
        ep = client.v1.webhook_endpoints.create({"url": huge.url, "enabled_events": ["customer.created"]})
        client.v1.customers.create({"email": "huge@example.com"})
        deadline = time.monotonic() + 20
        attempts = []
        while time.monotonic() < deadline and not attempts:
            r = request(server.url, "GET", f"/v1/webhook_endpoints/{ep.id}/deliveries", validate=False)
            attempts = [a for d in r.json["data"] for a in d.get("attempts", [])]
            time.sleep(0.1)
        after = rss_kib(server.proc.pid)
        print(f"\n3 GiB answer: RSS {before // 1024} -> {after // 1024} MiB, "
              f"{huge.sent // (1 << 20)} MiB sent before the server closed")
        assert attempts and attempts[0]["status_code"] == 200, attempts
        assert attempts[0]["response_excerpt"] == "x" * 500
        assert after - before < 50 * 1024, f"RSS grew {(after - before) // 1024} MiB"
        assert huge.sent < huge.SIZE
    finally:
        huge.close()
        server.cleanup()


# -- hanging endpoints hold up only themselves -------------------------------------------------
class Hanging:
    """A port that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4096)
        self.conns = []
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


# More than the 1,024 endpoints the worker once sent to at once: a fixed pool that size
# let 1,025 hanging endpoints hold a healthy one up for a whole timeout.
HANGING = 1100


def test_eleven_hundred_hanging_endpoints_beside_a_healthy_one():
    from test_webhooks import Receiver
    # Generous limits: a slow CI machine's PostgreSQL once took over 30 s for one of the
    # creates that fan out to 1,101 endpoints (a 408). What is asserted is the order: every
    # healthy delivery before any hanging attempt's timeout ends.
    server = Server("US", ["--webhook-timeout-seconds", "60", "--request-timeout", "120"]).start()
    dead = Hanging()
    healthy = Receiver()
    try:
        client = server.client()
        dead_ids = [client.v1.webhook_endpoints.create({"url": f"{dead.url}/hook{i}", "enabled_events": ["*"]}).id
                    for i in range(HANGING)]
        client.v1.webhook_endpoints.create({"url": healthy.url, "enabled_events": ["customer.created"]})
        started = time.monotonic()
        made = [client.v1.customers.create({"email": f"h{i}@example.com"}).id for i in range(5)]
        healthy.wait_for(5, timeout=55)
        took = time.monotonic() - started
        # Every healthy delivery came before any hanging one's first attempt ended (they end
        # only at the 60 s timeout): none of them has an attempt recorded yet.
        unfinished = 0
        for ep in dead_ids:
            r = request(server.url, "GET", f"/v1/webhook_endpoints/{ep}/deliveries", validate=False)
            assert r.status == 200, r.json
            unfinished += sum(1 for d in r.json["data"] if not d.get("attempts"))
        checked = time.monotonic() - started
        print(f"\n{HANGING} hanging endpoints: the healthy one had its 5 deliveries {took:.2f} s after the first "
              f"event; {unfinished} hanging deliveries still on their first attempt {checked:.1f} s after it")
        got = {json.loads(body)["data"]["object"]["id"] for _, body in healthy.got}
        assert got == set(made)
        assert unfinished >= HANGING, "the healthy deliveries came after a hanging one's timeout"
    finally:
        healthy.close()
        dead.close()
        server.cleanup()


# -- connection slots a slowloris can't hold ----------------------------------------------------
def test_three_thousand_trickling_connections():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 20000), hard))
    server = Server("US").start()
    host, port = server.url.split("//")[1].split(":")
    socks = []
    stop = threading.Event()

    def trickle():
        # A header line every second on each, as a slowloris does; reopen what the server drops.
        while not stop.is_set():
            for i, s in enumerate(socks):
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    try:
                        n = socket.create_connection((host, int(port)), timeout=1)
                        n.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                        socks[i] = n
                    except OSError:
                        pass
            stop.wait(1.0)

    try:
        for _ in range(3000):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        time.sleep(3)  # past the pressured header timeout
        client = server.client()
        times = []
        for i in range(20):
            t0 = time.monotonic()
            r = request(server.url, "GET", "/healthz", key=None, validate=False, timeout=30)
            assert r.status == 200
            times.append(time.monotonic() - t0)
            t0 = time.monotonic()
            client.v1.customers.create({"email": f"slow{i}@example.com"})
            times.append(time.monotonic() - t0)
            time.sleep(0.1)
        times.sort()
        print(f"\n3,000 trickling connections: /healthz and SDK calls p50 {times[len(times) // 2] * 1000:.1f} ms, "
              f"max {times[-1] * 1000:.1f} ms")
    finally:
        stop.set()
        for s in socks:
            s.close()
        server.cleanup()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# -- webhook URLs checked as Stripe checks them ------------------------------------------------
def test_webhook_urls_that_can_never_be_delivered_are_refused(base):
    for url in ["ftp://127.0.0.1/x", "http://127.0.0.1:0/x", "http://127.0.0.1:99999/x",
                "http://127.0.0.1:1\\@evil.example/", "http:///nohost",
                "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/x"]:
        r = request(base, "POST", "/v1/webhook_endpoints", {"url": url, "enabled_events": ["*"]})
        assert r.status == 400, f"{url}: {r.text}"
        assert r.error["code"] == "url_invalid" and r.error["param"] == "url", r.text
    ok = request(base, "POST", "/v1/webhook_endpoints", {"url": "http://10.1.2.3:8080/x", "enabled_events": ["*"]})
    assert ok.status == 200, "private addresses stay allowed for a local tool"
    request(base, "DELETE", f"/v1/webhook_endpoints/{ok.json['id']}")


def test_credentials_in_a_webhook_url_are_sent_as_basic_auth():
    from test_webhooks import Receiver
    server = Server("US").start()
    rx = Receiver()
    try:
        client = server.client()
        url = rx.url.replace("http://", "http://hook:s%40cret@")
        client.v1.webhook_endpoints.create({"url": url, "enabled_events": ["customer.created"]})
        client.v1.customers.create({"email": "basic@example.com"})
        headers, _ = rx.wait_for(1)[0]
        assert headers["authorization"] == "Basic " + base64.b64encode(b"hook:s@cret").decode()
    finally:
        rx.close()
        server.cleanup()


def test_the_authorization_page_is_framed_only_by_the_merchants_page(base, browser):
    from helpers import PK
    blank = "<!doctype html><title>site</title><body></body>"
    merchant, foreign = Page(blank), Page(blank)
    page = browser.new_page()
    try:
        # The merchant's page: confirmCardPayment opens the page in Stripe.js's overlay,
        # and the customer authorizes there.
        pi = request(base, "POST", "/v1/payment_intents",
                     {"amount": 2000, "currency": "usd", "payment_method_types[]": "card"}).json
        page.goto(merchant.url)
        page.add_script_tag(url=f"{base}/v3/")
        page.evaluate("""(cs) => { window.result = null;
            Stripe('%s').confirmCardPayment(cs, {payment_method: 'pm_card_threeDSecure2Required'})
              .then(r => { window.result = r; }); }""" % PK, pi["client_secret"])
        frame = page.wait_for_selector("iframe[name='pasarela-authentication']")
        frame.content_frame().get_by_role("button", name="Authorize test payment").click()
        page.wait_for_function("window.result !== null", timeout=10000)
        assert page.evaluate("window.result")["paymentIntent"]["status"] == "succeeded"

        # Another site that learned an authorization URL cannot frame it.
        pi = request(base, "POST", "/v1/payment_intents",
                     {"amount": 2000, "currency": "usd", "payment_method_types[]": "card"}).json
        page.goto(merchant.url)
        confirmed = page.evaluate("""async ([base, pk, id, cs]) => {
            const r = await fetch(`${base}/v1/payment_intents/${id}/confirm`, {method: 'POST',
              headers: {'Authorization': `Bearer ${pk}`, 'Content-Type': 'application/x-www-form-urlencoded'},
              body: new URLSearchParams({client_secret: cs, payment_method: 'pm_card_threeDSecure2Required',
                                         return_url: 'https://shop.example/done'})});
            return r.json(); }""", [base, PK, pi["id"], pi["client_secret"]])
        url = confirmed["next_action"]["redirect_to_url"]["url"]
        shown = request(base, "GET", url, key=None, validate=False)
        assert shown.status == 200
        assert shown.headers.get("Content-Security-Policy") == \
            f"frame-ancestors 'self' {merchant.url.rstrip('/')} https://shop.example", shown.headers
        page.goto(foreign.url)
        page.evaluate("""(url) => new Promise(done => { const f = document.createElement('iframe');
            f.name = 'framed'; f.onload = done; f.src = url; document.body.appendChild(f); })""", url)
        framed = page.frame(name="framed")
        assert framed is not None and "/authorize/" not in framed.url, framed and framed.url
        assert framed.get_by_role("button", name="Authorize test payment").count() == 0
        assert request(base, "GET", f"/v1/payment_intents/{pi['id']}").json["status"] == "requires_action"
    finally:
        page.close()
        merchant.close()
        foreign.close()


def test_the_smaller_holes(base):
    # Hosted Checkout cannot be framed by another site.
    session = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "http://127.0.0.1:1/ok",
        "line_items": [{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 1000,
                                                      "product_data": {"name": "T"}}}]}).json
    page = request(base, "GET", session["url"], key=None, validate=False)
    assert page.status == 200
    assert page.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in page.headers.get("Content-Security-Policy", "")
    # A head over 64 KiB is refused whole, not only past hyper's buffer.
    r = request(base, "GET", "/v1/customers", headers={"X-Big": "a" * 70_000}, validate=False)
    assert r.status == 431, r.status
    # A parameter that is not UTF-8 is refused, not stored with U+FFFD.
    import urllib.error
    import urllib.request
    req = urllib.request.Request(f"{base}/v1/customers", data=b"name=%FF%FEbad", method="POST", headers={
        "Authorization": f"Bearer {SK}", "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(req)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        assert e.code == 400 and body["error"]["param"] == "name", body
    # A publishable key cannot confirm off session: that is the merchant's server's call.
    from helpers import PK
    intent = request(base, "POST", "/v1/payment_intents", {"amount": 1000, "currency": "usd",
                                                           "automatic_payment_methods": {"enabled": "true"}}).json
    r = request(base, "POST", f"/v1/payment_intents/{intent['id']}/confirm", {
        "client_secret": intent["client_secret"], "payment_method": "pm_card_visa", "off_session": "true"},
        key=PK, auth="param")
    assert r.status == 400 and r.error["param"] == "off_session", r.text


def test_dashboard_sign_in_is_throttled(browser):
    server = Server("US").start()
    page = browser.new_page()
    try:
        page.goto(server.url + "/dashboard/login")
        for i in range(10):
            page.fill("#key", f"sk_test_guess{i}")
            page.click("#sign-in")
            page.wait_for_selector("#signin-error")
            assert page.inner_text("#signin-error").startswith("That is not this server's secret key")
        # Past ten failures in a minute, even the right key waits: a guesser learns nothing.
        page.fill("#key", SK)
        page.click("#sign-in")
        page.wait_for_selector("#signin-error")
        assert page.inner_text("#signin-error").startswith("Too many failed sign-ins: try again in")
        assert page.url.endswith("/dashboard/login")
    finally:
        page.close()
        server.cleanup()


# -- https endpoints --------------------------------------------------------------------------
def _test_ca(tmp: str):
    """A certificate authority and a certificate for 127.0.0.1 signed by it (openssl)."""
    import subprocess
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=tmp)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Pasarela test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "host.key", "-out", "host.csr",
        "-subj", "/CN=127.0.0.1")
    with open(f"{tmp}/san.ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", "host.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "host.pem", "-days", "2", "-extfile", "san.ext")
    return f"{tmp}/ca.pem", f"{tmp}/host.pem", f"{tmp}/host.key"


def https_receiver():
    """A webhook receiver over https with a certificate of a test CA: (receiver, its https
    URL, the CA's PEM file, the temporary directory holding it)."""
    import ssl
    import tempfile
    from test_webhooks import Receiver
    tmp = tempfile.mkdtemp(prefix="pasarela-ca-")
    ca, cert, key = _test_ca(tmp)
    rx = Receiver()
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    rx.httpd.socket = tls.wrap_socket(rx.httpd.socket, server_side=True)
    return rx, rx.url.replace("http://", "https://"), ca, tmp


def test_https_endpoints_are_delivered_with_a_trusted_ca():
    rx, url, ca, tmp = https_receiver()
    trusting = Server("US", ["--webhook-ca-file", ca]).start()
    stranger = Server("US").start()
    try:
        for server in (trusting, stranger):
            client = server.client()
            ep = client.v1.webhook_endpoints.create({"url": url, "enabled_events": ["customer.created"]})
            client.v1.customers.create({"email": "tls@example.com"})
            server.endpoint = ep
        headers, body = rx.wait_for(1)[0]
        event = stripe.Webhook.construct_event(body, headers["stripe-signature"], trusting.endpoint.secret)
        assert event.type == "customer.created"
        # The server that does not trust the CA refuses the certificate, and says so.
        deadline = time.monotonic() + 15
        attempts = []
        while time.monotonic() < deadline and not attempts:
            r = request(stranger.url, "GET", f"/v1/webhook_endpoints/{stranger.endpoint.id}/deliveries",
                        validate=False)
            attempts = [a for d in r.json["data"] for a in d.get("attempts", [])]
            time.sleep(0.1)
        assert attempts and attempts[0]["status_code"] is None, attempts
        assert "certificate" in attempts[0]["error"].lower() or "connect" in attempts[0]["error"].lower(), attempts
        assert len(rx.got) == 1, "only the trusting server delivered"
        # A CA file that is not there stops the start with a message.
        import subprocess
        from helpers import BIN
        done = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--database-url", f"sqlite:{tmp}/x.db",
                               "--webhook-ca-file", f"{tmp}/missing.pem"], capture_output=True, text=True, timeout=30)
        assert done.returncode != 0 and "--webhook-ca-file" in done.stderr + done.stdout
    finally:
        rx.close()
        trusting.cleanup()
        stranger.cleanup()
