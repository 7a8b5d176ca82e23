//! `/v1/charges`: retrieve and list (charges are created by confirming intents).

use super::error::{ApiError, ApiResult};
use super::{expand, pagination, Ctx, Reply};
use crate::domain::charge::Charge;
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
        expand::validate("charge", &expand_paths, false)?;
        let version = ctx.version;
        let body = ctx
            .app
            .store
            .read(move |db| -> ApiResult<Value> {
                let c = db
                    .get::<Charge>(&id)?
                    .ok_or_else(|| ApiError::no_such("charge", &id, "id", 404))?;
                let mut body = views::charge(&c);
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
        shape.extend(["customer", "payment_intent", "transfer_group"]);
        ctx.params.check(&shape)?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("charge", &expand_paths, true)?;
        let mut q = pagination::query(&ctx.params)?;
        q.customer = ctx.params.str("customer")?;
        q.ref1 = ctx.params.str("payment_intent")?;
        pagination::respond(
            &ctx,
            q,
            "charge",
            "/v1/charges",
            expand_paths,
            |_, c: &Charge| Ok(views::charge(c)),
        )
        .await
    }
    .await;
    ctx.respond(r)
}
