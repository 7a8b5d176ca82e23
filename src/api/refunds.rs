//! `/v1/refunds`: create (by charge or payment intent), retrieve, update, list, cancel.

use super::{pagination, Ctx, Reply};
use crate::domain::charge::Charge;
use crate::domain::event::EventType;
use crate::domain::payment_intent::{PaymentIntent, Status};
use crate::domain::refund::Refund;
use crate::error::{ApiError, ApiResult};
use crate::flows::Exec;
use crate::flows::{load, Lookup};
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use serde_json::{Map, Value};

fn render(db: &Db, r: &Refund, exec: &Exec, expand_paths: &[String]) -> ApiResult<Value> {
    let mut body = views::refund(r);
    super::expand::apply(db, &mut body, expand_paths)?;
    Ok(crate::flows::embeds::render_at(db, body, exec.version)?)
}

const CHARGE_OR_INTENT: &str =
    "One of the following params should be provided for this request: payment_intent or charge.";

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

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(CREATE_SHAPE)?;
    let expand_paths = ctx.expand_paths("refund", false)?;
    let charge_id = p.str("charge")?;
    let pi_id = p.str("payment_intent")?;
    if charge_id.is_none() && pi_id.is_none() {
        return Err(ApiError::invalid(CHARGE_OR_INTENT)
            .code("parameter_missing")
            .param("charge"));
    }
    let amount = p.int_at_least("amount", 1)?;
    let reason = p.enum_(
        "reason",
        &["duplicate", "fraudulent", "requested_by_customer"],
    )?;
    let mut metadata = Map::new();
    p.apply_metadata(&mut metadata)?;
    ctx.execute(move |db, exec| {
        let charge_id = match (&charge_id, &pi_id) {
            (Some(c), _) => c.clone(),
            (None, Some(pi_id)) => {
                let pi = load::<PaymentIntent>(db, pi_id, Lookup("payment_intent", "payment_intent", 400))?;
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
        let mut charge = load::<Charge>(db, &charge_id, Lookup("charge", "charge", 400))?;
        if let Some(pi_id) = &pi_id {
            if charge.payment_intent.as_deref() != Some(pi_id.as_str()) {
                return Err(ApiError::invalid(format!(
                    "Charge {charge_id} does not belong to PaymentIntent {pi_id}."
                ))
                .param("payment_intent"));
            }
        }
        let r = crate::flows::refunds::refund_charge(db, exec, &mut charge, amount, reason, metadata)?;
        Ok((200, render(db, &r, exec, &expand_paths)?))
    })
    .await
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(id, ("refund", "refund", "id"), views::refund)
        .await
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&["metadata[*]", "expand[]"])?;
    let expand_paths = ctx.expand_paths("refund", false)?;
    ctx.execute(move |db, exec| {
        let mut r = load::<Refund>(db, &id, Lookup("refund", "id", 404))?;
        let before = views::refund(&r);
        p.apply_metadata(&mut r.metadata)?;
        db.put(&r)?;
        let after = views::refund(&r);
        if after != before {
            exec.event(db, EventType::RefundUpdated, &after, Some(&before))?;
        }
        Ok((200, render(db, &r, exec, &expand_paths)?))
    })
    .await
}

/// Only refunds waiting for customer action can be canceled; test refunds never wait.
pub async fn cancel(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    ctx.execute(move |db, _exec| {
        let r = load::<Refund>(db, &id, Lookup("refund", "id", 404))?;
        Err(ApiError::invalid(format!(
            "Refund {} cannot be canceled because it has a status of {}. Only a refund with a status of requires_action can be canceled.",
            r.id, r.status.as_str()
        )))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
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
