//! Refunding a charge (the refunds endpoint), and, before 2025-03-31.basil, showing a
//! released authorisation as a refund (capture and cancel).

use super::Exec;
use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::charge::Charge;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::job::{Job, Work};
use crate::domain::payment_method::PaymentMethod;
use crate::domain::refund::{self, Later, Refund, RefundRefused, RefundStatus};
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
    status: RefundStatus,
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
        pending_reason: (status == RefundStatus::Pending).then(|| "processing".to_string()),
        status,
        balance_transaction: None,
        failure_reason: None,
        failure_balance_transaction: None,
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
    let card = match &charge.payment_method {
        Some(id) => db
            .get::<PaymentMethod>(id)?
            .and_then(|pm| pm.card.map(|c| c.number)),
        None => None,
    };
    let later = Later::for_card(card.as_deref());
    let mut r = new_refund(
        charge,
        amount,
        reason,
        metadata,
        exec.now,
        later.first_status(),
    );
    let txn =
        BalanceTransaction::for_refund(ids::new_id("txn"), &r.id, amount, &r.currency, exec.now);
    db.put(&txn)?;
    r.balance_transaction = Some(txn.id);
    record(db, exec, charge, &r)?;
    let work = match later {
        Later::Nothing => None,
        Later::Succeeds => Some(Work::SettleRefund {
            refund: r.id.clone(),
        }),
        Later::Fails => Some(Work::FailRefund {
            refund: r.id.clone(),
        }),
    };
    if let Some(work) = work {
        db.put(&Job::new(
            ids::new_id("job"),
            exec.now,
            exec.later_seconds,
            work,
        ))?;
    }
    Ok(r)
}

/// A pending test refund goes through (`refund.updated`, `charge.refund.updated`).
pub fn settle(db: &Db, exec: &Exec, refund_id: &str) -> ApiResult<()> {
    let Some(mut r) = db.get::<Refund>(refund_id)? else {
        return Ok(());
    };
    let before = views::refund(&r);
    if r.settle() {
        db.put(&r)?;
        updated(db, exec, &r, &before)?;
    }
    Ok(())
}

/// A succeeded test refund fails: the money comes back to the balance, the charge no
/// longer counts it (`refund.updated`, `charge.refund.updated`, `refund.failed`).
pub fn fail(db: &Db, exec: &Exec, refund_id: &str) -> ApiResult<()> {
    let Some(mut r) = db.get::<Refund>(refund_id)? else {
        return Ok(());
    };
    let before = views::refund(&r);
    let txn = BalanceTransaction::for_refund_failure(
        ids::new_id("txn"),
        &r.id,
        r.amount,
        &r.currency,
        exec.now,
    );
    if !r.fail(txn.id.clone()) {
        return Ok(());
    }
    db.put(&txn)?;
    db.put(&r)?;
    if let Some(mut charge) = match &r.charge {
        Some(id) => db.get::<Charge>(id)?,
        None => None,
    } {
        charge.refund_failed(r.amount);
        db.put(&charge)?;
    }
    updated(db, exec, &r, &before)?;
    exec.event(db, EventType::RefundFailed, &views::refund(&r), None)?;
    Ok(())
}

fn updated(db: &Db, exec: &Exec, r: &Refund, before: &Value) -> ApiResult<()> {
    let after = views::refund(r);
    exec.event(db, EventType::RefundUpdated, &after, Some(before))?;
    exec.event(db, EventType::ChargeRefundUpdated, &after, Some(before))?;
    Ok(())
}

/// Before 2025-03-31.basil a released authorisation (cancel, or the rest of a partial
/// capture) showed as a refund of the charge.
pub fn release_as_refund(db: &Db, exec: &Exec, charge: &mut Charge, amount: i64) -> ApiResult<()> {
    if amount <= 0 {
        return Ok(());
    }
    let r = new_refund(
        charge,
        amount,
        None,
        Map::new(),
        exec.now,
        RefundStatus::Succeeded,
    );
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
