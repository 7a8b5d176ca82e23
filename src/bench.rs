//! `pasarela bench`: starts a server on a fresh SQLite database plus a bare HTTP
//! baseline in the same process, drives both over loopback with N keep-alive
//! connections, and prints throughput and p50/p99 latency per scenario.

use crate::app;
use crate::config::ServeArgs;
use axum::body::Bytes;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Seconds to run each scenario at each concurrency.
    #[arg(long, default_value_t = 4)]
    pub seconds: u64,
    /// Concurrent connections (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    pub concurrency: Vec<usize>,
    /// Only the create+confirm scenario, then the webhook latency.
    #[arg(long)]
    pub webhooks_only: bool,
}

const SK: &str = "sk_test_BQokikJOvBiI2HlWgH4olfQ2";
const ENDIVE: &str = crate::versions::LATEST;
const CLOVER: &str = crate::versions::DEFAULT;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

#[derive(Clone)]
struct Req {
    method: &'static str,
    /// Paths to cycle through (one for most scenarios).
    paths: Arc<Vec<String>>,
    body: &'static str,
    version: &'static str,
}

struct Figures {
    requests: usize,
    errors: usize,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn send(client: &HttpClient, base: &str, r: &Req, i: usize) -> bool {
    let path = &r.paths[i % r.paths.len()];
    let req = hyper::Request::builder()
        .method(r.method)
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {SK}"))
        .header("stripe-version", r.version)
        .header("content-type", "application/x-www-form-urlencoded")
        // The SDKs send a fresh key with every POST; so does the bench.
        .header(
            "idempotency-key",
            format!("bench-{}-{i}", std::process::id()),
        )
        .body(Full::new(Bytes::from_static(r.body.as_bytes())))
        .expect("request");
    match client.request(req).await {
        Ok(resp) => {
            let ok = resp.status().is_success();
            let _ = resp.into_body().collect().await;
            ok
        }
        Err(_) => false,
    }
}

/// Mean latency (ms) of two requests sent alternately by every connection to one
/// server: both see the same load and the same database, so their difference is the
/// cost of what differs between them (here, rendering at an older version).
async fn measure_alternating(
    base: &str,
    a: &Req,
    b: &Req,
    concurrency: usize,
    seconds: u64,
) -> (f64, f64) {
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicUsize::new(1 << 40));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, base, a, b, counter) = (
            client.clone(),
            base.to_string(),
            a.clone(),
            b.clone(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut sum_a, mut n_a, mut sum_b, mut n_b) = (0u128, 0u128, 0u128, 0u128);
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let (r, sum, n) = if i % 2 == 0 {
                    (&a, &mut sum_a, &mut n_a)
                } else {
                    (&b, &mut sum_b, &mut n_b)
                };
                let t = Instant::now();
                send(&client, &base, r, i).await;
                *sum += t.elapsed().as_micros();
                *n += 1;
            }
            (sum_a, n_a, sum_b, n_b)
        }));
    }
    let (mut sa, mut na, mut sb, mut nb) = (0, 0, 0, 0);
    for t in tasks {
        let (a, b, c, d) = t.await.expect("bench task");
        sa += a;
        na += b;
        sb += c;
        nb += d;
    }
    (
        sa as f64 / na.max(1) as f64 / 1000.0,
        sb as f64 / nb.max(1) as f64 / 1000.0,
    )
}

async fn measure(base: &str, r: &Req, concurrency: usize, seconds: u64) -> Figures {
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(concurrency)
        .build_http();
    // Warm the connections up.
    for i in 0..concurrency {
        send(&client, base, r, usize::MAX / 2 + i).await;
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, base, r, counter) =
            (client.clone(), base.to_string(), r.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if !send(&client, &base, &r, i).await {
                    errors += 1;
                }
                lat.push(t.elapsed().as_micros() as u32);
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.expect("bench task");
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    Figures {
        requests: all.len(),
        errors,
        per_sec: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

/// A bare HTTP server answering a fixed PaymentIntent-sized JSON body: the ceiling.
async fn baseline() -> String {
    let body = serde_json::json!({
        "id": "pi_baseline",
        "object": "payment_intent",
        "padding": "x".repeat(2000)
    });
    let body: &'static str = Box::leak(body.to_string().into_boxed_str());
    let router = axum::Router::new()
        .fallback(move || async move { ([("content-type", "application/json")], body) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind baseline");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// A fresh server on its own new database, with 200 intents to retrieve: every
/// scenario starts from the same state, so runs do not skew one another.
async fn fresh_server(root: &std::path::Path) -> Result<(String, Arc<Vec<String>>), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let dir = root.join(crate::domain::ids::random_base62(8));
    let serve_args = ServeArgs {
        listen: addr.to_string(),
        database_url: format!("sqlite:{}", dir.join("bench.db").display()),
        public_url: None,
        secret_key: Some(SK.into()),
        publishable_key: Some("pk_test_TYooMQauvdEDq54NiTphI7jx".into()),
        country: Some("US".into()),
        api_version: None,
        limits: Default::default(),
        webhook_retry_seconds: 5,
        later_seconds: 2,
        webhook_timeout_seconds: 30,
        dashboard: "on".into(),
        request_log_minutes: 1440,
    };
    let base = format!("http://{addr}");
    let app = app::open(&serve_args, base.clone())?;
    tokio::spawn(app::serve(app, listener));
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let mut ids = Vec::new();
    for _ in 0..200 {
        let req = hyper::Request::post(format!("{base}/v1/payment_intents"))
            .header("authorization", format!("Bearer {SK}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from_static(
                b"amount=1099&currency=usd&automatic_payment_methods[enabled]=true",
            )))
            .map_err(|e| e.to_string())?;
        let resp = client.request(req).await.map_err(|e| e.to_string())?;
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        ids.push(format!(
            "/v1/payment_intents/{}",
            v["id"].as_str().unwrap_or_default()
        ));
    }
    Ok((base, Arc::new(ids)))
}

const CREATE_BODY: &str =
    "amount=1099&currency=usd&automatic_payment_methods[enabled]=true&description=bench";
const CREATE_CONFIRM: &str = "create+confirm pm_card_visa";
const CREATE_CONFIRM_BODY: &str = "amount=1099&currency=usd&automatic_payment_methods[enabled]=true&automatic_payment_methods[allow_redirects]=never&confirm=true&payment_method=pm_card_visa";

/// The scenarios as (name, against Pasarela?, request); the retrieve paths are filled
/// per server.
fn scenarios() -> Vec<(&'static str, bool, Req)> {
    let one = |p: &str| Arc::new(vec![p.to_string()]);
    let req = |method, paths, body, version| Req {
        method,
        paths,
        body,
        version,
    };
    vec![
        (
            "baseline GET (bare HTTP)",
            false,
            req("GET", one("/x"), "", ENDIVE),
        ),
        (
            "baseline POST (bare HTTP)",
            false,
            req("POST", one("/x"), CREATE_BODY, ENDIVE),
        ),
        (
            "create PaymentIntent @endive",
            true,
            req("POST", one("/v1/payment_intents"), CREATE_BODY, ENDIVE),
        ),
        (
            "create PaymentIntent @clover",
            true,
            req("POST", one("/v1/payment_intents"), CREATE_BODY, CLOVER),
        ),
        (
            "retrieve PaymentIntent",
            true,
            req("GET", Arc::new(vec![]), "", ENDIVE),
        ),
        (
            CREATE_CONFIRM,
            true,
            req(
                "POST",
                one("/v1/payment_intents"),
                CREATE_CONFIRM_BODY,
                ENDIVE,
            ),
        ),
    ]
}

pub async fn run(args: BenchArgs) -> i32 {
    let dir = std::env::temp_dir().join(format!(
        "pasarela-bench-{}",
        crate::domain::ids::random_base62(8)
    ));
    let bare = baseline().await;
    let mut scenarios = scenarios();
    if args.webhooks_only {
        scenarios.retain(|(name, _, _)| *name == CREATE_CONFIRM);
    }
    println!(
        "pasarela bench: {} s per scenario, SQLite at {}",
        args.seconds,
        dir.display()
    );
    println!(
        "{:<32} {:>5} {:>10} {:>9} {:>9} {:>9} {:>7}",
        "scenario", "conns", "requests", "req/s", "p50 ms", "p99 ms", "errors"
    );
    let results = match run_scenarios(&args, &dir, &bare, &scenarios).await {
        Ok(results) => results,
        Err(e) => {
            eprintln!("bench: {e}");
            return 1;
        }
    };
    println!();
    if !args.webhooks_only {
        print_ratios(&args.concurrency, &results);
        render_tax(&args, &dir, &scenarios).await;
    }
    let max_rate = results
        .iter()
        .filter(|(_, name, _)| *name == CREATE_CONFIRM)
        .map(|(_, _, f)| f.per_sec)
        .fold(0.0, f64::max);
    if let Err(e) = webhook_latency(&dir, max_rate / 2.0, args.seconds).await {
        eprintln!("bench: webhook latency: {e}");
        return 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    0
}

/// The time from the API call that causes an event to the event's arrival at a webhook
/// handler on loopback, while create-and-confirm calls are sent at `rate` per second (half
/// the measured maximum): each call's start against the arrival of its
/// `payment_intent.succeeded`.
async fn webhook_latency(dir: &std::path::Path, rate: f64, seconds: u64) -> Result<(), String> {
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

    let (base, _) = fresh_server(dir).await?;
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(256)
        .build_http();
    let endpoint = format!(
        "url={}&enabled_events[]=payment_intent.succeeded",
        form_urlencoded::byte_serialize(hook.as_bytes()).collect::<String>()
    );
    let req = hyper::Request::post(format!("{base}/v1/webhook_endpoints"))
        .header("authorization", format!("Bearer {SK}"))
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
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut calls = Vec::new();
    while Instant::now() < deadline {
        tick.tick().await;
        let (client, base, started) = (client.clone(), base.clone(), started.clone());
        calls.push(tokio::spawn(async move {
            let t = Instant::now();
            let req = hyper::Request::post(format!("{base}/v1/payment_intents"))
                .header("authorization", format!("Bearer {SK}"))
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

/// Every scenario at every concurrency, each Pasarela one on a fresh server (the others
/// against the bare server at `bare`), printed as it finishes: (concurrency, name, figures).
async fn run_scenarios(
    args: &BenchArgs,
    dir: &std::path::Path,
    bare: &str,
    scenarios: &[(&'static str, bool, Req)],
) -> Result<Vec<(usize, &'static str, Figures)>, String> {
    let mut results = Vec::new();
    for &c in &args.concurrency {
        for (name, ours, req) in scenarios {
            let (target, req) = if *ours {
                let (base, ids) = fresh_server(dir).await?;
                let mut req = req.clone();
                if req.method == "GET" {
                    req.paths = ids;
                }
                (base, req)
            } else {
                (bare.to_string(), req.clone())
            };
            let f = measure(&target, &req, c, args.seconds).await;
            println!(
                "{:<32} {:>5} {:>10} {:>9.0} {:>9.2} {:>9.2} {:>7}",
                name, c, f.requests, f.per_sec, f.p50_ms, f.p99_ms, f.errors
            );
            results.push((c, *name, f));
        }
    }
    Ok(results)
}

/// Per concurrency, each Pasarela scenario's throughput as a share of the baseline's.
fn print_ratios(concurrency: &[usize], results: &[(usize, &str, Figures)]) {
    for &c in concurrency {
        let get = |n: &str| {
            results
                .iter()
                .find(|(cc, name, _)| *cc == c && *name == n)
                .map(|(_, _, f)| f.per_sec)
                .unwrap_or(0.0)
        };
        let bare_post = get("baseline POST (bare HTTP)");
        let bare_get = get("baseline GET (bare HTTP)");
        let endive = get("create PaymentIntent @endive");
        let clover = get("create PaymentIntent @clover");
        println!(
            "{c} conns: create = {:.0}% of baseline POST, \
             retrieve = {:.0}% of baseline GET, \
             create+confirm = {:.0}% of baseline POST; \
             clover create costs {:+.1}% vs endive",
            100.0 * endive / bare_post,
            100.0 * get("retrieve PaymentIntent") / bare_get,
            100.0 * get(CREATE_CONFIRM) / bare_post,
            100.0 * (endive - clover) / endive
        );
    }
}

/// The render-back tax, measured without run-to-run drift: create at endive and at
/// clover alternating on one server.
async fn render_tax(args: &BenchArgs, dir: &std::path::Path, scenarios: &[(&str, bool, Req)]) {
    let endive = scenarios
        .iter()
        .find(|(n, _, _)| *n == "create PaymentIntent @endive")
        .map(|(_, _, r)| r.clone());
    let clover = scenarios
        .iter()
        .find(|(n, _, _)| *n == "create PaymentIntent @clover")
        .map(|(_, _, r)| r.clone());
    if let (Some(e), Some(c)) = (endive, clover) {
        let conns = args.concurrency.first().copied().unwrap_or(16);
        if let Ok((base, _)) = fresh_server(dir).await {
            let (le, lc) = measure_alternating(&base, &e, &c, conns, args.seconds).await;
            println!(
                "create PaymentIntent, endive and clover alternating on one server, \
                 {conns} conns: mean {le:.2} ms at endive, {lc:.2} ms at clover ({:+.1}%)",
                100.0 * (lc - le) / le
            );
        }
    }
}
