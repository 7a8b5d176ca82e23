//! `/v1/balance_transactions`: retrieve and list (made when charges are captured).

use super::{pagination, Ctx, Reply};
use crate::domain::balance_transaction::BalanceTransaction;
use crate::error::ApiResult;
use crate::views;
use axum::extract::Path;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(
        id,
        ("balance_transaction", "balance transaction", "id"),
        views::balance_transaction,
    )
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request("balance_transaction", &["source"])?;
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
