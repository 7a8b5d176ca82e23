//! Webhook latency: with an endpoint on loopback subscribed to
//! `payment_intent.succeeded`, create-and-confirm calls are sent at half the rate the
//! server reaches (open loop), and each call's start is set against the arrival of its
//! event at the handler.

use super::child::Child;
use super::load::{self, Work};
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

const CREATE_CONFIRM_BODY: &str =
    "amount=1099&currency=usd&payment_method_types[]=card&confirm=true&payment_method=pm_card_visa";

fn create_confirm() -> Work {
    Work::Request {
        method: "POST",
        paths: Arc::new(vec!["/v1/payment_intents".into()]),
        body: CREATE_CONFIRM_BODY,
    }
}

pub async fn latency(database_url: &str, seconds: f64) -> Result<(), String> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen = arrived.clone();
    let handler = axum::Router::new().fallback(move |body: Bytes| {
        let seen = seen.clone();
        async move {
            let at = Instant::now();
            if let Ok(e) = serde_json::from_slice::<serde_json::Value>(&body) {
                if let Some(id) = e["data"]["object"]["id"].as_str() {
                    seen.lock().expect("lock").insert(id.to_string(), at);
                }
            }
            "ok"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let hook = format!(
        "http://{}/hook",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    tokio::spawn(async move { axum::serve(listener, handler).await });

    let server = Child::serve(database_url).await?;
    let base = format!("http://{}", server.addr);
    // The rate: half of what create-and-confirm reaches on 64 connections.
    let most = load::run(&server.addr, &create_confirm(), 64, seconds.min(3.0)).await?;
    let rate = most.per_sec / 2.0;
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(256)
        .build_http();
    let endpoint = format!(
        "url={}&enabled_events[]=payment_intent.succeeded",
        form_urlencoded::byte_serialize(hook.as_bytes()).collect::<String>()
    );
    let req = hyper::Request::post(format!("{base}/v1/webhook_endpoints"))
        .header("authorization", format!("Bearer {}", load::SK))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(endpoint)))
        .map_err(|e| e.to_string())?;
    let created = client.request(req).await.map_err(|e| e.to_string())?;
    if !created.status().is_success() {
        return Err(format!("creating the endpoint: {}", created.status()));
    }

    // Open loop: a call every 1/rate seconds, whatever the answers take.
    let rate = rate.max(1.0);
    // Each call's start and how long its answer took.
    let started: Arc<Mutex<HashMap<String, (Instant, Duration)>>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut calls = Vec::new();
    while Instant::now() < deadline {
        tick.tick().await;
        let (client, base, started) = (client.clone(), base.clone(), started.clone());
        calls.push(tokio::spawn(async move {
            let t = Instant::now();
            let req = hyper::Request::post(format!("{base}/v1/payment_intents"))
                .header("authorization", format!("Bearer {}", load::SK))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Full::new(Bytes::from_static(
                    CREATE_CONFIRM_BODY.as_bytes(),
                )))
                .expect("request");
            if let Ok(resp) = client.request(req).await {
                if let Ok(body) = resp.into_body().collect().await {
                    let v: serde_json::Value =
                        serde_json::from_slice(&body.to_bytes()).unwrap_or_default();
                    if let Some(id) = v["id"].as_str() {
                        started
                            .lock()
                            .expect("lock")
                            .insert(id.to_string(), (t, t.elapsed()));
                    }
                }
            }
        }));
    }
    for c in calls {
        let _ = c.await;
    }
    let sent = started.lock().expect("lock").len();
    let wait_until = Instant::now() + Duration::from_secs(10);
    while arrived.lock().expect("lock").len() < sent && Instant::now() < wait_until {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (started, arrived) = (started.lock().expect("lock"), arrived.lock().expect("lock"));
    let mut lat: Vec<f64> = started
        .iter()
        .filter_map(|(id, (t, _))| {
            arrived
                .get(id)
                .map(|a| a.duration_since(*t).as_secs_f64() * 1000.0)
        })
        .collect();
    let mut calls: Vec<f64> = started
        .values()
        .map(|(_, d)| d.as_secs_f64() * 1000.0)
        .collect();
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "webhook latency (API call to delivery, payment_intent.succeeded) at {rate:.0} create+confirm/s \
         for {seconds} s: {} of {sent} delivered, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (the calls themselves: p50 {:.2} ms, p99 {:.2} ms)",
        lat.len(),
        pct(&mut lat, 0.50),
        pct(&mut lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN),
        pct(&mut calls, 0.50),
        pct(&mut calls, 0.99),
    );
    Ok(())
}
