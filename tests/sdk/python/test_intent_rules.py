"""Rules around saved methods and Stripe.js that a review of SetupIntents turned up: whose
method an intent may use, what a publishable key may record or replay, what the hosted page
needs of a return_url, and how setups and payments mark a method as set up for later."""
from helpers import PK, assert_error, request, submit_outcome

NO_REDIRECTS = {"automatic_payment_methods[enabled]": "true",
                "automatic_payment_methods[allow_redirects]": "never"}


def pk(base, method, path, params):
    return request(base, method, path, {"key": PK, **params}, key=None, auth="param", partial=True)


def saved_card(base, card="pm_card_visa"):
    cus = request(base, "POST", "/v1/customers", {"email": "victim@example.com"}).json["id"]
    pm = request(base, "POST", f"/v1/payment_methods/{card}/attach", {"customer": cus}).json["id"]
    return cus, pm


def test_a_setup_intent_cannot_use_another_customers_method(base):
    _, victims = saved_card(base)
    si = request(base, "POST", "/v1/setup_intents", {"payment_method_types[]": "card"}, auth="basic").json
    r = pk(base, "POST", f"/v1/setup_intents/{si['id']}/confirm",
           {"client_secret": si["client_secret"], "payment_method": victims})
    assert_error(r, 400, "invalid_request_error", None, "payment_method")
    assert "victim@example.com" not in r.text


def test_a_publishable_key_never_replays_a_secret_key_answer(base):
    key = "order-4711"
    first = request(base, "POST", "/v1/customers", {"email": "secret@example.com"},
                    headers={"Idempotency-Key": key})
    assert first.status == 200
    again = request(base, "POST", "/v1/customers", {"email": "secret@example.com"}, key=PK,
                    headers={"Idempotency-Key": key}, partial=True)
    assert again.status == 400
    assert again.json["error"]["type"] == "idempotency_error"
    assert "secret@example.com" not in again.text


def test_a_return_url_with_control_characters_is_refused(base):
    r = request(base, "POST", "/v1/payment_intents", {
        "amount": "1000", "currency": "usd", "payment_method_types[]": "amazon_pay",
        "payment_method_data[type]": "amazon_pay", "confirm": "true",
        "return_url": "https://m.test/a\x01b"}, auth="basic")
    assert_error(r, 400, "invalid_request_error", "url_invalid", "return_url")


def test_a_publishable_key_records_only_an_inferred_acceptance(base):
    cus = request(base, "POST", "/v1/customers", {}).json["id"]
    si = request(base, "POST", "/v1/setup_intents", {
        "payment_method_types[]": "amazon_pay", "payment_method_data[type]": "amazon_pay",
        "customer": cus}, auth="basic").json
    r = pk(base, "POST", f"/v1/setup_intents/{si['id']}/confirm", {
        "client_secret": si["client_secret"], "return_url": "https://m.test/done",
        "mandate_data[customer_acceptance][type]": "offline"})
    assert_error(r, 400, "invalid_request_error", None, "mandate_data[customer_acceptance]")


def test_setup_intent_options_ask_for_3ds(base):
    si = request(base, "POST", "/v1/setup_intents", {
        "payment_method_types[]": "card", "payment_method": "pm_card_visa", "confirm": "true",
        "return_url": "https://m.test/done",
        "payment_method_options[card][request_three_d_secure]": "any"}, auth="basic")
    assert si.status == 200, si
    assert si.json["status"] == "requires_action"
    assert si.json["payment_method_options"]["card"]["request_three_d_secure"] == "any"


def test_paying_with_setup_future_usage_sets_up_a_card_the_customer_already_has(base):
    cus, pm = saved_card(base, "pm_card_authenticationRequiredOnSetup")
    pi = request(base, "POST", "/v1/payment_intents", {
        "amount": "1000", "currency": "usd", "payment_method_types[]": "card", "customer": cus,
        "payment_method": pm, "setup_future_usage": "off_session", "confirm": "true",
        "return_url": "https://m.test/done"}, auth="basic").json
    assert pi["status"] == "requires_action"
    assert submit_outcome(pi["next_action"]["redirect_to_url"]["url"], "authorize").status == 303
    later = request(base, "POST", "/v1/payment_intents", {
        "amount": "500", "currency": "usd", "payment_method_types[]": "card", "customer": cus,
        "payment_method": pm, "confirm": "true", "off_session": "true"}, auth="basic")
    assert later.status == 200, later
    assert later.json["status"] == "succeeded"


def test_an_attempt_left_for_another_is_abandoned(base):
    si = request(base, "POST", "/v1/setup_intents", {
        "payment_method_types[]": "card", "payment_method": "pm_card_authenticationRequired",
        "confirm": "true", "return_url": "https://m.test/done"}, auth="basic").json
    assert si["status"] == "requires_action"
    again = request(base, "POST", f"/v1/setup_intents/{si['id']}/confirm",
                    {"payment_method": "pm_card_visa"})
    assert again.json["status"] == "succeeded"
    attempts = request(base, "GET", "/v1/setup_attempts", {"setup_intent": si["id"]}).json["data"]
    assert [a["status"] for a in attempts] == ["succeeded", "abandoned"]


def test_amazon_pay_sets_up_only_for_off_session_use(base):
    cus = request(base, "POST", "/v1/customers", {}).json["id"]
    si = request(base, "POST", "/v1/setup_intents", {
        "payment_method_types[]": "amazon_pay", "payment_method_data[type]": "amazon_pay",
        "customer": cus, "usage": "on_session"}, auth="basic").json
    r = request(base, "POST", f"/v1/setup_intents/{si['id']}/confirm",
                {"return_url": "https://m.test/done"})
    assert_error(r, 400, "invalid_request_error", None, "usage")
