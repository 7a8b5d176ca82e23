//! Saving a PaymentMethod to a Customer: the attach endpoint, Customer create's
//! `payment_method`, and saving during payment all go through `attach`.

use super::Exec;
use crate::domain::customer::Customer;
use crate::domain::event::EventType;
use crate::domain::payment_method::{self, PaymentMethod};
use crate::domain::test_cards;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::store::Db;
use crate::views;

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
    if let Some(card) = pm
        .card
        .as_ref()
        .and_then(|c| test_cards::by_number(&c.number))
    {
        if let test_cards::Charge::Decline(d) = card.charge {
            if card.number != "4000000000000341" {
                let mut e = ApiError::new(402, ErrorType::CardError, d.message)
                    .code(d.code)
                    .param("payment_method");
                if let Some(dc) = d.decline_code {
                    e = e.with("decline_code", serde_json::json!(dc));
                }
                return Err(e);
            }
        }
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
