"""`pasarela trigger EVENT`, as `stripe trigger`: the real binary against the real server. Each
event must then be in `GET /v1/events`, new, about an object the command printed, and caused by
an API request (`request.id`), as a client's own calls would cause it."""
import re
import subprocess

import pytest

from helpers import BIN, SK, request

# Written out here rather than read from the binary, so that dropping one is a failure.
SUPPORTED = [
    "payment_intent.created", "payment_intent.succeeded", "payment_intent.payment_failed",
    "payment_intent.requires_action", "payment_intent.canceled",
    "payment_intent.amount_capturable_updated",
    "charge.succeeded", "charge.failed", "charge.captured", "charge.refunded", "refund.created",
    "customer.created", "customer.updated", "customer.deleted", "payment_method.attached",
    "setup_intent.created", "setup_intent.succeeded", "setup_intent.setup_failed",
    "setup_intent.requires_action", "setup_intent.canceled",
    "product.created", "product.updated", "product.deleted", "price.created", "price.updated",
]

# Where each printed id can be retrieved.
RESOURCES = {"pi": "payment_intents", "ch": "charges", "re": "refunds", "cus": "customers",
             "pm": "payment_methods", "seti": "setup_intents", "prod": "products", "price": "prices"}
ID_RE = re.compile(r"\b(pi|ch|re|cus|pm|seti|prod|price)_[A-Za-z0-9]+\b")


def pasarela(*args, server=None, key=SK):
    cmd = [BIN, *args]
    if server:
        cmd += ["--server", server, "--api-key", key]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def event_ids(base, event_type):
    r = request(base, "GET", "/v1/events", {"type": event_type, "limit": 100})
    assert r.status == 200, r
    return r.json["data"]


@pytest.mark.parametrize("event", SUPPORTED)
def test_trigger_causes_the_event(us, event):
    before = {e["id"] for e in event_ids(us.url, event)}
    done = pasarela("trigger", event, server=us.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("Trigger succeeded! Check the events with GET /v1/events."), done.stdout
    printed = {m.group(0) for m in ID_RE.finditer(done.stdout)}
    assert printed, done.stdout
    for object_id in printed:
        got = request(us.url, "GET", f"/v1/{RESOURCES[object_id.split('_')[0]]}/{object_id}")
        assert got.status == 200 and got.json["id"] == object_id, got
    new = [e for e in event_ids(us.url, event) if e["id"] not in before]
    caused = [e for e in new if e["data"]["object"]["id"] in printed and e["request"]["id"]]
    assert caused, f"no new {event} about {printed} with a request id: {new}\n{done.stdout}"


def test_help_lists_every_supported_event():
    done = pasarela("trigger", "--help")
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("Supported events:", 1)[1]
    for event in SUPPORTED:
        assert f"  {event}\n" in listed, event
    assert "  checkout.session.completed\n" in listed


def test_an_unknown_event_is_refused_with_the_supported_list(us):
    before = request(us.url, "GET", "/v1/events", {"limit": 1}).json["data"]
    done = pasarela("trigger", "payment_intent.exploded", server=us.url)
    assert done.returncode == 1
    assert "payment_intent.exploded cannot be triggered" in done.stderr
    for event in SUPPORTED:
        assert f"  {event}\n" in done.stderr, event
    assert request(us.url, "GET", "/v1/events", {"limit": 1}).json["data"] == before, "it called the API"


def test_checkout_session_completed_pays_a_session_on_its_hosted_page(us):
    """The session is paid through its hosted page's own calls; the event comes from the
    customer's return to the page, so it has no API request, as a browser's would."""
    before = {e["id"] for e in event_ids(us.url, "checkout.session.completed")}
    done = pasarela("trigger", "checkout.session.completed", server=us.url)
    assert done.returncode == 0, done.stdout + done.stderr
    session_id = re.search(r"Created checkout\.session (cs_test_\w+)", done.stdout).group(1)
    assert f"Completed checkout_session {session_id} (payment_intent pi_" in done.stdout, done.stdout
    session = request(us.url, "GET", f"/v1/checkout/sessions/{session_id}").json
    assert (session["status"], session["payment_status"], session["amount_total"]) == ("complete", "paid", 3000)
    assert request(us.url, "GET", f"/v1/payment_intents/{session['payment_intent']}").json["status"] == "succeeded"
    new = [e for e in event_ids(us.url, "checkout.session.completed") if e["id"] not in before]
    assert [e["data"]["object"]["id"] for e in new] == [session_id]
    assert new[0]["request"]["id"] is None


def test_async_payment_events_are_not_there_yet(us):
    done = pasarela("trigger", "checkout.session.async_payment_succeeded", server=us.url)
    assert done.returncode == 1
    assert done.stderr.strip() == ("pasarela: checkout.session.async_payment_succeeded cannot be triggered yet: "
                                   "no payment method Pasarela serves settles later")
    assert done.stdout == ""


def test_a_wrong_key_prints_the_servers_message(us):
    wrong = "sk_test_NotTheAccountsKey1234"
    expected = request(us.url, "POST", "/v1/customers", {}, key=wrong).error["message"]
    done = pasarela("trigger", "customer.created", server=us.url, key=wrong)
    assert done.returncode == 1
    assert expected in done.stderr, done.stderr
    assert "Trigger succeeded" not in done.stdout


def test_stripe_version_is_sent_when_given(us):
    done = pasarela("trigger", "customer.created", "--stripe-version", "2019-01-01", server=us.url)
    assert done.returncode == 1
    assert "Invalid Stripe API version: 2019-01-01" in done.stderr, done.stderr
    done = pasarela("trigger", "customer.created", "--stripe-version", "2026-10-28.endive", server=us.url)
    assert done.returncode == 0, done.stderr
