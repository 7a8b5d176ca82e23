//! The delivery worker: sends the webhook deliveries that are due (written with their
//! events, so a crash loses none), signed as Stripe signs them, and records each attempt;
//! a failed one comes due again after the retry delay. Each endpoint gets its events one
//! at a time, in the order they happened, while other endpoints are served beside it: a
//! slow or dead endpoint holds up only itself.

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

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Endpoints served at once.
const ENDPOINTS_AT_ONCE: usize = 32;
/// Deliveries taken for one endpoint at a time.
const BATCH: usize = 20;
/// How often due deliveries are looked for when nothing wakes the worker (retries, and
/// deliveries owed by writes of other nodes sharing the database).
const POLL: Duration = Duration::from_millis(100);
/// How long claimed deliveries are left to the node that claimed them (a batch stops
/// taking new deliveries after one timeout, and the last one may take another), with a
/// margin. A node that dies mid-batch leaves them to the others after this.
fn lease(timeout: Duration) -> i64 {
    2 * timeout.as_secs() as i64 + 5
}
const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
const GONE: &str = "the endpoint was deleted or disabled";

/// Runs until the process stops.
pub async fn run(app: Arc<App>) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    // The endpoints this node is sending to now.
    let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = app.deliveries_owed.notified() => {}
        }
        let room = ENDPOINTS_AT_ONCE.saturating_sub(busy.lock().expect("lock").len());
        if room == 0 {
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
        let skip = busy.lock().expect("lock").clone();
        let lease = lease(app.webhook_timeout);
        let claimed = app
            .store
            .write(move |db| claim(db, clock::now(), lease, room, &skip))
            .await;
        let batches = match claimed {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "claiming due webhook deliveries");
                continue;
            }
        };
        for batch in batches {
            let endpoint = batch[0].endpoint.clone();
            busy.lock().expect("lock").insert(endpoint.clone());
            let (app, client, busy) = (app.clone(), client.clone(), busy.clone());
            tokio::spawn(async move {
                send_batch(&app, &client, batch).await;
                busy.lock().expect("lock").remove(&endpoint);
                // More may have come due for this endpoint meanwhile.
                app.deliveries_owed.notify_one();
            });
        }
    }
}

/// Takes the due deliveries of up to `room` endpoints (none of those in `busy`), up to
/// `BATCH` each, oldest first, by moving their due time past the lease: that keeps
/// other nodes sharing the database from sending them too, and if this node dies the
/// lease runs out and another picks them up.
fn claim(
    db: &Db,
    now: i64,
    lease: i64,
    room: usize,
    busy: &HashSet<String>,
) -> Result<Vec<Vec<Delivery>>, StoreError> {
    let mut batches: Vec<Vec<Delivery>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for mut d in db.due::<Delivery>(now, room * BATCH)? {
        if busy.contains(&d.endpoint) {
            continue;
        }
        let i = match index.get(&d.endpoint) {
            Some(&i) => i,
            None if batches.len() < room => {
                index.insert(d.endpoint.clone(), batches.len());
                batches.push(Vec::new());
                batches.len() - 1
            }
            None => continue,
        };
        if batches[i].len() == BATCH {
            continue;
        }
        d.due_at = now + lease;
        db.put(&d)?;
        batches[i].push(d);
    }
    Ok(batches)
}

/// Sends one endpoint's deliveries in order. A failure ends the batch: the rest are
/// given back (due now) to be tried in their turn, after the failed one is recorded.
async fn send_batch(app: &Arc<App>, client: &HttpClient, batch: Vec<Delivery>) {
    let started = Instant::now();
    let mut results: Vec<(String, Attempt)> = Vec::new();
    let mut unsent: Vec<String> = Vec::new();
    let mut stop = false;
    for delivery in batch {
        if stop || started.elapsed() > app.webhook_timeout {
            unsent.push(delivery.id);
            continue;
        }
        let Some(attempt) = attempt(app, client, &delivery).await else {
            unsent.push(delivery.id);
            continue;
        };
        stop = !attempt.status_code.is_some_and(|c| (200..300).contains(&c));
        results.push((delivery.id, attempt));
    }
    let retry_base = app.webhook_retry_seconds;
    let saved = app
        .store
        .write(move |db| -> Result<(), StoreError> {
            for (id, attempt) in results {
                let Some(mut d) = db.get::<Delivery>(&id)? else {
                    continue;
                };
                let gone = attempt.error.as_deref() == Some(GONE);
                d.record(attempt, retry_base);
                if gone {
                    d.status = DeliveryStatus::Failed;
                }
                db.put(&d)?;
            }
            let now = clock::now();
            for id in unsent {
                if let Some(mut d) = db.get::<Delivery>(&id)? {
                    d.due_at = now;
                    db.put(&d)?;
                }
            }
            Ok(())
        })
        .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "recording webhook attempts");
    }
}

/// One try of a delivery; None when it could not be loaded (tried again later).
async fn attempt(app: &Arc<App>, client: &HttpClient, delivery: &Delivery) -> Option<Attempt> {
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
    match found {
        Ok((Some(event), Some(endpoint), pending)) if endpoint.wants(event.kind) => Some(
            post(
                client,
                &endpoint,
                &event,
                pending.max(1),
                app.webhook_timeout,
            )
            .await,
        ),
        // The endpoint was deleted or stopped wanting the event: no more tries.
        Ok(_) => Some(Attempt {
            at: clock::now(),
            status_code: None,
            duration_ms: 0,
            error: Some(GONE.into()),
            response_excerpt: None,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "loading a webhook delivery");
            None
        }
    }
}

/// One signed POST of the event, as Stripe sends it.
async fn post(
    client: &HttpClient,
    endpoint: &WebhookEndpoint,
    event: &Event,
    pending_webhooks: usize,
    timeout: Duration,
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
    match tokio::time::timeout(timeout, client.request(request)).await {
        Err(_) => failed(format!("timed out after {} s", timeout.as_secs())),
        Ok(Err(e)) => failed(format!("could not connect: {e}")),
        Ok(Ok(response)) => {
            let status = response.status().as_u16();
            let body = tokio::time::timeout(timeout, response.into_body().collect()).await;
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
