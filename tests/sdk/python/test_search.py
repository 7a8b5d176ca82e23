"""The Search API through stripe-python, as docs.stripe.com/search shows it."""
import uuid

import pytest
import stripe

from helpers import assert_error, raw

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}


def test_search_payment_intents_by_status_and_metadata(client):
    tag = uuid.uuid4().hex[:10]
    paid = raw(client.v1.payment_intents.create({
        "amount": 2500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS, "metadata": {"order_id": tag}}))
    open_pi = raw(client.v1.payment_intents.create({
        "amount": 700, "currency": "usd", "automatic_payment_methods": NO_REDIRECTS, "metadata": {"order_id": tag}}))
    result = client.v1.payment_intents.search({"query": f"status:'succeeded' AND metadata['order_id']:'{tag}'"})
    body = raw(result)
    assert body["object"] == "search_result"
    assert body["url"] == "/v1/payment_intents/search"
    assert [p["id"] for p in body["data"]] == [paid["id"]]
    assert body["has_more"] is False and body["next_page"] is None
    either = raw(client.v1.payment_intents.search({"query": f"metadata['order_id']:'{tag}' AND amount<1000"}))
    assert [p["id"] for p in either["data"]] == [open_pi["id"]]
    negated = raw(client.v1.payment_intents.search({"query": f"metadata['order_id']:'{tag}' AND -status:'succeeded'"}))
    assert [p["id"] for p in negated["data"]] == [open_pi["id"]]


def test_search_customers_pages_with_next_page(client):
    domain = uuid.uuid4().hex[:8] + ".example"
    made = [client.v1.customers.create({"email": f"c{i}@{domain}", "name": f"Jenny {i}"}).id for i in range(5)]
    first = raw(client.v1.customers.search({"query": f"email~'{domain}'", "limit": 2}))
    assert len(first["data"]) == 2 and first["has_more"] is True and first["next_page"]
    walked = [c.id for c in client.v1.customers.search({"query": f"email~'{domain}'", "limit": 2}).auto_paging_iter()]
    assert walked == list(reversed(made))
    exact = raw(client.v1.customers.search({"query": f"email:'c3@{domain}'"}))
    assert [c["id"] for c in exact["data"]] == [made[3]]
    counted = raw(client.v1.customers.search({"query": f"email~'{domain}'", "limit": 1, "expand": ["total_count"]}))
    assert counted["total_count"] == 5


def test_search_charges_by_card_last4(client):
    pi = raw(client.v1.payment_intents.create({
        "amount": 3100, "currency": "usd", "payment_method": "pm_card_mastercard", "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS}))
    found = raw(client.v1.charges.search({"query": f"payment_intent:'{pi['id']}' AND payment_method_details.card.last4:'4444'"}))
    assert [c["id"] for c in found["data"]] == [pi["latest_charge"]]


@pytest.mark.parametrize("query,fragment", [
    ("foo:'x'", "unsupported search field"),
    ("status:succeeded", "must be quoted"),
    ("status:'a' AND amount:1 OR amount:2", "AND and OR"),
])
def test_bad_queries_are_400s(client, query, fragment):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.search({"query": query})
    assert_error(e.value, 400, "invalid_request_error", None, "query")
    assert fragment in e.value.user_message
