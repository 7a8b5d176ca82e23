"""The README's code, run as a reader copies it, against a fresh server: the quick start's curl
commands (with the ids and client secrets the answers before them printed put where the README
writes `pi_...`, `seti_...`, ..., as it tells the reader to), the stripe-python snippet with the
newest SDK, and the curl snippet. Only the server's address changes.

Blocks are found by heading and fence language (```sh, ```python): a quick-start flow is the
`### ` section of that name under `## Quick start`; its `pasarela serve` lines are checked (the
test servers run with the same keys and country), not run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import http.server

import pytest

from helpers import CLOVER, HERE, PK, REPO, SK, answer, check_schema, request

HOST = "http://127.0.0.1:4111"
# What the README writes where the reader puts a value from an earlier answer, longest first so
# that `pi_...` does not eat the start of `pi_..._secret_...`.
PLACEHOLDERS = ["pi_..._secret_...", "seti_..._secret_...", "pi_...", "seti_...", "cus_...", "pm_...",
                "mandate_...", "cs_test_..."]
# The hosted authorization page's URL, as the README writes it: the reader takes it from the
# confirm's `next_action.redirect_to_url.url`.
AUTHORIZE_URL = re.compile(re.escape(HOST) + r'/authorize/[^"\s]*')


def readme() -> str:
    return (REPO / "README.md").read_text()


def section(heading: str) -> str:
    """From `heading` (a whole line) to the next heading of its level or above."""
    text = readme()
    m = re.search(r"^" + re.escape(heading) + r"$", text, re.M)
    assert m, f"README.md has no heading {heading!r}"
    level = len(heading) - len(heading.lstrip("#"))
    rest = text[m.end():]
    end = re.search(r"^#{1,%d} " % level, rest, re.M)
    return rest[:end.start()] if end else rest


def blocks(text: str, lang: str) -> list[str]:
    return re.findall(r"^```" + lang + r"\n(.*?)^```", text, re.S | re.M)


def readme_block(heading: str, lang: str) -> str:
    found = blocks(section(heading), lang)
    assert found, f"no {lang} block after {heading}"
    return found[0]


def commands(block: str) -> list[str]:
    """The shell commands of a block: continuation lines joined, comments and blanks dropped."""
    out, cur = [], ""
    for line in block.splitlines():
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        if cur.strip() and not cur.lstrip().startswith("#"):
            out.append(cur.strip())
        cur = ""
    return out


def quick_start_flows() -> list[str]:
    """The `### ` headings under `## Quick start` whose blocks run curl."""
    text = section("## Quick start")
    names = re.findall(r"^### (.+)$", text, re.M)
    return [n for n in names if any("curl " in b for b in blocks(section("### " + n), "sh"))]


class Reader:
    """Runs README commands in order against `server`, putting in each placeholder what the answers
    before it printed; keeps the answers (JSON, or status and headers for `curl -i`)."""

    def __init__(self, server, country: str = "US"):
        self.server = server
        self.country = country
        self.values: dict[str, str] = {}
        self.authorize_url: str | None = None
        self.last: dict[str, dict] = {}   # the last answer of each `object`
        self.redirects: list[str] = []    # Location headers of `curl -i` answers

    def note(self, obj: dict) -> None:
        kind = obj.get("object")
        self.last[kind] = obj
        ids = {"payment_intent": "pi_...", "setup_intent": "seti_...", "customer": "cus_...",
               "payment_method": "pm_...", "mandate": "mandate_...", "checkout.session": "cs_test_..."}
        if kind in ids:
            self.values[ids[kind]] = obj["id"]
        if kind in ("payment_intent", "setup_intent"):
            self.values[ids[kind][:-3] + "..._secret_..."] = obj["client_secret"]
            action = obj.get("next_action") or {}
            if action.get("type") == "redirect_to_url":
                self.authorize_url = action["redirect_to_url"]["url"]
        if kind == "setup_intent":
            if isinstance(obj.get("payment_method"), str):
                self.values["pm_..."] = obj["payment_method"]
            if isinstance(obj.get("mandate"), str):
                self.values["mandate_..."] = obj["mandate"]

    def serve(self, cmd: str) -> None:
        """A `pasarela serve` line: the test server already runs with what it asks for."""
        assert f"--secret-key {SK}" in cmd and f"--publishable-key {PK}" in cmd, cmd
        m = re.search(r"--country (\S+)", cmd)
        assert (m.group(1) if m else "US") == self.country, cmd

    def run(self, cmd: str):
        if cmd.startswith("pasarela "):
            return self.serve(cmd)
        assert cmd.startswith("curl "), f"a quick-start command that is neither curl nor pasarela: {cmd}"
        if AUTHORIZE_URL.search(cmd):
            assert self.authorize_url, f"no redirect_to_url in the answers before {cmd}"
            cmd = AUTHORIZE_URL.sub(self.authorize_url, cmd)
        for placeholder in PLACEHOLDERS:
            if placeholder in cmd:
                assert placeholder in self.values, f"nothing printed before gives {placeholder}: {cmd}"
                cmd = cmd.replace(placeholder, self.values[placeholder])
        assert "..." not in cmd, f"a placeholder the test does not know: {cmd}"
        cmd = cmd.replace(HOST, self.server.url)
        done = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{cmd}\n{done.stderr}"
        if " -i " in f" {cmd} ":
            head = done.stdout.replace("\r\n", "\n").split("\n\n", 1)[0].split("\n")
            status = int(head[0].split()[1])
            headers = dict(h.split(": ", 1) for h in head[1:])
            location = {k.lower(): v for k, v in headers.items()}.get("location")
            if location:
                self.redirects.append(location)
            return status, location
        body = json.loads(done.stdout)
        assert "error" not in body, f"{cmd}\n{body}"
        # No Stripe-Version: served at the account's default. Stripe.js's calls (key=pk_...) get
        # the publishable key's reduced view.
        check_schema(body, cmd.split(" -")[0], version=CLOVER, partial=f"key={PK}" in cmd)
        self.note(body)
        return body

    def run_block(self, block: str) -> None:
        for cmd in commands(block):
            self.run(cmd)

    def run_section(self, heading: str) -> "Reader":
        for block in blocks(section(heading), "sh"):
            self.run_block(block)
        return self


@pytest.fixture(autouse=True)
def needs_curl():
    # scripts/test installs it when missing: the README's curl commands must run.
    assert shutil.which("curl"), "curl is not installed: the README's curl commands cannot run"


def test_every_quick_start_flow_is_run_here():
    assert sorted(quick_start_flows()) == sorted([
        "One-time payment with Amazon Pay", "One-time payment with Alma", "Saving Amazon Pay for later",
        "The Payment Element with saved cards", "Checkout"]), "a new quick-start flow needs its test below"


def test_the_quick_start_server_has_the_docs_keys(us):
    serve = [c for c in commands(readme_block("## Quick start", "sh")) if c.startswith("pasarela serve")]
    assert serve, "the quick start starts the server"
    Reader(us).serve(serve[0])


def test_one_time_amazon_pay(us):
    r = Reader(us).run_section("### One-time payment with Amazon Pay")
    assert r.redirects and r.redirects[0].startswith("http://localhost:3000/done?"), r.redirects
    assert "redirect_status=succeeded" in r.redirects[0]
    pi = r.last["payment_intent"]
    assert (pi["status"], pi["payment_method_types"], pi["amount"]) == ("succeeded", ["amazon_pay"], 1099)
    assert pi["latest_charge"]
    types = [e["type"] for e in r.last["list"]["data"] if e["data"]["object"].get("id") == pi["id"]]
    assert "payment_intent.succeeded" in types, types


def test_one_time_alma(fr):
    r = Reader(fr, country="FR").run_section("### One-time payment with Alma")
    assert "redirect_status=succeeded" in r.redirects[0], r.redirects
    pi = r.last["payment_intent"]
    assert (pi["status"], pi["payment_method_types"], pi["currency"]) == ("succeeded", ["alma"], "eur")


def test_saving_amazon_pay_for_later(us):
    r = Reader(us).run_section("### Saving Amazon Pay for later")
    assert r.redirects[0].startswith("https://example.com/setup/complete?"), r.redirects
    seti = r.last["setup_intent"]
    assert (seti["status"], seti["customer"]) == ("succeeded", r.values["cus_..."])
    mandate = r.last["mandate"]
    assert (mandate["status"], mandate["customer_acceptance"]["type"]) == ("active", "online")
    assert mandate["customer_acceptance"]["online"]["user_agent"].startswith("curl/")
    paid = r.last["payment_intent"]
    assert (paid["status"], paid["payment_method"], paid["next_action"]) == ("succeeded", seti["payment_method"], None)


def test_the_payment_element_with_saved_cards(us):
    r = Reader(us).run_section("### The Payment Element with saved cards")
    session = r.last["customer_session"]
    assert session["client_secret"].startswith("cuss_secret_")
    # What the Payment Element reads with the two secrets the README hands to Stripe.js.
    shown = request(us.url, "GET", "/v1/elements/saved_payment_methods",
                    {"customer_session_client_secret": session["client_secret"],
                     "client_secret": r.values["pi_..._secret_..."]}, key=PK, auth="param", validate=False)
    assert shown.status == 200, shown
    assert [(pm["id"], pm["card"]["last4"]) for pm in shown.json["data"]] == [(r.values["pm_..."], "4242")]


def test_checkout(us, browser):
    """The session made with the README's curl, paid on its hosted page as the README says, then
    retrieved with its curl. The merchant's site (localhost:4242 in the README) is one of the test."""
    class Site(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            answer(self, f"<h1 id='landed'>{self.path}</h1>", "text/html")

        def log_message(self, *args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    shop = f"http://127.0.0.1:{site.server_address[1]}"
    try:
        first, then = blocks(section("### Checkout"), "sh")
        r = Reader(us)
        r.run_block(first.replace("http://localhost:4242", shop))
        session = r.last["checkout.session"]
        assert (session["status"], session["payment_status"], session["amount_total"]) == ("open", "unpaid", 2000)
        page = browser.new_page()
        try:
            page.goto(session["url"])
            page.fill("#cardNumber", "4242424242424242")
            page.fill("#cardExpiry", "1234")
            page.fill("#cardCvc", "123")
            page.fill("#billingName", "Jenny Rosen")
            page.fill("#billingPostalCode", "94103")
            page.click("[data-testid='hosted-payment-submit-button']")
            page.wait_for_url(f"{shop}/success?session_id={session['id']}")
        finally:
            page.close()
        r.run_block(then)
        done = r.last["checkout.session"]
        assert (done["id"], done["status"], done["payment_status"]) == (session["id"], "complete", "paid")
    finally:
        site.shutdown()


def test_the_readme_python_snippet_runs_as_printed(us):
    code = readme_block("## Pointing the SDKs at it", "python")
    assert "http://127.0.0.1:4111" in code
    code = code.replace("http://127.0.0.1:4111", us.url)
    env = {**os.environ, "PYTHONPATH": str(HERE / ".deps")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"pi_\w+ requires_payment_method", done.stdout.strip()), done.stdout


def test_the_readme_curl_snippet_runs_as_printed(us):
    r = Reader(us)
    r.run_block(readme_block("## Pointing the SDKs at it", "sh"))
    pi = r.last["payment_intent"]
    assert (pi["status"], pi["amount"], pi["automatic_payment_methods"]["enabled"]) == (
        "requires_payment_method", 2000, True)
