//! Refunding a charge (the refunds endpoint), and, before 2025-03-31.basil, showing a
//! released authorisation as a refund (capture and cancel).

use super::Exec;
use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::charge::Charge;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::refund::{self, Refund, RefundRefused, RefundStatus};
use crate::error::{ApiError, ApiResult};
use crate::store::Db;
use crate::views;
use serde_json::{Map, Value};

fn new_refund(
    charge: &Charge,
    amount: i64,
    reason: Option<String>,
    metadata: Map<String, Value>,
    now: i64,
) -> Refund {
    let kind = charge.method_type();
    let id = ids::new_id(kind.refund_prefix());
    Refund {
        destination_details: refund::destination_details(kind, &ids::random_base62(23)),
        id,
        created: now,
        amount,
        currency: charge.currency.clone(),
        charge: Some(charge.id.clone()),
        payment_intent: charge.payment_intent.clone(),
        customer: charge.customer.clone(),
        payment_method: charge.payment_method.clone(),
        reason,
        metadata,
        status: RefundStatus::Succeeded,
        balance_transaction: None,
    }
}

/// Refunds `amount` (None: what is left) of a captured charge, with its balance
/// transaction and the `refund.created` and `charge.refunded` events.
pub fn refund_charge(
    db: &Db,
    exec: &Exec,
    charge: &mut Charge,
    amount: Option<i64>,
    reason: Option<String>,
    metadata: Map<String, Value>,
) -> ApiResult<Refund> {
    let amount = refund::check(charge, amount).map_err(|e| match e {
        RefundRefused::AlreadyRefunded => {
            ApiError::invalid(format!("Charge {} has already been refunded.", charge.id))
                .code("charge_already_refunded")
                .param("charge")
        }
        RefundRefused::NotCaptured => ApiError::invalid(format!(
            "Charge {} has not been captured: an uncaptured payment is released by canceling its PaymentIntent, not refunded.",
            charge.id
        ))
        .param("charge"),
        RefundRefused::TooLarge { requested, left } => {
            let c = &charge.currency;
            ApiError::invalid(format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                c.format_amount(requested).split(' ').next().unwrap_or_default(),
                c.format_amount(left).split(' ').next().unwrap_or_default()
            ))
            .code("amount_too_large")
            .param("amount")
        }
    })?;
    let mut r = new_refund(charge, amount, reason, metadata, exec.now);
    let txn =
        BalanceTransaction::for_refund(ids::new_id("txn"), &r.id, amount, &r.currency, exec.now);
    db.put(&txn)?;
    r.balance_transaction = Some(txn.id);
    record(db, exec, charge, &r)?;
    Ok(r)
}

/// Before 2025-03-31.basil a released authorisation (cancel, or the rest of a partial
/// capture) showed as a refund of the charge.
pub fn release_as_refund(db: &Db, exec: &Exec, charge: &mut Charge, amount: i64) -> ApiResult<()> {
    if amount <= 0 {
        return Ok(());
    }
    let r = new_refund(charge, amount, None, Map::new(), exec.now);
    record(db, exec, charge, &r)
}

fn record(db: &Db, exec: &Exec, charge: &mut Charge, r: &Refund) -> ApiResult<()> {
    let before = views::charge(charge);
    charge.refund(r.amount);
    db.put(charge)?;
    db.put(r)?;
    exec.event(db, EventType::RefundCreated, &views::refund(r), None)?;
    exec.event(
        db,
        EventType::ChargeRefunded,
        &views::charge(charge),
        Some(&before),
    )?;
    Ok(())
}
