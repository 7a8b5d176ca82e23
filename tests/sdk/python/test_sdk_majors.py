"""The official stripe-python majors that pin the older API versions, installed side by side
(each in its own folder, .majors/<release>, with `pip --target`, once), each running the seeds'
server-side flows and a saved-card off-session payment unchanged (majors_flows.py, in a
subprocess with only that release on its path):

    5.5.1   no Stripe-Version (the account default); `stripe.api_version = '2020-08-27'`;
            and no Stripe-Version on an account whose default is 2019-12-03
    6.7.1   2023-08-16        7.14.1  2023-10-16
    8.11.1  2023-10-16 (StripeClient)        9.12.1  2024-04-10 (StripeClient)

Every body is schema-checked at the version that served it (check_schema(..., version=V)) and
its old shape asserted field by field (docs/api-versions.md); the same object read at the newest
version then differs in its top-level fields exactly by what OLD lists. A version older than
2019-12-03 is refused.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import CLOVER, ENDIVE, SK, Server, check_schema, request

HERE = Path(__file__).resolve().parent
MAJORS = HERE / ".majors"
FLOWS_SCRIPT = HERE / "majors_flows.py"
OLDEST = "2019-12-03"


@dataclass(frozen=True)
class Run:
    release: str
    served: str  # the Stripe-Version every answer must carry
    api_version: str | None = None  # stripe.api_version set by the user (5 sends none by default)
    account: str | None = None  # the account's default version, when not the suite's servers'

    def __str__(self) -> str:
        how = (f"api_version={self.api_version}" if self.api_version
               else f"account default {self.account}" if self.account else f"served {self.served}")
        return f"stripe-python {self.release} ({how})"


RUNS = [
    Run("5.5.1", CLOVER),
    Run("5.5.1", "2020-08-27", api_version="2020-08-27"),
    Run("5.5.1", OLDEST, account=OLDEST),
    Run("6.7.1", "2023-08-16"),
    Run("7.14.1", "2023-10-16"),
    Run("8.11.1", "2023-10-16"),
    Run("9.12.1", "2024-04-10"),
]


# --------------------------------------------------------------------------------------------
# installing the majors, running the flows
# --------------------------------------------------------------------------------------------
def installed(release: str) -> Path:
    """.majors/<release>, with stripe==<release> and its dependencies (pip --target, once)."""
    target = MAJORS / release
    if (target / ".installed").exists():
        return target
    MAJORS.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{release}-", dir=MAJORS))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PIP_ROOT_USER_ACTION"] = "ignore"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
                    "--target", str(tmp), f"stripe=={release}"], check=True, env=env, stdin=subprocess.DEVNULL)
    (tmp / ".installed").write_text(release + "\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def run_flows(release: str, us: Server, fr: Server, api_version: str | None = None) -> dict:
    """majors_flows.py with only that release on the path: {"steps": ..., "failed": ...}."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(installed(release))
    cmd = [sys.executable, str(FLOWS_SCRIPT), "--us", us.url, "--fr", fr.url, "--secret-key", SK]
    if api_version:
        cmd += ["--api-version", api_version]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"majors_flows.py ({release}) exited {done.returncode}:\n{done.stderr}"
    out = json.loads(done.stdout)
    assert out["release"] == release, f"{release}'s folder imported stripe {out['release']}"
    return out


@pytest.fixture(scope="module")
def oldest_account():
    """A US and an FR server whose accounts default to 2019-12-03."""
    servers = []
    try:
        for country in ("US", "FR"):
            servers.append(Server(country, ["--api-version", OLDEST]).start())
        yield {"US": servers[0], "FR": servers[1]}
    finally:
        for s in servers:
            s.cleanup()


_outputs: dict[Run, tuple[dict, dict]] = {}


@pytest.fixture
def ran(request, us, fr):
    """(what the run printed, its servers), once per run."""
    run: Run = request.node.callspec.params["run"]
    if run not in _outputs:
        servers = request.getfixturevalue("oldest_account") if run.account else {"US": us, "FR": fr}
        _outputs[run] = (run_flows(run.release, servers["US"], servers["FR"], run.api_version), servers)
    return _outputs[run]


# --------------------------------------------------------------------------------------------
# the old shapes (docs/api-versions.md): the first version with the newest shape
# --------------------------------------------------------------------------------------------
CUSTOMER_LISTS = "2020-08-27"  # Customer sources/subscriptions/tax_ids; Checkout display_items; Charge order
CHECKOUT_2022 = "2022-08-01"  # Checkout: payment_intent at creation, shipping/shipping_rate, customer_creation; Customer default_currency
CHARGES = "2022-11-15"  # PaymentIntent.charges, Charge.refunds
AUTOMATIC_METHODS = "2023-08-16"  # intents without a choice of methods: ["card"], automatic_payment_methods null; Checkout payment_method_collection "always"; Charge destination/dispute
AUTOMATIC_ASYNC = "2024-04-10"  # capture_method default "automatic_async"
BASIL = "2025-03-31"  # invoice: null on PaymentIntent and Charge; Checkout top-level shipping_details


def before(version: str, since: str) -> bool:
    return version[:10] < since


def old_fields(obj: str, v: str, mode: str | None = None) -> tuple[set, set]:
    """(top-level fields an object served at v has that the newest shape has not, and the reverse)."""
    added: set[str] = set()
    removed: set[str] = set()
    if obj == "payment_intent":
        added |= {"charges"} if before(v, CHARGES) else set()
        added |= {"invoice"} if before(v, BASIL) else set()
    elif obj == "charge":
        added |= {"refunds"} if before(v, CHARGES) else set()
        added |= {"invoice"} if before(v, BASIL) else set()
        added |= {"destination", "dispute"} if before(v, AUTOMATIC_METHODS) else set()
        added |= {"order"} if before(v, CUSTOMER_LISTS) else set()
    elif obj == "customer":
        added |= {"sources", "subscriptions", "tax_ids"} if before(v, CUSTOMER_LISTS) else set()
        added |= {"default_currency"} if before(v, CHECKOUT_2022) else set()
    elif obj == "checkout.session":
        if before(v, CHECKOUT_2022):
            added |= {"shipping", "shipping_rate"}
            removed |= {"shipping_cost"}
            added |= {"display_items"} if before(v, CUSTOMER_LISTS) else set()
        elif before(v, BASIL):
            added |= {"shipping_details"}
    return added, removed


class Check:
    """The assertions on one flow's answers, served at `v`."""

    def __init__(self, run: Run, out: dict, servers: dict, flow: str) -> None:
        self.run, self.v, self.servers, self.flow = run, run.served, servers, flow
        self.failed = out["failed"].get(flow)
        self.steps = {k.split("/", 1)[1]: s for k, s in out["steps"].items() if k.split("/", 1)[0] == flow}
        for name, s in self.steps.items():
            check_schema(s["body"], f"{run} {flow}/{name}", version=s["version"])

    def __call__(self, step: str) -> dict:
        """The body of a step that must have answered 200 at the run's version."""
        assert step in self.steps, f"{self.flow}: no answer to {step}; the flow stopped: {self.failed}"
        s = self.steps[step]
        assert s["status"] == 200, f"{self.flow}/{step}: {s['status']} {json.dumps(s['body'])}"
        assert s["version"] == self.v, f"{self.flow}/{step}: served at {s['version']}, expected {self.v}"
        return s["body"]

    def done(self) -> None:
        assert self.failed is None, f"{self.flow} stopped: {self.failed}"

    def against_newest(self, body: dict, path: str, country: str = "US", mode: str | None = None,
                       ignore: set = frozenset()) -> None:
        """The object read again at the newest version differs in its top-level fields by OLD."""
        r = request(self.servers[country].url, "GET", path, version=ENDIVE)
        assert r.status == 200, r
        old, newest = set(body), set(r.json)
        want_added, want_removed = old_fields(body["object"], self.v, mode)
        assert ((old - newest) - set(ignore), newest - old) == (want_added, want_removed), \
            f"{body['object']} at {self.v} against {ENDIVE}: (added, removed) top-level fields"

    # -- the version-dependent fields ---------------------------------------------------------
    def intent(self, pi: dict, *, charge_id: str | None = None, refund_ids=(), chosen: bool = True) -> None:
        v = self.v
        if before(v, CHARGES):
            embedded_list(pi.get("charges"), f"/v1/charges?payment_intent={pi['id']}",
                          [charge_id] if charge_id else [], f"{v}: PaymentIntent.charges")
            if charge_id:
                self.charge(pi["charges"]["data"][0], refund_ids)
        else:
            assert "charges" not in pi, f"{v}: no PaymentIntent.charges from {CHARGES}"
        assert pi["capture_method"] == ("automatic" if before(v, AUTOMATIC_ASYNC) else "automatic_async"), \
            f"{v}: capture_method when none is given"
        if not chosen:
            self.default_methods(pi)
        if before(v, BASIL):
            assert "invoice" in pi and pi["invoice"] is None, f"{v}: PaymentIntent.invoice before basil"

    def default_methods(self, intent: dict) -> None:
        """An intent created with neither payment_method_types nor automatic_payment_methods."""
        if before(self.v, AUTOMATIC_METHODS):
            assert (intent["payment_method_types"], intent["automatic_payment_methods"]) == (["card"], None), \
                f"{self.v}: {intent['object']} methods by default"
        else:
            assert (intent["automatic_payment_methods"] or {}).get("enabled") is True, \
                f"{self.v}: {intent['object']} takes the automatic methods by default"

    def charge(self, charge: dict, refund_ids=()) -> None:
        v = self.v
        if before(v, CHARGES):
            embedded_list(charge.get("refunds"), f"/v1/charges/{charge['id']}/refunds", list(refund_ids),
                          f"{v}: Charge.refunds")
        else:
            assert "refunds" not in charge, f"{v}: no Charge.refunds from {CHARGES}"
        if before(v, BASIL):
            assert "invoice" in charge and charge["invoice"] is None, f"{v}: Charge.invoice before basil"

    def customer(self, customer: dict) -> None:
        v = self.v
        for name in ("sources", "subscriptions", "tax_ids"):
            if before(v, CUSTOMER_LISTS):
                embedded_list(customer.get(name), f"/v1/customers/{customer['id']}/{name}", [], f"{v}: Customer.{name}")
            else:
                assert name not in customer, f"{v}: no Customer.{name} from {CUSTOMER_LISTS}"
        if before(v, CHECKOUT_2022):
            assert "default_currency" in customer and customer["default_currency"] is None, \
                f"{v}: Customer.default_currency before {CHECKOUT_2022}"
        else:
            assert "default_currency" not in customer, f"{v}: no Customer.default_currency from {CHECKOUT_2022}"

    def checkout(self, session: dict) -> None:
        v = self.v
        if before(v, CHECKOUT_2022):
            assert {"shipping", "shipping_rate"} <= set(session), f"{v}: Checkout shipping and shipping_rate"
            assert (session["shipping"], session["shipping_rate"]) == (None, None)
            assert not {"shipping_details", "shipping_cost"} & set(session), \
                f"{v}: no Checkout shipping_details/shipping_cost before {CHECKOUT_2022}"
        else:
            assert not {"shipping", "shipping_rate"} & set(session), f"{v}: no Checkout shipping/shipping_rate"
            assert session["shipping_cost"] is None
            if before(v, BASIL):
                assert session["shipping_details"] is None, f"{v}: Checkout shipping_details before basil"


def embedded_list(lst, url: str, ids: list, what: str) -> None:
    """A sub-list as Stripe embedded it: {object: list, data, has_more, total_count, url}."""
    assert isinstance(lst, dict), f"{what}: expected a list, got {lst!r}"
    rest = {k: val for k, val in lst.items() if k != "data"}
    assert rest == {"object": "list", "has_more": False, "total_count": len(ids), "url": url}, what
    assert [x["id"] for x in lst.get("data") or []] == ids, f"{what}: the items"


# --------------------------------------------------------------------------------------------
# what each flow's answers must be
# --------------------------------------------------------------------------------------------
def seed000(c: Check) -> None:
    pi = c("payment_intents.create")
    assert (pi["status"], pi["payment_method_types"], pi["amount"], pi["currency"]) == \
        ("requires_payment_method", ["amazon_pay"], 1099, "usd")
    assert pi["client_secret"].startswith(pi["id"] + "_secret_"), "the client secret to hand out"
    c.intent(pi)
    again = c("payment_intents.retrieve")
    assert (again["id"], again["client_secret"]) == (pi["id"], pi["client_secret"])
    c.intent(again)
    c.against_newest(again, f"/v1/payment_intents/{pi['id']}")


def seed001(c: Check) -> None:
    customer = c("customers.create")
    assert customer["description"] == "My First Test Customer (created for API docs)"
    c.customer(customer)
    c.against_newest(customer, f"/v1/customers/{customer['id']}")
    session = c("checkout.sessions.create")
    assert (session["mode"], session["status"], session["customer"]) == ("setup", "open", customer["id"])
    assert session["payment_method_types"] == ["card", "amazon_pay"]
    assert session["url"].endswith("/c/pay/" + session["id"]), "the page to redirect the customer to"
    c.checkout(session)
    again = c("checkout.sessions.retrieve")
    assert (again["id"], again["status"], again["url"]) == (session["id"], "open", session["url"])
    c.checkout(again)
    # In setup mode there is nothing to display: before 2020-08-27, an empty display_items.
    c.against_newest(again, f"/v1/checkout/sessions/{session['id']}", mode="setup")
    expired = c("checkout.sessions.expire")
    assert (expired["status"], expired["url"]) == ("expired", None)
    c.checkout(expired)


def seed002(c: Check) -> None:
    customer = c("customers.create")
    c.customer(customer)
    intent = c("payment_intents.create")
    assert (intent["status"], intent["customer"]) == ("requires_payment_method", customer["id"])
    assert intent["automatic_payment_methods"]["enabled"] is True
    assert "card" in intent["payment_method_types"]
    c.intent(intent)
    session = c("customer_sessions.create")
    assert session["object"] == "customer_session" and session["client_secret"].startswith("cuss_secret_")
    assert session["customer"] == customer["id"]
    assert session["components"]["payment_element"]["enabled"] is True
    assert session["components"]["payment_element"]["features"]["payment_method_redisplay"] == "enabled"
    c.against_newest(intent, f"/v1/payment_intents/{intent['id']}")


def seed003(c: Check) -> None:
    customer = c("customers.create")
    seti = c("setup_intents.create")
    assert (seti["status"], seti["usage"], seti["customer"]) == ("requires_confirmation", "off_session", customer["id"])
    assert seti["payment_method_types"] == ["amazon_pay"]
    assert seti["payment_method"].startswith("pm_"), "payment_method_data made a PaymentMethod"
    assert seti["client_secret"].startswith(seti["id"] + "_secret_")
    again = c("setup_intents.retrieve")
    assert (again["status"], again["payment_method"]) == ("requires_confirmation", seti["payment_method"])
    c.against_newest(again, f"/v1/setup_intents/{seti['id']}")


def seed004(c: Check) -> None:
    pi = c("payment_intents.create")
    assert (pi["status"], pi["payment_method_types"], pi["amount"], pi["currency"]) == \
        ("requires_payment_method", ["alma"], 5099, "eur")
    c.intent(pi)
    again = c("payment_intents.retrieve")
    assert again["client_secret"] == pi["client_secret"]
    c.intent(again)
    c.against_newest(again, f"/v1/payment_intents/{pi['id']}", country="FR")


def saved_card(c: Check) -> None:
    customer = c("customers.create")
    seti = c("setup_intents.create")
    assert seti["status"] == "succeeded" and seti["payment_method"].startswith("pm_")
    c.default_methods(seti)
    c.against_newest(seti, f"/v1/setup_intents/{seti['id']}")
    pi = c("payment_intents.create")
    assert (pi["status"], pi["amount_received"], pi["customer"], pi["payment_method"]) == \
        ("succeeded", 2000, customer["id"], seti["payment_method"])
    if before(c.v, CHARGES):  # as a user of the version reaches the charge
        charge_id = ((pi.get("charges") or {}).get("data") or [{}])[0].get("id")
    else:
        charge_id = pi["latest_charge"]
    assert str(charge_id).startswith("ch_"), "the payment made a charge"
    c.intent(pi, charge_id=charge_id, chosen=False)
    refund = c("refunds.create")
    assert (refund["object"], refund["status"], refund["amount"], refund["charge"]) == \
        ("refund", "succeeded", 2000, charge_id)
    c.against_newest(refund, f"/v1/refunds/{refund['id']}")
    charge = c("charges.retrieve")
    assert (charge["refunded"], charge["amount_refunded"], charge["payment_intent"]) == (True, 2000, pi["id"])
    c.charge(charge, [refund["id"]])
    c.against_newest(charge, f"/v1/charges/{charge_id}")
    after = c("payment_intents.retrieve")
    assert after["status"] == "succeeded"
    c.intent(after, charge_id=charge_id, refund_ids=[refund["id"]], chosen=False)
    c.against_newest(after, f"/v1/payment_intents/{pi['id']}")
    cus = c("customers.retrieve")
    c.customer(cus)
    c.against_newest(cus, f"/v1/customers/{customer['id']}")


def checkout_payment(c: Check) -> None:
    session = c("checkout.sessions.create")
    assert (session["mode"], session["status"], session["amount_total"]) == ("payment", "open", 1500)
    c.checkout(session)
    if before(c.v, CHECKOUT_2022):
        assert str(session["payment_intent"]).startswith("pi_"), f"{c.v}: the session's PaymentIntent exists from creation"
        assert session["customer_creation"] == "always", f"{c.v}: customer_creation without a customer"
        pi = c("payment_intents.retrieve")
        assert (pi["amount"], pi["currency"], pi["status"]) == (1500, "usd", "requires_payment_method")
    else:
        assert session["payment_intent"] is None, f"{c.v}: the PaymentIntent is made on submit"
        assert session["customer_creation"] == "if_required", f"{c.v}: customer_creation without a customer"
    assert session["payment_method_collection"] == ("always" if before(c.v, AUTOMATIC_METHODS) else "if_required"), \
        f"{c.v}: payment_method_collection in payment mode"
    if before(c.v, CUSTOMER_LISTS):
        items = session.get("display_items")
        assert isinstance(items, list) and len(items) == 1, f"{c.v}: one Checkout display item per line item: {items!r}"
        assert (items[0].get("amount"), items[0].get("currency"), items[0].get("quantity")) == (1500, "usd", 1)
    else:
        assert "display_items" not in session, f"{c.v}: no Checkout display_items from {CUSTOMER_LISTS}"
    c.against_newest(session, f"/v1/checkout/sessions/{session['id']}", mode="payment")


FLOWS = {
    "seed000": seed000, "seed001": seed001, "seed002": seed002, "seed003": seed003, "seed004": seed004,
    "saved_card": saved_card, "checkout_payment": checkout_payment,
}


@pytest.mark.parametrize("flow", list(FLOWS))
@pytest.mark.parametrize("run", RUNS, ids=str)
def test_major_runs_the_flow_unchanged(run, flow, ran):
    out, servers = ran
    c = Check(run, out, servers, flow)
    FLOWS[flow](c)
    c.done()


def test_a_version_older_than_2019_12_03_is_refused(us, fr):
    """stripe-python 5 with stripe.api_version = '2019-11-05': every flow stops at its first call."""
    out = run_flows("5.5.1", us, fr, api_version="2019-11-05")
    assert set(out["failed"]) == set(FLOWS)
    assert len(out["steps"]) == len(FLOWS)
    for step, s in out["steps"].items():
        check_schema(s["body"], f"stripe-python 5.5.1 (api_version=2019-11-05) {step}", version=None)
        err = (s["body"] or {}).get("error") or {}
        assert (s["status"], err.get("type")) == (400, "invalid_request_error"), f"{step}: {s}"
        assert err.get("message", "").startswith("Invalid Stripe API version: 2019-11-05"), f"{step}: {err}"
