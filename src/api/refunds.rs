//! `/v1/refunds`: create (by charge or payment intent), retrieve, update, list, cancel.

use super::error::{ApiError, ApiResult};
use super::{pagination, Ctx, Exec};
use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::charge::Charge;
use crate::domain::ids;
use crate::domain::payment_intent::{PaymentIntent, Status};
use crate::domain::refund::{self, Refund, RefundRefused};
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value};

fn pm_type(charge: &Charge) -> String {
    charge
        .payment_method_details
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("card")
        .to_string()
}

fn new_refund(
    charge: &Charge,
    amount: i64,
    reason: Option<String>,
    metadata: Map<String, Value>,
    now: i64,
) -> Refund {
    let kind = pm_type(charge);
    let id = ids::new_id(if kind == "card" { "re" } else { "pyr" });
    Refund {
        destination_details: refund::destination_details(&kind, &ids::random_base62(23)),
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
        status: "succeeded".into(),
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
            ApiError::invalid(format!("Charge {} has already been refunded.", charge.id)).code("charge_already_refunded").param("charge")
        }
        RefundRefused::NotCaptured => ApiError::invalid(format!(
            "Charge {} has not been captured: an uncaptured payment is released by canceling its PaymentIntent, not refunded.",
            charge.id
        ))
        .param("charge"),
        RefundRefused::TooLarge { requested, left } => {
            let c = crate::domain::money::Currency::parse(&charge.currency).expect("stored currency");
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
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    let before = views::charge(charge);
    db.put(charge)?;
    db.put(&r)?;
    exec.event(db, "refund.created", &views::refund(&r), None)?;
    exec.event(db, "charge.refunded", &views::charge(charge), Some(&before))?;
    Ok(())
}

fn record(db: &Db, exec: &Exec, charge: &mut Charge, r: &Refund) -> ApiResult<()> {
    let before = views::charge(charge);
    charge.refund(r.amount);
    db.put(charge)?;
    db.put(r)?;
    exec.event(db, "refund.created", &views::refund(r), None)?;
    exec.event(db, "charge.refunded", &views::charge(charge), Some(&before))?;
    Ok(())
}

fn render(db: &Db, r: &Refund, exec: &Exec, expand_paths: &[String]) -> ApiResult<Value> {
    let mut body = views::refund(r);
    super::expand::apply(db, &mut body, expand_paths)?;
    Ok(crate::versions::render(body, exec.version))
}

const CREATE_SHAPE: &[&str] = &[
    "charge",
    "payment_intent",
    "amount",
    "reason",
    "metadata[*]",
    "expand[]",
    "instructions_email",
    "origin",
    "refund_application_fee",
    "reverse_transfer",
    "customer",
];

pub async fn create(ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        let p = ctx.params.clone();
        p.check(CREATE_SHAPE)?;
        let expand_paths = ctx.expand_paths("refund", false)?;
        let charge_id = p.str("charge")?;
        let pi_id = p.str("payment_intent")?;
        if charge_id.is_none() && pi_id.is_none() {
            return Err(ApiError::invalid("One of the following params should be provided for this request: payment_intent or charge.").code("parameter_missing").param("charge"));
        }
        let amount = p.int_at_least("amount", 1)?;
        let reason = p.enum_("reason", &["duplicate", "fraudulent", "requested_by_customer"])?;
        let mut metadata = Map::new();
        p.apply_metadata(&mut metadata)?;
        ctx.execute(move |db, exec| {
            let charge_id = match (&charge_id, &pi_id) {
                (Some(c), _) => c.clone(),
                (None, Some(pi_id)) => {
                    let pi = db.get::<PaymentIntent>(pi_id)?.ok_or_else(|| ApiError::no_such("payment_intent", pi_id, "payment_intent", 400))?;
                    if pi.status == Status::RequiresCapture {
                        return Err(ApiError::invalid(format!(
                            "PaymentIntent {} is in requires_capture: cancel it to release the authorization instead of refunding.",
                            pi.id
                        ))
                        .param("payment_intent"));
                    }
                    match (&pi.latest_charge, pi.status) {
                        (Some(c), Status::Succeeded) => c.clone(),
                        _ => {
                            return Err(ApiError::invalid(format!(
                                "This PaymentIntent ({}) does not have a successful charge to refund.",
                                pi.id
                            ))
                            .param("payment_intent"))
                        }
                    }
                }
                (None, None) => unreachable!("checked above"),
            };
            let mut charge = db.get::<Charge>(&charge_id)?.ok_or_else(|| ApiError::no_such("charge", &charge_id, "charge", 400))?;
            if let Some(pi_id) = &pi_id {
                if charge.payment_intent.as_deref() != Some(pi_id.as_str()) {
                    return Err(ApiError::invalid(format!("Charge {charge_id} does not belong to PaymentIntent {pi_id}.")).param("payment_intent"));
                }
            }
            let r = refund_charge(db, exec, &mut charge, amount, reason, metadata)?;
            Ok((200, render(db, &r, exec, &expand_paths)?))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    ctx.respond(
        ctx.retrieve(id, ("refund", "refund", "id"), views::refund)
            .await,
    )
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        let p = ctx.params.clone();
        p.check(&["metadata[*]", "expand[]"])?;
        let expand_paths = ctx.expand_paths("refund", false)?;
        ctx.execute(move |db, exec| {
            let mut r = db
                .get::<Refund>(&id)?
                .ok_or_else(|| ApiError::no_such("refund", &id, "id", 404))?;
            let before = views::refund(&r);
            p.apply_metadata(&mut r.metadata)?;
            db.put(&r)?;
            let after = views::refund(&r);
            if after != before {
                exec.event(db, "refund.updated", &after, Some(&before))?;
            }
            Ok((200, render(db, &r, exec, &expand_paths)?))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

/// Only refunds waiting for customer action can be canceled; test refunds never wait.
pub async fn cancel(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(&["expand[]"])?;
        ctx.execute(move |db, _exec| {
            let r = db.get::<Refund>(&id)?.ok_or_else(|| ApiError::no_such("refund", &id, "id", 404))?;
            Err(ApiError::invalid(format!(
                "Refund {} cannot be canceled because it has a status of {}. Only a refund with a status of requires_action can be canceled.",
                r.id, r.status
            )))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

pub async fn list(ctx: Ctx) -> Response {
    let r = async {
        let (mut q, expand_paths) = ctx.list_request("refund", &["charge", "payment_intent"])?;
        q.ref1 = ctx.params.str("charge")?;
        if let Some(pi_id) = ctx.params.str("payment_intent")? {
            // Refunds of an intent are the refunds of its charge.
            let pi = ctx
                .app
                .store
                .read(move |db| db.get::<PaymentIntent>(&pi_id).map_err(ApiError::from))
                .await?;
            q.ref1 = Some(
                pi.and_then(|p| p.latest_charge)
                    .unwrap_or_else(|| "none".into()),
            );
        }
        pagination::respond(
            &ctx,
            q,
            "refund",
            "/v1/refunds",
            expand_paths,
            |_, r: &Refund| Ok(views::refund(r)),
        )
        .await
    }
    .await;
    ctx.respond(r)
}
