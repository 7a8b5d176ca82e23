//! Saving a PaymentMethod to a Customer: the attach endpoint, Customer create's
//! `payment_method`, and saving during payment all go through `attach`.

use super::Exec;
use crate::domain::attempt;
use crate::domain::customer::Customer;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::mandate::{self, Mandate, MandateStatus};
use crate::domain::payment_method::{self, PaymentMethod};
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::store::{decode, Db, ListQuery, Stored};
use crate::views;
use serde_json::Value;

const CONSUMED: &str = "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.";

/// The PaymentMethod a `payment_method` parameter names: a stored one, or a new one
/// for a test alias. Consumed ones are refused as Stripe refuses them.
pub fn resolve(db: &Db, exec: &Exec, id: &str, param: &str) -> ApiResult<PaymentMethod> {
    if let Some(pm) = payment_method::from_alias(id, exec.now) {
        db.put(&pm)?;
        return Ok(pm);
    }
    let pm = db
        .get::<PaymentMethod>(id)?
        .ok_or_else(|| ApiError::no_such("PaymentMethod", id, param, 400))?;
    if pm.consumed && pm.customer.is_none() {
        return Err(ApiError::invalid(CONSUMED).param(param));
    }
    Ok(pm)
}

/// Attaches `pm` to `customer` (which must exist), as `attach`, Customer create's
/// `payment_method`, and saving during payment do.
pub fn attach(db: &Db, exec: &Exec, pm: &mut PaymentMethod, customer: &str) -> ApiResult<()> {
    match db.get::<Customer>(customer)? {
        Some(c) if !c.deleted => {}
        _ => return Err(ApiError::no_such("customer", customer, "customer", 400)),
    }
    if let Some(owner) = &pm.customer {
        if owner == customer {
            return Ok(());
        }
        return Err(ApiError::invalid(
            "The payment method you provided has already been attached to a customer.",
        )
        .code("payment_method_already_attached")
        .param("payment_method"));
    }
    if pm.consumed {
        return Err(ApiError::invalid(CONSUMED).param("payment_method"));
    }
    // Cards the issuer declines cannot be saved (all but the "fails on charge" card).
    if let Err(d) = attempt::verify(pm) {
        let mut e = ApiError::new(402, ErrorType::CardError, d.message)
            .code(d.code)
            .param("payment_method");
        if let Some(dc) = d.decline_code {
            e = e.with("decline_code", serde_json::json!(dc));
        }
        return Err(e);
    }
    pm.customer = Some(customer.to_string());
    db.put(pm)?;
    exec.event(
        db,
        EventType::PaymentMethodAttached,
        &views::payment_method(pm),
        None,
    )?;
    Ok(())
}

/// The mandates of a payment method (at most a few: one per setup).
fn mandates_of(db: &Db, pm: &str) -> ApiResult<Vec<Mandate>> {
    let q = ListQuery {
        ref1: Some(pm.to_string()),
        limit: 100,
        ..Default::default()
    };
    let Ok(page) = db.list(Mandate::KIND, &q)? else {
        return Ok(vec![]);
    };
    let mut out = Vec::new();
    for body in &page.bodies {
        out.push(decode::<Mandate>(body)?);
    }
    Ok(out)
}

/// The active mandate that lets `pm` be charged off session, if any.
pub fn active_mandate(db: &Db, pm: &str) -> ApiResult<Option<Mandate>> {
    Ok(mandates_of(db, pm)?
        .into_iter()
        .find(|m| m.status == MandateStatus::Active))
}

/// Records the customer's standing permission for `pm` (a method that needs one) and
/// returns its id; a method already covered keeps its mandate.
pub fn save_mandate(
    db: &Db,
    exec: &Exec,
    pm: &PaymentMethod,
    acceptance: Option<&Value>,
) -> ApiResult<Option<String>> {
    if !pm.kind.needs_mandate() {
        return Ok(None);
    }
    if let Some(m) = active_mandate(db, &pm.id)? {
        return Ok(Some(m.id));
    }
    let m = Mandate {
        id: ids::new_id("mandate"),
        created: exec.now,
        payment_method: pm.id.clone(),
        method_type: pm.kind,
        customer: pm.customer.clone(),
        customer_acceptance: mandate::acceptance(acceptance, &exec.client, exec.now),
        status: MandateStatus::Active,
    };
    db.put(&m)?;
    Ok(Some(m.id))
}

/// A detached method's mandates stop: `inactive`, with `mandate.updated`.
/// Detaches an attached method from its customer. Detaching is final: the method cannot
/// be used or attached again, its mandates stop, and it is no longer the customer's
/// default (`customer.updated`, `payment_method.detached`).
pub fn detach(db: &Db, exec: &Exec, mut pm: PaymentMethod) -> ApiResult<PaymentMethod> {
    let owner = pm.customer.take();
    pm.consumed = true;
    db.put(&pm)?;
    deactivate_mandates(db, exec, &pm.id)?;
    if let Some(mut c) = match &owner {
        Some(id) => db.get::<Customer>(id)?,
        None => None,
    } {
        if c.default_payment_method.as_deref() == Some(pm.id.as_str()) {
            let before = views::customer(&c);
            c.default_payment_method = None;
            db.put(&c)?;
            exec.event(
                db,
                EventType::CustomerUpdated,
                &views::customer(&c),
                Some(&before),
            )?;
        }
    }
    exec.event(
        db,
        EventType::PaymentMethodDetached,
        &views::payment_method(&pm),
        None,
    )?;
    Ok(pm)
}

pub fn deactivate_mandates(db: &Db, exec: &Exec, pm: &str) -> ApiResult<()> {
    for mut m in mandates_of(db, pm)? {
        let before = views::mandate(&m);
        if m.deactivate() {
            db.put(&m)?;
            exec.event(
                db,
                EventType::MandateUpdated,
                &views::mandate(&m),
                Some(&before),
            )?;
        }
    }
    Ok(())
}
