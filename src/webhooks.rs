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

pub type HttpClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// The client deliveries go through: `http://` as is, `https://` with rustls, trusting the
/// system's certificate authorities and those of `--webhook-ca-file`.
pub fn client(ca_file: Option<&std::path::Path>) -> Result<HttpClient, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot read is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("--webhook-ca-file {}: {e}", path.display()))?;
        for cert in certs {
            let cert = cert.map_err(|e| format!("--webhook-ca-file {}: {e}", path.display()))?;
            roots
                .add(cert)
                .map_err(|e| format!("--webhook-ca-file {}: {e}", path.display()))?;
        }
    }
    // ring rather than aws-lc-rs (which needs cmake to build): no post-quantum key
    // exchange, which a test receiver does not need.
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

/// The bytes of an endpoint's answer read and kept (shown in the Dashboard); the rest is
/// never read and the connection is closed.
const ANSWER_KEPT: usize = 500;
/// Deliveries taken for one endpoint at a time.
const BATCH: usize = 100;
/// How often due deliveries are looked for when nothing wakes the worker (retries, and
/// deliveries owed by writes of other nodes sharing the database).
const POLL: Duration = Duration::from_millis(100);
/// How long claimed deliveries are left to the node that claimed them (a batch stops
/// taking new deliveries after one timeout, and the last one may take another, answer
/// and body included), with a margin. A node that dies mid-batch leaves them to the
/// others after this.
fn lease(timeout: Duration) -> i64 {
    2 * timeout.as_secs() as i64 + 5
}
const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
const GONE: &str = "the endpoint was deleted or disabled";

/// Runs until the process stops.
pub async fn run(app: Arc<App>) {
    let client = match client(app.webhook_ca_file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook deliveries cannot start");
            return;
        }
    };
    // Endpoints served at once: each is a task waiting on its own connection, so a
    // hanging endpoint holds up only itself; the bound is the open files it may use.
    let at_once = crate::open_files::budget(app.limits.max_connections).webhook_endpoints;
    // The endpoints this node is sending to now.
    let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = app.deliveries_owed.notified() => {}
        }
        let room = at_once.saturating_sub(busy.lock().expect("lock").len());
        if room == 0 {
            continue;
        }
        let skip: Vec<String> = busy.lock().expect("lock").iter().cloned().collect();
        // A read first: the writer is only asked when something is due.
        let now = clock::now();
        let passed_over = skip.clone();
        match app
            .store
            .read(move |db| db.due::<Delivery>(now, 1, &passed_over))
            .await
        {
            Ok(due) if due.is_empty() => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "reading due webhook deliveries");
                continue;
            }
        }
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
            let endpoint = batch[0].0.endpoint.clone();
            busy.lock().expect("lock").insert(endpoint.clone());
            let (app, client, busy) = (app.clone(), client.clone(), busy.clone());
            tokio::spawn(async move {
                let sent = send_batch(&app, &client, batch).await;
                if sent.held.is_empty() {
                    // All sent: the next batch may start while this one is recorded
                    // (its deliveries stay leased until then, so none is taken twice).
                    busy.lock().expect("lock").remove(&endpoint);
                    app.deliveries_owed.notify_one();
                    record(&app, sent).await;
                } else {
                    // Some held back: they are given back before the endpoint's next
                    // batch, so that they keep their place in its order.
                    record(&app, sent).await;
                    busy.lock().expect("lock").remove(&endpoint);
                    app.deliveries_owed.notify_one();
                }
            });
        }
    }
}

/// Takes the due deliveries of up to `room` endpoints (none of those in `busy`), up to
/// `BATCH` each, oldest first, by moving their due time past the lease: that keeps
/// other nodes sharing the database from sending them too, and if this node dies the
/// lease runs out and another picks them up. Each comes with its due time before.
fn claim(
    db: &Db,
    now: i64,
    lease: i64,
    room: usize,
    busy: &[String],
) -> Result<Vec<Vec<(Delivery, i64)>>, StoreError> {
    let mut batches: Vec<Vec<(Delivery, i64)>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for mut d in db.due::<Delivery>(now, room * BATCH, busy)? {
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
        let was_due = d.due_at;
        d.due_at = now + lease;
        db.put(&d)?;
        batches[i].push((d, was_due));
    }
    Ok(batches)
}

/// What became of a batch.
struct Sent {
    /// The attempts made, in order.
    tried: Vec<(String, Attempt)>,
    /// Those not tried, with their due time before the claim.
    held: Vec<(String, i64)>,
}

/// Sends one endpoint's deliveries in order. Each has its own retries, as on Stripe: a
/// failed one does not hold up those after it (one event a handler chokes on must not
/// stop the others). A batch that takes longer than one timeout (a slow endpoint)
/// gives back the rest, to keep its lease.
async fn send_batch(app: &Arc<App>, client: &HttpClient, batch: Vec<(Delivery, i64)>) -> Sent {
    let started = Instant::now();
    let endpoint_id = batch[0].0.endpoint.clone();
    let events: Vec<String> = batch.iter().map(|(d, _)| d.event.clone()).collect();
    // One read for the whole batch: the endpoint, each event and how many endpoints it
    // is still owed to (`pending_webhooks` as of this attempt).
    let loaded = app
        .store
        .read(move |db| -> Result<_, StoreError> {
            let endpoint = db.get::<WebhookEndpoint>(&endpoint_id)?;
            let mut found = Vec::new();
            for id in &events {
                found.push(match db.get::<Event>(id)? {
                    Some(e) => {
                        let pending = crate::flows::owed(db, &e)?;
                        Some((e, pending))
                    }
                    None => None,
                });
            }
            Ok((endpoint, found))
        })
        .await;
    let mut sent = Sent {
        tried: Vec::new(),
        held: Vec::new(),
    };
    let (endpoint, events) = match loaded {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "loading webhook deliveries");
            sent.held = batch.into_iter().map(|(d, due)| (d.id, due)).collect();
            return sent;
        }
    };
    for ((delivery, was_due), event) in batch.into_iter().zip(events) {
        if started.elapsed() > app.webhook_timeout {
            sent.held.push((delivery.id, was_due));
            continue;
        }
        let attempt = match (&endpoint, event) {
            (Some(endpoint), Some((event, pending))) if endpoint.wants(event.kind) => {
                post(
                    client,
                    endpoint,
                    &event,
                    pending.max(1),
                    app.webhook_timeout,
                )
                .await
            }
            // The endpoint was deleted or stopped wanting the event: no more tries.
            _ => Attempt {
                at: clock::now(),
                status_code: None,
                duration_ms: 0,
                error: Some(GONE.into()),
                response_excerpt: None,
            },
        };
        sent.tried.push((delivery.id, attempt));
    }
    sent
}

/// Records the attempts made, and gives back the deliveries not tried at their old due
/// time, so that they keep their place.
async fn record(app: &Arc<App>, sent: Sent) {
    let retry_base = app.webhook_retry_seconds;
    let saved = app
        .store
        .write(move |db| -> Result<(), StoreError> {
            for (id, attempt) in sent.tried {
                let Some(mut d) = db.get::<Delivery>(&id)? else {
                    continue;
                };
                let gone = attempt.error.as_deref() == Some(GONE);
                let failed = (!gone
                    && !attempt.status_code.is_some_and(|c| (200..300).contains(&c)))
                .then(|| match (attempt.status_code, &attempt.error) {
                    (Some(code), _) => format!("answered {code}"),
                    (None, Some(e)) => e.clone(),
                    (None, None) => "no answer".to_string(),
                });
                d.record(attempt, retry_base);
                if gone {
                    d.status = DeliveryStatus::Failed;
                }
                if let Some(why) = failed {
                    let next = match d.status {
                        DeliveryStatus::Failed => "none: given up".to_string(),
                        _ => format!("in {} s", d.due_at - clock::now()),
                    };
                    tracing::warn!(
                        endpoint = %d.endpoint,
                        event = %d.event,
                        attempt = d.attempts.len(),
                        failed = %why,
                        next_retry = %next,
                        "webhook delivery failed"
                    );
                }
                db.put(&d)?;
            }
            for (id, was_due) in sent.held {
                if let Some(mut d) = db.get::<Delivery>(&id)? {
                    d.due_at = was_due;
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

/// The URL without its `user:password@`, and those credentials as the Basic
/// `Authorization` Stripe sends for them.
fn split_credentials(url: &str) -> (String, Option<String>) {
    use base64::Engine;
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let pair = format!("{}:{}", decode(user), decode(password));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    (format!("{scheme}://{host}{tail}"), Some(basic))
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
    let (uri, credentials) = split_credentials(&endpoint.url);
    let mut request = hyper::Request::builder();
    if let Some(basic) = credentials {
        request = request.header("authorization", basic);
    }
    let request = request
        .method("POST")
        .uri(uri)
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
    // One deadline for the answer and its body.
    let deadline = tokio::time::Instant::now() + timeout;
    match tokio::time::timeout_at(deadline, client.request(request)).await {
        Err(_) => failed(format!("timed out after {} s", timeout.as_secs())),
        Ok(Err(e)) => failed(format!("could not connect: {e}")),
        Ok(Ok(response)) => {
            let status = response.status().as_u16();
            // The start of the answer only, within the same deadline; dropping the body
            // unread closes the connection, so a huge answer costs nothing more.
            let mut body = response.into_body();
            let mut kept = Vec::new();
            let read_start = async {
                while kept.len() < ANSWER_KEPT {
                    match body.frame().await {
                        Some(Ok(frame)) => {
                            if let Some(data) = frame.data_ref() {
                                let room = ANSWER_KEPT - kept.len();
                                kept.extend_from_slice(&data[..data.len().min(room)]);
                            }
                        }
                        _ => break,
                    }
                }
            };
            let excerpt = match tokio::time::timeout_at(deadline, read_start).await {
                Ok(()) => Some(String::from_utf8_lossy(&kept).into_owned()),
                Err(_) => None,
            };
            drop(body);
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

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_in_the_url_go_as_basic_auth() {
        let (uri, basic) = super::split_credentials("http://me:s%40cret@127.0.0.1:9/hook?x=1");
        assert_eq!(uri, "http://127.0.0.1:9/hook?x=1");
        assert_eq!(basic.as_deref(), Some("Basic bWU6c0BjcmV0"));
        assert_eq!(
            super::split_credentials("http://127.0.0.1:9/a@b"),
            ("http://127.0.0.1:9/a@b".to_string(), None)
        );
    }
}
