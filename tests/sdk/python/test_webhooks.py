"""Webhook endpoints and signed deliveries, received by a real HTTP handler on loopback that
verifies each one with stripe-python's own `stripe.Webhook.construct_event`, as a merchant's
handler written from Stripe's docs does."""
import http.server
import json
import threading
import time

import pytest
import stripe

import subprocess

from helpers import BIN, SK, Server, assert_error, request


class Receiver:
    """A merchant's webhook handler: answers with the statuses it is told, records each POST."""

    def __init__(self, answers=None, port=0):
        self.answers = list(answers or [])
        self.got = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, n, timeout=15.0):
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.got) >= n, f"got {len(self.got)} of {n} deliveries"
        return self.got

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def endpoint(base, url, events):
    r = request(base, "POST", "/v1/webhook_endpoints", [("url", url)] + [("enabled_events[]", e) for e in events])
    assert r.status == 200, r
    return r.json


def pay(base):
    return request(base, "POST", "/v1/payment_intents", {
        "amount": "2000", "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true",
        "automatic_payment_methods[enabled]": "true",
        "automatic_payment_methods[allow_redirects]": "never"}).json


def verified(delivery, secret):
    headers, body = delivery
    return stripe.Webhook.construct_event(body, headers["stripe-signature"], secret)


def test_endpoint_api_shows_the_secret_once_and_refuses_unknown_events(base):
    created = endpoint(base, "https://merchant.test/hooks", ["payment_intent.succeeded"])
    assert created["secret"].startswith("whsec_")
    assert created["status"] == "enabled"
    got = request(base, "GET", f"/v1/webhook_endpoints/{created['id']}", {}).json
    assert "secret" not in got and got["url"] == "https://merchant.test/hooks"
    bad = request(base, "POST", "/v1/webhook_endpoints",
                  {"url": "https://merchant.test/h", "enabled_events[]": "payment_intent.teleported"})
    assert_error(bad, 400, "invalid_request_error", None, "enabled_events[0]")
    no_url = request(base, "POST", "/v1/webhook_endpoints", {"enabled_events[]": "*"})
    assert_error(no_url, 400, "invalid_request_error", "parameter_missing", "url")
    updated = request(base, "POST", f"/v1/webhook_endpoints/{created['id']}", {"disabled": "true"}).json
    assert updated["status"] == "disabled"
    listed = request(base, "GET", "/v1/webhook_endpoints", {}).json
    assert created["id"] in [e["id"] for e in listed["data"]]
    gone = request(base, "DELETE", f"/v1/webhook_endpoints/{created['id']}", {}).json
    assert gone == {"id": created["id"], "object": "webhook_endpoint", "deleted": True}
    assert request(base, "GET", f"/v1/webhook_endpoints/{created['id']}", {}).status == 404


def test_events_arrive_signed_and_verify_with_the_sdk(base):
    rx = Receiver()
    try:
        ep = endpoint(base, rx.url, ["payment_intent.created", "payment_intent.succeeded"])
        pi = pay(base)
        got = rx.wait_for(2)
        events = [verified(d, ep["secret"]) for d in got]
        assert sorted(e.type for e in events) == ["payment_intent.created", "payment_intent.succeeded"]
        assert all(e.data.object.id == pi["id"] for e in events)
        headers, body = got[0]
        assert headers["user-agent"].startswith("Stripe/1.0")
        assert headers["content-type"].startswith("application/json")
        # The event sent is the event recorded.
        stored = request(base, "GET", f"/v1/events/{events[0].id}", {}).json
        assert json.loads(body)["id"] == stored["id"]
        # A tampered body or the wrong secret fails verification.
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body.replace(pi["id"], "pi_forged"),
                                           headers["stripe-signature"], ep["secret"])
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(body, headers["stripe-signature"], "whsec_wrong")
    finally:
        request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        rx.close()


def test_a_failed_delivery_is_retried_until_it_succeeds():
    srv = Server(extra_args=["--webhook-retry-seconds", "1"]).start()
    rx = Receiver(answers=[500, 200])
    try:
        ep = endpoint(srv.url, rx.url, ["payment_intent.succeeded"])
        pay(srv.url)
        first, second = rx.wait_for(2)
        event = verified(first, ep["secret"])
        assert event.id == verified(second, ep["secret"]).id
        time.sleep(2.5)
        assert len(rx.got) == 2, "a delivery answered 2xx was sent again"
        # What was tried, and what the handler answered (a Pasarela extension).
        records = request(srv.url, "GET", f"/v1/events/{event.id}/deliveries", {}, validate=False).json
        (delivery,) = records["data"]
        assert delivery["status"] == "succeeded" and delivery["endpoint"] == ep["id"]
        assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
        assert delivery["attempts"][0]["response_excerpt"] == "ok"
        per_endpoint = request(srv.url, "GET", f"/v1/webhook_endpoints/{ep['id']}/deliveries", {},
                               validate=False).json
        assert [d["id"] for d in per_endpoint["data"]] == [delivery["id"]]
        # Sent again on request, as `stripe events resend` does.
        again = request(srv.url, "POST", f"/v1/events/{event.id}/retry", {"webhook_endpoint": ep["id"]},
                        validate=False)
        assert again.status == 200, again
        third = rx.wait_for(3)[2]
        assert verified(third, ep["secret"]).id == event.id
    finally:
        rx.close()
        srv.stop()


def test_deliveries_owed_before_a_crash_arrive_after_restart():
    srv = Server(extra_args=["--webhook-retry-seconds", "1"]).start()
    rx = Receiver()
    port = rx.port
    rx.close()  # the handler is down while the events happen
    try:
        ep = endpoint(srv.url, f"http://127.0.0.1:{port}/webhook", ["payment_intent.succeeded"])
        pi = pay(srv.url)
        # Killed once the first try has failed: the delivery is owed, not claimed. (A
        # process killed mid-claim leaves a lease that runs out after the 30 s timeout.)
        event_id = request(srv.url, "GET", "/v1/events", {"type": "payment_intent.succeeded"}).json["data"][0]["id"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            records = request(srv.url, "GET", f"/v1/events/{event_id}/deliveries", {}, validate=False).json["data"]
            if records and records[0]["attempts"]:
                break
            time.sleep(0.05)
        assert records[0]["attempts"][0]["status_code"] is None  # nobody answered
        srv.proc.kill()
        srv.proc.wait()
        srv.proc = None
        srv.start()
        rx = Receiver(port=port)
        (delivery,) = rx.wait_for(1, timeout=20)
        assert verified(delivery, ep["secret"]).data.object.id == pi["id"]
    finally:
        rx.close()
        srv.stop()


def test_pending_webhooks_and_delivery_success_follow_the_deliveries():
    """An event owed to a handler that is down counts in `pending_webhooks` and is listed by
    `delivery_success=false`; once delivered, neither."""
    srv = Server(extra_args=["--webhook-retry-seconds", "1"]).start()
    rx = Receiver(answers=[500, 500])
    try:
        ep = endpoint(srv.url, rx.url, ["customer.created"])
        cus = request(srv.url, "POST", "/v1/customers", {"email": "owed@example.com"}).json
        rx.wait_for(1)
        owed = request(srv.url, "GET", "/v1/events", {"delivery_success": "false"}).json["data"]
        assert [e["data"]["object"]["id"] for e in owed] == [cus["id"]]
        assert owed[0]["pending_webhooks"] == 1
        assert verified(rx.got[0], ep["secret"]).pending_webhooks == 1
        assert request(srv.url, "GET", "/v1/events", {"delivery_success": "true"}).json["data"] == []
        rx.wait_for(3, timeout=20)  # 500, 500, then 200
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            event = request(srv.url, "GET", f"/v1/events/{owed[0]['id']}", {}).json
            if event["pending_webhooks"] == 0:
                break
            time.sleep(0.1)
        assert event["pending_webhooks"] == 0
        assert request(srv.url, "GET", "/v1/events", {"delivery_success": "false"}).json["data"] == []
        done = request(srv.url, "GET", "/v1/events", {"delivery_success": "true"}).json["data"]
        assert [e["id"] for e in done] == [event["id"]]
    finally:
        rx.close()
        srv.stop()


def test_the_cli_resends_an_event(base):
    """`pasarela events resend EVT --webhook-endpoint WE`, as `stripe events resend` does."""
    rx = Receiver()
    try:
        ep = endpoint(base, rx.url, ["customer.created"])
        request(base, "POST", "/v1/customers", {"email": "again@example.com"})
        (first,) = rx.wait_for(1)
        event = verified(first, ep["secret"])
        done = subprocess.run([BIN, "events", "resend", event.id, "--webhook-endpoint", ep["id"],
                               "--api-key", SK, "--server", base], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        # Printed as the Stripe CLI prints answers: indented JSON.
        printed = json.loads(done.stdout)
        assert printed["object"] == "webhook_delivery" and printed["event"] == event.id, printed
        assert done.stdout.startswith('{\n  "id"'), done.stdout
        second = rx.wait_for(2)[1]
        assert verified(second, ep["secret"]).id == event.id
        unknown = subprocess.run([BIN, "events", "resend", "evt_nope", "--webhook-endpoint", ep["id"],
                                  "--api-key", SK, "--server", base], capture_output=True, text=True, timeout=30)
        assert unknown.returncode == 1 and "404" in unknown.stderr
    finally:
        request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        rx.close()


def test_an_endpoint_with_its_own_api_version_gets_events_in_that_shape(base):
    """One event, two endpoints: the one pinned to 2024-06-20 gets it rendered at that
    version (PaymentIntents still had `invoice` then), the other at the account default;
    the same id, both verifiable. `GET /v1/events` keeps the recorded rendering."""
    old_rx, new_rx = Receiver(), Receiver()
    old = request(base, "POST", "/v1/webhook_endpoints", {
        "url": old_rx.url, "enabled_events[]": "payment_intent.succeeded", "api_version": "2024-06-20"}).json
    assert old["api_version"] == "2024-06-20"
    new = endpoint(base, new_rx.url, ["payment_intent.succeeded"])
    try:
        pi = pay(base)
        (old_got,) = old_rx.wait_for(1)
        (new_got,) = new_rx.wait_for(1)
        old_event, new_event = verified(old_got, old["secret"]), verified(new_got, new["secret"])
        assert old_event.id == new_event.id
        assert old_event.api_version == "2024-06-20"
        assert "invoice" in old_event.data.object and old_event.data.object.invoice is None
        account_version = request(base, "GET", f"/v1/events/{new_event.id}", {}).json["api_version"]
        assert new_event.api_version == account_version
        assert "invoice" not in new_event.data.object
        assert new_event.data.object.id == old_event.data.object.id == pi["id"]
        assert request(base, "GET", f"/v1/events/{new_event.id}", {}).json["data"]["object"] == json.loads(new_got[1])["data"]["object"]
    finally:
        for ep in (old, new):
            request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        old_rx.close()
        new_rx.close()


def test_previous_attributes_are_rendered_at_the_endpoint_version(base):
    """An update-like event sent at another version says what changed in that version's shape."""
    rx = Receiver()
    ep = request(base, "POST", "/v1/webhook_endpoints", {
        "url": rx.url, "enabled_events[]": "charge.refunded", "api_version": "2025-02-24.acacia"}).json
    try:
        pi = pay(base)
        request(base, "POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": "500"})
        (got,) = rx.wait_for(1)
        event = verified(got, ep["secret"])
        assert event.api_version == "2025-02-24.acacia"
        assert event.data.object.invoice is None
        assert event.data.object.amount_refunded == 500
        assert event.data.previous_attributes.amount_refunded == 0
        assert "invoice" not in event.data.previous_attributes, "unchanged keys are not previous attributes"
    finally:
        request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        rx.close()


def test_the_seed_000_amazon_pay_flow_arrives_in_order_of_creation(us):
    """Seed 000 as written (the curl create, Stripe.js's confirm with the publishable key, the
    customer authorizing on the hosted page): the handler gets every event of it, each verified,
    in the order the events were recorded."""
    from helpers import PK, open_auth_page, submit_outcome
    srv = Server("US").start()  # its own account: no other test's events interleave
    rx = Receiver()
    try:
        ep = endpoint(srv.url, rx.url, ["*"])
        pi = request(srv.url, "POST", "/v1/payment_intents",
                     [("payment_method_types[]", "amazon_pay"), ("amount", "1099"), ("currency", "usd")],
                     key=SK, auth="basic").json
        confirmed = request(srv.url, "POST", f"/v1/payment_intents/{pi['id']}/confirm",
                            [("client_secret", pi["client_secret"]), ("payment_method_data[type]", "amazon_pay"),
                             ("return_url", "http://127.0.0.1:9/return")], key=PK, auth="param").json
        assert confirmed["status"] == "requires_action"
        page = confirmed["next_action"]["redirect_to_url"]["url"]
        open_auth_page(page)
        submit_outcome(page, "authorize")
        recorded = list(reversed(request(srv.url, "GET", "/v1/events", {"limit": 100}).json["data"]))
        assert [e["type"] for e in recorded][:4] == [
            "payment_intent.created", "payment_intent.requires_action", "charge.succeeded",
            "payment_intent.succeeded"], [e["type"] for e in recorded]
        got = [verified(d, ep["secret"]) for d in rx.wait_for(len(recorded))]
        assert [e.id for e in got] == [e["id"] for e in recorded]
    finally:
        rx.close()
        srv.cleanup()


def test_each_event_is_retried_on_its_own_and_the_others_keep_their_order():
    """A handler that fails twice: the two events it failed are retried until it answers
    them (each has its own retries, as on Stripe: one event a handler chokes on does not
    hold up the others), and every other event arrives once, in the order recorded."""
    srv = Server(extra_args=["--webhook-retry-seconds", "1"]).start()
    rx = Receiver(answers=[500, 500])
    try:
        ep = endpoint(srv.url, rx.url, ["customer.created"])
        ids = [request(srv.url, "POST", "/v1/customers", {"email": f"c{i}@example.com"}).json["id"]
               for i in range(30)]
        deadline = time.monotonic() + 20
        while len(rx.got) < 32 and time.monotonic() < deadline:
            time.sleep(0.05)
        customers = [verified(d, ep["secret"]).data.object.id for d in rx.got]
        failed, answered = customers[:2], customers[2:]
        assert sorted(answered) == sorted(ids), "every event answered once in the end"
        assert len(set(failed)) == 2 and set(failed) <= set(ids)
        in_turn = [c for c in answered if c not in failed]
        assert in_turn == [c for c in ids if c not in failed], "the others in the order recorded"
        time.sleep(1.5)
        assert len(rx.got) == 32, "nothing is sent again once answered"
    finally:
        rx.close()
        srv.cleanup()


def test_an_endpoint_pinned_to_2020_08_27_gets_the_lists_that_version_embedded(base):
    """Many endpoints are still pinned to 2020-08-27: their events carry the PaymentIntent's
    `charges` and the Charge's `refunds` as they were when the event happened, verifiable with
    the SDK; the account-default endpoint gets neither."""
    old_rx, new_rx = Receiver(), Receiver()
    events = ["payment_intent.succeeded", "charge.refunded"]
    old = request(base, "POST", "/v1/webhook_endpoints", [("url", old_rx.url), ("api_version", "2020-08-27")]
                  + [("enabled_events[]", e) for e in events]).json
    new = endpoint(base, new_rx.url, events)
    try:
        pi = pay(base)
        request(base, "POST", "/v1/refunds", {"payment_intent": pi["id"], "amount": "500"})
        old_got = [verified(d, old["secret"]) for d in old_rx.wait_for(2)]
        new_got = [verified(d, new["secret"]) for d in new_rx.wait_for(2)]
        by_type = {e.type: e for e in old_got}
        succeeded = by_type["payment_intent.succeeded"].data.object
        assert by_type["payment_intent.succeeded"].api_version == "2020-08-27"
        assert succeeded.charges.total_count == 1 and succeeded.charges.data[0].id == pi["latest_charge"]
        assert succeeded.charges.data[0].refunds.total_count == 0, "no refund yet when it succeeded"
        refunded = by_type["charge.refunded"].data
        assert refunded.object.refunds.total_count == 1 and refunded.object.refunds.data[0].amount == 500
        assert refunded.previous_attributes.amount_refunded == 0
        assert "refunds" not in refunded.previous_attributes
        for e in new_got:
            assert "charges" not in e.data.object and "refunds" not in e.data.object, e.type
    finally:
        for ep in (old, new):
            request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        old_rx.close()
        new_rx.close()
