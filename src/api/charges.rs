//! `/v1/charges`: retrieve and list (charges are created by confirming intents).

use super::{pagination, Ctx};
use crate::domain::charge::Charge;
use crate::views;
use axum::extract::Path;
use axum::response::Response;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    ctx.respond(
        ctx.retrieve(id, ("charge", "charge", "id"), views::charge)
            .await,
    )
}

pub async fn list(ctx: Ctx) -> Response {
    let r = async {
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
                pagination::respond_filtered(
                    &ctx,
                    q,
                    "charge",
                    "/v1/charges",
                    expand_paths,
                    view,
                    keep,
                )
                .await
            }
        }
    }
    .await;
    ctx.respond(r)
}

pub async fn search(ctx: Ctx) -> Response {
    let r = super::search::respond(
        &ctx,
        "charges",
        super::search::CHARGE_FIELDS,
        |_, c: &Charge| Ok(views::charge(c)),
    )
    .await;
    ctx.respond(r)
}
