"""The seeds' server-side flows and a saved-card off-session payment, written as a user of one
stripe-python major writes them. test_sdk_majors.py runs it once per major, in a subprocess whose
PYTHONPATH is that major's own folder (.majors/<release>), so `import stripe` is that release:

    python majors_flows.py --us URL --fr URL --secret-key SK [--api-version V]

--api-version sets `stripe.api_version` (stripe-python 5 sends no Stripe-Version unless told);
without it the SDK sends what it pins, or nothing. Releases 5 to 7 are used through the module
(`stripe.api_key`, `stripe.api_base`, `stripe.PaymentIntent.create(...)`), 8 and later through
`stripe.StripeClient`, as their READMEs show.

Prints one JSON object on stdout:
    {"release": "5.5.1",
     "steps": {"<flow>/<step>": {"status": 200, "version": "<Stripe-Version answered>", "body": {...}}},
     "failed": {"<flow>": "<the step that raised>"}}
A call that raises (a StripeError) is recorded with its status and error body, and ends its
flow; the others go on. Nothing here asserts: the test does.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager

import stripe

try:
    from stripe import VERSION as RELEASE  # 7 and later
except ImportError:
    from stripe.version import VERSION as RELEASE  # 5, 6

MAJOR = int(RELEASE.split(".")[0])
StripeError = getattr(stripe, "StripeError", None) or stripe.error.StripeError

SUCCESS_URL = "https://example.com/success"
CANCEL_URL = "https://example.com/cancel"
SEED_CUSTOMER = "My First Test Customer (created for API docs)"


def header(headers, name):
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


class Flow:
    """Records every answer of one flow under "<flow>/<step>"."""

    def __init__(self, out, name):
        self.out, self.name = out, name

    def __call__(self, step, call, *args, **kwargs):
        key = f"{self.name}/{step}"
        try:
            obj = call(*args, **kwargs)
        except StripeError as e:
            self.out["steps"][key] = {"status": e.http_status, "version": header(e.headers, "Stripe-Version"),
                                      "body": e.json_body}
            raise
        resp = obj.last_response
        body = json.loads(resp.body)
        self.out["steps"][key] = {"status": resp.code, "version": header(resp.headers, "Stripe-Version"),
                                  "body": body}
        return body


# ------------------------------------------------------------------------------------------
# The two ways of calling: the module (5-7) and StripeClient (8-)
# ------------------------------------------------------------------------------------------
class ModuleStyle:
    """stripe.api_key / stripe.api_base and the resource classes."""

    def __init__(self, us, fr, key, api_version):
        stripe.api_key = key
        stripe.api_base = us
        if api_version:
            stripe.api_version = api_version
        self.us, self.fr = us, fr
        if hasattr(stripe, "CustomerSession"):
            self.CustomerSession = stripe.CustomerSession
        else:
            # Before stripe-python 7 the SDK has no CustomerSession: a resource of one's own.
            from stripe.api_resources.abstract import CreateableAPIResource

            class CustomerSession(CreateableAPIResource):
                OBJECT_NAME = "customer_session"

            self.CustomerSession = CustomerSession

    @contextmanager
    def french(self):
        """The French account (seed 004): its own server, so its own api_base."""
        stripe.api_base = self.fr
        try:
            yield self
        finally:
            stripe.api_base = self.us

    def create_payment_intent(self, **p): return stripe.PaymentIntent.create(**p)
    def retrieve_payment_intent(self, id): return stripe.PaymentIntent.retrieve(id)
    def create_customer(self, **p): return stripe.Customer.create(**p)
    def retrieve_customer(self, id): return stripe.Customer.retrieve(id)
    def create_session(self, **p): return stripe.checkout.Session.create(**p)
    def retrieve_session(self, id): return stripe.checkout.Session.retrieve(id)
    def expire_session(self, id): return stripe.checkout.Session.expire(id)
    def create_customer_session(self, **p): return self.CustomerSession.create(**p)
    def create_setup_intent(self, **p): return stripe.SetupIntent.create(**p)
    def retrieve_setup_intent(self, id): return stripe.SetupIntent.retrieve(id)
    def create_refund(self, **p): return stripe.Refund.create(**p)
    def retrieve_charge(self, id): return stripe.Charge.retrieve(id)


class ClientStyle:
    """stripe.StripeClient(key, base_addresses=...) and its services."""

    def __init__(self, us, fr, key, api_version):
        opts = {"stripe_version": api_version} if api_version else {}
        self.client = stripe.StripeClient(key, base_addresses={"api": us}, **opts)
        self.fr_client = stripe.StripeClient(key, base_addresses={"api": fr}, **opts)
        self.c = self.client

    @contextmanager
    def french(self):
        self.c = self.fr_client
        try:
            yield self
        finally:
            self.c = self.client

    def create_payment_intent(self, **p): return self.c.payment_intents.create(params=p)
    def retrieve_payment_intent(self, id): return self.c.payment_intents.retrieve(id)
    def create_customer(self, **p): return self.c.customers.create(params=p)
    def retrieve_customer(self, id): return self.c.customers.retrieve(id)
    def create_session(self, **p): return self.c.checkout.sessions.create(params=p)
    def retrieve_session(self, id): return self.c.checkout.sessions.retrieve(id)
    def expire_session(self, id): return self.c.checkout.sessions.expire(id)
    def create_customer_session(self, **p): return self.c.customer_sessions.create(params=p)
    def create_setup_intent(self, **p): return self.c.setup_intents.create(params=p)
    def retrieve_setup_intent(self, id): return self.c.setup_intents.retrieve(id)
    def create_refund(self, **p): return self.c.refunds.create(params=p)
    def retrieve_charge(self, id): return self.c.charges.retrieve(id)


# ------------------------------------------------------------------------------------------
# The flows
# ------------------------------------------------------------------------------------------
def seed000(api, got):
    pi = got("payment_intents.create", api.create_payment_intent,
             payment_method_types=["amazon_pay"], amount=1099, currency="usd")
    got("payment_intents.retrieve", api.retrieve_payment_intent, pi["id"])


def seed001(api, got):
    customer = got("customers.create", api.create_customer, description=SEED_CUSTOMER)
    session = got("checkout.sessions.create", api.create_session,
                  mode="setup", payment_method_types=["card", "amazon_pay"], customer=customer["id"],
                  success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    got("checkout.sessions.retrieve", api.retrieve_session, session["id"])
    got("checkout.sessions.expire", api.expire_session, session["id"])


def seed002(api, got):
    customer = got("customers.create", api.create_customer, email="jenny.rosen@example.com")
    got("payment_intents.create", api.create_payment_intent,
        amount=1099, currency="usd", automatic_payment_methods={"enabled": True}, customer=customer["id"])
    got("customer_sessions.create", api.create_customer_session,
        customer=customer["id"],
        components={"payment_element": {"enabled": True, "features": {"payment_method_redisplay": "enabled"}}})


def seed003(api, got):
    customer = got("customers.create", api.create_customer, description=SEED_CUSTOMER)
    seti = got("setup_intents.create", api.create_setup_intent,
               payment_method_types=["amazon_pay"], payment_method_data={"type": "amazon_pay"},
               usage="off_session", customer=customer["id"])
    got("setup_intents.retrieve", api.retrieve_setup_intent, seti["id"])


def seed004(api, got):
    with api.french():
        pi = got("payment_intents.create", api.create_payment_intent,
                 payment_method_types=["alma"], amount=5099, currency="eur")
        got("payment_intents.retrieve", api.retrieve_payment_intent, pi["id"])


def saved_card(api, got):
    customer = got("customers.create", api.create_customer, email="saved.card@example.com")
    seti = got("setup_intents.create", api.create_setup_intent,
               customer=customer["id"], payment_method="pm_card_visa", confirm=True, usage="off_session")
    pi = got("payment_intents.create", api.create_payment_intent,
             amount=2000, currency="usd", customer=customer["id"], payment_method=seti["payment_method"],
             off_session=True, confirm=True)
    got("refunds.create", api.create_refund, payment_intent=pi["id"])
    # The charge as a user of the version reaches it: `charges` until 2022-11-15, then `latest_charge`.
    charge_id = pi["charges"]["data"][0]["id"] if "charges" in pi else pi["latest_charge"]
    got("charges.retrieve", api.retrieve_charge, charge_id)
    got("payment_intents.retrieve", api.retrieve_payment_intent, pi["id"])
    got("customers.retrieve", api.retrieve_customer, customer["id"])


def checkout_payment(api, got):
    session = got("checkout.sessions.create", api.create_session,
                  mode="payment", payment_method_types=["card"], success_url=SUCCESS_URL, cancel_url=CANCEL_URL,
                  line_items=[{"price_data": {"currency": "usd", "unit_amount": 1500,
                                              "product_data": {"name": "Poster"}}, "quantity": 1}])
    if isinstance(session.get("payment_intent"), str):
        got("payment_intents.retrieve", api.retrieve_payment_intent, session["payment_intent"])


FLOWS = {
    "seed000": seed000, "seed001": seed001, "seed002": seed002, "seed003": seed003, "seed004": seed004,
    "saved_card": saved_card, "checkout_payment": checkout_payment,
}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--us", required=True, help="the US account's server, http://127.0.0.1:PORT")
    ap.add_argument("--fr", required=True, help="the French account's server")
    ap.add_argument("--secret-key", required=True)
    ap.add_argument("--api-version", help="stripe.api_version / stripe_version to set")
    args = ap.parse_args(argv)
    style = ClientStyle if MAJOR >= 8 else ModuleStyle
    api = style(args.us, args.fr, args.secret_key, args.api_version)
    out = {"release": RELEASE, "style": style.__name__, "steps": {}, "failed": {}}
    for name, flow in FLOWS.items():
        got = Flow(out, name)
        try:
            flow(api, got)
        except Exception as e:  # a StripeError, or an answer without what the next step needs
            out["failed"][name] = f"{type(e).__name__}: {e}"
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
