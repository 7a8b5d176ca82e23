"""`pasarela listen`, as `stripe listen`: run as a separate process that connects out to the
server, it forwards the events recorded after it started to a local handler, signed with a
secret that stays the same across runs for the account; the handler verifies each with
stripe-python's `construct_event`. Events are triggered with `pasarela trigger`."""
import json
import queue
import subprocess
import threading
import time

from helpers import BIN, SK, request
from test_webhooks import Receiver, verified


class Listener:
    """`pasarela listen ...` in the background, its output lines in a queue."""

    def __init__(self, base, *args):
        self.proc = subprocess.Popen([BIN, "listen", "--server", base, "--api-key", SK, *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.ready = self.expect("Ready!")

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, fragment, timeout=15.0):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"no line with {fragment!r} in {seen}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def trigger(base, event):
    out = subprocess.run([BIN, "trigger", event, "--server", base, "--api-key", SK],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def secret(base):
    out = subprocess.run([BIN, "listen", "--print-secret", "--server", base, "--api-key", SK],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_signing_secret_is_the_same_on_every_run(base):
    first = secret(base)
    assert first.startswith("whsec_") and len(first) == 6 + 64
    assert secret(base) == first
    bad = subprocess.run([BIN, "listen", "--print-secret", "--server", base, "--api-key", "sk_test_wrong"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1 and "Invalid API Key" in bad.stderr


def test_listen_forwards_a_triggered_event_to_a_handler_that_verifies_it(base):
    old = trigger(base, "customer.created")  # before listen: not forwarded
    rx = Receiver()
    listener = Listener(base, "--forward-to", rx.url)
    try:
        whsec = secret(base)
        assert whsec in listener.ready
        trigger(base, "payment_intent.succeeded")
        line = listener.expect("--> payment_intent.succeeded [evt_")
        event_id = line.split("[")[-1].rstrip("]")
        answered = listener.expect(f"<--  [200] POST {rx.url} [{event_id}]")
        assert answered
        events = [verified(d, whsec) for d in rx.wait_for(3)]
        types = [e.type for e in events]
        assert types[:3] == ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"], types
        assert "customer.created" not in types, f"an event from before listen was forwarded: {old}"
        succeeded = next(e for e in events if e.type == "payment_intent.succeeded")
        assert succeeded.id == event_id
        # It is the event the server recorded.
        recorded = request(base, "GET", f"/v1/events/{event_id}", {}).json
        forwarded = next(json.loads(body) for _, body in rx.got if json.loads(body)["id"] == event_id)
        assert forwarded["data"] == recorded["data"]
        assert succeeded.api_version == recorded["api_version"], "the account default unless --latest"
    finally:
        listener.stop()
        rx.close()


def test_listen_only_the_chosen_events_and_latest_version(base):
    rx = Receiver()
    listener = Listener(base, "--forward-to", rx.url, "--events", "charge.refunded,refund.created", "--latest")
    try:
        assert "2026-11-18.endive" in listener.ready
        trigger(base, "charge.refunded")
        listener.expect("--> charge.refunded")
        rx.wait_for(2)
        time.sleep(0.5)  # anything else would have come by now
        whsec = secret(base)
        events = [verified(d, whsec) for d in rx.got]
        assert sorted(e.type for e in events) == ["charge.refunded", "refund.created"]
        assert all(e.api_version == "2026-11-18.endive" for e in events)
    finally:
        listener.stop()
        rx.close()


def test_a_handler_that_fails_is_reported(base):
    rx = Receiver(answers=[500])
    listener = Listener(base, "--forward-to", rx.url, "--events", "customer.created")
    try:
        trigger(base, "customer.created")
        assert listener.expect(f"<--  [500] POST {rx.url}")
        rx.close()
        trigger(base, "customer.created")
        assert "[ERROR] Failed to POST" in listener.expect("[ERROR]")
    finally:
        listener.stop()


def test_a_bad_forward_url_is_refused_before_ready_and_https_is_forwarded(base):
    # Checked before "Ready!": nothing would ever be forwarded there.
    for bad in ["ftp://127.0.0.1/hook", "http:///hook"]:
        out = subprocess.run([BIN, "listen", "--server", base, "--api-key", SK, "--forward-to", bad],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 1, out.stdout + out.stderr
        assert "Ready!" not in out.stdout and "--forward-to" in out.stderr, out.stdout + out.stderr
    # An https handler with a local CA, as the Stripe CLI forwards to https.
    from test_hardening import https_receiver
    rx, url, ca, _ = https_receiver()
    listener = Listener(base, "--forward-to", url, "--ca-file", ca, "--events", "customer.created")
    try:
        trigger(base, "customer.created")
        listener.expect(f"<--  [200] POST {url}")
        assert verified(rx.wait_for(1)[0], secret(base)).type == "customer.created"
    finally:
        listener.stop()
        rx.close()


def test_events_resend_says_what_went_wrong_in_words(base):
    out = subprocess.run([BIN, "events", "resend", "evt_nope", "--webhook-endpoint", "we_nope",
                          "--server", base, "--api-key", SK], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert out.stderr.startswith("pasarela: the server answered 404: No such event: 'evt_nope'"), out.stderr
    assert "{" not in out.stderr, "raw JSON"
    gone = subprocess.run([BIN, "events", "resend", "evt_nope", "--webhook-endpoint", "we_nope",
                           "--server", "http://127.0.0.1:1", "--api-key", SK], capture_output=True, text=True,
                          timeout=30)
    assert gone.returncode == 1 and "Connection refused" in gone.stderr, gone.stderr
