//! What an anonymous or hostile client can send, against the real binary: bodies built
//! to make parsing slow, slow and oversized connections, the hosted page's secret, what
//! a publishable key may expand, and input Stripe refuses with its error JSON. Each
//! test also shows that the server keeps answering others while it happens.

// ureq's error (not ours) is what makes its results large.
#![allow(clippy::result_large_err)]

mod common;

use common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The server's address as `host:port`.
fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// A raw HTTP exchange: writes `request` whole, then reads until the server closes or
/// `wait` passes. Returns what was read (empty when the server closed at once).
fn raw(app: &TestApp, request: &[u8], wait: Duration) -> String {
    let mut s = TcpStream::connect(addr(app)).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(request).unwrap();
    read_until_closed(&mut s)
}

fn read_until_closed(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Status and JSON body of a raw response.
fn parse(resp: &str) -> (u16, Value) {
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {resp:?}"));
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// `/healthz` answered, and how long it took.
fn healthz_time(app: &TestApp) -> Duration {
    let start = Instant::now();
    let r = app.request("GET", "/healthz", &[], &[]);
    assert_eq!(r.status, 200);
    start.elapsed()
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// The error JSON of a raw answer: `type`, `code` and `param` (None: absent).
fn assert_error_body(body: &Value, kind: &str, code: Option<&str>, param: Option<&str>) {
    let e = &body["error"];
    assert_eq!(e["type"], kind, "{body}");
    assert_eq!(e["code"].as_str(), code, "{body}");
    assert_eq!(e["param"].as_str(), param, "{body}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// `aaa=&aab=&...`: `n` distinct top-level keys.
fn distinct_keys(n: usize) -> String {
    let mut out = String::with_capacity(n * 5);
    for i in 0..n {
        let a = (b'a' + (i / 676 % 26) as u8) as char;
        let b = (b'a' + (i / 26 % 26) as u8) as char;
        let c = (b'a' + (i % 26) as u8) as char;
        out.push_str(&format!("{a}{b}{c}{}=&", i / 17576));
    }
    out
}

fn form_post(path: &str, auth: Option<&str>, body: &str) -> Vec<u8> {
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn many_distinct_keys_are_refused_quickly_and_stall_no_one() {
    let app = TestApp::spawn(&[]);
    let body = distinct_keys(50_000);
    assert!(body.len() > 250_000);
    // Without a key, with a wrong one, with the right one: each answered at once, while
    // two more such requests run in parallel and /healthz stays quick.
    let hostile: Vec<_> = (0..2)
        .map(|_| {
            let (a, b) = (addr(&app), body.clone());
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let mut s = TcpStream::connect(&a).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                    s.write_all(&form_post("/v1/customers", None, &b)).unwrap();
                    let (status, _) = parse(&read_until_closed(&mut s));
                    assert_eq!(status, 401);
                }
            })
        })
        .collect();
    for _ in 0..5 {
        assert!(healthz_time(&app) < Duration::from_secs(2));
    }
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/customers", None, &body),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 401);
    assert_error_body(&json, "invalid_request_error", None, None);
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("did not provide an API key"));
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/customers", Some("Bearer sk_test_wrong0000"), &body),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 401);
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid API Key provided"));
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/customers", Some(&basic(SK)), &body),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 400);
    assert_error_body(&json, "invalid_request_error", None, None);
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Too many parameters"));
    // Stripe.js's key in the body is still found (it has to be read).
    let stripe_js = format!("{}key={PK}", distinct_keys(1000));
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/payment_intents/pi_x/confirm", None, &stripe_js),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 400, "{json}");
    assert_error_body(
        &json,
        "invalid_request_error",
        Some("parameter_unknown"),
        Some("aaa0"),
    );
    for t in hostile {
        t.join().unwrap();
    }
    // Nothing was written by any of it.
    let list = app.get("/v1/customers").json();
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
}

#[test]
fn deep_and_wide_nesting_is_refused_as_stripe_does() {
    let app = TestApp::spawn(&[]);
    let deep = format!("metadata{}=1", "[a]".repeat(20_000));
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/customers", Some(&basic(SK)), &deep),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 400);
    assert_eq!(json["error"]["code"], "parameter_unknown");
    // Many list items under one key, in reverse order.
    let wide: String = (0..1999).rev().map(|i| format!("expand[{i}]=x&")).collect();
    let (status, json) = parse(&raw(
        &app,
        &form_post("/v1/customers", Some(&basic(SK)), &wide),
        Duration::from_secs(30),
    ));
    assert_eq!(status, 400);
    assert!(json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("cannot be expanded"));
    assert!(healthz_time(&app) < Duration::from_secs(2));
}

/// A PaymentIntent waiting on the hosted page (Amazon Pay, the seed's flow), and the
/// page's path.
fn waiting_intent(app: &TestApp) -> (Value, String) {
    let pi = app
        .post(
            "/v1/payment_intents",
            &[
                ("payment_method_types[]", "amazon_pay"),
                ("amount", "1099"),
                ("currency", "usd"),
            ],
        )
        .json();
    let r = app.request(
        "POST",
        &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
        &[
            ("key", PK),
            ("client_secret", pi["client_secret"].as_str().unwrap()),
            ("payment_method_data[type]", "amazon_pay"),
            ("return_url", "https://merchant.test/done"),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let pi = r.json();
    assert_eq!(pi["status"], "requires_action");
    let url = pi["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = url[url.find("/authorize/").unwrap()..].to_string();
    (pi, path)
}

#[test]
fn the_hosted_page_gives_no_secret_for_a_wrong_or_spent_nonce() {
    let app = TestApp::spawn(&[]);
    let (pi, path) = waiting_intent(&app);
    let id = pi["id"].as_str().unwrap();
    let secret = pi["client_secret"].as_str().unwrap();
    let wrong = format!("/authorize/{id}/anything");
    for outcome in ["fail", "authorize"] {
        let r = app.request("POST", &wrong, &[("outcome", outcome)], &[]);
        assert_eq!(r.status, 404, "{}", r.text);
        assert!(r.header("location").is_none());
        assert!(!r.text.contains(secret));
    }
    let r = app.request("GET", &wrong, &[], &[]);
    assert_eq!(r.status, 404);
    assert!(!r.text.contains(secret) && !r.text.contains("1099") && !r.text.contains("10.99"));
    // A nonce of the right length but wrong: the same.
    let nonce = path.rsplit('/').next().unwrap();
    let same_len = format!("/authorize/{id}/{}", "x".repeat(nonce.len()));
    assert_eq!(
        app.request("POST", &same_len, &[("outcome", "fail")], &[])
            .status,
        404
    );
    // The intent was left waiting; the right page still works, once.
    assert_eq!(
        app.get(&format!("/v1/payment_intents/{id}")).json()["status"],
        "requires_action"
    );
    let r = app.request("POST", &path, &[("outcome", "authorize")], &[]);
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().contains(secret));
    let again = app.request("POST", &path, &[("outcome", "fail")], &[]);
    assert_eq!(again.status, 404);
    assert!(again.header("location").is_none());
    assert!(!again.text.contains(secret));
    assert_eq!(
        app.get(&format!("/v1/payment_intents/{id}")).json()["status"],
        "succeeded"
    );
}

#[test]
fn a_succeeded_intent_has_no_hosted_page() {
    let app = TestApp::spawn(&[]);
    let pi = app
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("payment_method", "pm_card_visa"),
                ("confirm", "true"),
                ("automatic_payment_methods[enabled]", "true"),
                ("automatic_payment_methods[allow_redirects]", "never"),
            ],
        )
        .json();
    assert_eq!(pi["status"], "succeeded", "{pi}");
    let id = pi["id"].as_str().unwrap();
    let r = app.request(
        "POST",
        &format!("/authorize/{id}/anything"),
        &[("outcome", "fail")],
        &[],
    );
    assert_eq!(r.status, 404);
    assert!(r.header("location").is_none());
    assert!(!r.text.contains(pi["client_secret"].as_str().unwrap()));
}

#[test]
fn a_publishable_key_expands_the_payment_method_and_nothing_of_the_customer() {
    let app = TestApp::spawn(&[]);
    let cus = app
        .post(
            "/v1/customers",
            &[
                ("email", "jenny.rosen@example.com"),
                ("name", "Jenny Rosen"),
                ("metadata[secret_note]", "vip"),
            ],
        )
        .json();
    let cus_id = cus["id"].as_str().unwrap();
    let pm = app
        .post(
            "/v1/payment_methods/pm_card_visa/attach",
            &[("customer", cus_id)],
        )
        .json();
    let pi = app
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", cus_id),
                ("payment_method", pm["id"].as_str().unwrap()),
                ("payment_method_types[]", "card"),
            ],
        )
        .json();
    let id = pi["id"].as_str().unwrap();
    let secret = pi["client_secret"].as_str().unwrap();
    let get = |expand: &str| {
        app.request(
            "GET",
            &format!("/v1/payment_intents/{id}?key={PK}&client_secret={secret}&expand[]={expand}"),
            &[],
            &[],
        )
    };
    for path in [
        "payment_method.customer",
        "customer",
        "latest_charge",
        "latest_charge.customer",
    ] {
        let r = get(path);
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        assert_error_body(&r.json(), "invalid_request_error", None, None);
        assert!(!r.text.contains("jenny"), "{}", r.text);
    }
    let r = get("payment_method");
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.json();
    assert_eq!(body["payment_method"]["id"], pm["id"]);
    assert_eq!(body["payment_method"]["customer"], cus_id);
    assert!(body.get("customer").is_none());
    assert!(
        !r.text.contains("jenny") && !r.text.contains("vip"),
        "{}",
        r.text
    );
    // The secret key still expands everything.
    let full = app
        .get(&format!(
            "/v1/payment_intents/{id}?expand[]=payment_method.customer"
        ))
        .json();
    assert_eq!(
        full["payment_method"]["customer"]["email"],
        "jenny.rosen@example.com"
    );
}

#[test]
fn slow_and_oversized_requests_are_cut_off_with_stripes_errors() {
    let app = TestApp::spawn(&["--header-timeout", "2", "--request-timeout", "3"]);
    // Headers that never end: the connection is closed after the header timeout.
    let start = Instant::now();
    let got = raw(
        &app,
        b"POST /v1/customers HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n",
        Duration::from_secs(20),
    );
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(10), "held {waited:?}");
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 4"), "{got:?}");
    // A body shorter than its Content-Length: 408 with Stripe's error JSON.
    let start = Instant::now();
    let got = raw(
        &app,
        format!(
            "POST /v1/customers HTTP/1.1\r\nHost: t\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=Jen",
            basic(SK)
        )
        .as_bytes(),
        Duration::from_secs(20),
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    let (status, json) = parse(&got);
    assert_eq!(status, 408, "{got}");
    assert_error_body(&json, "invalid_request_error", None, None);
    // An absurd Content-Length: 413 at once, before any body is sent.
    let start = Instant::now();
    let got = raw(
        &app,
        b"POST /v1/customers HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99999999999999\r\n\r\n",
        Duration::from_secs(20),
    );
    assert!(start.elapsed() < Duration::from_secs(2));
    let (status, json) = parse(&got);
    assert_eq!(status, 413, "{got}");
    assert_error_body(&json, "invalid_request_error", None, None);
    // A 10 MB upload sent whole before reading gets its answer, not a reset.
    let big = "a".repeat(10 << 20);
    let got = raw(
        &app,
        &form_post("/v1/customers", Some(&basic(SK)), &format!("name={big}")),
        Duration::from_secs(20),
    );
    let (status, json) = parse(&got);
    assert_eq!(status, 413, "{}", &got[..got.len().min(300)]);
    assert_error_body(&json, "invalid_request_error", None, None);
    // The same, chunked (no Content-Length to refuse up front).
    let mut s = TcpStream::connect(addr(&app)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(
        format!(
            "POST /v1/customers HTTP/1.1\r\nHost: t\r\nAuthorization: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            basic(SK)
        )
        .as_bytes(),
    )
    .unwrap();
    let chunk = "b".repeat(1 << 16);
    for _ in 0..32 {
        s.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
            .unwrap();
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    let (status, _) = parse(&read_until_closed(&mut s));
    assert_eq!(status, 413);
    // Through it all, nothing was created.
    assert_eq!(
        app.get("/v1/customers").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn thousands_of_idle_connections_keep_memory_bounded_and_health_quick() {
    let app = TestApp::spawn(&["--max-connections", "256", "--header-timeout", "30"]);
    let pid = app.child.id();
    let before = rss_kib(pid);
    // 1,200 connections that send half a request head and wait: 256 served, the
    // rest queued in the listen backlog (which holds 1,024).
    let sock: std::net::SocketAddr = addr(&app).parse().unwrap();
    let mut held = Vec::new();
    for i in 0..1200 {
        let mut s = match TcpStream::connect_timeout(&sock, Duration::from_secs(1)) {
            Ok(s) => s,
            Err(e) => panic!("connection {i}: {e}"),
        };
        let _ = s.write_all(format!("GET /v1/customers/{i} HTTP/1.1\r\nHost: t\r\n").as_bytes());
        held.push(s);
    }
    assert_eq!(held.len(), 1200);
    std::thread::sleep(Duration::from_millis(500));
    let during = rss_kib(pid);
    assert!(
        during < before + 64 * 1024,
        "RSS grew from {before} KiB to {during} KiB"
    );
    // The cap is in force: 256 slots are held, so a new connection waits to be
    // accepted; once the slow ones go, it is served.
    let waiting = std::thread::spawn({
        let base = app.base.clone();
        move || {
            ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(30))
                .build()
                .get(&format!("{base}/healthz"))
                .call()
                .map(|r| r.status())
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !waiting.is_finished(),
        "a connection past the cap was served"
    );
    drop(held);
    assert_eq!(waiting.join().unwrap().unwrap(), 200);
    assert!(healthz_time(&app) < Duration::from_secs(2));
}

#[test]
fn stripe_refuses_these_with_its_error_json() {
    let app = TestApp::spawn(&[]);
    // An array where a hash belongs.
    let r = app.post("/v1/customers", &[("metadata[]", "1"), ("metadata[]", "2")]);
    assert_eq!(r.status, 400, "{}", r.text);
    assert_error_body(
        &r.json(),
        "invalid_request_error",
        Some("parameter_invalid_hash"),
        Some("metadata"),
    );
    // A Stripe-Version of non-ASCII bytes.
    let got = raw(
        &app,
        &[
            format!(
                "GET /v1/customers HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: {}\r\nStripe-Version: 2026-10-28.",
                basic(SK)
            )
            .as_bytes(),
            b"endiv\xc3\xa9\r\n\r\n",
        ]
        .concat(),
        Duration::from_secs(10),
    );
    let (status, json) = parse(&got);
    assert_eq!(status, 400, "{got}");
    assert_error_body(&json, "invalid_request_error", None, Some("Stripe-Version"));
    // Numbers that are not numbers in a search query.
    for q in ["amount>NaN", "amount>inf", "amount<1e400"] {
        let r = app.get(&format!(
            "/v1/payment_intents/search?query={}",
            q.replace('>', "%3E").replace('<', "%3C")
        ));
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert_error_body(&r.json(), "invalid_request_error", None, Some("query"));
    }
    // An id that is not UTF-8.
    let r = app.get("/v1/customers/cus_%FF%FE");
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert_error_body(&r.json(), "invalid_request_error", None, None);
}
