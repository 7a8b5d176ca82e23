//! `/v1/charges`: retrieve and list (charges are created by confirming intents).

use super::{pagination, Ctx, Reply};
use crate::domain::charge::Charge;
use crate::error::ApiResult;
use crate::views;
use axum::extract::Path;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(id, ("charge", "charge", "id"), views::charge)
        .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) =
        ctx.list_request("charge", &["customer", "payment_intent", "transfer_group"])?;
    q.customer = ctx.params.str("customer")?;
    q.ref1 = ctx.params.str("payment_intent")?;
    let view = |_: &crate::store::Db, c: &Charge| Ok(views::charge(c));
    match ctx.params.str("transfer_group")? {
        None => pagination::respond(&ctx, q, "charge", "/v1/charges", expand_paths, view).await,
        Some(group) => {
            let keep: pagination::Keep<Charge> =
                Box::new(move |c| c.transfer_group.as_deref() == Some(group.as_str()));
            pagination::respond_filtered(&ctx, q, "charge", "/v1/charges", expand_paths, view, keep)
                .await
        }
    }
}

pub async fn search(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "charges",
        super::search::CHARGE_FIELDS,
        |_, c: &Charge| Ok(views::charge(c)),
    )
    .await
}
