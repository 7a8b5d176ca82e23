//! The Dashboard's pages: each gathers what it shows through the API (or the store, for
//! what the API cannot list) and renders its template.

use super::chart;
use super::session::Session;
use super::Dash;
use crate::domain::event::Event;
use crate::domain::webhook::{Delivery, WebhookEndpoint};
use crate::request_log::Entry;
use crate::store::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type Params = Query<HashMap<String, String>>;

const PAGE: usize = 20;

/// The id the next page starts after: the last item's, when the API says there are more.
fn cursor(list: &Value) -> Option<String> {
    if list["has_more"] != Value::Bool(true) {
        return None;
    }
    list["data"].as_array()?.last()?["id"]
        .as_str()
        .map(str::to_string)
}

/// `/dashboard/<page>` with the filters of `q` (less its old cursor) and `next` added.
fn next_page(page: &str, q: &HashMap<String, String>, next: (&str, String)) -> String {
    let mut pairs: Vec<(&str, &str)> = q
        .iter()
        .filter(|(k, _)| !["page", "starting_after", "before"].contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.sort();
    pairs.push((next.0, &next.1));
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/dashboard/{page}?{query}")
}

fn param<'a>(q: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// How a payment was paid, as Stripe's Dashboard says it: "Visa •••• 4242", "Amazon Pay".
fn method_label(pm: &Value) -> Value {
    let label = match pm["type"].as_str() {
        Some("card") => {
            let card = &pm["card"];
            let brand = match card["brand"].as_str().unwrap_or("card") {
                "amex" => "American Express".to_string(),
                "visa" => "Visa".to_string(),
                "mastercard" => "Mastercard".to_string(),
                other => {
                    let mut c = other.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
            };
            format!(
                "{brand} \u{2022}\u{2022}\u{2022}\u{2022} {}",
                card["last4"].as_str().unwrap_or("")
            )
        }
        Some("amazon_pay") => "Amazon Pay".into(),
        Some("alma") => "Alma".into(),
        Some(other) => other.to_string(),
        None => return Value::Null,
    };
    Value::String(label)
}

/// A PaymentIntent as a row: its fields plus `method` and `who`.
fn payment_row(pi: &Value) -> Value {
    let mut row = pi.clone();
    // A declined payment keeps the method it tried in its error.
    let pm = match &pi["payment_method"] {
        Value::Object(_) => &pi["payment_method"],
        _ => &pi["last_payment_error"]["payment_method"],
    };
    row["method"] = method_label(pm);
    row["method_type"] = pm["type"].clone();
    let c = &pi["customer"];
    row["who"] = match c {
        Value::Object(_) => c["email"]
            .clone()
            .as_str()
            .map(Value::from)
            .or_else(|| c["name"].as_str().map(Value::from))
            .unwrap_or_else(|| c["id"].clone()),
        other => other.clone(),
    };
    row["customer_id"] = match c {
        Value::Object(_) => c["id"].clone(),
        other => other.clone(),
    };
    row["refunded"] = pi["latest_charge"]["amount_refunded"].clone();
    row["fully_refunded"] = pi["latest_charge"]["refunded"].clone();
    row
}

impl Dash {
    /// Every page of a list (`limit` 100 each) up to `cap` items, newest first.
    async fn collect(&self, path: &str, params: &[(&str, String)], cap: usize) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        while out.len() < cap {
            let mut p: Vec<(&str, String)> = params.to_vec();
            p.push(("limit", "100".into()));
            if let Some(a) = &after {
                p.push(("starting_after", a.clone()));
            }
            let Ok(page) = self.get(path, &p).await else {
                break;
            };
            let data = page["data"].as_array().cloned().unwrap_or_default();
            after = data
                .last()
                .and_then(|d| d["id"].as_str())
                .map(str::to_string);
            out.extend(data);
            if page["has_more"] != Value::Bool(true) || after.is_none() {
                break;
            }
        }
        out.truncate(cap);
        out
    }

    /// The events about any of `ids`, in the order they were recorded, each with its
    /// deliveries.
    async fn events_about(&self, ids: Vec<String>) -> Vec<Value> {
        let read = self
            .app
            .store
            .read(move |db| -> crate::error::ApiResult<Vec<Value>> {
                let q = ListQuery {
                    customer_in: Some(ids),
                    oldest_first: true,
                    limit: 200,
                    ..Default::default()
                };
                let mut events = Vec::new();
                if let Ok(page) = db.list("event", &q)? {
                    // A page is newest first, even the oldest one.
                    for body in page.bodies.iter().rev() {
                        let e = crate::store::decode::<Event>(body)?;
                        events.push(crate::flows::render_event(db, &e)?);
                    }
                }
                Ok(events)
            });
        let mut events = read.await.unwrap_or_default();
        for e in &mut events {
            let id = e["id"].as_str().unwrap_or_default().to_string();
            e["deliveries"] = self.deliveries_of(&id).await;
        }
        events
    }

    async fn deliveries_of(&self, event: &str) -> Value {
        match self
            .get(&format!("/v1/events/{event}/deliveries"), &[])
            .await
        {
            Ok(list) => list["data"].clone(),
            Err(_) => json!([]),
        }
    }

    /// The requests that named or answered with `id`, newest first.
    fn requests_about(&self, id: &str) -> Vec<Entry> {
        self.app
            .requests
            .newest(50, None, |e| e.objects.iter().any(|o| o == id))
    }
}

fn not_found(dash: &Dash, s: &Session, what: &str, message: String) -> Response {
    let mut resp = dash.page(
        "message.html",
        json!({"title": what, "message": message}),
        s,
    );
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

pub async fn home(State(d): State<Arc<Dash>>, Extension(s): Extension<Session>) -> Response {
    let now = crate::clock::now();
    let (day, week) = chart::day_and_week_start(now);
    let charges = d
        .collect(
            "/v1/charges",
            &[("created[gte]", week.min(now - 13 * 86_400).to_string())],
            5000,
        )
        .await;
    let intents = d
        .collect(
            "/v1/payment_intents",
            &[("created[gte]", (now - 13 * 86_400).to_string())],
            5000,
        )
        .await;
    let latest = d
        .get(
            "/v1/payment_intents",
            &[
                ("limit", "8".into()),
                ("expand[]", "data.payment_method".into()),
                ("expand[]", "data.customer".into()),
                ("expand[]", "data.latest_charge".into()),
            ],
        )
        .await
        .map(|l| {
            l["data"]
                .as_array()
                .map(|a| a.iter().map(payment_row).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let failed = d
        .app
        .store
        .read(|db| -> crate::error::ApiResult<Vec<Value>> {
            let q = ListQuery {
                ref1: Some("failed".into()),
                limit: 8,
                ..Default::default()
            };
            let mut out = Vec::new();
            if let Ok(page) = db.list(<Delivery as crate::store::Stored>::KIND, &q)? {
                for body in &page.bodies {
                    out.push(crate::views::webhook_delivery(&crate::store::decode::<
                        Delivery,
                    >(body)?));
                }
            }
            Ok(out)
        })
        .await
        .unwrap_or_default();
    d.page(
        "home.html",
        json!({
            "nav": "home",
            "today": chart::volumes(&charges, day),
            "week": chart::volumes(&charges, week),
            "bars": chart::bars(&intents, now, 14),
            "chart_height": chart::HEIGHT,
            "latest": latest,
            "failed": failed,
        }),
        &s,
    )
}

/// The search query the filters make, joined to what the developer typed.
fn payments_query(q: &HashMap<String, String>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(typed) = param(q, "q") {
        // Stripe's language has no parentheses: filters are ANDed on (an OR query with
        // filters is refused by the Search API, and the page says so).
        parts.push(typed.to_string());
    }
    if let Some(status) = param(q, "status") {
        parts.push(format!("status:\"{}\"", status.replace('"', "")));
    }
    for (name, op) in [("from", ">="), ("to", "<")] {
        if let Some(t) = param(q, name).and_then(date_to_unix) {
            parts.push(format!(
                "created{op}{}",
                if name == "to" { t + 86_400 } else { t }
            ));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// `2026-11-30` → the Unix time of its start (UTC).
fn date_to_unix(s: &str) -> Option<i64> {
    let mut it = s.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (it.next()??, it.next()??, it.next()??);
    crate::clock::start_of(y, m, d)
}

pub async fn payments(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let method = param(&q, "method").map(str::to_string);
    // A method filter looks through a larger page (the Search API has no method field).
    let limit = if method.is_some() { 100 } else { PAGE };
    let mut params: Vec<(&str, String)> = vec![
        ("limit", limit.to_string()),
        ("expand[]", "data.payment_method".into()),
        ("expand[]", "data.customer".into()),
        ("expand[]", "data.latest_charge".into()),
    ];
    let query = payments_query(&q);
    let (path, error) = match &query {
        Some(query) => {
            params.push(("query", query.clone()));
            if let Some(p) = param(&q, "page") {
                params.push(("page", p.to_string()));
            }
            ("/v1/payment_intents/search", None::<String>)
        }
        None => {
            if let Some(a) = param(&q, "starting_after") {
                params.push(("starting_after", a.to_string()));
            }
            ("/v1/payment_intents", None)
        }
    };
    let (rows, next, error) = match d.get(path, &params).await {
        Ok(list) => {
            let rows: Vec<Value> = list["data"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(payment_row)
                        .filter(|row| {
                            method
                                .as_deref()
                                .is_none_or(|m| row["method_type"].as_str() == Some(m))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let next = match query {
                Some(_) if list["has_more"] == Value::Bool(true) => {
                    list["next_page"].as_str().map(|p| ("page", p.to_string()))
                }
                Some(_) => None,
                None => cursor(&list).map(|id| ("starting_after", id)),
            };
            (rows, next.map(|n| next_page("payments", &q, n)), error)
        }
        Err(e) => (vec![], None, Some(e)),
    };
    d.page(
        "payments.html",
        json!({
            "nav": "payments", "rows": rows, "next": next, "error": error,
            "filters": q, "query": query,
            "statuses": ["succeeded", "requires_payment_method", "requires_confirmation", "requires_action", "processing", "requires_capture", "canceled"],
            "methods": [["card", "Card"], ["amazon_pay", "Amazon Pay"], ["alma", "Alma"]],
        }),
        &s,
    )
}

pub async fn payment(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Response {
    let expand = [
        ("expand[]", "payment_method".to_string()),
        ("expand[]", "customer".into()),
        ("expand[]", "latest_charge".into()),
    ];
    let pi = match d.get(&format!("/v1/payment_intents/{id}"), &expand).await {
        Ok(pi) => pi,
        Err(e) => return not_found(&d, &s, "Payment not found", e),
    };
    let charges = d
        .collect("/v1/charges", &[("payment_intent", id.clone())], 100)
        .await;
    let refunds = d
        .collect("/v1/refunds", &[("payment_intent", id.clone())], 100)
        .await;
    let mut about = vec![id.clone()];
    about.extend(
        charges
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_string)),
    );
    about.extend(
        refunds
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string)),
    );
    let timeline = d.events_about(about.clone()).await;
    let mut requests: Vec<Entry> = about.iter().flat_map(|o| d.requests_about(o)).collect();
    requests.sort_by_key(|r| std::cmp::Reverse(r.seq));
    requests.dedup_by(|a, b| a.seq == b.seq);
    let refundable = pi["latest_charge"]["amount_captured"].as_i64().unwrap_or(0)
        - pi["latest_charge"]["amount_refunded"].as_i64().unwrap_or(0);
    let status = pi["status"].as_str().unwrap_or_default().to_string();
    let cancelable = [
        "requires_payment_method",
        "requires_capture",
        "requires_confirmation",
        "requires_action",
    ]
    .contains(&status.as_str());
    let mandate = pi["latest_charge"]["payment_method_details"]
        .as_object()
        .and_then(|m| {
            m.values()
                .find_map(|v| v.get("mandate").filter(|m| !m.is_null()).cloned())
        });
    d.page(
        "payment.html",
        json!({
            "nav": "payments",
            "pi": pi, "row": payment_row(&pi), "charges": charges, "refunds": refunds,
            "timeline": timeline, "requests": requests, "mandate": mandate,
            "can_capture": status == "requires_capture",
            "can_cancel": cancelable,
            "refundable": refundable,
            "notice": q.get("notice"), "error": q.get("error"),
        }),
        &s,
    )
}

pub async fn customers(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let typed = param(&q, "q").map(str::to_string);
    let result = match &typed {
        // Words without the query language look up email and name.
        Some(t) if !t.contains(':') && !t.contains('~') => {
            let t = t.replace('"', "");
            d.get(
                "/v1/customers/search",
                &[
                    ("query", format!("email~\"{t}\" OR name~\"{t}\"")),
                    ("limit", PAGE.to_string()),
                ],
            )
            .await
        }
        Some(t) => {
            d.get(
                "/v1/customers/search",
                &[("query", t.clone()), ("limit", PAGE.to_string())],
            )
            .await
        }
        None => {
            let mut p = vec![("limit", PAGE.to_string())];
            if let Some(a) = param(&q, "starting_after") {
                p.push(("starting_after", a.to_string()));
            }
            d.get("/v1/customers", &p).await
        }
    };
    let (rows, next, error) = match result {
        Ok(list) => {
            // Search answers come in one page here.
            let next = cursor(&list)
                .filter(|_| typed.is_none())
                .map(|id| next_page("customers", &q, ("starting_after", id)));
            (list["data"].clone(), next, None)
        }
        Err(e) => (json!([]), None, Some(e)),
    };
    d.page(
        "customers.html",
        json!({"nav": "customers", "rows": rows, "next": next, "error": error, "q": typed}),
        &s,
    )
}

pub async fn customer(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Response {
    let c = match d.get(&format!("/v1/customers/{id}"), &[]).await {
        Ok(c) => c,
        Err(e) => return not_found(&d, &s, "Customer not found", e),
    };
    if c["deleted"] == Value::Bool(true) {
        let message = format!("{id} was deleted; its payments and events stay.");
        return d.page(
            "message.html",
            json!({"title": "Customer deleted", "message": message}),
            &s,
        );
    }
    let methods = d
        .collect(&format!("/v1/customers/{id}/payment_methods"), &[], 100)
        .await;
    let payments: Vec<Value> = d
        .get(
            "/v1/payment_intents",
            &[
                ("customer", id.clone()),
                ("limit", "20".into()),
                ("expand[]", "data.payment_method".into()),
                ("expand[]", "data.latest_charge".into()),
            ],
        )
        .await
        .map(|l| {
            l["data"]
                .as_array()
                .map(|a| a.iter().map(payment_row).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    // Each saved method's active mandate, if it has one (the API has no list of them).
    let ids: Vec<String> = methods
        .iter()
        .filter_map(|pm| pm["id"].as_str().map(str::to_string))
        .collect();
    let mandates = d
        .app
        .store
        .read(
            move |db| -> crate::error::ApiResult<HashMap<String, Value>> {
                let mut found = HashMap::new();
                for id in ids {
                    if let Some(m) = crate::flows::payment_methods::active_mandate(db, &id)? {
                        found.insert(id, crate::views::mandate(&m));
                    }
                }
                Ok(found)
            },
        )
        .await
        .unwrap_or_default();
    let methods: Vec<Value> = methods
        .into_iter()
        .map(|mut pm| {
            pm["label"] = method_label(&pm);
            let id = pm["id"].as_str().unwrap_or_default().to_string();
            pm["mandate"] = mandates.get(&id).cloned().unwrap_or(Value::Null);
            pm
        })
        .collect();
    d.page(
        "customer.html",
        json!({
            "nav": "customers", "c": c, "methods": methods, "payments": payments,
            "requests": d.requests_about(&id), "timeline": d.events_about(vec![id.clone()]).await,
            "notice": q.get("notice"), "error": q.get("error"),
        }),
        &s,
    )
}

pub async fn events(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let mut p = vec![("limit", "25".to_string())];
    let kind = param(&q, "type").map(str::to_string);
    if let Some(t) = &kind {
        p.push(("type", t.clone()));
    }
    if let Some(a) = param(&q, "starting_after") {
        p.push(("starting_after", a.to_string()));
    }
    let (rows, next, error) = match d.get("/v1/events", &p).await {
        Ok(list) => {
            let next = cursor(&list).map(|id| next_page("events", &q, ("starting_after", id)));
            (list["data"].clone(), next, None)
        }
        Err(e) => (json!([]), None, Some(e)),
    };
    d.page(
        "events.html",
        json!({"nav": "events", "rows": rows, "next": next, "error": error, "type": kind}),
        &s,
    )
}

pub async fn event(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Response {
    let e = match d.get(&format!("/v1/events/{id}"), &[]).await {
        Ok(e) => e,
        Err(err) => return not_found(&d, &s, "Event not found", err),
    };
    let endpoints = d.collect("/v1/webhook_endpoints", &[], 100).await;
    let deliveries = d.deliveries_of(&id).await;
    d.page(
        "event.html",
        json!({"nav": "events", "e": e, "deliveries": deliveries, "endpoints": endpoints,
               "requests": d.requests_about(&id),
               "notice": q.get("notice"), "error": q.get("error")}),
        &s,
    )
}

pub async fn webhooks(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let endpoints = d.collect("/v1/webhook_endpoints", &[], 100).await;
    d.page(
        "webhooks.html",
        json!({"nav": "webhooks", "endpoints": endpoints, "versions": crate::versions::VERSIONS,
               "notice": q.get("notice"), "error": q.get("error")}),
        &s,
    )
}

pub async fn webhook(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Response {
    webhook_page(&d, &s, id, None, &q).await
}

/// The endpoint's page; with its signing secret shown when the developer asked for it.
pub async fn webhook_page(
    d: &Dash,
    s: &Session,
    id: String,
    secret: Option<String>,
    q: &HashMap<String, String>,
) -> Response {
    let ep = match d.get(&format!("/v1/webhook_endpoints/{id}"), &[]).await {
        Ok(ep) => ep,
        Err(e) => return not_found(d, s, "Webhook endpoint not found", e),
    };
    let deliveries = d
        .get(
            &format!("/v1/webhook_endpoints/{id}/deliveries"),
            &[("limit", "50".into())],
        )
        .await
        .map(|l| l["data"].clone())
        .unwrap_or(json!([]));
    d.page(
        "webhook.html",
        json!({"nav": "webhooks", "ep": ep, "deliveries": deliveries,
               "requests": d.requests_about(&id),
               "secret": secret, "notice": q.get("notice"), "error": q.get("error")}),
        s,
    )
}

/// The signing secret of an endpoint (the API shows it only when the endpoint is made).
pub async fn endpoint_secret(d: &Dash, id: String) -> Option<String> {
    d.app
        .store
        .read(move |db| Ok::<_, crate::error::ApiError>(db.get::<WebhookEndpoint>(&id)?))
        .await
        .ok()
        .flatten()
        .filter(|e| !e.deleted)
        .map(|e| e.secret)
}

pub async fn logs(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let status = param(&q, "status").map(str::to_string);
    let path = param(&q, "path").map(str::to_string);
    let request_id = param(&q, "request").map(str::to_string);
    let before = param(&q, "before").and_then(|b| b.parse::<u64>().ok());
    let rows = d.app.requests.newest(PAGE * 2 + 1, before, |e| {
        let status_ok = match status.as_deref() {
            Some("2xx") => (200..300).contains(&e.status),
            Some("4xx") => (400..500).contains(&e.status),
            Some("5xx") => e.status >= 500,
            Some("errors") => e.status >= 400,
            Some(code) => code.parse::<u16>().is_ok_and(|c| c == e.status),
            None => true,
        };
        status_ok
            && path.as_deref().is_none_or(|p| e.path.contains(p))
            && request_id
                .as_deref()
                .is_none_or(|r| e.request_id.contains(r))
    });
    let more = rows.len() > PAGE * 2;
    let rows: Vec<Entry> = rows.into_iter().take(PAGE * 2).collect();
    let next = more.then(|| {
        let last = rows.last().map(|e| e.seq.to_string()).unwrap_or_default();
        next_page("logs", &q, ("before", last))
    });
    d.page(
        "logs.html",
        json!({"nav": "logs", "rows": rows, "next": next, "status": status, "path": path,
               "request": request_id}),
        &s,
    )
}

pub async fn log(
    State(d): State<Arc<Dash>>,
    Extension(s): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    match d.app.requests.find(&id) {
        Some(entry) => d.page("log.html", json!({"nav": "logs", "r": entry}), &s),
        None => not_found(
            &d,
            &s,
            "Request not found",
            format!("No request {id} is kept in the log: it is kept for a limited time."),
        ),
    }
}

pub async fn developers(State(d): State<Arc<Dash>>, Extension(s): Extension<Session>) -> Response {
    let a = &d.app.account;
    let url = d.app.public_url.clone();
    let https = url.starts_with("https://");
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.to_string()),
        None => (
            authority.to_string(),
            if https { "443" } else { "80" }.to_string(),
        ),
    };
    d.page(
        "developers.html",
        json!({
            "nav": "developers", "secret_key": a.secret_key, "publishable_key": a.publishable_key,
            "account_country": a.country, "api_version": a.api_version.as_str(), "url": url,
            "host": host, "port": port, "latest": crate::versions::LATEST,
            "protocol": if https { "https" } else { "http" },
        }),
        &s,
    )
}

/// What the pages poll to refresh when something happened: the request log's newest seq.
pub async fn poll(State(d): State<Arc<Dash>>) -> Response {
    Json(json!({"seq": d.app.requests.last_seq()})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_make_one_search_query() {
        let q: HashMap<String, String> = [
            ("status".to_string(), "succeeded".to_string()),
            ("from".to_string(), "2026-11-30".to_string()),
            ("q".to_string(), "metadata['order']:'42'".to_string()),
        ]
        .into();
        assert_eq!(
            payments_query(&q).unwrap(),
            "metadata['order']:'42' AND status:\"succeeded\" AND created>=1795996800"
        );
        assert!(payments_query(&HashMap::new()).is_none());
        assert_eq!(date_to_unix("1970-01-02"), Some(86_400));
        assert_eq!(date_to_unix("2026-13-01"), None);
    }

    #[test]
    fn method_labels() {
        let visa = json!({"type": "card", "card": {"brand": "visa", "last4": "4242"}});
        assert_eq!(
            method_label(&visa),
            "Visa \u{2022}\u{2022}\u{2022}\u{2022} 4242"
        );
        assert_eq!(method_label(&json!({"type": "amazon_pay"})), "Amazon Pay");
        assert_eq!(method_label(&Value::Null), Value::Null);
    }
}
