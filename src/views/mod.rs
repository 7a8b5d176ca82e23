//! The JSON a client sees, rendered from stored objects at the newest API version
//! with Stripe's field order and nullability. `versions::render` walks it back.

use crate::domain::charge::Charge;
use crate::domain::customer::Customer;
use crate::domain::event::Event;
use crate::domain::mandate::Mandate;
use crate::domain::payment_intent::{ActionKind, PaymentIntent, PendingAction};
use crate::domain::payment_method::{PaymentMethod, PaymentMethodType};
use crate::domain::setup_intent::SetupIntent;
use serde_json::{json, Map, Value};

pub fn customer(c: &Customer) -> Value {
    if c.deleted {
        return json!({"id": c.id, "object": "customer", "deleted": true});
    }
    json!({
        "id": c.id,
        "object": "customer",
        "address": c.address,
        "balance": c.balance,
        "created": c.created,
        "currency": null,
        "customer_account": null,
        "default_source": null,
        "delinquent": false,
        "description": c.description,
        "discount": null,
        "email": c.email,
        "invoice_prefix": c.invoice_prefix,
        "invoice_settings": {
            "custom_fields": c.invoice_custom_fields,
            "default_payment_method": c.default_payment_method,
            "footer": c.invoice_footer,
            "rendering_options": null
        },
        "livemode": false,
        "metadata": c.metadata,
        "name": c.name,
        "next_invoice_sequence": c.next_invoice_sequence,
        "phone": c.phone,
        "preferred_locales": c.preferred_locales,
        "shipping": c.shipping,
        "tax_exempt": c.tax_exempt.as_deref().unwrap_or("none"),
        "test_clock": null
    })
}

pub fn payment_method(pm: &PaymentMethod) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(pm.id));
    m.insert("object".into(), json!("payment_method"));
    m.insert("allow_redisplay".into(), json!(pm.allow_redisplay));
    m.insert("billing_details".into(), pm.billing_details.clone());
    if let Some(c) = &pm.card {
        m.insert(
            "card".into(),
            json!({
                "brand": c.brand,
                "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": "unchecked"},
                "country": c.country,
                "display_brand": c.display_brand,
                "exp_month": c.exp_month,
                "exp_year": c.exp_year,
                "fingerprint": c.fingerprint,
                "funding": c.funding,
                "generated_from": null,
                "last4": c.last4,
                "networks": {"available": [c.brand], "preferred": null},
                "regulated_status": "unregulated",
                "three_d_secure_usage": {"supported": true},
                "wallet": null
            }),
        );
    }
    m.insert("created".into(), json!(pm.created));
    m.insert("customer".into(), json!(pm.customer));
    m.insert("customer_account".into(), Value::Null);
    m.insert("livemode".into(), json!(false));
    m.insert("metadata".into(), json!(pm.metadata));
    if pm.kind != PaymentMethodType::Card {
        m.insert(pm.kind.as_str().into(), json!({}));
    }
    m.insert("type".into(), json!(pm.kind));
    Value::Object(m)
}

pub fn refund(r: &crate::domain::refund::Refund) -> Value {
    let mut out = json!({
        "id": r.id,
        "object": "refund",
        "amount": r.amount,
        "balance_transaction": r.balance_transaction,
        "charge": r.charge,
        "created": r.created,
        "currency": r.currency,
        "customer": r.customer,
        "customer_account": null,
        "destination_details": r.destination_details,
        "metadata": r.metadata,
        "payment_intent": r.payment_intent,
        "payment_method": r.payment_method,
        "reason": r.reason,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": r.status,
        "transfer_reversal": null
    });
    // Present only when they say something, as on Stripe.
    let optional = [
        ("pending_reason", &r.pending_reason),
        ("failure_reason", &r.failure_reason),
        (
            "failure_balance_transaction",
            &r.failure_balance_transaction,
        ),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            out[key] = json!(v);
        }
    }
    out
}

pub fn balance_transaction(t: &crate::domain::balance_transaction::BalanceTransaction) -> Value {
    json!({
        "id": t.id,
        "object": "balance_transaction",
        "amount": t.amount,
        "available_on": t.available_on,
        "balance_type": "payments",
        "created": t.created,
        "currency": t.currency,
        "description": null,
        "exchange_rate": null,
        "fee": t.fee,
        "fee_details": [{"amount": t.fee, "application": null, "currency": t.currency, "description": "Stripe processing fees", "type": "stripe_fee"}],
        "net": t.net(),
        "reporting_category": t.kind,
        "source": t.source,
        "status": if t.available_on <= crate::clock::now() { "available" } else { "pending" },
        "type": t.kind
    })
}

pub fn charge(c: &Charge) -> Value {
    json!({
        "id": c.id,
        "object": "charge",
        "amount": c.amount,
        "amount_captured": c.amount_captured,
        "amount_refunded": c.amount_refunded,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "balance_transaction": c.balance_transaction,
        "billing_details": c.billing_details,
        "calculated_statement_descriptor": c.calculated_statement_descriptor,
        "captured": c.captured,
        "created": c.created,
        "currency": c.currency,
        "customer": c.customer,
        "description": c.description,
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": c.failure_code,
        "failure_message": c.failure_message,
        "fraud_details": {},
        "livemode": false,
        "metadata": c.metadata,
        "on_behalf_of": null,
        "outcome": c.outcome,
        "paid": c.paid,
        "payment_intent": c.payment_intent,
        "payment_method": c.payment_method,
        "payment_method_details": c.payment_method_details,
        "radar_options": {},
        "receipt_email": c.receipt_email,
        "receipt_number": null,
        "receipt_url": if c.paid { json!(format!("https://pay.stripe.com/receipts/payment/{}", c.id)) } else { Value::Null },
        "refunded": c.refunded,
        "review": null,
        "shipping": c.shipping,
        "source": null,
        "source_transfer": null,
        "statement_descriptor": c.statement_descriptor,
        "statement_descriptor_suffix": c.statement_descriptor_suffix,
        "status": c.status,
        "transfer_data": null,
        "transfer_group": c.transfer_group
    })
}

/// Default options Stripe shows for each type on an intent, merged with the merchant's.
fn payment_method_options(pi: &PaymentIntent) -> Value {
    let mut out = Map::new();
    for t in &pi.payment_method_types {
        let mut o = match t {
            PaymentMethodType::Card => {
                json!({"installments": null, "mandate_options": null, "network": null, "request_three_d_secure": "automatic"})
            }
            _ => json!({}),
        };
        if let (Some(Value::Object(given)), Value::Object(base)) =
            (pi.payment_method_options.get(t.as_str()), &mut o)
        {
            for (k, v) in given {
                base.insert(k.clone(), v.clone());
            }
        }
        out.insert(t.as_str().into(), o);
    }
    Value::Object(out)
}

fn next_action(pi: &PaymentIntent) -> Value {
    pending_action(pi.pending_action.as_ref())
}

/// `next_action` of an intent waiting for the customer (PaymentIntent or SetupIntent).
fn pending_action(action: Option<&PendingAction>) -> Value {
    match action {
        None => Value::Null,
        Some(a) if a.kind == ActionKind::UseStripeSdk => json!({
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": a.url, "source": format!("src_{}", a.nonce)}
        }),
        Some(a) => json!({
            "redirect_to_url": {"return_url": a.return_url, "url": a.url},
            "type": "redirect_to_url"
        }),
    }
}

/// `last_payment_error` with its PaymentMethod (`method`, the one it names) rendered
/// in full, as Stripe sends it.
fn last_payment_error(pi: &PaymentIntent, method: Option<&PaymentMethod>) -> Value {
    with_method(pi.last_payment_error.as_ref(), method)
}

/// An attempt's error with the PaymentMethod it names rendered in full.
fn with_method(error: Option<&Value>, method: Option<&PaymentMethod>) -> Value {
    let Some(Value::Object(err)) = error else {
        return Value::Null;
    };
    let mut err = err.clone();
    if err.contains_key("payment_method") {
        match method {
            Some(pm) => err.insert("payment_method".into(), payment_method(pm)),
            None => err.remove("payment_method"),
        };
    }
    Value::Object(err)
}

/// An intent; `error_method` is the PaymentMethod its `last_payment_error` names.
pub fn payment_intent(pi: &PaymentIntent, error_method: Option<&PaymentMethod>) -> Value {
    json!({
        "id": pi.id,
        "object": "payment_intent",
        "allowed_payment_method_types": pi.allowed_payment_method_types,
        "amount": pi.amount,
        "amount_capturable": pi.amount_capturable,
        "amount_details": {"tip": {}},
        "amount_received": pi.amount_received,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": pi.automatic_payment_methods.as_ref().map(|a| {
            let mut m = json!({"enabled": a.enabled});
            if let Some(r) = &a.allow_redirects { m["allow_redirects"] = json!(r); }
            m
        }),
        "canceled_at": pi.canceled_at,
        "cancellation_reason": pi.cancellation_reason,
        "capture_method": pi.capture_method.as_str(),
        "client_secret": pi.client_secret,
        "confirmation_method": pi.confirmation_method,
        "created": pi.created,
        "currency": pi.currency,
        "customer": pi.customer,
        "customer_account": null,
        "description": pi.description,
        "excluded_payment_method_types": pi.excluded_payment_method_types,
        "last_payment_error": last_payment_error(pi, error_method),
        "latest_charge": pi.latest_charge,
        "livemode": false,
        "managed_payments": null,
        "metadata": pi.metadata,
        "next_action": next_action(pi),
        "on_behalf_of": null,
        "payment_method": pi.payment_method,
        "payment_method_configuration_details": null,
        "payment_method_options": payment_method_options(pi),
        "payment_method_types": pi.payment_method_types,
        "payment_record": null,
        "processing": null,
        "receipt_email": pi.receipt_email,
        "review": null,
        "setup_future_usage": pi.setup_future_usage,
        "shipping": pi.shipping,
        "source": null,
        "statement_descriptor": pi.statement_descriptor,
        "statement_descriptor_suffix": pi.statement_descriptor_suffix,
        "status": pi.status.as_str(),
        "transfer_data": null,
        "transfer_group": pi.transfer_group
    })
}

/// What a publishable key (Stripe.js with the client secret) may see of an intent.
pub fn payment_intent_publishable(full: &Value) -> Value {
    const FIELDS: &[&str] = &[
        "id",
        "object",
        "amount",
        "amount_details",
        "automatic_payment_methods",
        "canceled_at",
        "cancellation_reason",
        "capture_method",
        "client_secret",
        "confirmation_method",
        "created",
        "currency",
        "description",
        "last_payment_error",
        "livemode",
        "next_action",
        "payment_method",
        "payment_method_types",
        "processing",
        "receipt_email",
        "setup_future_usage",
        "shipping",
        "status",
    ];
    publishable(full, FIELDS)
}

/// The fields a publishable key sees of an object; an expanded payment method is shown,
/// but nothing expanded inside it (its customer stays an id).
fn publishable(full: &Value, fields: &[&str]) -> Value {
    let Value::Object(m) = full else {
        return full.clone();
    };
    let mut view: serde_json::Map<String, Value> = m
        .iter()
        .filter(|(k, _)| fields.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Value::Object(pm)) = view.get_mut("payment_method") {
        for v in pm.values_mut() {
            if let Some(id) = expanded_id(v) {
                *v = Value::String(id);
            }
        }
    }
    Value::Object(view)
}

/// The id of an expanded object (a hash with `id` and `object`), if `v` is one.
fn expanded_id(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    o.get("object")?.as_str()?;
    Some(o.get("id")?.as_str()?.to_string())
}

/// A SetupIntent; `error_method` is the PaymentMethod its `last_setup_error` names.
pub fn setup_intent(si: &SetupIntent, error_method: Option<&PaymentMethod>) -> Value {
    let types: Vec<&str> = si.payment_method_types.iter().map(|t| t.as_str()).collect();
    let mut options = Map::new();
    if si.payment_method_types.contains(&PaymentMethodType::Card) {
        let mut card = json!({"mandate_options": null, "network": null, "request_three_d_secure": "automatic"});
        if let (Some(Value::Object(given)), Value::Object(base)) =
            (si.payment_method_options.get("card"), &mut card)
        {
            for (k, v) in given {
                base.insert(k.clone(), v.clone());
            }
        }
        options.insert("card".into(), card);
    }
    json!({
        "id": si.id,
        "object": "setup_intent",
        "allowed_payment_method_types": si.allowed_payment_method_types,
        "application": null,
        "automatic_payment_methods": si.automatic_payment_methods.as_ref().map(|a| {
            let mut m = json!({"enabled": a.enabled});
            if let Some(r) = &a.allow_redirects { m["allow_redirects"] = json!(r); }
            m
        }),
        "cancellation_reason": si.cancellation_reason,
        "client_secret": si.client_secret,
        "created": si.created,
        "customer": si.customer,
        "customer_account": null,
        "description": si.description,
        "excluded_payment_method_types": si.excluded_payment_method_types,
        "flow_directions": si.flow_directions,
        "last_setup_error": with_method(si.last_setup_error.as_ref(), error_method),
        "latest_attempt": si.latest_attempt,
        "livemode": false,
        "mandate": si.mandate,
        "metadata": si.metadata,
        "next_action": pending_action(si.pending_action.as_ref()),
        "on_behalf_of": null,
        "payment_method": si.payment_method,
        "payment_method_configuration_details": null,
        "payment_method_options": Value::Object(options),
        "payment_method_types": types,
        "single_use_mandate": null,
        "status": si.status,
        "usage": si.usage,
    })
}

/// What a publishable key (Stripe.js with the client secret) may see of a SetupIntent.
pub fn setup_intent_publishable(full: &Value) -> Value {
    const FIELDS: &[&str] = &[
        "id",
        "object",
        "cancellation_reason",
        "client_secret",
        "created",
        "description",
        "last_setup_error",
        "livemode",
        "next_action",
        "payment_method",
        "payment_method_types",
        "status",
        "usage",
    ];
    publishable(full, FIELDS)
}

/// A SetupAttempt; `error_method` is the PaymentMethod its `setup_error` names.
pub fn setup_attempt(
    a: &crate::domain::setup_attempt::SetupAttempt,
    error_method: Option<&PaymentMethod>,
) -> Value {
    json!({
        "id": a.id,
        "object": "setup_attempt",
        "application": null,
        "created": a.created,
        "customer": a.customer,
        "customer_account": null,
        "flow_directions": null,
        "livemode": false,
        "on_behalf_of": null,
        "payment_method": a.payment_method,
        "payment_method_details": a.payment_method_details,
        "setup_error": with_method(a.setup_error.as_ref(), error_method),
        "setup_intent": a.setup_intent,
        "status": a.status,
        "usage": a.usage,
    })
}

pub fn mandate(m: &Mandate) -> Value {
    json!({
        "id": m.id,
        "object": "mandate",
        "customer_acceptance": m.customer_acceptance,
        "livemode": false,
        "multi_use": {},
        "payment_method": m.payment_method,
        "payment_method_details": {m.method_type.as_str(): {}, "type": m.method_type},
        "status": m.status,
        "type": "multi_use",
    })
}

/// A webhook endpoint; its secret only when just created, as Stripe shows it.
pub fn webhook_endpoint(e: &crate::domain::webhook::WebhookEndpoint, with_secret: bool) -> Value {
    if e.deleted {
        return json!({"id": e.id, "object": "webhook_endpoint", "deleted": true});
    }
    let mut v = json!({
        "id": e.id,
        "object": "webhook_endpoint",
        "api_version": e.api_version,
        "application": null,
        "created": e.created,
        "description": e.description,
        "enabled_events": e.enabled_events,
        "livemode": false,
        "metadata": e.metadata,
        "status": e.status,
        "url": e.url,
    });
    if with_secret {
        v["secret"] = json!(e.secret);
    }
    v
}

/// A webhook delivery and its attempts (a Pasarela extension: Stripe shows these only in
/// its Dashboard).
pub fn webhook_delivery(d: &crate::domain::webhook::Delivery) -> Value {
    json!({
        "id": d.id,
        "object": "webhook_delivery",
        "attempts": d.attempts,
        "created": d.created,
        "endpoint": d.endpoint,
        "event": d.event,
        "next_attempt": if d.status == crate::domain::webhook::DeliveryStatus::Pending { json!(d.due_at) } else { Value::Null },
        "status": d.status,
    })
}

/// An event; `pending_webhooks`: the endpoints it is still owed to.
pub fn event(e: &Event, pending_webhooks: usize) -> Value {
    let mut data = json!({"object": e.object});
    if let Some(p) = &e.previous_attributes {
        data["previous_attributes"] = p.clone();
    }
    json!({
        "id": e.id,
        "object": "event",
        "api_version": e.api_version,
        "created": e.created,
        "data": data,
        "livemode": false,
        "pending_webhooks": pending_webhooks,
        "request": {"id": e.request_id, "idempotency_key": e.idempotency_key},
        "type": e.kind
    })
}

pub fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": url})
}

pub fn customer_session(s: &crate::domain::customer_session::CustomerSession) -> Value {
    let payment_element = match &s.payment_element {
        Some(pe) => json!({
            "enabled": true,
            "features": {
                "payment_method_allow_redisplay_filters": pe.allow_redisplay_filters,
                "payment_method_redisplay": if pe.redisplay { "enabled" } else { "disabled" },
                "payment_method_redisplay_limit": pe.redisplay_limit,
                "payment_method_remove": if pe.remove { "enabled" } else { "disabled" },
                "payment_method_save": if pe.save { "enabled" } else { "disabled" },
                "payment_method_save_usage": pe.save_usage
            }
        }),
        None => json!({"enabled": false, "features": null}),
    };
    let mut components = json!({
        "active_entitlements": {"enabled": false},
        "buy_button": {"enabled": false},
        "customer_portal": {"enabled": false},
        "customer_sheet": {"enabled": false, "features": null},
        "mobile_payment_element": {"enabled": false, "features": null},
        "payment_element": payment_element,
        "pricing_table": {"enabled": false}
    });
    for (name, features) in &s.others {
        if let Some(f) = features {
            let mut c = json!({"enabled": true});
            if components[name].get("features").is_some() {
                c["features"] = f.clone();
            }
            components[name] = c;
        }
    }
    json!({
        "object": "customer_session",
        "client_secret": s.client_secret,
        "components": components,
        "created": s.created,
        "customer": s.customer,
        "customer_account": null,
        "expires_at": s.expires_at,
        "livemode": false
    })
}

pub fn checkout_session(s: &crate::domain::checkout_session::CheckoutSession) -> Value {
    use crate::domain::checkout_session::{Mode, Status};
    let payment = s.mode == Mode::Payment;
    let complete = s.status == Status::Complete;
    json!({
        "id": s.id,
        "object": "checkout.session",
        "adaptive_pricing": null,
        "after_expiration": null,
        "allow_promotion_codes": null,
        "allowed_payment_method_types": null,
        "amount_subtotal": s.amount_total(),
        "amount_total": s.amount_total(),
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "billing_address_collection": null,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "client_secret": null,
        "collected_information": null,
        "consent": null,
        "consent_collection": null,
        "created": s.created,
        "currency": s.currency,
        "currency_conversion": null,
        "custom_fields": [],
        "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "customer": s.customer,
        "customer_account": null,
        "customer_creation": match &s.customer_creation {
            Some(c) => json!(c),
            None if payment && s.customer.is_none() => json!("if_required"),
            None => Value::Null,
        },
        "customer_details": s.customer_details,
        "customer_email": s.customer_email,
        "discounts": [],
        "expires_at": s.expires_at,
        "integration_identifier": null,
        "invoice": null,
        "invoice_creation": null,
        "livemode": false,
        "locale": null,
        "managed_payments": null,
        "metadata": s.metadata,
        "mode": s.mode,
        "origin_context": null,
        // Stripe names the intent once the customer has submitted; here, once complete.
        "payment_intent": if complete || s.intent_at_creation { json!(s.payment_intent) } else { Value::Null },
        "payment_link": null,
        "payment_method_collection": if payment { json!("if_required") } else { json!("always") },
        "payment_method_configuration_details": null,
        "payment_method_options": {},
        "payment_method_types": s.payment_method_types,
        "payment_status": s.payment_status(),
        "permissions": null,
        "recovered_from": null,
        "saved_payment_method_options": null,
        "setup_intent": if complete { json!(s.setup_intent) } else { Value::Null },
        "shipping_address_collection": null,
        "shipping_cost": null,
        "shipping_options": [],
        "status": s.status,
        "submit_type": null,
        "subscription": null,
        "success_url": s.success_url,
        "total_details": if payment { json!({"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}) } else { Value::Null },
        "ui_mode": "hosted_page",
        "url": if s.status == Status::Open { json!(s.url) } else { Value::Null },
        "wallet_options": null
    })
}

pub fn product(p: &crate::domain::catalog::Product) -> Value {
    if p.deleted {
        return json!({"id": p.id, "object": "product", "deleted": true});
    }
    json!({
        "id": p.id,
        "object": "product",
        "active": p.active,
        "created": p.created,
        "default_price": p.default_price,
        "description": p.description,
        "images": p.images,
        "livemode": false,
        "marketing_features": [],
        "metadata": p.metadata,
        "name": p.name,
        "package_dimensions": null,
        "shippable": null,
        "statement_descriptor": null,
        "tax_code": null,
        "tax_details": null,
        "type": "service",
        "unit_label": null,
        "updated": p.updated,
        "url": p.url
    })
}

pub fn price(p: &crate::domain::catalog::Price) -> Value {
    json!({
        "id": p.id,
        "object": "price",
        "active": p.active,
        "billing_scheme": "per_unit",
        "created": p.created,
        "currency": p.currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": p.lookup_key,
        "metadata": p.metadata,
        "nickname": p.nickname,
        "product": p.product,
        "recurring": null,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "one_time",
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": p.unit_amount.to_string()
    })
}

/// A line of a Checkout Session (`object: item`), with its price.
pub fn line_item(
    li: &crate::domain::checkout_session::LineItem,
    currency: Option<&crate::domain::money::Currency>,
    price: Value,
) -> Value {
    json!({
        "id": li.id,
        "object": "item",
        "adjustable_quantity": null,
        "amount_discount": 0,
        "amount_subtotal": li.total(),
        "amount_tax": 0,
        "amount_total": li.total(),
        "currency": currency,
        "description": li.name,
        "metadata": {},
        "price": price,
        "quantity": li.quantity
    })
}

/// The price a line sells when it was not stored (sessions made before inline prices were):
/// rebuilt from the line.
pub fn line_price(
    li: &crate::domain::checkout_session::LineItem,
    currency: Option<&crate::domain::money::Currency>,
    created: i64,
) -> Value {
    json!({
        "id": li.price,
        "object": "price",
        "active": false,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": null,
        "metadata": {},
        "nickname": null,
        "product": li.product,
        "recurring": null,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "one_time",
        "unit_amount": li.unit_amount,
        "unit_amount_decimal": li.unit_amount.to_string()
    })
}

/// The account (`GET /v1/account`): a standard test-mode account, its details submitted,
/// charges and payouts enabled, nothing required of it.
pub fn account(a: &crate::state::Account) -> Value {
    let created = a.created;
    use crate::domain::account;
    let id = &a.id;
    let capabilities: serde_json::Map<String, Value> = account::capabilities(&a.country)
        .into_iter()
        .map(|c| (c, json!("active")))
        .collect();
    let requirements = json!({
        "alternatives": [],
        "current_deadline": null,
        "currently_due": [],
        "disabled_reason": null,
        "errors": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
    });
    json!({
        "id": id,
        "object": "account",
        "business_profile": {
            "annual_revenue": null,
            "estimated_worker_count": null,
            "mcc": null,
            "minority_owned_business_designation": null,
            "name": "Pasarela test account",
            "product_description": null,
            "specified_commercial_transactions_act_url": null,
            "support_address": null,
            "support_email": null,
            "support_phone": null,
            "support_url": null,
            "url": null,
        },
        "business_type": null,
        "capabilities": capabilities,
        "charges_enabled": true,
        "controller": {"type": "account"},
        "country": a.country,
        "created": created,
        "default_currency": account::default_currency(&a.country),
        "details_submitted": true,
        "email": null,
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": false,
            "url": format!("/v1/accounts/{id}/external_accounts"),
        },
        "future_requirements": requirements,
        "metadata": {},
        "payouts_enabled": true,
        "requirements": requirements,
        "settings": {
            "branding": {"icon": null, "logo": null, "primary_color": null, "secondary_color": null},
            "card_payments": {
                "decline_on": {"avs_failure": false, "cvc_failure": false},
                "statement_descriptor_prefix": null,
                "statement_descriptor_prefix_kana": null,
                "statement_descriptor_prefix_kanji": null,
            },
            "dashboard": {"display_name": "Pasarela test account", "timezone": "Etc/UTC"},
            "invoices": {"default_account_tax_ids": null, "hosted_payment_method_save": "offer"},
            "payments": {
                "statement_descriptor": "PASARELA TEST",
                "statement_descriptor_kana": null,
                "statement_descriptor_kanji": null,
                "statement_descriptor_prefix_kana": null,
                "statement_descriptor_prefix_kanji": null,
            },
            "payouts": {
                "debit_negative_balances": true,
                "schedule": {"delay_days": 2, "interval": "daily"},
                "statement_descriptor": null,
            },
        },
        "tos_acceptance": {"date": created, "ip": null, "user_agent": null},
        "type": "standard",
    })
}

/// The balance (`GET /v1/balance`): available and pending per currency, the account's
/// default currency listed even when nothing has moved, as Stripe lists it.
pub fn balance(
    funds: &std::collections::BTreeMap<String, crate::domain::account::Funds>,
    default_currency: &str,
) -> Value {
    let mut currencies: Vec<&str> = funds.keys().map(String::as_str).collect();
    if !funds.contains_key(default_currency) {
        currencies.push(default_currency);
    }
    let part = |pick: fn(&crate::domain::account::Funds) -> i64| -> Vec<Value> {
        currencies
            .iter()
            .map(|c| {
                let amount = funds.get(*c).map(pick).unwrap_or(0);
                json!({"amount": amount, "currency": c, "source_types": {"card": amount}})
            })
            .collect()
    };
    json!({
        "object": "balance",
        "available": part(|f| f.available),
        "livemode": false,
        "pending": part(|f| f.pending),
    })
}
