//! `/v1/balance_transactions`: retrieve and list (made when charges are captured).

use super::error::{ApiError, ApiResult};
use super::{expand, pagination, Ctx, Reply};
use crate::domain::balance_transaction::BalanceTransaction;
use crate::versions;
use crate::views;
use axum::extract::Path;
use axum::response::Response;
use serde_json::Value;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(&["expand[]"])?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("balance_transaction", &expand_paths, false)?;
        let version = ctx.version;
        let body = ctx
            .app
            .store
            .read(move |db| -> ApiResult<Value> {
                let t = db
                    .get::<BalanceTransaction>(&id)?
                    .ok_or_else(|| ApiError::no_such("balance transaction", &id, "id", 404))?;
                let mut body = views::balance_transaction(&t);
                expand::apply(db, &mut body, &expand_paths)?;
                Ok(versions::render(body, version))
            })
            .await?;
        Ok(Reply::ok(&body))
    }
    .await;
    ctx.respond(r)
}

pub async fn list(ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        let mut shape = pagination::LIST_SHAPE.to_vec();
        shape.push("source");
        ctx.params.check(&shape)?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("balance_transaction", &expand_paths, true)?;
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
