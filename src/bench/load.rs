//! The load generator: as light as wrk. Each of N tasks owns one keep-alive HTTP/1.1
//! connection (hyper's bare connection, no pool) and sends its work back to back until
//! the deadline; the latencies of every unit of work are kept for percentiles.

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const SK: &str = "sk_test_BQokikJOvBiI2HlWgH4olfQ2";

/// What each connection repeats.
#[derive(Clone)]
pub enum Work {
    /// One request; `paths` are taken in turn (several intents to retrieve).
    Request {
        method: &'static str,
        paths: Arc<Vec<String>>,
        body: &'static str,
    },
    /// The off-session flow: create a customer; create and confirm a PaymentIntent with
    /// `pm_card_visa` for them; retrieve it. Done when it is `succeeded`.
    OffSessionFlow,
}

pub struct Figures {
    /// Units of work done (requests, or flows).
    pub done: usize,
    /// Units that failed: a non-2xx, a broken connection, a flow not ending `succeeded`.
    pub failed: usize,
    pub per_sec: f64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    auth: String,
}

impl Conn {
    pub async fn open(addr: &str) -> Result<Conn, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(Conn {
            sender,
            host: addr.to_string(),
            auth: format!("Bearer {SK}"),
        })
    }

    /// Sends one request with the secret key and no `Stripe-Version` (so at the account's
    /// default version, as wrk's requests are); the status and body.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Bytes,
    ) -> Result<(u16, Bytes), String> {
        let req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("authorization", &self.auth)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    /// A POST whose 2xx answer's `id` is returned.
    pub async fn create(&mut self, path: &str, body: String) -> Option<String> {
        let (status, body) = self.send("POST", path, Bytes::from(body)).await.ok()?;
        if !(200..300).contains(&status) {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
        v["id"].as_str().map(str::to_string)
    }
}

/// One unit of `work`; how many requests it sent and whether it succeeded.
async fn once(conn: &mut Conn, work: &Work, i: usize) -> (usize, bool) {
    match work {
        Work::Request {
            method,
            paths,
            body,
        } => {
            let path = &paths[i % paths.len()];
            let body = Bytes::from_static(body.as_bytes());
            let ok = matches!(conn.send(method, path, body).await, Ok((s, _)) if (200..300).contains(&s));
            (1, ok)
        }
        Work::OffSessionFlow => {
            let Some(customer) = conn
                .create("/v1/customers", "email=flow%40example.com".into())
                .await
            else {
                return (1, false);
            };
            let Some(pi) = conn
                .create(
                    "/v1/payment_intents",
                    format!(
                        "amount=1099&currency=usd&customer={customer}&payment_method=pm_card_visa\
                         &payment_method_types[]=card&confirm=true&off_session=true"
                    ),
                )
                .await
            else {
                return (2, false);
            };
            let path = format!("/v1/payment_intents/{pi}");
            let ok = match conn.send("GET", &path, Bytes::new()).await {
                Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body)
                    .map(|v| v["status"] == "succeeded")
                    .unwrap_or(false),
                _ => false,
            };
            (3, ok)
        }
    }
}

/// Runs `work` on `connections` connections to `addr` for `seconds`, after one warm-up
/// unit per connection.
pub async fn run(
    addr: &str,
    work: &Work,
    connections: usize,
    seconds: f64,
) -> Result<Figures, String> {
    let mut conns = Vec::with_capacity(connections);
    for i in 0..connections {
        let mut c = Conn::open(addr).await?;
        once(&mut c, work, usize::MAX / 2 + i).await;
        conns.push(c);
    }
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let (work, counter) = (work.clone(), counter.clone());
            tokio::spawn(async move {
                let (mut lat, mut requests, mut failed) = (Vec::new(), 0, 0);
                while Instant::now() < deadline {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let (sent, ok) = once(&mut conn, &work, i).await;
                    lat.push(t.elapsed().as_micros() as u32);
                    requests += sent;
                    failed += usize::from(!ok);
                }
                (lat, requests, failed)
            })
        })
        .collect();
    let (mut all, mut requests, mut failed) = (Vec::new(), 0, 0);
    for t in tasks {
        let (lat, r, f) = t.await.map_err(|e| e.to_string())?;
        all.extend(lat);
        requests += r;
        failed += f;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    Ok(Figures {
        done: all.len(),
        failed,
        per_sec: all.len() as f64 / elapsed,
        requests_per_sec: requests as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}
