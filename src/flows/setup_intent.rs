//! A SetupIntent's flows: confirm, the customer's answer on the hosted page, cancel.
//! The domain decides (`domain::setup_intent`, `domain::attempt`); these load the
//! method, carry the step out (the hosted page, verification), save the method to the
//! customer with its mandate, and record the events.

use super::payment_intent::MethodChoice;
use super::{payment_methods, Exec};
use crate::domain::attempt::{self, Step};
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::payment_intent::{ActionKind, PendingAction, Refused, UnexpectedState};
use crate::domain::payment_method::{FutureUsage, PaymentMethod};
use crate::domain::setup_attempt::{self, AttemptStatus, SetupAttempt};
use crate::domain::setup_intent::{SetupIntent, SetupOutcome, SetupRequest};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::store::Db;
use crate::views;
use serde_json::json;

pub use super::render_setup as render;

fn event(db: &Db, exec: &Exec, kind: EventType, si: &SetupIntent) -> ApiResult<()> {
    exec.event(db, kind, &render(db, si)?, None)?;
    Ok(())
}

/// How a confirm ended: 200 with the intent, or 402 with a card error.
pub enum Confirmed {
    Ok,
    Declined(ApiError),
}

/// Confirms `si` with the method chosen (or its own); the caller saves `si`.
pub fn confirm(
    db: &Db,
    exec: &Exec,
    si: &mut SetupIntent,
    choice: MethodChoice,
    req: SetupRequest,
) -> ApiResult<Confirmed> {
    let given = super::payment_intent::method(db, exec, choice)?;
    si.check_confirm(given.is_some() || si.payment_method.is_some())
        .map_err(|e| unexpected_state(db, si, e))?;
    let pm = match given {
        Some(pm) => pm,
        None => {
            let id = si.payment_method.clone().unwrap_or_default();
            super::load::<PaymentMethod>(
                db,
                &id,
                super::Lookup("PaymentMethod", "payment_method", 400),
            )?
        }
    };
    let step = si.confirm(&pm, &req).map_err(|e| refused(db, si, e))?;
    open_attempt(db, exec, si, &pm, step)?;
    match step {
        Step::Act(kind) => {
            start_action(db, exec, si, kind)?;
            Ok(Confirmed::Ok)
        }
        Step::Process { .. } => verify(db, exec, si, &pm),
        Step::Decline(d) => declined(db, exec, si, &pm, &d),
    }
}

/// The customer answered the hosted page; the caller saves `si`.
pub fn complete_action(
    db: &Db,
    exec: &Exec,
    si: &mut SetupIntent,
    authorize: bool,
) -> ApiResult<()> {
    let pm_id = si.payment_method.clone().unwrap_or_default();
    let pm = db.get::<PaymentMethod>(&pm_id)?.ok_or_else(|| {
        ApiError::internal("setup intent in requires_action has no payment method")
    })?;
    match si.complete_action(&pm, authorize) {
        SetupOutcome::Failed => {
            close_attempt(db, si, false)?;
            event(db, exec, EventType::SetupIntentSetupFailed, si)
        }
        SetupOutcome::Verify => verify(db, exec, si, &pm).map(|_| ()),
    }
}

/// Cancels `si` and saves it.
pub fn cancel(db: &Db, exec: &Exec, si: &mut SetupIntent, reason: Option<String>) -> ApiResult<()> {
    si.check_cancel().map_err(|e| unexpected_state(db, si, e))?;
    abandon_attempt(db, si)?;
    si.cancel(reason);
    db.put(si)?;
    event(db, exec, EventType::SetupIntentCanceled, si)
}

/// Records the attempt a confirmation starts (waiting for the customer, or about to be
/// verified).
fn open_attempt(
    db: &Db,
    exec: &Exec,
    si: &mut SetupIntent,
    pm: &PaymentMethod,
    step: Step,
) -> ApiResult<()> {
    abandon_attempt(db, si)?;
    let attempt = SetupAttempt {
        id: ids::new_id("setatt"),
        created: exec.now,
        setup_intent: si.id.clone(),
        customer: si.customer.clone(),
        payment_method: pm.id.clone(),
        payment_method_details: setup_attempt::details(pm, false),
        setup_error: None,
        status: match step {
            Step::Act(_) => AttemptStatus::RequiresAction,
            _ => AttemptStatus::Processing,
        },
        usage: si.usage,
    };
    db.put(&attempt)?;
    si.latest_attempt = Some(attempt.id);
    Ok(())
}

/// An attempt still open when the SetupIntent moves on (confirmed again, given another
/// method, canceled) is `abandoned`.
pub fn abandon_attempt(db: &Db, si: &SetupIntent) -> ApiResult<()> {
    let Some(id) = &si.latest_attempt else {
        return Ok(());
    };
    if let Some(mut attempt) = db.get::<SetupAttempt>(id)? {
        if attempt.abandon() {
            db.put(&attempt)?;
        }
    }
    Ok(())
}

/// Ends the latest attempt as the SetupIntent ended it.
fn close_attempt(db: &Db, si: &SetupIntent, succeeded: bool) -> ApiResult<()> {
    let Some(id) = &si.latest_attempt else {
        return Ok(());
    };
    let Some(mut attempt) = db.get::<SetupAttempt>(id)? else {
        return Ok(());
    };
    if succeeded {
        let pm = db.get::<PaymentMethod>(&attempt.payment_method)?;
        let authenticated = attempt.status == AttemptStatus::RequiresAction;
        if let Some(pm) = pm {
            attempt.payment_method_details = setup_attempt::details(&pm, authenticated);
        }
        attempt.ended(None);
    } else {
        attempt.ended(si.last_setup_error.clone());
    }
    Ok(db.put(&attempt)?)
}

fn start_action(db: &Db, exec: &Exec, si: &mut SetupIntent, kind: ActionKind) -> ApiResult<()> {
    let nonce = ids::random_base62(24);
    let url = format!("{}/authorize/{}/{}", exec.public_url, si.id, nonce);
    si.require_action(PendingAction {
        kind,
        url,
        return_url: si.return_url.clone(),
        nonce,
        framers: PendingAction::framers_of(exec.client.origin.as_deref(), si.return_url.as_deref()),
    });
    event(db, exec, EventType::SetupIntentRequiresAction, si)
}

/// Verifies the method (test cards that decline fail here) and, when it passes, saves
/// it to the customer with its mandate.
fn verify(db: &Db, exec: &Exec, si: &mut SetupIntent, pm: &PaymentMethod) -> ApiResult<Confirmed> {
    if let Err(d) = attempt::verify(pm) {
        return declined(db, exec, si, pm, &d);
    }
    let mut pm = db
        .get::<PaymentMethod>(&pm.id)?
        .unwrap_or_else(|| pm.clone());
    if let Some(customer) = si.customer.clone() {
        payment_methods::attach(db, exec, &mut pm, &customer)?;
    }
    // Set up for payments without the customer only when that is the usage asked for.
    pm.set_up = si.usage == FutureUsage::OffSession;
    db.put(&pm)?;
    let mandate = payment_methods::save_mandate(db, exec, &pm, si.mandate_acceptance.as_ref())?;
    si.succeeded(mandate);
    close_attempt(db, si, true)?;
    event(db, exec, EventType::SetupIntentSucceeded, si)?;
    Ok(Confirmed::Ok)
}

fn declined(
    db: &Db,
    exec: &Exec,
    si: &mut SetupIntent,
    pm: &PaymentMethod,
    d: &crate::domain::test_cards::Decline,
) -> ApiResult<Confirmed> {
    si.declined(pm, d);
    close_attempt(db, si, false)?;
    event(db, exec, EventType::SetupIntentSetupFailed, si)?;
    let mut e = ApiError::new(402, ErrorType::CardError, d.message).code(d.code);
    if let Some(dc) = d.decline_code {
        e = e.with("decline_code", json!(dc));
    }
    e = e
        .with("payment_method", views::payment_method(pm))
        .with("payment_method_type", json!(pm.kind))
        .with("setup_intent", render(db, si)?);
    Ok(Confirmed::Declined(e))
}

/// `setup_intent_unexpected_state`, carrying the intent as it is.
pub fn unexpected_state(db: &Db, si: &SetupIntent, e: UnexpectedState) -> ApiError {
    let mut err = ApiError::invalid(e.0).code("setup_intent_unexpected_state");
    if let Ok(body) = render(db, si) {
        err = err.with("setup_intent", body);
    }
    err
}

fn refused(db: &Db, si: &SetupIntent, e: Refused) -> ApiError {
    match e {
        Refused::State(s) => unexpected_state(db, si, s),
        Refused::Request(r) => r.into(),
    }
}
