//! The delivery worker: sends the webhook deliveries that are due (written with their
//! events, so a crash loses none), signed as Stripe signs them, and records each attempt;
//! a failed one comes due again after the retry delay. A few at a time, each with a
//! timeout, so one slow endpoint does not hold up the others.

use crate::clock;
use crate::domain::event::Event;
use crate::domain::webhook::{self, Attempt, Delivery, DeliveryStatus, WebhookEndpoint};
use crate::state::App;
use crate::store::{Db, StoreError};
use crate::versions::ApiVersion;
use crate::views;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Deliveries sent at once, and at most to one endpoint (so a slow or dead endpoint
/// holds a few slots, never all of them).
const CONCURRENCY: usize = 32;
const PER_ENDPOINT: usize = 4;
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How often due deliveries are looked for when nothing wakes the worker (retries, and
/// deliveries owed by writes of other nodes sharing the database).
const POLL: Duration = Duration::from_millis(100);
/// How long a claimed delivery is left to the node that claimed it.
const LEASE: i64 = TIMEOUT.as_secs() as i64 + 10;
const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/// Runs until the process stops.
pub async fn run(app: Arc<App>) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    // Deliveries in flight, by endpoint.
    let busy: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = app.deliveries_owed.notified() => {}
        }
        let free = slots.available_permits();
        if free == 0 {
            continue;
        }
        // A read first: the writer is only asked when something is due.
        let now = clock::now();
        match app.store.read(move |db| db.due::<Delivery>(now, 1)).await {
            Ok(due) if due.is_empty() => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "reading due webhook deliveries");
                continue;
            }
        }
        let full: HashSet<String> = busy
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, n)| **n >= PER_ENDPOINT)
            .map(|(e, _)| e.clone())
            .collect();
        let claimed = app
            .store
            .write(move |db| claim(db, clock::now(), free, &full))
            .await;
        let claimed = match claimed {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "claiming due webhook deliveries");
                continue;
            }
        };
        for delivery in claimed {
            let permit = slots.clone().acquire_owned().await.expect("never closed");
            *busy
                .lock()
                .expect("lock")
                .entry(delivery.endpoint.clone())
                .or_default() += 1;
            let (app, client, busy) = (app.clone(), client.clone(), busy.clone());
            tokio::spawn(async move {
                let endpoint = delivery.endpoint.clone();
                deliver(&app, &client, delivery).await;
                let mut busy = busy.lock().expect("lock");
                if let Some(n) = busy.get_mut(&endpoint) {
                    *n -= 1;
                    if *n == 0 {
                        busy.remove(&endpoint);
                    }
                }
                drop(permit);
            });
        }
    }
}

/// Takes up to `room` due deliveries, soonest first and at most `PER_ENDPOINT` per
/// endpoint (none for endpoints already `full`), by moving their due time past the
/// attempt's timeout: the lease that keeps other nodes sharing the database from sending
/// them too. If this node dies, the lease runs out and another picks them up.
fn claim(
    db: &Db,
    now: i64,
    room: usize,
    full: &HashSet<String>,
) -> Result<Vec<Delivery>, StoreError> {
    let mut per_endpoint: HashMap<String, usize> = HashMap::new();
    let mut taken = Vec::new();
    let due = db.due::<Delivery>(now, room * 4)?;
    for mut d in due {
        if taken.len() == room || full.contains(&d.endpoint) {
            continue;
        }
        let n = per_endpoint.entry(d.endpoint.clone()).or_default();
        if *n >= PER_ENDPOINT {
            continue;
        }
        *n += 1;
        d.due_at = now + LEASE;
        db.put(&d)?;
        taken.push(d);
    }
    Ok(taken)
}

async fn deliver(app: &Arc<App>, client: &HttpClient, delivery: Delivery) {
    let (event_id, endpoint_id) = (delivery.event.clone(), delivery.endpoint.clone());
    let found = app
        .store
        .read(move |db| -> Result<_, StoreError> {
            let Some(event) = db.get::<Event>(&event_id)? else {
                return Ok((None, None, 0));
            };
            // `pending_webhooks` as of this attempt: the endpoints still owed the event.
            let pending = crate::flows::owed(db, &event)?;
            Ok((
                Some(event),
                db.get::<WebhookEndpoint>(&endpoint_id)?,
                pending,
            ))
        })
        .await;
    let attempt = match found {
        Ok((Some(event), Some(endpoint), pending)) if endpoint.wants(event.kind) => {
            post(client, &endpoint, &event, pending.max(1)).await
        }
        // The endpoint was deleted or stopped wanting the event: no more tries.
        Ok(_) => Attempt {
            at: clock::now(),
            status_code: None,
            duration_ms: 0,
            error: Some("the endpoint was deleted or disabled".into()),
            response_excerpt: None,
        },
        Err(e) => {
            tracing::warn!(error = %e, "loading a webhook delivery");
            return;
        }
    };
    let retry_base = app.webhook_retry_seconds;
    let id = delivery.id.clone();
    let gone = attempt.error.as_deref() == Some("the endpoint was deleted or disabled");
    let saved = app
        .store
        .write(move |db| -> Result<(), StoreError> {
            let Some(mut d) = db.get::<Delivery>(&id)? else {
                return Ok(());
            };
            d.record(attempt, retry_base);
            if gone {
                d.status = DeliveryStatus::Failed;
            }
            db.put(&d)
        })
        .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "recording a webhook attempt");
    }
}

/// One signed POST of the event, as Stripe sends it.
async fn post(
    client: &HttpClient,
    endpoint: &WebhookEndpoint,
    event: &Event,
    pending_webhooks: usize,
) -> Attempt {
    // Rendered at the endpoint's own version when it has one.
    let version = endpoint.api_version.as_deref().and_then(ApiVersion::parse);
    let event = match version {
        Some(v) => crate::flows::event_at(event, v),
        None => std::borrow::Cow::Borrowed(event),
    };
    let payload =
        serde_json::to_string_pretty(&views::event(&event, pending_webhooks)).unwrap_or_default();
    let at = clock::now();
    let started = Instant::now();
    let request = hyper::Request::builder()
        .method("POST")
        .uri(&endpoint.url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", USER_AGENT)
        .header("accept", "*/*; q=0.5, application/xml")
        .header("cache-control", "no-cache")
        .header(
            "stripe-signature",
            webhook::signature(&endpoint.secret, at, &payload),
        )
        .body(Full::new(Bytes::from(payload)));
    let failed = |error: String| Attempt {
        at,
        status_code: None,
        duration_ms: started.elapsed().as_millis() as u64,
        error: Some(error),
        response_excerpt: None,
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => return failed(format!("invalid endpoint URL: {e}")),
    };
    match tokio::time::timeout(TIMEOUT, client.request(request)).await {
        Err(_) => failed(format!("timed out after {} s", TIMEOUT.as_secs())),
        Ok(Err(e)) => failed(format!("could not connect: {e}")),
        Ok(Ok(response)) => {
            let status = response.status().as_u16();
            let body = tokio::time::timeout(TIMEOUT, response.into_body().collect()).await;
            let excerpt = match body {
                Ok(Ok(b)) => {
                    let bytes = b.to_bytes();
                    Some(String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned())
                }
                _ => None,
            };
            Attempt {
                at,
                status_code: Some(status),
                duration_ms: started.elapsed().as_millis() as u64,
                error: None,
                response_excerpt: excerpt,
            }
        }
    }
}
