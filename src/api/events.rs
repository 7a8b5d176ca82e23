//! `/v1/events`: retrieve and list. Events keep the rendering of when they happened.

use super::{pagination, Ctx, Reply};
use crate::domain::event::Event;
use crate::error::{ApiError, ApiResult};
use crate::views;
use axum::extract::Path;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(id, ("event", "event", "id"), views::event)
        .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) =
        ctx.list_request("event", &["type", "types[]", "delivery_success"])?;
    let kind = ctx.params.str("type")?;
    let kinds = ctx.params.str_list("types")?;
    if kind.is_some() && kinds.is_some() {
        return Err(ApiError::invalid(
            "You may only specify one of these parameters: type, types.",
        )
        .param("types"));
    }
    if let Some(k) = kind {
        if k.contains('*') {
            q.ref1_like = Some(k.replace('%', "\\%").replace('*', "%"));
        } else {
            q.ref1 = Some(k);
        }
    }
    if let Some(list) = kinds {
        if list.len() > 20 {
            return Err(ApiError::invalid("You may pass at most 20 types.").param("types"));
        }
        q.ref1_in = Some(list);
    }
    // Every event is delivered (no endpoints yet): `delivery_success=false` lists none.
    let only_failed = ctx.params.bool("delivery_success")? == Some(false);
    if only_failed {
        return Ok(Reply::ok(&views::list("/v1/events", vec![], false)));
    }
    pagination::respond(
        &ctx,
        q,
        "event",
        "/v1/events",
        expand_paths,
        |_, e: &Event| Ok(views::event(e)),
    )
    .await
}
