"""CustomerSessions (`POST /v1/customer_sessions`), as seed 002's server creates one beside its
PaymentIntent for the Payment Element to show the customer's saved methods. Every answer is
checked against Stripe's CustomerSession schema on the way in (conftest)."""
import stripe

from helpers import PK, SK, assert_error, raw, request


def customer(client):
    return client.v1.customers.create(params={"email": "returning@example.com"})


def test_seed_002_server_side_as_written(client):
    """The seed's server.rb: a PaymentIntent for the customer, then a CustomerSession with the
    Payment Element's `payment_method_redisplay` enabled; both secrets go to the browser."""
    cus = customer(client)
    intent = client.v1.payment_intents.create(params={
        "amount": 1099, "currency": "usd", "automatic_payment_methods": {"enabled": True},
        "customer": cus.id})
    session = client.v1.customer_sessions.create(params={
        "customer": cus.id,
        "components": {"payment_element": {"enabled": True,
                                           "features": {"payment_method_redisplay": "enabled"}}}})
    body = raw(session)
    assert intent.client_secret.startswith(intent.id + "_secret_")
    assert body["object"] == "customer_session"
    assert body["client_secret"].startswith("cuss_secret_")
    assert body["customer"] == cus.id
    assert body["expires_at"] == body["created"] + 30 * 60
    assert body["livemode"] is False and body["customer_account"] is None
    assert "id" not in body, "Stripe's CustomerSession has no id"
    pe = body["components"]["payment_element"]
    assert pe == {"enabled": True, "features": {
        "payment_method_allow_redisplay_filters": ["always"],
        "payment_method_redisplay": "enabled",
        "payment_method_redisplay_limit": 3,
        "payment_method_remove": "disabled",
        "payment_method_save": "disabled",
        "payment_method_save_usage": None}}
    for other in ("buy_button", "pricing_table", "customer_portal", "active_entitlements"):
        assert body["components"][other] == {"enabled": False}
    assert body["components"]["customer_sheet"] == {"enabled": False, "features": None}
    # Each session is its own.
    again = raw(client.v1.customer_sessions.create(params={
        "customer": cus.id, "components": {"payment_element": {"enabled": True}}}))
    assert again["client_secret"] != body["client_secret"]


def test_every_payment_element_feature_is_kept(base):
    cus = request(base, "POST", "/v1/customers", {}).json["id"]
    r = request(base, "POST", "/v1/customer_sessions", [
        ("customer", cus),
        ("components[payment_element][enabled]", "true"),
        ("components[payment_element][features][payment_method_allow_redisplay_filters][]", "always"),
        ("components[payment_element][features][payment_method_allow_redisplay_filters][]", "limited"),
        ("components[payment_element][features][payment_method_redisplay]", "enabled"),
        ("components[payment_element][features][payment_method_redisplay_limit]", "10"),
        ("components[payment_element][features][payment_method_remove]", "enabled"),
        ("components[payment_element][features][payment_method_save]", "enabled"),
        ("components[payment_element][features][payment_method_save_usage]", "off_session"),
        ("components[customer_sheet][enabled]", "true"),
        ("components[customer_sheet][features][payment_method_remove]", "enabled"),
    ])
    assert r.status == 200, r
    assert r.json["components"]["payment_element"]["features"] == {
        "payment_method_allow_redisplay_filters": ["always", "limited"],
        "payment_method_redisplay": "enabled",
        "payment_method_redisplay_limit": 10,
        "payment_method_remove": "enabled",
        "payment_method_save": "enabled",
        "payment_method_save_usage": "off_session"}
    assert r.json["components"]["customer_sheet"] == {"enabled": True, "features": {
        "payment_method_allow_redisplay_filters": None, "payment_method_remove": "enabled"}}
    disabled = request(base, "POST", "/v1/customer_sessions", {
        "customer": cus, "components[payment_element][enabled]": "false",
        "components[buy_button][enabled]": "true"}).json
    assert disabled["components"]["payment_element"] == {"enabled": False, "features": None}
    assert disabled["components"]["buy_button"] == {"enabled": True}


def test_bad_sessions_are_refused_and_nothing_is_made(client, base):
    cus = customer(client)
    pe = "components[payment_element]"
    cases = [
        ({f"{pe}[enabled]": "true"}, "parameter_missing", "customer"),
        ({"customer": cus.id}, "parameter_missing", "components"),
        ({"customer": "cus_nope", f"{pe}[enabled]": "true"}, "resource_missing", "customer"),
        ({"customer": cus.id, f"{pe}[features][payment_method_redisplay]": "enabled"},
         "parameter_missing", f"{pe}[enabled]"),
        ({"customer": cus.id, f"{pe}[enabled]": "true", f"{pe}[features][payment_method_redisplay]": "sometimes"},
         None, f"{pe}[features][payment_method_redisplay]"),
        ({"customer": cus.id, f"{pe}[enabled]": "true", f"{pe}[features][payment_method_redisplay_limit]": "11"},
         None, f"{pe}[features][payment_method_redisplay_limit]"),
        ({"customer": cus.id, f"{pe}[enabled]": "true",
          f"{pe}[features][payment_method_allow_redisplay_filters][]": "never"},
         None, f"{pe}[features][payment_method_allow_redisplay_filters][0]"),
        ({"customer": cus.id, f"{pe}[enabled]": "false"}, None, "components"),
        ({"customer": cus.id, f"{pe}[enabled]": "true", "components[teleporter][enabled]": "true"},
         "parameter_unknown", "components[teleporter][enabled]"),
    ]
    for params, code, param in cases:
        r = request(base, "POST", "/v1/customer_sessions", params)
        err = r.error
        assert r.status == 400 and err["type"] == "invalid_request_error", (params, r)
        assert err.get("param") == param, (params, err)
        if code:
            assert err.get("code") == code, (params, err)
    deleted = customer(client)
    client.v1.customers.delete(deleted.id)
    gone = request(base, "POST", "/v1/customer_sessions", {
        "customer": deleted.id, f"{pe}[enabled]": "true"})
    assert_error(gone, 400, "invalid_request_error", "resource_missing", "customer")
    # The browser's key cannot make one.
    pk = request(base, "POST", "/v1/customer_sessions", {"customer": cus.id, f"{pe}[enabled]": "true"}, key=PK)
    assert_error(pk, 403, "invalid_request_error", "secret_key_required", None)
