//! What a developer does by hand in the Dashboard, each one API request made for them
//! (the same code, checks and events as the API; logged as the Dashboard's), then back to
//! the page with what happened.

use super::session::Session;
use super::{error_message, see_other, Dash};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::{Extension, Form};
use std::collections::HashMap;
use std::sync::Arc;

type Fields = Form<HashMap<String, String>>;

/// Back to `page` saying how the request went. The page's `idem` field makes the request
/// idempotent: the same form submitted twice acts once.
async fn act(
    d: &Dash,
    f: &HashMap<String, String>,
    page: &str,
    path: &str,
    params: &[(&str, String)],
    done: &str,
) -> Response {
    let key = field(f, "idem").map(|idem| format!("dashboard-{idem}-{path}"));
    let (status, body) = d.call_once(Method::POST, path, params, key).await;
    back(
        page,
        if status == 200 {
            Ok(done)
        } else {
            Err(error_message(&body))
        },
    )
}

fn back(page: &str, outcome: Result<&str, String>) -> Response {
    let (name, text) = match outcome {
        Ok(done) => ("notice", done.to_string()),
        Err(e) => ("error", e),
    };
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair(name, &text)
        .finish();
    see_other(&format!("{page}?{q}"))
}

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    f.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

pub async fn capture(d: State<Arc<Dash>>, id: Path<String>, f: Fields) -> Response {
    on_payment(d, id, f, "capture", "Payment captured.").await
}

pub async fn cancel(d: State<Arc<Dash>>, id: Path<String>, f: Fields) -> Response {
    on_payment(d, id, f, "cancel", "Payment canceled.").await
}

/// `POST /v1/payment_intents/:id/<verb>`, back to the payment's page.
async fn on_payment(
    State(d): State<Arc<Dash>>,
    Path(id): Path<String>,
    Form(f): Fields,
    verb: &str,
    done: &str,
) -> Response {
    let page = format!("/dashboard/payments/{id}");
    let path = format!("/v1/payment_intents/{id}/{verb}");
    act(&d, &f, &page, &path, &[], done).await
}

/// A full refund, or `amount` (in the currency's smallest unit) of it.
pub async fn refund(
    State(d): State<Arc<Dash>>,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Response {
    let page = format!("/dashboard/payments/{id}");
    let mut params = vec![("payment_intent", id.clone())];
    if let Some(amount) = field(&f, "amount") {
        params.push(("amount", amount.to_string()));
    }
    if let Some(reason) = field(&f, "reason") {
        params.push(("reason", reason.to_string()));
    }
    act(&d, &f, &page, "/v1/refunds", &params, "Refund created.").await
}

pub async fn detach(
    State(d): State<Arc<Dash>>,
    Path((id, pm)): Path<(String, String)>,
    Form(f): Fields,
) -> Response {
    let page = format!("/dashboard/customers/{id}");
    act(
        &d,
        &f,
        &page,
        &format!("/v1/payment_methods/{pm}/detach"),
        &[],
        "Payment method detached.",
    )
    .await
}

pub async fn resend(
    State(d): State<Arc<Dash>>,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Response {
    let page = format!("/dashboard/events/{id}");
    let Some(endpoint) = field(&f, "webhook_endpoint") else {
        return back(
            &page,
            Err("Choose the endpoint to send the event to.".into()),
        );
    };
    let params = [("webhook_endpoint", endpoint.to_string())];
    act(
        &d,
        &f,
        &page,
        &format!("/v1/events/{id}/retry"),
        &params,
        "Event sent again.",
    )
    .await
}

pub async fn add_endpoint(State(d): State<Arc<Dash>>, Form(f): Fields) -> Response {
    let mut params = vec![("url", field(&f, "url").unwrap_or_default().to_string())];
    let events = field(&f, "events").unwrap_or("*");
    for e in events
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        params.push(("enabled_events[]", e.to_string()));
    }
    if let Some(v) = field(&f, "api_version") {
        params.push(("api_version", v.to_string()));
    }
    if let Some(desc) = field(&f, "description") {
        params.push(("description", desc.to_string()));
    }
    let key = field(&f, "idem").map(|idem| format!("dashboard-{idem}-add-endpoint"));
    let (status, body) = d
        .call_once(Method::POST, "/v1/webhook_endpoints", &params, key)
        .await;
    match (status, body["id"].as_str()) {
        (200, Some(id)) => back(&format!("/dashboard/webhooks/{id}"), Ok("Endpoint added.")),
        _ => back("/dashboard/webhooks", Err(error_message(&body))),
    }
}

/// Disables or enables an endpoint (`status`).
pub async fn update_endpoint(
    State(d): State<Arc<Dash>>,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Response {
    let page = format!("/dashboard/webhooks/{id}");
    let status = field(&f, "status").unwrap_or("disabled").to_string();
    let done = if status == "enabled" {
        "Endpoint enabled."
    } else {
        "Endpoint disabled."
    };
    act(
        &d,
        &f,
        &page,
        &format!("/v1/webhook_endpoints/{id}"),
        &[("disabled", (status != "enabled").to_string())],
        done,
    )
    .await
}

pub async fn delete_endpoint(State(d): State<Arc<Dash>>, Path(id): Path<String>) -> Response {
    let (status, body) = d
        .call(Method::DELETE, &format!("/v1/webhook_endpoints/{id}"), &[])
        .await;
    if status == 200 {
        back("/dashboard/webhooks", Ok("Endpoint deleted."))
    } else {
        back(
            &format!("/dashboard/webhooks/{id}"),
            Err(error_message(&body)),
        )
    }
}

/// Shows the signing secret on the endpoint's page, in this answer only (never in a URL).
pub async fn reveal_secret(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    match super::pages::endpoint_secret(&d, id.clone()).await {
        Some(secret) => super::pages::webhook_page(&d, &s, id, Some(secret), &HashMap::new()).await,
        None => back(
            &format!("/dashboard/webhooks/{id}"),
            Err("No such endpoint.".into()),
        ),
    }
}
