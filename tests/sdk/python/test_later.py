"""What Stripe does later, done later here too by the scheduler: test refunds of
`pm_card_pendingRefund` settle and those of `pm_card_refundFail` fail, some time after the
request (`--later-seconds`, 2 by default), with the events Stripe sends, delivered to a
webhook handler that verifies them with stripe-python."""
import time

from helpers import Server, request
from test_webhooks import Receiver, endpoint, verified


def paid(client, card):
    return client.v1.payment_intents.create(params={
        "amount": 5000, "currency": "usd", "payment_method": card, "confirm": True,
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})


def wait_status(client, refund_id, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.v1.refunds.retrieve(refund_id)
        if r.status == status:
            return r
        time.sleep(0.1)
    raise AssertionError(f"refund {refund_id} is {r.status}, never {status}")


def test_a_pending_refund_succeeds_later_with_its_events(client, base):
    rx = Receiver()
    ep = endpoint(base, rx.url, ["refund.created", "refund.updated", "charge.refund.updated", "refund.failed"])
    try:
        pi = paid(client, "pm_card_pendingRefund")
        refund = client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1500})
        assert refund.status == "pending"
        assert refund.pending_reason == "processing"
        charge = client.v1.charges.retrieve(pi.latest_charge)
        assert charge.amount_refunded == 1500, "a pending refund already counts on the charge"

        done = wait_status(client, refund.id, "succeeded")
        assert "pending_reason" not in done
        events = [verified(d, ep["secret"]) for d in rx.wait_for(3)]
        mine = [e for e in events if e.data.object.id == refund.id]
        assert [e.type for e in mine] == ["refund.created", "refund.updated", "charge.refund.updated"]
        updated = mine[1]
        assert updated.data.object.status == "succeeded"
        assert updated.data.previous_attributes.status == "pending"
        assert updated.request.id is None, "nobody asked for it: it happened later"
        assert mine[2].data.object.to_dict() == updated.data.object.to_dict()
        # Nothing more happens to it.
        time.sleep(2.5)
        assert client.v1.refunds.retrieve(refund.id).status == "succeeded"
        assert len([d for d in rx.got if refund.id in d[1]]) == 3
    finally:
        request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        rx.close()


def test_a_failing_refund_fails_later_and_the_money_comes_back(client, base):
    rx = Receiver()
    ep = endpoint(base, rx.url, ["refund.updated", "charge.refund.updated", "refund.failed"])
    try:
        pi = paid(client, "pm_card_refundFail")
        refund = client.v1.refunds.create(params={"charge": pi.latest_charge})
        assert refund.status == "succeeded"
        assert client.v1.charges.retrieve(pi.latest_charge).refunded is True

        failed = wait_status(client, refund.id, "failed")
        assert failed.failure_reason == "expired_or_canceled_card"
        txn = client.v1.balance_transactions.retrieve(failed.failure_balance_transaction)
        assert (txn.type, txn.amount, txn.source) == ("refund_failure", 5000, refund.id)
        charge = client.v1.charges.retrieve(pi.latest_charge)
        assert (charge.amount_refunded, charge.refunded) == (0, False)

        events = [verified(d, ep["secret"]) for d in rx.wait_for(3)]
        assert [e.type for e in events] == ["refund.updated", "charge.refund.updated", "refund.failed"]
        assert events[0].data.previous_attributes.status == "succeeded"
        assert events[2].data.object.status == "failed"
        # The charge can be refunded again, as the money is back.
        again = client.v1.refunds.create(params={"charge": pi.latest_charge, "amount": 100})
        assert again.status == "succeeded"
    finally:
        request(base, "DELETE", f"/v1/webhook_endpoints/{ep['id']}", {})
        rx.close()


def test_other_cards_refund_at_once_and_stay_so(client):
    pi = paid(client, "pm_card_visa")
    refund = client.v1.refunds.create(params={"payment_intent": pi.id})
    assert refund.status == "succeeded"
    time.sleep(2.5)
    assert client.v1.refunds.retrieve(refund.id).status == "succeeded"


def test_a_scheduled_refund_survives_a_restart():
    """The job is a row: a server stopped (SIGKILL) before it is due does it after restart."""
    srv = Server(extra_args=["--later-seconds", "3"]).start()
    try:
        client = srv.client()
        pi = paid(client, "pm_card_pendingRefund")
        refund = client.v1.refunds.create(params={"payment_intent": pi.id})
        assert refund.status == "pending"
        srv.proc.kill()
        srv.proc.wait()
        srv.proc = None
        srv.start()
        client = srv.client()
        assert wait_status(client, refund.id, "succeeded").status == "succeeded"
        types = [e.type for e in client.v1.events.list(params={"limit": 10}).data]
        assert types.count("refund.updated") == 1, types
    finally:
        srv.cleanup()
