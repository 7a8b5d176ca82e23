//! The delivery worker: sends the webhook deliveries that are due (written with their
//! events, so a crash loses none), signed as Stripe signs them, and records each attempt;
//! a failed one comes due again after the retry delay. A few at a time, each with a
//! timeout, so one slow endpoint does not hold up the others.

use crate::clock;
use crate::domain::event::Event;
use crate::domain::webhook::{self, Attempt, Delivery, DeliveryStatus, WebhookEndpoint};
use crate::state::App;
use crate::store::{decode, Db, ListQuery, StoreError, Stored};
use crate::views;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

/// Deliveries sent at once.
const CONCURRENCY: usize = 8;
/// How long an endpoint has to answer.
const TIMEOUT: Duration = Duration::from_secs(30);
/// How often due deliveries are looked for.
const POLL: Duration = Duration::from_millis(100);
/// How long a claimed delivery is left to the node that claimed it.
const LEASE: i64 = TIMEOUT.as_secs() as i64 + 10;
const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/// Runs until the process stops.
pub async fn run(app: Arc<App>) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    loop {
        tokio::time::sleep(POLL).await;
        let due = match app.store.read(|db| due_deliveries(db, clock::now())).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "reading due webhook deliveries");
                continue;
            }
        };
        for delivery in due {
            if !in_flight.lock().expect("lock").insert(delivery.id.clone()) {
                continue;
            }
            let (app, client, in_flight) = (app.clone(), client.clone(), in_flight.clone());
            let permit = slots.clone().acquire_owned().await.expect("never closed");
            tokio::spawn(async move {
                let id = delivery.id.clone();
                deliver(&app, &client, delivery).await;
                in_flight.lock().expect("lock").remove(&id);
                drop(permit);
            });
        }
    }
}

/// Pending deliveries whose time has come, oldest first.
fn due_deliveries(db: &Db, now: i64) -> Result<Vec<Delivery>, StoreError> {
    let q = ListQuery {
        ref1: Some(DeliveryStatus::Pending.as_str().to_string()),
        limit: 100,
        ..Default::default()
    };
    let Ok(page) = db.list(Delivery::KIND, &q)? else {
        return Ok(vec![]);
    };
    let mut due = Vec::new();
    for body in page.bodies.iter().rev() {
        let d = decode::<Delivery>(body)?;
        if d.due_at <= now {
            due.push(d);
        }
    }
    Ok(due)
}

async fn deliver(app: &Arc<App>, client: &HttpClient, delivery: Delivery) {
    // Claim it first: the row's lease (its due time moved past the attempt's timeout) keeps
    // other nodes sharing the database from sending it too; if this node dies, the lease
    // runs out and another picks it up.
    let claim_id = delivery.id.clone();
    let claimed = app
        .store
        .write(move |db| -> Result<bool, StoreError> {
            let now = clock::now();
            match db.get::<Delivery>(&claim_id)? {
                Some(mut d) if d.status == DeliveryStatus::Pending && d.due_at <= now => {
                    d.due_at = now + LEASE;
                    db.put(&d)?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
        .await;
    if !matches!(claimed, Ok(true)) {
        return;
    }
    let (event_id, endpoint_id) = (delivery.event.clone(), delivery.endpoint.clone());
    let found = app
        .store
        .read(move |db| -> Result<_, StoreError> {
            // `pending_webhooks` as of this attempt: the endpoints still owed the event.
            let pending = crate::flows::undelivered(db)?.get(&event_id).copied();
            Ok((
                db.get::<Event>(&event_id)?,
                db.get::<WebhookEndpoint>(&endpoint_id)?,
                pending,
            ))
        })
        .await;
    let attempt = match found {
        Ok((Some(event), Some(endpoint), pending)) if endpoint.wants(event.kind) => {
            post(client, &endpoint, &event, pending.unwrap_or(1)).await
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
    let payload =
        serde_json::to_string_pretty(&views::event(event, pending_webhooks)).unwrap_or_default();
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
