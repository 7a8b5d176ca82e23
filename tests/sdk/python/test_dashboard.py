"""The test-mode Dashboard at /dashboard, in headless Chromium against its own server: signing
in with the secret key, payments made through the API found in the list with their status, a
payment's timeline with its webhook deliveries, a refund made from the page (the same refund and
events as the API's), a failed request found in Logs by its Request-Id, and the security rules
(publishable key, CSRF, escaping, no session). Screenshots of every page, desktop and phone, go
to .artifacts/."""
import json
import re
import urllib.error
import urllib.request

import pytest

from helpers import PK, SK, Server, request, screenshots, submit_outcome
from test_webhooks import Receiver


@pytest.fixture(scope="module")
def srv():
    server = Server("US").start()
    yield server
    server.cleanup()


@pytest.fixture(scope="module")
def receiver(srv):
    rx = Receiver()
    ep = request(srv.url, "POST", "/v1/webhook_endpoints", {"url": rx.url, "enabled_events[]": "*"}).json
    yield rx, ep
    rx.close()


@pytest.fixture(scope="module")
def payments(srv, receiver):
    """A card payment, a declined one, and Amazon Pay authorized on the hosted page."""
    ok = request(srv.url, "POST", "/v1/payment_intents", {
        "amount": "2500", "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true",
        "payment_method_types[]": "card", "description": "Dashboard test order",
        "metadata[order_id]": "6735"}).json
    declined = request(srv.url, "POST", "/v1/payment_intents", {
        "amount": "1300", "currency": "usd", "payment_method": "pm_card_chargeDeclined",
        "confirm": "true", "payment_method_types[]": "card"})
    assert declined.status == 402
    amazon = request(srv.url, "POST", "/v1/payment_intents", {
        "amount": "1099", "currency": "usd", "payment_method_types[]": "amazon_pay", "confirm": "true",
        "payment_method_data[type]": "amazon_pay", "return_url": "https://example.com/r"}).json
    submit_outcome(amazon["next_action"]["redirect_to_url"]["url"], "authorize")
    return {"ok": ok, "declined": declined.error["payment_intent"], "amazon": amazon}


def sign_in(browser, srv, viewport=None):
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
    page.goto(srv.url + "/dashboard")
    assert page.url.endswith("/dashboard/login"), "no session: to the sign-in page"
    page.fill("#key", SK)
    page.click("#sign-in")
    page.wait_for_url(srv.url + "/dashboard")
    return page


def test_sign_in_refuses_the_publishable_key_and_a_wrong_one(srv, browser):
    page = browser.new_page()
    try:
        page.goto(srv.url + "/dashboard/login")
        assert "pasarela serve" in page.inner_text("main"), "it says where the key is printed"
        screenshots(page, "dashboard-signin")
        for key, message in [(PK, "That is the publishable key"), ("sk_test_nope", "That is not this server's secret key")]:
            page.fill("#key", key)
            page.click("#sign-in")
            page.wait_for_selector("#signin-error")
            assert page.inner_text("#signin-error").startswith(message)
            assert page.url.endswith("/dashboard/login")
        assert not [c for c in page.context.cookies() if c["name"] == session_cookie(srv)]
    finally:
        page.close()


def session_cookie(srv):
    """Browsers share cookies between a host's ports: each server's cookie names its port."""
    return f"pasarela_dashboard_{srv.port}"


def raw(srv, method, path, body=None, cookie=None):
    req = urllib.request.Request(srv.url + path, data=body.encode() if body is not None else None, method=method)
    if cookie:
        req.add_header("Cookie", cookie)
    if body is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def test_routes_need_a_session_and_forms_their_csrf_token(srv, browser, payments):
    for path in ["/dashboard", "/dashboard/payments", f"/dashboard/payments/{payments['ok']['id']}", "/dashboard/logs",
                 "/dashboard/developers"]:
        status, headers, _ = raw(srv, "GET", path)
        assert (status, headers.get("location")) == (303, "/dashboard/login"), path
    status, _, _ = raw(srv, "POST", f"/dashboard/payments/{payments['ok']['id']}/refund", "amount=100")
    assert status == 401
    # No inline script may run, and no other site may frame the pages.
    _, headers, _ = raw(srv, "GET", "/dashboard/login")
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert raw(srv, "GET", "/dashboard/poll")[0] == 401
    page = sign_in(browser, srv)
    try:
        cookie = next(c for c in page.context.cookies() if c["name"] == session_cookie(srv))
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        session = f"{session_cookie(srv)}={cookie['value']}"
        status, _, body = raw(srv, "POST", f"/dashboard/payments/{payments['ok']['id']}/refund", "amount=100", session)
        assert status == 403 and "security token" in body
        status, _, _ = raw(srv, "POST", f"/dashboard/payments/{payments['ok']['id']}/refund", "amount=100&csrf=wrong", session)
        assert status == 403
        assert request(srv.url, "GET", "/v1/refunds", {"payment_intent": payments["ok"]["id"]}).json["data"] == [], \
            "nothing was refunded"
        # An id that needs percent-encoding could reach another API call: it is no page.
        assert raw(srv, "GET", "/dashboard/payments/pi_1%23x", cookie=session)[0] == 404
        assert raw(srv, "GET", "/dashboard/payments/%20", cookie=session)[0] == 404
        # The same form posted twice (a double click) refunds once: it carries the page's key.
        html = raw(srv, "GET", f"/dashboard/payments/{payments['amazon']['id']}", cookie=session)[2]
        csrf = re.search(r'name="csrf" value="(\w+)"', html).group(1)
        idem = re.search(r'name="idem" value="(\w+)"', html).group(1)
        form = f"csrf={csrf}&idem={idem}&amount=100"
        for _ in range(2):
            assert raw(srv, "POST", f"/dashboard/payments/{payments['amazon']['id']}/refund", form, session)[0] == 303
        refunds = request(srv.url, "GET", "/v1/refunds", {"payment_intent": payments["amazon"]["id"]}).json["data"]
        assert [r["amount"] for r in refunds] == [100]
        # Signing out ends the session.
        page.click("#sign-out")
        page.wait_for_url(srv.url + "/dashboard/login")
        assert raw(srv, "GET", "/dashboard/payments", cookie=session)[0] == 303
    finally:
        page.close()


def test_payments_are_listed_with_their_status_and_method(srv, browser, payments):
    page = sign_in(browser, srv)
    try:
        screenshots(page, "dashboard-home")
        assert page.locator("[data-volume='succeeded-usd']").first.inner_text() == "$35.99"
        page.click("#nav-payments")
        page.wait_for_selector("#payments")
        rows = {r.get_attribute("data-id"): r for r in page.locator("#payments tbody tr").all()}
        expected = {payments["ok"]["id"]: ("succeeded", "Visa \u2022\u2022\u2022\u2022 4242", "$25.00"),
                    payments["declined"]["id"]: ("failed", "Visa \u2022\u2022\u2022\u2022 0002", "$13.00"),
                    # $1.00 of it was refunded by the double-submit check above.
                    payments["amazon"]["id"]: ("partially_refunded", "Amazon Pay", "$10.99")}
        for pid, (status, method, amount) in expected.items():
            row = rows[pid]
            assert row.locator("[data-status]").get_attribute("data-status") == status, pid
            assert method in row.inner_text() and amount in row.inner_text()
        screenshots(page, "dashboard-payments")
        # Filters and the Search API's language.
        page.select_option("#filter-status", "succeeded")
        page.click("button:has-text('Apply')")
        ids = page.locator("#payments tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)")
        assert set(ids) == {payments["ok"]["id"], payments["amazon"]["id"]}
        page.goto(srv.url + "/dashboard/payments?method=amazon_pay")
        assert page.locator("#payments tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)") == [payments["amazon"]["id"]]
        page.goto(srv.url + "/dashboard/payments")
        page.fill("#payments-q", "metadata['order_id']:'6735'")
        page.press("#payments-q", "Enter")
        page.wait_for_url("**q=**")
        assert page.locator("#payments tbody tr").evaluate_all("rs => rs.map(r => r.dataset.id)") == [payments["ok"]["id"]]
        page.goto(srv.url + "/dashboard/payments?q=" + urllib.request.quote("nonsense:::"))
        assert page.locator("#flash-error").count() == 1, "a bad query shows the Search API's error"
    finally:
        page.close()


def test_a_payment_page_shows_its_timeline_and_refunds_from_the_page(srv, browser, payments, receiver):
    rx, _ = receiver
    pid = payments["ok"]["id"]
    rx.wait_for(3)
    page = sign_in(browser, srv)
    try:
        page.goto(f"{srv.url}/dashboard/payments/{pid}")
        types = page.locator("#timeline li").evaluate_all("ls => ls.map(l => l.dataset.type)")
        assert types[:1] == ["payment_intent.created"]
        assert {"payment_intent.succeeded", "charge.succeeded"} <= set(types)
        delivered = page.locator("#timeline [data-delivery='succeeded']").all_inner_texts()
        assert delivered and all(t == "Delivered \u00b7 200" for t in delivered)
        assert "6735" in page.inner_text("#metadata")
        assert json.loads(page.inner_text("#json"))["id"] == pid
        screenshots(page, "dashboard-payment")
        page.fill("#refund-amount", "500")
        page.click("#refund")
        page.wait_for_selector("#refunds")
        assert "Refund created." in page.inner_text("main")
        refunds = request(srv.url, "GET", "/v1/refunds", {"payment_intent": pid}).json["data"]
        assert [r["amount"] for r in refunds] == [500]
        assert page.locator(f"#refunds tr[data-id='{refunds[0]['id']}']").count() == 1
        types = page.locator("#timeline li").evaluate_all("ls => ls.map(l => l.dataset.type)")
        assert {"refund.created", "charge.refunded"} <= set(types)
        assert page.locator("[data-status='partially_refunded']").count() == 1
        # The same event the API's refund makes, from a request the log keeps as the Dashboard's.
        ev = request(srv.url, "GET", "/v1/events", {"type": "charge.refunded"}).json["data"][0]
        assert ev["data"]["object"]["amount_refunded"] == 500 and ev["request"]["id"]
        page.goto(f"{srv.url}/dashboard/logs/{ev['request']['id']}")
        assert "dashboard" in page.inner_text("main") and "/v1/refunds" in page.inner_text("h1")
        # Refunding more than is left is refused with the API's message, in place.
        page.goto(f"{srv.url}/dashboard/payments/{pid}")
        page.fill("#refund-amount", "999999")
        page.click("#refund")
        page.wait_for_selector("#flash-error")
        assert "greater than" in page.inner_text("#flash-error")
    finally:
        page.close()


def test_a_failed_request_is_found_in_logs_by_its_request_id(srv, browser):
    bad = request(srv.url, "POST", "/v1/payment_intents", {"amount": "-5", "currency": "usd"})
    assert bad.status == 400
    rid = bad.headers["Request-Id"]
    # A Stripe.js-style key in the query is not kept.
    request(srv.url, "GET", "/v1/payment_intents", {"limit": "1", "key": SK}, key=None)
    page = sign_in(browser, srv)
    try:
        page.click("#nav-logs")
        page.select_option("#logs-status", "errors")
        page.fill("#logs-request", rid)
        page.click("button:has-text('Filter')")
        row = page.locator(f"#logs tr[data-request-id='{rid}']")
        assert page.locator("#logs tbody tr").count() == 1
        assert row.count() == 1 and "400" in row.inner_text()
        screenshots(page, "dashboard-logs")
        row.locator("a").first.click()
        page.wait_for_url(f"**/dashboard/logs/{rid}")
        err = json.loads(page.inner_text("#error-body"))
        assert err["type"] == "invalid_request_error" and err["param"] == "amount"
        assert "secret" in page.inner_text("main")
        screenshots(page, "dashboard-log")
        page.goto(srv.url + "/dashboard/logs?path=/v1/payment_intents")
        keyed = page.locator("#logs tbody tr").first.get_attribute("data-request-id")
        page.goto(f"{srv.url}/dashboard/logs/{keyed}")
        html = page.content()
        assert SK not in html, html[max(0, html.index(SK) - 300):html.index(SK) + 50]
        assert "key=hidden" in page.inner_text("main")
    finally:
        page.close()


def test_api_input_is_shown_as_text(srv, browser):
    c = request(srv.url, "POST", "/v1/customers", {
        "name": "<script>window.__xss=1</script>", "email": "xss@example.com",
        "metadata[note]": "\"><img src=x onerror=window.__xss=2>"}).json
    request(srv.url, "POST", f"/v1/payment_methods/pm_card_visa/attach", {"customer": c["id"]})
    page = sign_in(browser, srv)
    try:
        page.goto(f"{srv.url}/dashboard/customers")
        assert "<script>window.__xss=1</script>" in page.inner_text("#customers")
        page.goto(f"{srv.url}/dashboard/customers/{c['id']}")
        assert page.inner_text("#customer-name") == "<script>window.__xss=1</script>"
        assert "\"><img src=x onerror=window.__xss=2>" in page.inner_text("#metadata")
        assert page.evaluate("window.__xss") is None
        assert page.locator("#metadata img").count() == 0
        screenshots(page, "dashboard-customer")
        # Detaching a saved method from the customer's page.
        pm = page.locator("#methods tbody tr").first.get_attribute("data-id")
        page.click(f"#detach-{pm}")
        page.wait_for_selector("text=Payment method detached.")
        assert request(srv.url, "GET", f"/v1/payment_methods/{pm}").json["customer"] is None
        page.goto(f"{srv.url}/dashboard/customers")
        screenshots(page, "dashboard-customers")
        # A deleted customer's page says so.
        request(srv.url, "DELETE", f"/v1/customers/{c['id']}")
        page.goto(f"{srv.url}/dashboard/customers/{c['id']}")
        assert page.inner_text("h1") == "Customer deleted"
    finally:
        page.close()


def test_events_webhooks_and_developers(srv, browser, payments, receiver):
    rx, ep = receiver
    page = sign_in(browser, srv)
    try:
        page.click("#nav-events")
        page.fill("#events-type", "payment_intent.succeeded")
        page.press("#events-type", "Enter")
        page.wait_for_url("**type=**")
        types = set(page.locator("#events tbody td:first-child").all_inner_texts())
        assert types == {"payment_intent.succeeded"}
        screenshots(page, "dashboard-events")
        page.locator("#events tbody a").first.click()
        page.wait_for_selector("#deliveries")
        assert "200" in page.inner_text("#deliveries")
        before = len(rx.got)
        page.select_option("#resend-endpoint", ep["id"])
        page.click("#resend")
        page.wait_for_selector("text=Event sent again.")
        rx.wait_for(before + 1)
        screenshots(page, "dashboard-event")
        page.click("#nav-webhooks")
        screenshots(page, "dashboard-webhooks")
        page.goto(f"{srv.url}/dashboard/webhooks/{ep['id']}")
        assert page.locator("#signing-secret").count() == 0, "the secret shows only on request"
        page.click("#reveal-secret")
        assert page.inner_text("#signing-secret") == ep["secret"]
        assert "secret" not in page.url
        screenshots(page, "dashboard-webhook")
        page.click("#toggle-endpoint")
        page.wait_for_selector("text=Endpoint disabled.")
        assert request(srv.url, "GET", f"/v1/webhook_endpoints/{ep['id']}").json["status"] == "disabled"
        page.click("#toggle-endpoint")
        page.wait_for_selector("text=Endpoint enabled.")
        # Adding and deleting an endpoint.
        page.goto(f"{srv.url}/dashboard/webhooks")
        page.fill("#endpoint-url", "http://127.0.0.1:9/hook")
        page.click("#add-endpoint-submit")
        page.wait_for_selector("text=Endpoint added.")
        new_id = re.search(r"/dashboard/webhooks/(we_\w+)", page.url).group(1)
        page.once("dialog", lambda d: d.accept())
        page.click("#delete-endpoint")
        page.wait_for_selector("text=Endpoint deleted.")
        assert request(srv.url, "GET", f"/v1/webhook_endpoints/{new_id}").status == 404
        page.click("#nav-developers")
        assert page.inner_text("#secret-key") == SK and page.inner_text("#publishable-key") == PK
        screenshots(page, "dashboard-developers")
    finally:
        page.close()


def test_the_pages_follow_new_requests_and_fit_a_phone(srv, browser, payments):
    page = sign_in(browser, srv, viewport={"width": 390, "height": 844})
    try:
        page.click("#nav-payments")
        n = page.locator("#payments tbody tr").count()
        request(srv.url, "POST", "/v1/payment_intents", {"amount": "4200", "currency": "usd",
                                                         "payment_method_types[]": "card"})
        # The page redraws itself (it polls); the test only watches (the page's CSP forbids eval).
        for _ in range(100):
            if page.locator("#payments tbody tr").count() > n:
                break
            page.wait_for_timeout(100)
        assert page.locator("#payments tbody tr").count() == n + 1, "the new payment appeared without a reload"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"no sideways scrolling of the page on a phone ({width}px)"
    finally:
        page.close()


def test_dashboard_off():
    server = Server("US", ["--dashboard", "off"]).start()
    try:
        r = request(server.url, "GET", "/dashboard", key=None)
        assert r.status == 404
    finally:
        server.cleanup()
