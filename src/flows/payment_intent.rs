//! A PaymentIntent's flows: confirming it, finishing the customer's action on the
//! hosted page, capturing and canceling. Each runs the domain transitions, creates
//! the Charge, and records the events, all in the caller's transaction.

use super::Exec;
use super::KeyKind;
use crate::domain::availability;
use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::charge::{Charge, ChargeFrom};
use crate::domain::ids;
use crate::domain::payment_intent::{CaptureMethod, PaymentIntent, PendingAction, Status};
use crate::domain::payment_method::PaymentMethod;
use crate::domain::test_cards::{self, Decline, ThreeDs};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::store::Db;
use crate::views;
use serde_json::{json, Value};

/// What a confirm call adds to the intent.
#[derive(Default, Clone)]
pub struct ConfirmInput {
    pub payment_method: Option<PaymentMethod>,
    pub return_url: Option<String>,
    pub off_session: bool,
    pub use_stripe_sdk: bool,
    pub error_on_requires_action: bool,
    pub setup_future_usage: Option<Option<String>>,
}

/// Records the balance transaction of a captured charge (fee included).
pub fn settle(db: &Db, exec: &Exec, charge: &mut Charge) -> ApiResult<()> {
    let decimals = crate::domain::money::Currency::parse(&charge.currency)
        .map(|c| c.decimals())
        .unwrap_or(2);
    let txn = BalanceTransaction::for_charge(
        ids::new_id("txn"),
        &charge.id,
        charge.amount_captured,
        &charge.currency,
        decimals,
        exec.now,
    );
    db.put(&txn)?;
    charge.balance_transaction = Some(txn.id);
    Ok(())
}

/// A PaymentMethod saved to a customer is usable only by intents of that customer.
pub fn check_owner(pi: &PaymentIntent, pm: &PaymentMethod) -> ApiResult<()> {
    match &pm.customer {
        Some(customer) if pi.customer.as_deref() != Some(customer) => Err(ApiError::invalid(format!(
            "The `payment_method` parameter supplied {} belongs to the Customer {customer}. Please include the Customer in the `customer` parameter on the PaymentIntent.",
            pm.id
        ))
        .param("payment_method")),
        _ => Ok(()),
    }
}

/// How a confirm ended: 200 with the intent, or 402 with a card error.
pub enum Confirmed {
    Ok,
    Declined(ApiError),
}

fn event_pi(exec: &Exec, db: &Db, kind: &str, pi: &PaymentIntent) -> ApiResult<()> {
    Ok(exec.event(db, kind, &super::render_intent(db, pi)?, None)?)
}

fn event_charge(exec: &Exec, db: &Db, kind: &str, c: &Charge) -> ApiResult<()> {
    Ok(exec.event(db, kind, &views::charge(c), None)?)
}

pub fn confirm(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    input: ConfirmInput,
) -> ApiResult<Confirmed> {
    let has_pm = input.payment_method.is_some() || pi.payment_method.is_some();
    pi.check_confirm(has_pm)
        .map_err(|e| unexpected_state(db, pi, e.0))?;
    let pm = match input.payment_method {
        Some(pm) => pm,
        None => {
            let id = pi.payment_method.clone().unwrap_or_default();
            db.get::<PaymentMethod>(&id)?
                .ok_or_else(|| ApiError::no_such("PaymentMethod", &id, "payment_method", 400))?
        }
    };
    if !pi.payment_method_types.contains(&pm.kind) {
        return Err(ApiError::invalid(format!(
            "The PaymentMethod provided ({}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include \"{}\".",
            pm.kind,
            pi.payment_method_types.join(", "),
            pm.kind
        ))
        .code("payment_intent_incompatible_payment_method")
        .param("payment_method"));
    }
    check_owner(pi, &pm)?;
    if let Some(sfu) = input.setup_future_usage.clone() {
        pi.setup_future_usage = sfu;
    }
    if let Some(sfu) = &pi.setup_future_usage {
        if !availability::allows_setup_future_usage(&pm.kind, sfu) {
            return Err(ApiError::invalid(format!(
                "The payment method `{}` does not support `setup_future_usage={sfu}`.",
                pm.kind
            ))
            .param("setup_future_usage"));
        }
    }
    if let Some(url) = input.return_url {
        pi.return_url = Some(url);
    }
    let redirects_allowed = pi
        .automatic_payment_methods
        .as_ref()
        .map(|a| a.enabled && a.allow_redirects.as_deref() != Some("never"))
        .unwrap_or(false);
    if pi.return_url.is_none() && !input.off_session {
        if availability::is_redirect(&pm.kind) {
            return Err(ApiError::invalid(format!(
                "You must provide a `return_url` when confirming a PaymentIntent with the payment method type {}.",
                pm.kind
            ))
            .param("return_url"));
        }
        if redirects_allowed && exec.key == KeyKind::Secret {
            return Err(ApiError::invalid("A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.").param("return_url"));
        }
    }
    if pi
        .automatic_payment_methods
        .as_ref()
        .and_then(|a| a.allow_redirects.as_deref())
        == Some("never")
        && availability::is_redirect(&pm.kind)
    {
        return Err(ApiError::invalid(format!(
            "The PaymentMethod type {} requires a redirect, but this PaymentIntent has `automatic_payment_methods[allow_redirects]=never`.",
            pm.kind
        ))
        .param("payment_method"));
    }
    pi.off_session = input.off_session;
    pi.payment_method = Some(pm.id.clone());
    pi.set_attempt_type(&pm.kind);
    pi.last_payment_error = None;

    // Redirect methods always leave for the hosted authorization page.
    if availability::is_redirect(&pm.kind) {
        if input.off_session {
            // Off-session redirect payments need a method set up earlier with the customer.
            if pm.customer.is_none() {
                return Err(ApiError::invalid(format!(
                    "This PaymentIntent is `off_session`, but the {} PaymentMethod {} has not been set up for future payments with a Customer. Set it up first (a SetupIntent, or `setup_future_usage` on an earlier payment) or confirm the payment on-session.",
                    pm.kind, pm.id
                ))
                .param("off_session"));
            }
            return charge_now(db, exec, pi, &pm, false);
        }
        start_action(db, exec, pi, "redirect_to_url")?;
        return Ok(Confirmed::Ok);
    }
    let card = pm
        .card
        .as_ref()
        .and_then(|c| test_cards::by_number(&c.number));
    let three_ds = card.map(|c| c.three_ds).unwrap_or(ThreeDs::NotRequired);
    // `request_three_d_secure=any|challenge` asks for authentication on any card.
    let requested = matches!(
        pi.payment_method_options
            .get("card")
            .and_then(|o| o.get("request_three_d_secure"))
            .and_then(|v| v.as_str()),
        Some("any" | "challenge")
    );
    let needs_auth = match three_ds {
        ThreeDs::NotRequired => requested && !input.off_session,
        ThreeDs::Required => true,
        ThreeDs::RequiredOnSessionOnly => !input.off_session,
    } && !pi.action_authenticated;
    if needs_auth && (input.off_session || input.error_on_requires_action) {
        let d = Decline {
            code: "authentication_required",
            decline_code: Some("authentication_required"),
            message: "Your card was declined. This transaction requires authentication.",
            outcome_type: "issuer_declined",
            param: None,
        };
        return decline(db, exec, pi, &pm, &d);
    }
    if needs_auth {
        let kind = if input.use_stripe_sdk || pi.return_url.is_none() {
            "use_stripe_sdk"
        } else {
            "redirect_to_url"
        };
        start_action(db, exec, pi, kind)?;
        return Ok(Confirmed::Ok);
    }
    let authenticated = pi.action_authenticated;
    charge_now(db, exec, pi, &pm, authenticated)
}

fn start_action(db: &Db, exec: &Exec, pi: &mut PaymentIntent, kind: &str) -> ApiResult<()> {
    let nonce = ids::random_base62(24);
    let url = format!("{}/authorize/{}/{}", exec.public_url, pi.id, nonce);
    pi.require_action(PendingAction {
        kind: kind.to_string(),
        url,
        return_url: pi.return_url.clone(),
        nonce,
    });
    event_pi(exec, db, "payment_intent.requires_action", pi)
}

/// Sends the attempt to the (simulated) processor: approve or decline by test card.
fn charge_now(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    three_d_secure: bool,
) -> ApiResult<Confirmed> {
    let outcome = pm
        .card
        .as_ref()
        .and_then(|c| test_cards::by_number(&c.number))
        .map(|c| c.charge)
        .unwrap_or(test_cards::Charge::Approve);
    match outcome {
        test_cards::Charge::Decline(d) => decline(db, exec, pi, pm, &d),
        test_cards::Charge::Approve => {
            let capture_now = pi.captures_on_authorization();
            let mut charge = Charge::approved(
                pm,
                charge_from(pi, pm, exec.now, three_d_secure),
                capture_now,
            );
            // Synchronous capture settles at once; automatic_async settles just after
            // (`charge.updated` fills in `balance_transaction`).
            let sync = pi.capture_method == CaptureMethod::Automatic;
            if capture_now && sync {
                settle(db, exec, &mut charge)?;
            }
            db.put(&charge)?;
            pi.authorized(charge.id.clone());
            event_charge(exec, db, "charge.succeeded", &charge)?;
            save_for_future(db, exec, pi, pm)?;
            if pi.status == Status::RequiresCapture {
                event_pi(exec, db, "payment_intent.amount_capturable_updated", pi)?;
            } else {
                event_pi(exec, db, "payment_intent.succeeded", pi)?;
            }
            if capture_now && !sync {
                let before = views::charge(&charge);
                settle(db, exec, &mut charge)?;
                db.put(&charge)?;
                exec.event(db, "charge.updated", &views::charge(&charge), Some(&before))?;
            }
            Ok(Confirmed::Ok)
        }
    }
}

/// After a successful attempt: with `setup_future_usage` and a customer the method is
/// attached to the customer; otherwise a method used without a customer is consumed.
fn save_for_future(db: &Db, exec: &Exec, pi: &PaymentIntent, pm: &PaymentMethod) -> ApiResult<()> {
    if pm.customer.is_some() {
        return Ok(());
    }
    let mut pm = db
        .get::<PaymentMethod>(&pm.id)?
        .unwrap_or_else(|| pm.clone());
    match (&pi.setup_future_usage, &pi.customer) {
        (Some(_), Some(customer)) => super::payment_methods::attach(db, exec, &mut pm, customer)?,
        _ if !pm.consumed => {
            pm.consumed = true;
            db.put(&pm)?;
        }
        _ => {}
    }
    Ok(())
}

fn charge_from(
    pi: &PaymentIntent,
    pm: &PaymentMethod,
    now: i64,
    three_d_secure: bool,
) -> ChargeFrom {
    let prefix = if pm.kind == "card" { "ch" } else { "py" };
    ChargeFrom {
        id: ids::new_id(prefix),
        created: now,
        amount: pi.amount,
        currency: pi.currency.clone(),
        customer: pi.customer.clone(),
        description: pi.description.clone(),
        metadata: pi.metadata.clone(),
        payment_intent: pi.id.clone(),
        receipt_email: pi.receipt_email.clone(),
        statement_descriptor: pi.statement_descriptor.clone(),
        statement_descriptor_suffix: pi.statement_descriptor_suffix.clone(),
        shipping: pi.shipping.clone(),
        transfer_group: pi.transfer_group.clone(),
        three_d_secure,
        installments: if pm.kind == "alma" { Some(3) } else { None },
    }
}

fn decline(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    d: &Decline,
) -> ApiResult<Confirmed> {
    let charge = Charge::declined(pm, charge_from(pi, pm, exec.now, false), d);
    db.put(&charge)?;
    let mut err = serde_json::Map::new();
    err.insert("charge".into(), json!(charge.id));
    err.insert("code".into(), json!(d.code));
    if let Some(dc) = d.decline_code {
        err.insert("decline_code".into(), json!(dc));
    }
    err.insert(
        "doc_url".into(),
        json!(format!(
            "https://stripe.com/docs/error-codes/{}",
            d.code.replace('_', "-")
        )),
    );
    err.insert("message".into(), json!(d.message));
    if let Some(param) = d.param {
        err.insert("param".into(), json!(param));
    }
    err.insert("payment_method".into(), json!(pm.id));
    err.insert("payment_method_type".into(), json!(pm.kind));
    err.insert("type".into(), json!("card_error"));
    pi.failed(Value::Object(err), Some(charge.id.clone()));
    event_charge(exec, db, "charge.failed", &charge)?;
    event_pi(exec, db, "payment_intent.payment_failed", pi)?;
    let mut e = ApiError::new(402, ErrorType::CardError, d.message)
        .code(d.code)
        .with("charge", json!(charge.id));
    if let Some(dc) = d.decline_code {
        e = e.with("decline_code", json!(dc));
    }
    if let Some(param) = d.param {
        e = e.param(param);
    }
    e = e
        .with("payment_intent", super::render_intent(db, pi)?)
        .with("payment_method", views::payment_method(pm))
        .with("payment_method_type", json!(pm.kind));
    Ok(Confirmed::Declined(e))
}

/// `payment_intent_unexpected_state`, carrying the intent as it is.
pub fn unexpected_state(db: &Db, pi: &PaymentIntent, message: String) -> ApiError {
    let mut e = ApiError::invalid(message).code("payment_intent_unexpected_state");
    if let Ok(body) = super::render_intent(db, pi) {
        e = e.with("payment_intent", body);
    }
    e
}

/// The customer answered the hosted page: authorize or fail the pending attempt.
pub fn complete_action(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    authorize: bool,
) -> ApiResult<()> {
    let pm_id = pi.payment_method.clone().unwrap_or_default();
    let pm = db
        .get::<PaymentMethod>(&pm_id)?
        .ok_or_else(|| ApiError::internal("intent in requires_action has no payment method"))?;
    if !authorize {
        let is_card = pm.kind == "card";
        let err = json!({
            "code": "payment_intent_authentication_failure",
            "doc_url": if is_card { "https://stripe.com/docs/error-codes/payment-intent-authentication-failure" } else { "https://stripe.com/docs/error-codes/payment-method-customer-decline" },
            "message": if is_card {
                "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
            } else {
                "The customer did not approve the PaymentIntent. Provide a new payment method to attempt to fulfill this PaymentIntent again."
            },
            "payment_method": pm.id,
            "payment_method_type": pm.kind,
            "type": "invalid_request_error"
        });
        pi.failed(err, None);
        event_pi(exec, db, "payment_intent.payment_failed", pi)?;
        return Ok(());
    }
    if pi.confirmation_method == "manual" {
        pi.action_completed_needs_confirmation();
        return Ok(());
    }
    let three_ds = pm.kind == "card";
    charge_now(db, exec, pi, &pm, three_ds)?;
    Ok(())
}
