//! `/v1/webhook_endpoints`: create, retrieve, update, delete, list. The endpoints that
//! events are delivered to (`webhooks.rs` sends them).

use super::form::Params;
use super::{pagination, Ctx, Reply};
use crate::domain::event::Event;
use crate::domain::ids;
use crate::domain::webhook::{
    Delivery, DeliveryStatus, EndpointStatus, WebhookEndpoint, EVENT_TYPES,
};
use crate::error::{ApiError, ApiResult};
use crate::flows::{load, Lookup};
use crate::versions::{self, ApiVersion, VersionError};
use crate::views;
use axum::extract::Path;
use serde_json::Map;

const CREATE: &[&str] = &[
    "url",
    "enabled_events[]",
    "description",
    "metadata[*]",
    "api_version",
    "connect",
    "expand[]",
];
const UPDATE: &[&str] = &[
    "url",
    "enabled_events[]",
    "description",
    "metadata[*]",
    "disabled",
    "expand[]",
];

/// An `http(s)` URL the worker can POST to.
fn url(p: &Params, required: bool, allow_link_local: bool) -> ApiResult<Option<String>> {
    let url = p.url_patch("url")?.set();
    match &url {
        None if required => return Err(ApiError::missing("url")),
        Some(u) => check_url(u, allow_link_local)?,
        None => {}
    }
    Ok(url)
}

/// A URL Pasarela can deliver to, or Stripe's `url_invalid` saying why not.
fn check_url(u: &str, allow_link_local: bool) -> ApiResult<()> {
    use crate::domain::webhook::UrlRefused;
    let invalid = |why: &str| {
        ApiError::invalid(format!("Invalid URL: {why}"))
            .code("url_invalid")
            .param("url")
    };
    let uri: axum::http::Uri = u.parse().map_err(|_| {
        invalid("must be an http or https URL with a host (http://host[:port]/path)")
    })?;
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    // The port as written, after any credentials (which are sent as Basic auth).
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let port_given = host_port.rsplit(']').next().unwrap_or("").contains(':');
    let verdict = crate::domain::webhook::check_url(
        uri.scheme_str().unwrap_or(""),
        uri.host().unwrap_or(""),
        uri.port_u16(),
        port_given,
        allow_link_local,
    );
    match verdict {
        Ok(()) => Ok(()),
        Err(UrlRefused::Malformed) => Err(invalid(
            "must be an http or https URL with a host and a port from 1 to 65535 (http://host[:port]/path)",
        )),
        Err(UrlRefused::LinkLocal) => Err(invalid(
            "link-local addresses (169.254.0.0/16, fe80::/10, cloud metadata services) are refused; start the server with --webhook-allow-link-local to allow them",
        )),
    }
}

/// `enabled_events[]`: Stripe's event types, or `*`.
fn enabled_events(p: &Params, required: bool) -> ApiResult<Option<Vec<String>>> {
    let Some(list) = p.str_list("enabled_events")? else {
        return if required {
            Err(ApiError::missing("enabled_events"))
        } else {
            Ok(None)
        };
    };
    if list.is_empty() {
        return Err(ApiError::missing("enabled_events"));
    }
    for (i, e) in list.iter().enumerate() {
        if e != "*" && !EVENT_TYPES.contains(&e.as_str()) {
            return Err(ApiError::invalid(format!(
                "Invalid enabled_events[{i}]: must be one of *, or an event type such as payment_intent.succeeded"
            ))
            .param(format!("enabled_events[{i}]")));
        }
    }
    Ok(Some(list))
}

fn load_endpoint(db: &crate::store::Db, id: &str) -> ApiResult<WebhookEndpoint> {
    load::<WebhookEndpoint>(db, id, Lookup("webhook_endpoint", "id", 404)).and_then(|e| {
        if e.deleted {
            Err(ApiError::no_such("webhook_endpoint", id, "id", 404))
        } else {
            Ok(e)
        }
    })
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    p.check(CREATE)?;
    let url = url(p, true, ctx.app.webhook_allow_link_local)?.expect("required");
    let events = enabled_events(p, true)?.expect("required");
    let api_version = match p.str("api_version")? {
        Some(v) => Some(
            ApiVersion::resolve(&v)
                .map_err(|e| {
                    match e {
                        VersionError::TooOld(_) => ApiError::invalid(format!(
                            "Invalid api_version: {v}. Pasarela serves API versions from {} on.",
                            versions::OLDEST
                        )),
                        _ => ApiError::invalid(format!(
                            "Invalid api_version: {v}. The newest version Pasarela serves is {}.",
                            versions::LATEST
                        )),
                    }
                    .param("api_version")
                })?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let mut endpoint = WebhookEndpoint {
        id: ids::new_id("we"),
        created: 0,
        url,
        enabled_events: events,
        description: p.str_patch("description", 5000)?.set(),
        metadata: Map::new(),
        api_version,
        status: EndpointStatus::Enabled,
        secret: format!("whsec_{}", ids::random_base62(32)),
        deleted: false,
    };
    p.apply_metadata(&mut endpoint.metadata)?;
    ctx.execute(move |db, exec| {
        endpoint.created = exec.now;
        db.put(&endpoint)?;
        Ok((200, views::webhook_endpoint(&endpoint, true)))
    })
    .await
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    let body = ctx
        .app
        .store
        .read(move |db| load_endpoint(db, &id).map(|e| views::webhook_endpoint(&e, false)))
        .await?;
    Ok(Reply::ok(&body))
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(UPDATE)?;
    let url = url(&p, false, ctx.app.webhook_allow_link_local)?;
    let events = enabled_events(&p, false)?;
    let description = p.str_patch("description", 5000)?;
    let disabled = p.bool("disabled")?;
    ctx.execute(move |db, _| {
        let mut e = load_endpoint(db, &id)?;
        if let Some(u) = url {
            e.url = u;
        }
        if let Some(ev) = events {
            e.enabled_events = ev;
        }
        description.apply(&mut e.description);
        if let Some(d) = disabled {
            e.status = if d {
                EndpointStatus::Disabled
            } else {
                EndpointStatus::Enabled
            };
        }
        p.apply_metadata(&mut e.metadata)?;
        db.put(&e)?;
        Ok((200, views::webhook_endpoint(&e, false)))
    })
    .await
}

pub async fn delete(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&[])?;
    ctx.execute(move |db, _| {
        let mut e = load_endpoint(db, &id)?;
        e.deleted = true;
        db.put(&e)?;
        Ok((200, views::webhook_endpoint(&e, false)))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (q, expand_paths) = ctx.list_request("webhook_endpoint", &[])?;
    pagination::respond(
        &ctx,
        q,
        "webhook_endpoint",
        "/v1/webhook_endpoints",
        expand_paths,
        |_, e: &WebhookEndpoint| Ok(views::webhook_endpoint(e, false)),
    )
    .await
}

/// `GET /v1/webhook_endpoints/:id/deliveries` and `GET /v1/events/:id/deliveries`: what was
/// sent where and what the handler answered, newest first (a Pasarela extension).
/// `endpoint`: the endpoint's own, read by the column that holds it (thousands of
/// endpoints' deliveries are not scanned for one's).
async fn deliveries(
    ctx: Ctx,
    url: String,
    endpoint: Option<String>,
    keep: pagination::Keep<Delivery>,
) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request("webhook_delivery", &[])?;
    q.customer = endpoint;
    pagination::respond_filtered(
        &ctx,
        q,
        "webhook_delivery",
        url,
        expand_paths,
        |_, d: &Delivery| Ok(views::webhook_delivery(d)),
        keep,
    )
    .await
}

pub async fn endpoint_deliveries(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    let url = format!("/v1/webhook_endpoints/{id}/deliveries");
    deliveries(ctx, url, Some(id), Box::new(|_: &Delivery| true)).await
}

pub async fn event_deliveries(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    let url = format!("/v1/events/{id}/deliveries");
    deliveries(ctx, url, None, Box::new(move |d: &Delivery| d.event == id)).await
}

/// `POST /v1/events/:id/retry` with `webhook_endpoint`: sends the event to the endpoint
/// again now (what `stripe events resend` calls), as a new delivery.
pub async fn resend(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["webhook_endpoint"])?;
    let Some(endpoint_id) = ctx.params.str("webhook_endpoint")? else {
        return Err(ApiError::missing("webhook_endpoint"));
    };
    ctx.execute(move |db, exec| {
        let event = load::<Event>(db, &id, Lookup("event", "id", 404))?;
        let endpoint =
            load_endpoint(db, &endpoint_id).map_err(|e| e.param("webhook_endpoint").status(400))?;
        let delivery = Delivery {
            id: ids::new_id("whdel"),
            created: exec.now,
            event: event.id.clone(),
            endpoint: endpoint.id,
            due_at: exec.now,
            status: DeliveryStatus::Pending,
            attempts: vec![],
        };
        db.put(&delivery)?;
        // The event counts it in `pending_webhooks` until it succeeds.
        let mut event = event;
        event
            .deliveries
            .get_or_insert_with(Vec::new)
            .push(delivery.id.clone());
        db.put(&event)?;
        exec.owe_deliveries();
        Ok((200, views::webhook_delivery(&delivery)))
    })
    .await
}
