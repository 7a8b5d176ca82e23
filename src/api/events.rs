//! `/v1/events`: retrieve and list. Events keep the rendering of when they happened.

use super::{pagination, Ctx, Reply};
use crate::domain::event::Event;
use crate::error::{ApiError, ApiResult};
use crate::flows::{load, render_event, undelivered, Lookup};
use axum::extract::Path;

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    ctx.expand_paths("event", false)?;
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<_> {
            let e = load::<Event>(db, &id, Lookup("event", "id", 404))?;
            Ok(render_event(db, &e)?)
        })
        .await?;
    Ok(Reply::ok(&body))
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
    // `delivery_success`: whether every endpoint got the event (a 2xx); `false` lists the
    // events still pending or given up for some endpoint.
    if let Some(delivered) = ctx.params.bool("delivery_success")? {
        let owed = ctx.app.store.read(undelivered).await?;
        let keep: pagination::Keep<Event> =
            Box::new(move |e: &Event| owed.contains_key(&e.id) != delivered);
        return pagination::respond_filtered(
            &ctx,
            q,
            "event",
            "/v1/events",
            expand_paths,
            render_event,
            keep,
        )
        .await;
    }
    pagination::respond(&ctx, q, "event", "/v1/events", expand_paths, render_event).await
}
