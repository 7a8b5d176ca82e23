//! The hosted test authorization page's side of the intents: which waiting intent a
//! page (`/authorize/{id}/{nonce}`) belongs to, what it shows, and what the customer's
//! answer does. PaymentIntents and SetupIntents alike; the page itself is `web/`.

use super::{payment_intent, setup_intent, Exec};
use crate::domain::payment_intent::{self as pi_domain, PaymentIntent, PendingAction};
use crate::domain::payment_method::{PaymentMethod, PaymentMethodType};
use crate::domain::setup_intent::{self as si_domain, SetupIntent};
use crate::error::ApiResult;
use crate::store::Db;

/// What the page shows of the attempt it authorizes.
pub struct Attempt {
    pub method: PaymentMethodType,
    /// `€50.99 EUR`; none for a setup.
    pub amount: Option<String>,
    /// The origins that may frame the page (see `PendingAction::framers`).
    pub framers: Vec<String>,
}

/// Where the customer goes back to, with Stripe's parameters.
pub struct Back {
    pub return_url: Option<String>,
    pub params: Vec<(&'static str, String)>,
    pub redirect_status: &'static str,
}

/// Whether `nonce` opened `action` (compared in constant time).
fn opened_by(action: Option<&PendingAction>, nonce: &str) -> bool {
    action.is_some_and(|a| crate::domain::ids::same_secret(nonce, &a.nonce))
}

fn waiting_payment(db: &Db, id: &str, nonce: &str) -> ApiResult<Option<PaymentIntent>> {
    Ok(db.get::<PaymentIntent>(id)?.filter(|pi| {
        pi.status == pi_domain::Status::RequiresAction
            && opened_by(pi.pending_action.as_ref(), nonce)
    }))
}

fn waiting_setup(db: &Db, id: &str, nonce: &str) -> ApiResult<Option<SetupIntent>> {
    Ok(db.get::<SetupIntent>(id)?.filter(|si| {
        si.status == si_domain::Status::RequiresAction
            && opened_by(si.pending_action.as_ref(), nonce)
    }))
}

fn method_type(db: &Db, pm: Option<&String>) -> ApiResult<PaymentMethodType> {
    Ok(match pm {
        Some(id) => db
            .get::<PaymentMethod>(id)?
            .map_or(PaymentMethodType::Card, |p| p.kind),
        None => PaymentMethodType::Card,
    })
}

fn framers(action: Option<&PendingAction>) -> Vec<String> {
    action.map(|a| a.framers.clone()).unwrap_or_default()
}

/// The attempt a page authorizes; `None` when no intent waits for this page.
pub fn attempt(db: &Db, id: &str, nonce: &str) -> ApiResult<Option<Attempt>> {
    if let Some(pi) = waiting_payment(db, id, nonce)? {
        return Ok(Some(Attempt {
            method: method_type(db, pi.payment_method.as_ref())?,
            amount: Some(pi.currency.format_amount(pi.amount).to_uppercase()),
            framers: framers(pi.pending_action.as_ref()),
        }));
    }
    if let Some(si) = waiting_setup(db, id, nonce)? {
        return Ok(Some(Attempt {
            method: method_type(db, si.payment_method.as_ref())?,
            amount: None,
            framers: framers(si.pending_action.as_ref()),
        }));
    }
    Ok(None)
}

/// Records the customer's answer; `None` when no intent waits for this page.
pub fn answer(
    db: &Db,
    exec: &Exec,
    id: &str,
    nonce: &str,
    authorize: bool,
) -> ApiResult<Option<Back>> {
    if let Some(mut pi) = waiting_payment(db, id, nonce)? {
        payment_intent::complete_action(db, exec, &mut pi, authorize)?;
        db.put(&pi)?;
        let redirect_status = match pi.status {
            pi_domain::Status::Succeeded
            | pi_domain::Status::RequiresCapture
            | pi_domain::Status::RequiresConfirmation => "succeeded",
            pi_domain::Status::Processing => "processing",
            _ => "failed",
        };
        return Ok(Some(Back {
            return_url: pi.return_url.clone(),
            params: vec![
                ("payment_intent", pi.id.clone()),
                ("payment_intent_client_secret", pi.client_secret.clone()),
                ("redirect_status", redirect_status.into()),
            ],
            redirect_status,
        }));
    }
    if let Some(mut si) = waiting_setup(db, id, nonce)? {
        setup_intent::complete_action(db, exec, &mut si, authorize)?;
        db.put(&si)?;
        let redirect_status = match si.status {
            si_domain::Status::Succeeded => "succeeded",
            si_domain::Status::Processing => "processing",
            _ => "failed",
        };
        return Ok(Some(Back {
            return_url: si.return_url.clone(),
            params: vec![
                ("setup_intent", si.id.clone()),
                ("setup_intent_client_secret", si.client_secret.clone()),
                ("redirect_status", redirect_status.into()),
            ],
            redirect_status,
        }));
    }
    Ok(None)
}
