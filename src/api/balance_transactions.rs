//! `/v1/balance_transactions`: retrieve and list (made when charges are captured).

use super::{pagination, Ctx};
use crate::domain::balance_transaction::BalanceTransaction;
use crate::views;
use axum::extract::Path;
use axum::response::Response;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    ctx.respond(
        ctx.retrieve(
            id,
            ("balance_transaction", "balance transaction", "id"),
            views::balance_transaction,
        )
        .await,
    )
}

pub async fn list(ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        let mut shape = pagination::LIST_SHAPE.to_vec();
        shape.push("source");
        ctx.params.check(&shape)?;
        let expand_paths = ctx.expand_paths("balance_transaction", true)?;
        let mut q = pagination::query(&ctx.params)?;
        q.ref1 = ctx.params.str("source")?;
        pagination::respond(
            &ctx,
            q,
            "balance_transaction",
            "/v1/balance_transactions",
            expand_paths,
            |_, t: &BalanceTransaction| Ok(views::balance_transaction(t)),
        )
        .await
    }
    .await;
    ctx.respond(r)
}
