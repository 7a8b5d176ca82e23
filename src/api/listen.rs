//! `pasarela listen`'s side of the server (a Pasarela extension, as the Stripe CLI has
//! its own): the signing secret a listener signs with, and a long-polled feed of the
//! events recorded after a cursor, oldest first.

use super::{Ctx, Reply};
use crate::domain::event::Event;
use crate::domain::webhook;
use crate::error::{ApiError, ApiResult};
use crate::flows::{event_at, render_event};
use crate::store::{decode, ListQuery, Stored};
use crate::versions::{self, ApiVersion};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The longest a feed request waits for an event.
const MAX_WAIT: i64 = 25;
/// How often a waiting feed request looks again.
const CHECK: Duration = Duration::from_millis(50);

/// `GET /v1/listen/session`: the secret (the same on every run for this account), the
/// versions events come at, and the cursor to start after (the newest event now).
pub async fn session(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&[])?;
    let newest = ctx
        .app
        .store
        .read(|db| {
            let q = ListQuery {
                limit: 1,
                ..Default::default()
            };
            Ok::<_, ApiError>(match db.list(Event::KIND, &q)? {
                Ok(page) => match page.bodies.first() {
                    Some(b) => Some(decode::<Event>(b)?.id),
                    None => None,
                },
                Err(_) => None,
            })
        })
        .await?;
    Ok(Reply::ok(&json!({
        "object": "listen_session",
        "secret": webhook::listen_secret(&ctx.app.account.secret_key),
        "api_version": ctx.app.account.api_version.as_str(),
        "latest_api_version": versions::LATEST,
        "cursor": newest,
    })))
}

/// `GET /v1/listen/events?after=evt_...&types[]=...&latest=true&wait=20`: the events
/// recorded after `after` (oldest first, at most 100), waiting up to `wait` seconds for
/// one; at the account's default version, or the newest with `latest`.
pub async fn events(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["after", "types[]", "latest", "wait"])?;
    let after = ctx.params.str("after")?.filter(|a| !a.is_empty());
    let types = ctx.params.str_list("types")?;
    let latest = ctx.params.bool("latest")?.unwrap_or(false);
    // Answered before the request timeout would cut it off.
    let cap = (ctx.app.limits.request_timeout as i64 - 2).clamp(0, MAX_WAIT);
    let wait = ctx.params.int_at_least("wait", 0)?.unwrap_or(0).min(cap);
    let version = latest.then(|| ApiVersion::parse(versions::LATEST).expect("known"));
    let deadline = Instant::now() + Duration::from_secs(wait as u64);
    loop {
        let q = ListQuery {
            ref1_in: types.clone(),
            // After the cursor; without one, from the first event on.
            oldest_first: after.is_none(),
            ending_before: after.clone(),
            limit: 100,
            ..Default::default()
        };
        let page = ctx
            .app
            .store
            .read(move |db| -> ApiResult<_> {
                let page = match db.list(Event::KIND, &q)? {
                    Ok(page) => page,
                    Err(cursor) => {
                        return Err(ApiError::no_such("event", &cursor, "after", 400));
                    }
                };
                let mut out = Vec::new();
                // The page is newest first; a listener wants them in the order they happened.
                for body in page.bodies.iter().rev() {
                    let e = decode::<Event>(body)?;
                    out.push(match version {
                        Some(v) => render_event(db, &event_at(&e, v))?,
                        None => render_event(db, &e)?,
                    });
                }
                Ok((out, page.has_more))
            })
            .await?;
        let (data, has_more): (Vec<Value>, bool) = page;
        if !data.is_empty() || Instant::now() >= deadline {
            return Ok(Reply::ok(&json!({
                "object": "list",
                "data": data,
                "has_more": has_more,
                "url": "/v1/listen/events",
            })));
        }
        tokio::time::sleep(CHECK).await;
    }
}
