"""Saved PaymentMethods (attach / list / update / detach), a Customer's default method, event
previous_attributes, PaymentIntent `shipping`, `payment_method_options` validation, email / URL
validation, idempotency precedence, a clover-era confirm that switches type, risk / check test
cards, off-session without setup and the search route (a bad query is Stripe's 400).

Behaviour from reference/behaviour/intents.md §1.4, §3, §6, §7 and conventions.md §0, §3.4, §4;
driven by stripe-python at endive unless a test says otherwise.
"""
import uuid

import pytest
import stripe

from helpers import CLOVER, ENDIVE, assert_error, events_for, raw, request, submit_outcome

NO_REDIRECTS = {"enabled": True, "allow_redirects": "never"}
RETURN_URL = "https://shop.example/return"


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def events_of(base, obj_id, etype, since=None):
    """Events (newest first) of one type about one object."""
    return [e for e in events_for(base, {obj_id}, since=since) if e["type"] == etype]


def fresh_pm(client) -> dict:
    """A PaymentMethod never attached and never used."""
    return raw(client.v1.payment_methods.create({"type": "card", "card": {"token": "tok_visa"}}))


# -- 1. PaymentMethods API ------------------------------------------------------------------
def test_attach_list_retrieve_and_update(client, base):
    cus = client.v1.customers.create({"email": unique_email("attach")})
    pm = raw(client.v1.payment_methods.attach("pm_card_visa", {"customer": cus.id}))
    assert pm["object"] == "payment_method"
    assert pm["id"].startswith("pm_") and pm["id"] != "pm_card_visa"
    assert pm["customer"] == cus.id
    assert pm["type"] == "card" and pm["card"]["last4"] == "4242"
    attached = events_of(base, pm["id"], "payment_method.attached")
    assert len(attached) == 1, attached
    assert attached[0]["data"]["object"]["customer"] == cus.id

    via_customer = raw(client.v1.customers.payment_methods.list(cus.id, {"type": "card"}))
    assert via_customer["object"] == "list"
    assert via_customer["url"] == f"/v1/customers/{cus.id}/payment_methods"
    assert [p["id"] for p in via_customer["data"]] == [pm["id"]]

    via_filter = raw(client.v1.payment_methods.list({"customer": cus.id, "type": "card"}))
    assert via_filter["object"] == "list"
    assert via_filter["url"] == "/v1/payment_methods"
    assert [p["id"] for p in via_filter["data"]] == [pm["id"]]

    got = raw(client.v1.customers.payment_methods.retrieve(cus.id, pm["id"]))
    assert got["id"] == pm["id"] and got["customer"] == cus.id

    upd = raw(client.v1.payment_methods.update(
        pm["id"], {"billing_details": {"name": "Jenny"}, "metadata": {"k": "v"}}))
    assert upd["billing_details"]["name"] == "Jenny"
    assert upd["metadata"] == {"k": "v"}
    assert upd["customer"] == cus.id
    updated = events_of(base, pm["id"], "payment_method.updated")
    assert len(updated) == 1, updated
    ev = updated[0]
    assert ev["data"]["object"]["billing_details"]["name"] == "Jenny"
    prev = ev["data"].get("previous_attributes")
    assert isinstance(prev, dict), ev["data"]
    assert "billing_details" in prev and prev["billing_details"].get("name") is None, prev
    assert "email" not in prev["billing_details"], prev  # only the changed sub-keys
    assert "metadata" in prev and prev["metadata"].get("k") is None, prev


def test_attached_method_cannot_go_to_another_customer(client):
    a = client.v1.customers.create({})
    b = client.v1.customers.create({})
    pm = client.v1.payment_methods.attach("pm_card_visa", {"customer": a.id})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_methods.attach(pm.id, {"customer": b.id})
    assert_error(e.value, 400, "invalid_request_error", "payment_method_already_attached", "payment_method")
    assert "already been attached" in e.value.user_message
    assert raw(client.v1.payment_methods.retrieve(pm.id))["customer"] == a.id


def test_detach_is_permanent(client, base):
    cus = client.v1.customers.create({})
    pm = client.v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    det = raw(client.v1.payment_methods.detach(pm.id))
    assert det["id"] == pm.id
    assert det["customer"] is None
    detached = events_of(base, pm.id, "payment_method.detached")
    assert len(detached) == 1, detached
    assert detached[0]["data"]["object"]["customer"] is None
    assert raw(client.v1.customers.payment_methods.list(cus.id, {"type": "card"}))["data"] == []
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_methods.attach(pm.id, {"customer": cus.id})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_method")
    assert "may not be used again" in e.value.user_message


def test_update_of_a_method_not_attached_is_refused(client):
    pm = fresh_pm(client)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_methods.update(pm["id"], {"metadata": {"k": "v"}})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_method")
    assert raw(client.v1.payment_methods.retrieve(pm["id"]))["metadata"] == {}


def test_decline_card_cannot_be_attached(client):
    cus = client.v1.customers.create({})
    with pytest.raises(stripe.CardError) as e:
        client.v1.payment_methods.attach("pm_card_chargeDeclined", {"customer": cus.id})
    assert e.value.code == "card_declined"
    assert_error(e.value, 402, "card_error", "card_declined", "payment_method")
    assert raw(client.v1.customers.payment_methods.list(cus.id, {"type": "card"}))["data"] == []


def test_customer_fail_card_attaches(client):
    cus = client.v1.customers.create({})
    pm = raw(client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": cus.id}))
    assert pm["customer"] == cus.id
    assert pm["card"]["last4"] == "0341"


# -- 2. Customer with a default payment method ----------------------------------------------
def test_customer_create_with_default_payment_method_then_off_session(client):
    cus = raw(client.v1.customers.create({
        "payment_method": "pm_card_visa",
        "invoice_settings": {"default_payment_method": "pm_card_visa"}}))
    default = cus["invoice_settings"]["default_payment_method"]
    assert isinstance(default, str) and default.startswith("pm_") and default != "pm_card_visa", cus
    pm = raw(client.v1.payment_methods.retrieve(default))
    assert pm["customer"] == cus["id"]
    listed = raw(client.v1.customers.payment_methods.list(cus["id"], {"type": "card"}))["data"]
    assert [p["id"] for p in listed] == [default]
    pi = raw(client.v1.payment_intents.create({
        "amount": 1999, "currency": "usd", "customer": cus["id"], "payment_method": default,
        "off_session": True, "confirm": True, "automatic_payment_methods": NO_REDIRECTS}))
    assert pi["status"] == "succeeded"
    assert pi["customer"] == cus["id"] and pi["payment_method"] == default


def test_default_payment_method_must_be_attached(client):
    cus = client.v1.customers.create({})
    pm = fresh_pm(client)
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": pm["id"]}})
    assert_error(e.value, 400, "invalid_request_error", "resource_missing", "invoice_settings[default_payment_method]")
    assert raw(client.v1.customers.retrieve(cus.id))["invoice_settings"]["default_payment_method"] is None


def test_detaching_the_default_clears_it(client):
    cus = client.v1.customers.create({})
    pm = client.v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    upd = raw(client.v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": pm.id}}))
    assert upd["invoice_settings"]["default_payment_method"] == pm.id
    client.v1.payment_methods.detach(pm.id)
    assert raw(client.v1.customers.retrieve(cus.id))["invoice_settings"]["default_payment_method"] is None


def test_invoice_settings_and_prefix_are_echoed(client):
    cus = raw(client.v1.customers.create({
        "invoice_settings": {"footer": "Thanks for shopping"}, "invoice_prefix": "ABCD",
        "next_invoice_sequence": 7}))
    assert cus["invoice_settings"]["footer"] == "Thanks for shopping"
    assert cus["invoice_prefix"] == "ABCD"
    assert cus["next_invoice_sequence"] == 7
    again = raw(client.v1.customers.retrieve(cus["id"]))
    assert again["invoice_prefix"] == "ABCD" and again["next_invoice_sequence"] == 7
    assert again["invoice_settings"]["footer"] == "Thanks for shopping"


def test_lowercase_invoice_prefix_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"invoice_prefix": "ab"})
    assert_error(e.value, 400, "invalid_request_error", None, "invoice_prefix")


@pytest.mark.parametrize("name,value,param", [("source", "tok_visa", "source"),
                                              ("test_clock", "clock_123", "test_clock"),
                                              ("tax", {"ip_address": "127.0.0.1"}, "tax[ip_address]")])
def test_unsupported_customer_params_are_unknown(client, name, value, param):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"email": unique_email("unk"), name: value})
    assert_error(e.value, 400, "invalid_request_error", "parameter_unknown", param)


# -- 3. customer.updated previous_attributes -----------------------------------------------
def test_customer_updated_previous_attributes_for_metadata(client, base):
    cus = client.v1.customers.create({"metadata": {"a": "1"}})
    upd = raw(client.v1.customers.update(cus.id, {"metadata": {"b": "2"}}))
    assert upd["metadata"] == {"a": "1", "b": "2"}
    evs = events_of(base, cus.id, "customer.updated")
    assert len(evs) == 1, evs
    assert evs[0]["data"]["previous_attributes"] == {"metadata": {"b": None}}


def test_customer_updated_previous_attributes_for_address(client, base):
    """The address sent again with only the city changed: previous_attributes names the city only
    (nested hashes carry just the changed sub-keys, intents.md §6)."""
    address = {"city": "Paris", "line1": "1 rue de Rivoli", "country": "FR", "postal_code": "75001"}
    cus = client.v1.customers.create({"address": address})
    upd = raw(client.v1.customers.update(cus.id, {"address": {**address, "city": "Lyon"}}))
    assert upd["address"] == {**address, "city": "Lyon", "line2": None, "state": None}
    evs = events_of(base, cus.id, "customer.updated")
    assert len(evs) == 1, evs
    prev = evs[0]["data"]["previous_attributes"]
    assert prev == {"address": {"city": "Paris"}}, prev


# -- 4. PaymentIntent shipping -------------------------------------------------------------
ADDRESS_KEYS = {"city", "country", "line1", "line2", "postal_code", "state"}


def _check_shipping(shipping):
    assert shipping["name"] == "Jenny Rosen"
    assert shipping["carrier"] is None
    assert shipping["phone"] is None
    assert shipping["tracking_number"] is None
    assert set(shipping["address"]) == ADDRESS_KEYS, shipping["address"]
    assert shipping["address"]["line1"] == "1 Main St"
    assert all(shipping["address"][k] is None for k in ADDRESS_KEYS - {"line1"}), shipping["address"]


def test_shipping_is_filled_out_and_copied_to_the_charge(client):
    pi = raw(client.v1.payment_intents.create({
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
        "automatic_payment_methods": NO_REDIRECTS,
        "shipping": {"name": "Jenny Rosen", "address": {"line1": "1 Main St"}}}))
    _check_shipping(pi["shipping"])
    done = raw(client.v1.payment_intents.confirm(pi["id"]))
    assert done["status"] == "succeeded"
    _check_shipping(done["shipping"])
    ch = raw(client.v1.charges.retrieve(done["latest_charge"]))
    _check_shipping(ch["shipping"])


def test_shipping_needs_a_name(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                          "shipping": {"address": {"line1": "1 Main St"}}})
    assert_error(e.value, 400, "invalid_request_error", "parameter_missing", "shipping[name]")


# -- 5. payment_method_options -------------------------------------------------------------
def test_unknown_card_option_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                          "payment_method_options": {"card": {"foo": "1"}}})
    assert_error(e.value, 400, "invalid_request_error", "parameter_unknown", "payment_method_options[card][foo]")


def test_bad_request_three_d_secure_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({
            "amount": 2000, "currency": "usd",
            "payment_method_options": {"card": {"request_three_d_secure": "sometimes"}}})
    assert_error(e.value, 400, "invalid_request_error", None, "payment_method_options[card][request_three_d_secure]")


def test_card_capture_method_option_holds_only_cards(client):
    params = {"amount": 2000, "currency": "usd", "allowed_payment_method_types": ["card", "amazon_pay"],
              "payment_method_options": {"card": {"capture_method": "manual"}}}
    card_pi = raw(client.v1.payment_intents.create(params))
    assert set(card_pi["payment_method_types"]) == {"card", "amazon_pay"}
    assert card_pi["payment_method_options"]["card"]["capture_method"] == "manual"
    assert "capture_method" not in card_pi["payment_method_options"].get("amazon_pay", {})
    assert card_pi["capture_method"] != "manual"
    held = raw(client.v1.payment_intents.confirm(card_pi["id"], {"payment_method": "pm_card_visa"}))
    assert held["status"] == "requires_capture"
    assert held["amount_capturable"] == 2000

    ap_pi = raw(client.v1.payment_intents.create(params))
    started = raw(client.v1.payment_intents.confirm(ap_pi["id"], {
        "payment_method_data": {"type": "amazon_pay"}, "return_url": RETURN_URL}))
    assert started["status"] == "requires_action"
    loc = submit_outcome(started["next_action"]["redirect_to_url"]["url"], "authorize").headers["Location"]
    assert "redirect_status=succeeded" in loc
    done = raw(client.v1.payment_intents.retrieve(ap_pi["id"]))
    assert done["status"] == "succeeded"
    assert done["amount_received"] == 2000


# -- 6. email and URL validation -------------------------------------------------------------
def test_customer_email_must_be_an_email(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.customers.create({"email": "notanemail"})
    assert_error(e.value, 400, "invalid_request_error", "email_invalid", "email")


def test_receipt_email_must_be_an_email(client):
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({"amount": 2000, "currency": "usd", "receipt_email": "nope"})
    assert_error(e.value, 400, "invalid_request_error", "email_invalid", "receipt_email")


@pytest.mark.parametrize("url", ["not a url", "javascript:alert(1)"])
def test_return_url_must_be_a_url(client, url):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                           "payment_method": "pm_card_visa"})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.confirm(pi.id, {"return_url": url})
    assert_error(e.value, 400, "invalid_request_error", "url_invalid", "return_url")
    assert raw(client.v1.payment_intents.retrieve(pi.id))["status"] == "requires_confirmation"


def test_custom_scheme_return_url_is_accepted(client):
    pi = client.v1.payment_intents.create({"amount": 2000, "currency": "usd",
                                           "payment_method": "pm_card_visa"})
    done = raw(client.v1.payment_intents.confirm(pi.id, {"return_url": "myapp://done"}))
    assert done["status"] == "succeeded"


# -- 7. idempotency before parameter validation ------------------------------------------------
def test_idempotency_key_is_checked_before_parameters(base):
    key = f"idem-{uuid.uuid4()}"
    first = request(base, "POST", "/v1/customers", {"email": "a@x.io"},
                    headers={"Idempotency-Key": key}, version=ENDIVE)
    assert first.status == 200, first
    again = request(base, "POST", "/v1/customers", {"email": "a@x.io", "nonsense": "1"},
                    headers={"Idempotency-Key": key}, version=ENDIVE)
    assert_error(again, 400, "idempotency_error", None, None)
    assert key in again.error["message"]


# -- 8. clover: confirm switches a card-only intent to amazon_pay ---------------------------
def test_clover_confirm_with_payment_method_types_switches_type(base):
    r = request(base, "POST", "/v1/payment_intents",
                [("amount", "2000"), ("currency", "usd"), ("payment_method_types[]", "card")])
    assert r.status == 200, r
    assert r.headers.get("Stripe-Version") == CLOVER
    assert r.json["payment_method_types"] == ["card"]
    c = request(base, "POST", f"/v1/payment_intents/{r.json['id']}/confirm",
                [("payment_method_types[]", "amazon_pay"), ("payment_method_data[type]", "amazon_pay"),
                 ("return_url", RETURN_URL)])
    assert c.status == 200, c
    assert c.json["status"] == "requires_action"
    assert c.json["payment_method_types"] == ["amazon_pay"]
    assert c.json["next_action"]["type"] == "redirect_to_url"


# -- 9. risk and check test cards ------------------------------------------------------------
def test_highest_risk_card_is_blocked(client):
    with pytest.raises(stripe.CardError) as e:
        client.v1.payment_intents.create({
            "amount": 2000, "currency": "usd", "payment_method": "pm_card_riskLevelHighest",
            "confirm": True, "automatic_payment_methods": NO_REDIRECTS})
    assert_error(e.value, 402, "card_error", "card_declined", None)
    err = e.value.json_body["error"]
    assert err["type"] == "card_error"
    charge_id = err.get("charge") or err["payment_intent"]["latest_charge"]
    assert charge_id, err
    ch = raw(client.v1.charges.retrieve(charge_id))
    assert ch["status"] == "failed"
    assert ch["outcome"]["type"] == "blocked"


@pytest.mark.parametrize("pm", ["pm_card_riskLevelElevated", "pm_card_cvcCheckFail", "pm_card_avsFail",
                                "pm_card_createDispute"])
def test_special_cards_succeed(client, pm):
    pi = raw(client.v1.payment_intents.create({
        "amount": 2000, "currency": "usd", "payment_method": pm, "confirm": True,
        "automatic_payment_methods": NO_REDIRECTS}))
    assert pi["status"] == "succeeded"
    ch = raw(client.v1.charges.retrieve(pi["latest_charge"]))
    assert ch["status"] == "succeeded" and ch["paid"] is True


# -- 10. off_session without a set-up method --------------------------------------------------
def test_off_session_amazon_pay_never_set_up_is_refused(client):
    cus = client.v1.customers.create({})
    with pytest.raises(stripe.InvalidRequestError) as e:
        client.v1.payment_intents.create({
            "amount": 2000, "currency": "usd", "customer": cus.id,
            "payment_method_data": {"type": "amazon_pay"}, "confirm": True, "off_session": True,
            "return_url": RETURN_URL})
    assert_error(e.value, 400, "invalid_request_error", None, "off_session")


# -- 11. search is routed as search, not an id lookup -------------------------------------------
def test_payment_intent_search_is_not_an_id(base):
    r = request(base, "GET", "/v1/payment_intents/search", {"query": "x"}, version=ENDIVE)
    assert_error(r, 400, "invalid_request_error", None, "query")
    assert "No such payment_intent" not in r.error["message"], r
