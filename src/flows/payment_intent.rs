//! A PaymentIntent's flows: confirm, the customer's answer on the hosted page, capture
//! and cancel. Each loads what the domain needs, lets `domain::payment_intent` and
//! `domain::attempt` decide, then saves the outcome (charge, balance transaction,
//! saved method) and records the events, all in the caller's transaction.

use super::{load, Lookup};
use super::{payment_methods, refunds, render_intent, Exec, KeyKind};
use crate::domain::attempt::{self, Step};
use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::charge::{Charge, ChargeFrom};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::payment_intent::{
    ActionKind, ActionOutcome, AfterPayment, ConfirmRequest, PaymentIntent, PendingAction, Refused,
    Status, UnexpectedState,
};
use crate::domain::payment_method::{PaymentMethod, PaymentMethodType};
use crate::domain::test_cards::Decline;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::store::Db;
use crate::versions::{self, Behaviour};
use crate::views;
use serde_json::{json, Value};

/// The payment method a confirm names, as parsed before the write.
// One per confirm, moved once: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum MethodChoice {
    /// `payment_method_data[...]`: a new method, built from the parameters.
    New(PaymentMethod),
    /// `payment_method=pm_...` (or a test alias).
    Named(String),
    /// None given: the intent's own.
    Current,
}

/// How a confirm ended: 200 with the intent, or 402 with a card error.
pub enum Confirmed {
    Ok,
    Declined(ApiError),
}

/// The method a confirm or update names, stored when new.
pub fn method(db: &Db, exec: &Exec, choice: MethodChoice) -> ApiResult<Option<PaymentMethod>> {
    Ok(match choice {
        MethodChoice::New(pm) => {
            db.put(&pm)?;
            Some(pm)
        }
        MethodChoice::Named(id) => Some(payment_methods::resolve(db, exec, &id, "payment_method")?),
        MethodChoice::Current => None,
    })
}

/// Confirms `pi` with the method chosen (or its own) and carries out the step the
/// domain decides. The caller saves `pi`.
pub fn confirm(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    choice: MethodChoice,
    req: ConfirmRequest,
) -> ApiResult<Confirmed> {
    let given = method(db, exec, choice)?;
    pi.check_confirm(given.is_some() || pi.payment_method.is_some())
        .map_err(|e| unexpected_state(db, pi, e))?;
    let pm = match given {
        Some(pm) => pm,
        None => {
            let id = pi.payment_method.clone().unwrap_or_default();
            load::<PaymentMethod>(db, &id, Lookup("PaymentMethod", "payment_method", 400))?
        }
    };
    let mut req = req;
    if req.off_session && pm.kind.needs_mandate() {
        req.mandate = payment_methods::active_mandate(db, &pm.id)?.map(|m| m.id);
    }
    let step = pi.confirm(&pm, &req).map_err(|e| refused(db, pi, e))?;
    run_step(db, exec, pi, &pm, step)
}

fn run_step(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    step: Step,
) -> ApiResult<Confirmed> {
    match step {
        Step::Act(kind) => {
            start_action(db, exec, pi, kind)?;
            Ok(Confirmed::Ok)
        }
        Step::Process { authenticated } => process(db, exec, pi, pm, authenticated),
        Step::Decline(d) => decline(db, exec, pi, pm, &d),
    }
}

/// The customer answered the hosted page: authorize or fail the pending attempt. The
/// caller saves `pi`.
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
    match pi.complete_action(&pm, authorize) {
        ActionOutcome::Failed => event(db, exec, EventType::PaymentIntentPaymentFailed, pi),
        ActionOutcome::NeedsConfirmation => Ok(()),
        ActionOutcome::Process { authenticated } => {
            process(db, exec, pi, &pm, authenticated).map(|_| ())
        }
    }
}

/// Captures what the merchant asks of a held payment; the caller saves `pi`.
pub fn capture(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    amount_to_capture: Option<i64>,
    final_capture: Option<bool>,
    edit: impl FnOnce(&mut PaymentIntent) -> ApiResult<()>,
) -> ApiResult<()> {
    let (amount, released) = pi
        .capture_amounts(amount_to_capture, final_capture)
        .map_err(|e| refused(db, pi, e))?;
    // The capture's own changes (metadata), once it is known to be allowed.
    edit(pi)?;
    let mut charge = held_charge(db, pi)?;
    charge.capture(amount);
    settle(db, exec, &mut charge)?;
    if versions::old_behaviour(exec.version, Behaviour::ReleasedAuthorizationIsRefund) {
        refunds::release_as_refund(db, exec, &mut charge, released)?;
    }
    pi.capture(amount);
    db.put(&charge)?;
    db.put(pi)?;
    exec.event(db, EventType::ChargeCaptured, &views::charge(&charge), None)?;
    event(db, exec, EventType::PaymentIntentSucceeded, pi)
}

/// Cancels `pi`, releasing a held payment; the caller saves `pi`.
pub fn cancel(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    reason: Option<String>,
) -> ApiResult<()> {
    pi.check_cancel().map_err(|e| unexpected_state(db, pi, e))?;
    let held = pi.status == Status::RequiresCapture;
    pi.cancel(reason, exec.now);
    let old = versions::old_behaviour(exec.version, Behaviour::ReleasedAuthorizationIsRefund);
    let charge_id = pi.latest_charge.clone().unwrap_or_default();
    if let (true, true, Some(mut charge)) = (held, old, db.get::<Charge>(&charge_id)?) {
        let amount = charge.amount;
        refunds::release_as_refund(db, exec, &mut charge, amount)?;
    }
    db.put(pi)?;
    event(db, exec, EventType::PaymentIntentCanceled, pi)
}

fn held_charge(db: &Db, pi: &PaymentIntent) -> ApiResult<Charge> {
    let id = pi.latest_charge.clone().unwrap_or_default();
    db.get::<Charge>(&id)?
        .ok_or_else(|| ApiError::internal("held intent without charge"))
}

fn event(db: &Db, exec: &Exec, kind: EventType, pi: &PaymentIntent) -> ApiResult<()> {
    exec.event(db, kind, &render_intent(db, pi)?, None)?;
    Ok(())
}

/// Records the balance transaction of a captured charge (fee included).
pub fn settle(db: &Db, exec: &Exec, charge: &mut Charge) -> ApiResult<()> {
    let txn = BalanceTransaction::for_charge(
        ids::new_id("txn"),
        &charge.id,
        charge.amount_captured,
        &charge.currency,
        exec.now,
    );
    db.put(&txn)?;
    charge.balance_transaction = Some(txn.id);
    Ok(())
}

fn start_action(db: &Db, exec: &Exec, pi: &mut PaymentIntent, kind: ActionKind) -> ApiResult<()> {
    let nonce = ids::random_base62(24);
    let url = format!("{}/authorize/{}/{}", exec.public_url, pi.id, nonce);
    pi.require_action(PendingAction {
        kind,
        url,
        return_url: pi.return_url.clone(),
        nonce,
        framers: PendingAction::framers_of(exec.client.origin.as_deref(), pi.return_url.as_deref()),
    });
    event(db, exec, EventType::PaymentIntentRequiresAction, pi)
}

/// Sends the attempt to the (simulated) processor: approved or declined by test card.
fn process(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    pm: &PaymentMethod,
    three_d_secure: bool,
) -> ApiResult<Confirmed> {
    if let Err(d) = attempt::process(pm) {
        return decline(db, exec, pi, pm, &d);
    }
    let capture_now = pi.captures_on_authorization();
    let mut charge = Charge::approved(
        pm,
        charge_from(pi, pm, exec.now, three_d_secure),
        capture_now,
    );
    // Synchronous capture settles at once; automatic_async settles just after
    // (`charge.updated` fills in `balance_transaction`).
    let sync = pi.capture_method == crate::domain::payment_intent::CaptureMethod::Automatic;
    if capture_now && sync {
        settle(db, exec, &mut charge)?;
    }
    db.put(&charge)?;
    pi.authorized(charge.id.clone());
    exec.event(
        db,
        EventType::ChargeSucceeded,
        &views::charge(&charge),
        None,
    )?;
    after_payment(db, exec, pi, pm)?;
    if pi.status == Status::RequiresCapture {
        event(
            db,
            exec,
            EventType::PaymentIntentAmountCapturableUpdated,
            pi,
        )?;
    } else {
        event(db, exec, EventType::PaymentIntentSucceeded, pi)?;
    }
    if capture_now && !sync {
        let before = views::charge(&charge);
        settle(db, exec, &mut charge)?;
        db.put(&charge)?;
        exec.event(
            db,
            EventType::ChargeUpdated,
            &views::charge(&charge),
            Some(&before),
        )?;
    }
    Ok(Confirmed::Ok)
}

/// Saves, consumes or keeps the method, as the domain says.
fn after_payment(db: &Db, exec: &Exec, pi: &PaymentIntent, pm: &PaymentMethod) -> ApiResult<()> {
    let mut pm = db
        .get::<PaymentMethod>(&pm.id)?
        .unwrap_or_else(|| pm.clone());
    match pi.after_payment(&pm) {
        AfterPayment::Attach(customer) => {
            payment_methods::attach(db, exec, &mut pm, &customer)?;
            set_up_for_later(db, exec, pi, &mut pm)
        }
        AfterPayment::SetUp => set_up_for_later(db, exec, pi, &mut pm),
        AfterPayment::Consume => {
            pm.consumed = true;
            Ok(db.put(&pm)?)
        }
        AfterPayment::Keep => Ok(()),
    }
}

/// Saved for later: off-session payments may follow, and a method that needs a mandate
/// gets one, accepted by the customer who just paid.
fn set_up_for_later(
    db: &Db,
    exec: &Exec,
    pi: &PaymentIntent,
    pm: &mut PaymentMethod,
) -> ApiResult<()> {
    pm.set_up = true;
    db.put(pm)?;
    payment_methods::save_mandate(db, exec, pm, pi.mandate_acceptance.as_ref()).map(|_| ())
}

fn charge_from(
    pi: &PaymentIntent,
    pm: &PaymentMethod,
    now: i64,
    three_d_secure: bool,
) -> ChargeFrom {
    ChargeFrom {
        id: ids::new_id(pm.kind.charge_prefix()),
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
        installments: (pm.kind == PaymentMethodType::Alma).then_some(3),
    }
}

/// The last payment error of a declined attempt, as the intent keeps it.
fn decline_error(charge: &str, pm: &PaymentMethod, d: &Decline) -> Value {
    let mut err = serde_json::Map::new();
    err.insert("charge".into(), json!(charge));
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
    Value::Object(err)
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
    pi.failed(decline_error(&charge.id, pm, d), Some(charge.id.clone()));
    exec.event(db, EventType::ChargeFailed, &views::charge(&charge), None)?;
    event(db, exec, EventType::PaymentIntentPaymentFailed, pi)?;
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
        .with("payment_intent", render_intent(db, pi)?)
        .with("payment_method", views::payment_method(pm))
        .with("payment_method_type", json!(pm.kind));
    Ok(Confirmed::Declined(e))
}

/// `payment_intent_unexpected_state`, carrying the intent as it is.
pub fn unexpected_state(db: &Db, pi: &PaymentIntent, e: UnexpectedState) -> ApiError {
    let mut err = ApiError::invalid(e.0).code("payment_intent_unexpected_state");
    if let Ok(body) = render_intent(db, pi) {
        err = err.with("payment_intent", body);
    }
    err
}

/// A domain refusal as Stripe's error.
pub fn refused(db: &Db, pi: &PaymentIntent, e: Refused) -> ApiError {
    match e {
        Refused::State(s) => unexpected_state(db, pi, s),
        Refused::Request(r) => r.into(),
    }
}

/// Whether this key may confirm `pi` at all: Stripe.js only when confirmation is
/// automatic.
pub fn check_confirm_key(key: KeyKind, pi: &PaymentIntent) -> ApiResult<()> {
    use crate::domain::payment_intent::ConfirmationMethod;
    if key == KeyKind::Publishable && pi.confirmation_method == ConfirmationMethod::Manual {
        return Err(ApiError::invalid(MANUAL_NEEDS_SECRET_KEY).param("client_secret"));
    }
    Ok(())
}

const MANUAL_NEEDS_SECRET_KEY: &str = "This PaymentIntent's confirmation_method is set to manual, so it can only be confirmed with your secret key.";
