"""Stripe's API conventions (reference/behaviour/conventions.md): idempotency, errors, auth,
pagination with the SDK's auto-paging, expand, metadata, Customers."""
import threading
import time
import uuid

import pytest
import stripe

from helpers import CLOVER, ENDIVE, PK, SK, Server, assert_error, raw, request


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


# -- idempotency ----------------------------------------------------------------------------
def test_idempotent_replay(client):
    key = str(uuid.uuid4())
    email = unique_email("idem")
    a = client.v1.customers.create({"email": email}, {"idempotency_key": key})
    b = client.v1.customers.create({"email": email}, {"idempotency_key": key})
    assert a.id == b.id
    assert raw(a) == raw(b)
    assert b.last_response.headers.get("Idempotent-Replayed") == "true"
    assert a.last_response.headers.get("Idempotent-Replayed") in (None, "false")
    assert b.last_response.request_id != a.last_response.request_id
    assert b.last_response.headers.get("Original-Request") == a.last_response.request_id
    found = raw(client.v1.customers.list({"email": email}))["data"]
    assert [c["id"] for c in found] == [a.id]


def test_idempotency_key_with_other_parameters(client):
    key = str(uuid.uuid4())
    client.v1.customers.create({"email": unique_email("idem")}, {"idempotency_key": key})
    with pytest.raises(stripe.IdempotencyError) as e:
        client.v1.customers.create({"email": unique_email("other")}, {"idempotency_key": key})
    assert_error(e.value, 400, "idempotency_error", None, None)
    assert key in e.value.user_message


def test_idempotent_replay_of_a_decline(client):
    key = str(uuid.uuid4())
    params = {"amount": 2000, "currency": "usd", "payment_method": "pm_card_chargeDeclined",
              "confirm": True, "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}}
    with pytest.raises(stripe.CardError) as first:
        client.v1.payment_intents.create(params, {"idempotency_key": key})
    assert_error(first.value, 402, "card_error", "card_declined", None)
    with pytest.raises(stripe.CardError) as second:
        client.v1.payment_intents.create(params, {"idempotency_key": key})
    assert second.value.json_body == first.value.json_body
    assert_error(second.value, 402, "card_error", "card_declined", None)
    assert second.value.headers.get("Idempotent-Replayed") == "true"


def test_concurrent_duplicates_make_one_object(base, client):
    key = str(uuid.uuid4())
    email = unique_email("race")
    results = []

    def go():
        r = request(base, "POST", "/v1/customers", {"email": email}, headers={"Idempotency-Key": key},
                    version=ENDIVE)
        results.append(r)

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if r.status == 200]
    assert ok, results
    assert len({r.json["id"] for r in ok}) == 1
    for r in results:
        if r.status != 200:
            # Stripe's answer while the first request with the key is still running.
            assert_error(r, 409, "idempotency_error", "idempotency_key_in_use", None)
    assert len(raw(client.v1.customers.list({"email": email}))["data"]) == 1


def test_racing_confirms_charge_once(base, client):
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
         "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    results = []
    barrier = threading.Barrier(4)

    def go():
        barrier.wait()
        results.append(request(base, "POST", f"/v1/payment_intents/{pi.id}/confirm", {}, version=ENDIVE))

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if r.status == 200]
    assert len(ok) == 1, results
    for r in results:
        if r.status != 200:
            assert_error(r, 400, "invalid_request_error", "payment_intent_unexpected_state", None)
    assert len(raw(client.v1.charges.list({"payment_intent": pi.id}))["data"]) == 1


# -- errors ---------------------------------------------------------------------------------
def test_unknown_parameter(base):
    r = request(base, "POST", "/v1/customers", {"email": "x@example.com", "foo": "bar"}, version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", "parameter_unknown", "foo")
    e = r.error
    assert e["type"] == "invalid_request_error"
    assert e["code"] == "parameter_unknown"
    assert e["param"] == "foo"
    assert e["message"] == "Received unknown parameter: foo"


def test_unknown_nested_parameter(base):
    r = request(base, "POST", "/v1/customers", {"address": {"city": "Paris", "planet": "Mars"}}, version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", "parameter_unknown", "address[planet]")


def test_unknown_parameter_through_the_sdk(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "colour": "blue"})
    assert_error(e.value, 400, "invalid_request_error", "parameter_unknown", "colour")


def test_missing_amount(client):
    before = raw(client.v1.payment_intents.list({"limit": 1}))["data"]
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"currency": "usd"})
    err = e.value.json_body["error"]
    assert_error(e.value, 400, "invalid_request_error", "parameter_missing", "amount")
    assert err["code"] == "parameter_missing"
    assert err["param"] == "amount"
    assert err["message"] == "Missing required param: amount."
    assert err["doc_url"] == "https://stripe.com/docs/error-codes/parameter-missing"
    assert raw(client.v1.payment_intents.list({"limit": 1}))["data"] == before


def test_bad_integer(base):
    r = request(base, "POST", "/v1/payment_intents", {"amount": "abc", "currency": "usd"}, version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", "parameter_invalid_integer", "amount")
    assert r.error["message"] == "Invalid integer: abc"


def test_bad_enum(base):
    r = request(base, "POST", "/v1/payment_intents",
                {"amount": 2000, "currency": "usd", "capture_method": "sometimes"}, version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", None, "capture_method")
    assert r.error["message"] == "Invalid capture_method: must be one of automatic, automatic_async, or manual"


def test_unknown_payment_intent(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.retrieve("pi_doesnotexist")
    err = e.value
    assert_error(err, 404, "invalid_request_error", "resource_missing", "intent")
    assert err.user_message == "No such payment_intent: 'pi_doesnotexist'"


def test_unknown_customer(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.retrieve("cus_doesnotexist")
    assert_error(e.value, 404, "invalid_request_error", "resource_missing", "id")
    assert e.value.user_message == "No such customer: 'cus_doesnotexist'"


def test_unknown_object_named_in_a_parameter(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "customer": "cus_doesnotexist"})
    assert_error(e.value, 400, "invalid_request_error", "resource_missing", "customer")


def test_unknown_url(base):
    r = request(base, "GET", "/v1/foo")
    assert_error(r, 404, "invalid_request_error", None, None)
    assert r.error["message"].startswith("Unrecognized request URL (GET: /v1/foo).")


def test_json_body_is_not_accepted(base):
    r = request(base, "POST", "/v1/customers", '{"email": "a@example.com"}', content_type="application/json")
    assert_error(r, 400, "invalid_request_error", None, None)
    assert "Content-Type" in r.error["message"]


def test_every_response_has_a_request_id(base):
    for r in (request(base, "GET", "/v1/customers", {"limit": 1}),
              request(base, "GET", "/v1/customers/cus_nope"),
              request(base, "POST", "/v1/customers", {"bogus": "1"})):
        rid = r.headers.get("Request-Id") or ""
        assert rid.startswith("req_") and len(rid) > 8, (r.status, rid)


# -- keys -----------------------------------------------------------------------------------
def test_no_key(base):
    r = request(base, "GET", "/v1/customers", key=None)
    assert_error(r, 401, "invalid_request_error", None, None)
    assert r.error["message"].startswith("You did not provide an API key.")


def test_wrong_key_through_the_sdk(us):
    bad = us.client("sk_test_" + "x" * 20 + "WXYZ")
    with pytest.raises(stripe.AuthenticationError) as e:
        bad.v1.customers.list()
    assert_error(e.value, 401, "invalid_request_error", None, None)
    msg = e.value.user_message
    assert msg.startswith("Invalid API Key provided: sk_test_") and msg.endswith("WXYZ"), msg
    assert "x" * 20 not in msg


def test_curl_basic_auth(base):
    r = request(base, "GET", "/v1/customers", {"limit": 1}, auth="basic")
    assert r.status == 200, r


def test_publishable_key_cannot_list(us):
    pk = us.client(PK)
    with pytest.raises(stripe.PermissionError) as e:
        pk.v1.payment_intents.list()
    assert_error(e.value, 403, "invalid_request_error", "secret_key_required", None)
    assert "publishable API key" in e.value.user_message


def test_publishable_key_cannot_create_customers(base):
    r = request(base, "POST", "/v1/customers", {"email": "a@example.com"}, key=PK)
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)
    r = request(base, "POST", "/v1/customers", {"email": "a@example.com"}, key=PK, auth="param")
    assert_error(r, 403, "invalid_request_error", "secret_key_required", None)


def test_publishable_key_cannot_retrieve_intent_without_client_secret(base, client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd"})
    r = request(base, "GET", f"/v1/payment_intents/{pi.id}", key=PK, auth="param")
    assert_error(r, 400, "invalid_request_error", "parameter_missing", "client_secret")
    r = request(base, "GET", f"/v1/payment_intents/{pi.id}", {"client_secret": pi.client_secret},
                key=PK, auth="param")
    assert r.status == 200, r
    assert r.json["id"] == pi.id


# -- pagination -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def twenty_five(client):
    email = unique_email("page")
    ids = [client.v1.customers.create({"email": email, "name": f"C{i}"}).id for i in range(25)]
    return email, ids  # oldest first


def test_list_envelope_and_has_more(client, twenty_five):
    email, ids = twenty_five
    page = client.v1.customers.list({"email": email, "limit": 10})
    body = raw(page)
    assert set(body) == {"object", "data", "has_more", "url"}
    assert body["object"] == "list"
    assert body["url"] == "/v1/customers"
    assert body["has_more"] is True
    assert [c["id"] for c in body["data"]] == list(reversed(ids))[:10]


def test_auto_paging_walks_all_newest_first(client, twenty_five):
    email, ids = twenty_five
    walked = [c.id for c in client.v1.customers.list({"email": email, "limit": 10}).auto_paging_iter()]
    assert walked == list(reversed(ids))


def test_pages_with_cursors(client, twenty_five):
    email, ids = twenty_five
    newest_first = list(reversed(ids))
    p1 = raw(client.v1.customers.list({"email": email, "limit": 10}))
    p2 = raw(client.v1.customers.list({"email": email, "limit": 10, "starting_after": p1["data"][-1]["id"]}))
    p3 = raw(client.v1.customers.list({"email": email, "limit": 10, "starting_after": p2["data"][-1]["id"]}))
    assert [c["id"] for c in p2["data"]] == newest_first[10:20] and p2["has_more"] is True
    assert [c["id"] for c in p3["data"]] == newest_first[20:] and p3["has_more"] is False
    back = raw(client.v1.customers.list({"email": email, "limit": 10, "ending_before": p2["data"][0]["id"]}))
    assert [c["id"] for c in back["data"]] == newest_first[:10]
    assert back["has_more"] is False
    mid = raw(client.v1.customers.list({"email": email, "limit": 3, "ending_before": newest_first[10]}))
    assert [c["id"] for c in mid["data"]] == newest_first[7:10]
    assert mid["has_more"] is True


def test_auto_paging_backwards_from_ending_before(client, twenty_five):
    email, ids = twenty_five
    lst = client.v1.customers.list({"email": email, "limit": 10, "ending_before": ids[0]})
    walked = [c.id for c in lst.auto_paging_iter()]
    assert walked == ids[1:]


def test_both_cursors_refused(client, twenty_five):
    email, ids = twenty_five
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.list({"starting_after": ids[1], "ending_before": ids[0]})
    assert_error(e.value, 400, "invalid_request_error", None, None)


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_range(client, limit):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.list({"limit": limit})
    assert_error(e.value, 400, "invalid_request_error", "parameter_invalid_integer", "limit")


def test_created_filter(client, twenty_five):
    email, ids = twenty_five
    c = raw(client.v1.customers.retrieve(ids[0]))
    later = raw(client.v1.customers.list({"email": email, "created": {"gt": c["created"] + 3600}}))
    assert later["data"] == []
    same = raw(client.v1.customers.list({"email": email, "limit": 100, "created": {"gte": c["created"]}}))
    assert ids[0] in [x["id"] for x in same["data"]]


# -- expand ---------------------------------------------------------------------------------
def test_expand_on_payment_intents(client):
    cus = client.v1.customers.create({"email": unique_email("exp")})
    pi = client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "customer": cus.id, "payment_method": "pm_card_visa",
         "confirm": True, "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    plain = raw(client.v1.payment_intents.retrieve(pi.id))
    assert plain["customer"] == cus.id
    assert isinstance(plain["latest_charge"], str) and isinstance(plain["payment_method"], str)
    full = raw(client.v1.payment_intents.retrieve(
        pi.id, {"expand": ["customer", "latest_charge", "payment_method"]}))
    assert full["customer"]["object"] == "customer" and full["customer"]["id"] == cus.id
    assert full["latest_charge"]["object"] == "charge" and full["latest_charge"]["id"] == plain["latest_charge"]
    assert full["payment_method"]["object"] == "payment_method"
    assert full["payment_method"]["id"] == plain["payment_method"]
    assert full["payment_method"]["card"]["last4"] == "4242"
    nested = raw(client.v1.payment_intents.retrieve(pi.id, {"expand": ["latest_charge.customer"]}))
    assert nested["latest_charge"]["customer"]["id"] == cus.id


def test_expand_on_create_and_list(client):
    cus = client.v1.customers.create({"email": unique_email("exp")})
    created = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "customer": cus.id, "expand": ["customer"]}))
    assert created["customer"]["id"] == cus.id
    lst = raw(client.v1.payment_intents.list({"customer": cus.id, "expand": ["data.customer"]}))
    assert [p["id"] for p in lst["data"]] == [created["id"]]
    assert lst["data"][0]["customer"]["object"] == "customer"


def test_expand_errors(client):
    cus = client.v1.customers.create({"email": unique_email("exp")})
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "customer": cus.id})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.retrieve(pi.id, {"expand": ["foo"]})
    assert_error(e.value, 400, "invalid_request_error", None, None)
    assert e.value.user_message == "This property cannot be expanded (foo)."
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.list({"expand": ["customer"]})
    assert_error(e.value, 400, "invalid_request_error", None, None)
    assert "data.customer" in e.value.user_message


def test_expand_null_reference_stays_null(client):
    pi = raw(client.v1.payment_intents.retrieve(
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd"}).id,
        {"expand": ["customer", "latest_charge"]}))
    assert pi["customer"] is None and pi["latest_charge"] is None


# -- metadata -------------------------------------------------------------------------------
def test_metadata_set_merge_delete_clear(client):
    c = client.v1.customers.create({"metadata": {"a": "1", "b": "2"}})
    assert raw(c)["metadata"] == {"a": "1", "b": "2"}
    m = raw(client.v1.customers.update(c.id, {"metadata": {"b": "3", "c": "4"}}))["metadata"]
    assert m == {"a": "1", "b": "3", "c": "4"}
    m = raw(client.v1.customers.update(c.id, {"metadata": {"a": ""}}))["metadata"]
    assert m == {"b": "3", "c": "4"}
    m = raw(client.v1.customers.update(c.id, {"metadata": ""}))["metadata"]
    assert m == {}
    assert raw(client.v1.customers.retrieve(c.id))["metadata"] == {}


def test_metadata_defaults_to_empty_object(client):
    assert raw(client.v1.customers.create({}))["metadata"] == {}
    assert raw(client.v1.payment_intents.create({"amount": 2000, "currency": "usd"}))["metadata"] == {}


def test_metadata_numbers_arrive_as_strings(client):
    c = raw(client.v1.customers.create({"metadata": {"n": 42}}))
    assert c["metadata"] == {"n": "42"}


def test_metadata_limits(client):
    ok = raw(client.v1.customers.create({"metadata": {"k" * 40: "v" * 500}}))
    assert ok["metadata"] == {"k" * 40: "v" * 500}
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"metadata": {"k" * 41: "v"}})
    assert_error(e.value, 400, "invalid_request_error", None, f"metadata[{'k' * 41}]")
    assert "40 characters" in e.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"metadata": {"k": "v" * 501}})
    assert_error(e.value, 400, "invalid_request_error", None, "metadata[k]")
    assert "500 characters" in e.value.user_message
    assert raw(client.v1.customers.create({"metadata": {f"k{i}": "v" for i in range(50)}}))["metadata"]
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"metadata": {f"k{i}": "v" for i in range(51)}})
    assert_error(e.value, 400, "invalid_request_error", None, "metadata")


def test_payment_intent_metadata_is_copied_to_the_charge(client):
    pi = raw(client.v1.payment_intents.create(
        {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
         "metadata": {"order": "42"},
         "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}}))
    assert pi["metadata"] == {"order": "42"}
    assert raw(client.v1.charges.retrieve(pi["latest_charge"]))["metadata"] == {"order": "42"}


# -- customers ------------------------------------------------------------------------------
def test_customer_lifecycle(client, base):
    email = unique_email("crud")
    c = client.v1.customers.create({"email": email, "name": "Jenny Rosen", "description": "VIP",
                                    "phone": "+15555550123"})
    body = raw(c)
    assert body["object"] == "customer" and body["id"].startswith("cus_")
    assert (body["email"], body["name"], body["description"], body["phone"]) == \
        (email, "Jenny Rosen", "VIP", "+15555550123")
    assert body["livemode"] is False and isinstance(body["created"], int)
    assert raw(client.v1.customers.retrieve(c.id)) == body

    upd = raw(client.v1.customers.update(c.id, {"name": "Jenny R.", "description": ""}))
    assert upd["name"] == "Jenny R."
    assert upd["description"] is None
    assert upd["email"] == email

    listed = raw(client.v1.customers.list({"email": email}))
    assert [x["id"] for x in listed["data"]] == [c.id]
    assert raw(client.v1.customers.list({"email": "nobody-" + email}))["data"] == []

    deleted = client.v1.customers.delete(c.id)
    assert raw(deleted) == {"id": c.id, "object": "customer", "deleted": True}
    again = request(base, "GET", f"/v1/customers/{c.id}", version=ENDIVE)
    assert again.status == 200, again
    assert again.json == {"id": c.id, "object": "customer", "deleted": True}
    assert raw(client.v1.customers.list({"email": email}))["data"] == []

    r = request(base, "GET", "/v1/events", {"limit": 100}, version=ENDIVE)
    mine = [e for e in r.json["data"] if e["data"]["object"].get("id") == c.id]
    types = [e["type"] for e in mine]
    assert {"customer.created", "customer.updated", "customer.deleted"} <= set(types), types
    updated = next(e for e in mine if e["type"] == "customer.updated")
    assert updated["data"]["previous_attributes"]["name"] == "Jenny Rosen"
    assert updated["data"]["object"]["name"] == "Jenny R."


def test_delete_unknown_customer(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.delete("cus_doesnotexist")
    assert_error(e.value, 404, "invalid_request_error", "resource_missing", "id")


def test_payment_intents_list_filtered_by_customer(client):
    cus = client.v1.customers.create({"email": unique_email("pil")})
    a = client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "customer": cus.id})
    b = client.v1.payment_intents.create({"amount": 3000, "currency": "usd", "customer": cus.id})
    client.v1.payment_intents.create({"amount": 4000, "currency": "usd"})
    lst = raw(client.v1.payment_intents.list({"customer": cus.id}))
    assert [p["id"] for p in lst["data"]] == [b.id, a.id]
    assert lst["url"] == "/v1/payment_intents"


# -- process --------------------------------------------------------------------------------
def test_sigterm_exits_zero():
    srv = Server("US").start()
    try:
        r = request(srv.url, "POST", "/v1/customers", {"email": "bye@example.com"}, auth="basic")
        assert r.status == 200, r
    finally:
        code = srv.stop()
    log = srv.log_tail()
    srv.cleanup()
    assert code == 0, log


def test_data_survives_restart():
    srv = Server("US").start()
    try:
        r = request(srv.url, "POST", "/v1/customers", {"email": "stay@example.com"}, auth="basic")
        assert r.status == 200, r
        srv.stop()
        srv.start()
        g = request(srv.url, "GET", f"/v1/customers/{r.json['id']}", auth="basic")
        assert g.status == 200 and g.json["email"] == "stay@example.com", g
        assert g.headers.get("Stripe-Version") == CLOVER
    finally:
        srv.cleanup()


@pytest.mark.parametrize("params,param,code", [
    ({"amount": "1000", "currency": "usd", "automatic_payment_methods[enabled]": "maybe"},
     "automatic_payment_methods[enabled]", "parameter_invalid_boolean"),
    ({"amount": "1000", "currency": "usd", "payment_method_types[]": "card", "shipping[name]": "J",
      "shipping[address][line1]": "1 Main St", "metadata[a]": "1", "payment_method_options[card][request_three_d_secure]": "sometimes"},
     "payment_method_options[card][request_three_d_secure]", None),
])
def test_errors_inside_a_hash_name_the_whole_parameter(base, params, param, code):
    """`param` is the full bracketed name, as Stripe's errors give it."""
    r = request(base, "POST", "/v1/payment_intents", params)
    assert r.status == 400, r
    assert r.error["param"] == param
    if code:
        assert r.error["code"] == code


def test_an_unknown_parameter_in_a_list_item_is_named_with_its_index(base):
    r = request(base, "POST", "/v1/checkout/sessions", {
        "mode": "payment", "success_url": "https://example.com/ok", "line_items[0][price]": "price_x",
        "line_items[0][quantity]": "1", "line_items[1][price]": "price_y", "line_items[1][colour]": "red"})
    assert r.status == 400 and r.error["code"] == "parameter_unknown"
    assert (r.error["param"], r.error["message"]) == (
        "line_items[1][colour]", "Received unknown parameter: line_items[1][colour]")
