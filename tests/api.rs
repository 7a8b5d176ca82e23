//! End-to-end tests against the real binary: the seeds' curl flows, durability,
//! concurrency, idempotency, versions, and the process contract.

mod common;

use common::*;
use serde_json::Value;

const ENDIVE: &str = "2026-10-28.endive";

fn confirm_amazon_pay(app: &TestApp, pi: &Value, return_url: &str) -> Value {
    // As Stripe.js sends it: publishable key and client secret in the body.
    let r = app.request(
        "POST",
        &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
        &[
            ("key", PK),
            ("client_secret", pi["client_secret"].as_str().unwrap()),
            ("payment_method_data[type]", "amazon_pay"),
            ("return_url", return_url),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

#[test]
fn seed_000_amazon_pay_curl_flow_authorize_and_fail() {
    let app = TestApp::spawn(&[]);
    // The seed's command as printed (no Stripe-Version: the account default, clover).
    let r = app.post(
        "/v1/payment_intents",
        &[
            ("payment_method_types[]", "amazon_pay"),
            ("amount", "1099"),
            ("currency", "usd"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("stripe-version"), Some("2025-09-30.clover"));
    let pi = r.json();
    assert_eq!(pi["status"], "requires_payment_method");
    assert_eq!(
        pi["payment_method_types"],
        serde_json::json!(["amazon_pay"])
    );
    assert!(pi["client_secret"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}_secret_", pi["id"].as_str().unwrap())));

    let confirmed = confirm_amazon_pay(&app, &pi, "https://shop.test/return?order=42");
    assert_eq!(confirmed["status"], "requires_action");
    assert_eq!(confirmed["next_action"]["type"], "redirect_to_url");
    let url = confirmed["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&app.base), "{url}");

    let page = app.request("GET", &url[app.base.len()..], &[], &[]);
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Authorize test payment") && page.text.contains("Fail test payment")
    );
    assert!(
        page.text.contains("Amazon Pay") && page.text.contains("$10.99"),
        "{}",
        page.text
    );

    let done = app.request(
        "POST",
        &url[app.base.len()..],
        &[("outcome", "authorize")],
        &[],
    );
    assert_eq!(done.status, 303);
    let loc = done.header("location").unwrap();
    assert!(
        loc.starts_with("https://shop.test/return?order=42&payment_intent="),
        "{loc}"
    );
    assert!(loc.contains(&format!(
        "payment_intent_client_secret={}",
        pi["client_secret"].as_str().unwrap()
    )));
    assert!(loc.ends_with("redirect_status=succeeded"), "{loc}");

    let id = pi["id"].as_str().unwrap();
    let after = app
        .request(
            "GET",
            &format!("/v1/payment_intents/{id}?expand[]=latest_charge"),
            &[],
            &[("authorization", &basic(SK)), ("stripe-version", ENDIVE)],
        )
        .json();
    assert_eq!(after["status"], "succeeded");
    assert_eq!(after["amount_received"], 1099);
    assert_eq!(
        after["latest_charge"]["payment_method_details"]["type"],
        "amazon_pay"
    );
    assert_eq!(after["latest_charge"]["status"], "succeeded");
    assert_stripe_shape(&after);

    // The fail button.
    let pi2 = app
        .post(
            "/v1/payment_intents",
            &[
                ("payment_method_types[]", "amazon_pay"),
                ("amount", "1099"),
                ("currency", "usd"),
            ],
        )
        .json();
    let c2 = confirm_amazon_pay(&app, &pi2, "https://shop.test/return");
    let url2 = c2["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = app.request("POST", &url2[app.base.len()..], &[("outcome", "fail")], &[]);
    assert!(failed
        .header("location")
        .unwrap()
        .ends_with("redirect_status=failed"));
    let id2 = pi2["id"].as_str().unwrap();
    let after2 = app
        .request(
            "GET",
            &format!("/v1/payment_intents/{id2}"),
            &[],
            &[("authorization", &basic(SK)), ("stripe-version", ENDIVE)],
        )
        .json();
    assert_eq!(after2["status"], "requires_payment_method");
    assert_eq!(after2["payment_method"], Value::Null);
    assert_eq!(after2["latest_charge"], Value::Null);
    assert_eq!(
        after2["last_payment_error"]["code"],
        "payment_intent_authentication_failure"
    );
    assert_stripe_shape(&after2);

    let events = app
        .request(
            "GET",
            "/v1/events?limit=100",
            &[],
            &[("authorization", &basic(SK))],
        )
        .json();
    let types: Vec<(String, String)> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_string(),
                e["data"]["object"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for t in [
        "payment_intent.created",
        "payment_intent.requires_action",
        "payment_intent.succeeded",
    ] {
        assert!(
            types.contains(&(t.to_string(), id.to_string())),
            "{t} missing: {types:?}"
        );
    }
    assert!(types.iter().any(|(t, _)| t == "charge.succeeded"));
    assert!(types.contains(&("payment_intent.payment_failed".to_string(), id2.to_string())));
}

#[test]
fn seed_004_alma_needs_a_french_account_and_eur() {
    let fr = TestApp::spawn(&["--country", "FR"]);
    let pi = fr.post(
        "/v1/payment_intents",
        &[
            ("payment_method_types[]", "alma"),
            ("amount", "5099"),
            ("currency", "eur"),
        ],
    );
    assert_eq!(pi.status, 200, "{}", pi.text);
    let us = TestApp::spawn(&[]);
    let r = us.post(
        "/v1/payment_intents",
        &[
            ("payment_method_types[]", "alma"),
            ("amount", "5099"),
            ("currency", "eur"),
        ],
    );
    assert_error(
        &r,
        400,
        "invalid_request_error",
        None,
        Some("payment_method_types"),
    );
    let r = fr.post(
        "/v1/payment_intents",
        &[
            ("payment_method_types[]", "alma"),
            ("amount", "4000"),
            ("currency", "eur"),
        ],
    );
    // Below Alma's 50 EUR minimum.
    let err = assert_error(
        &r,
        400,
        "invalid_request_error",
        None,
        Some("payment_method_types"),
    );
    assert_eq!(
        err["message"],
        "Amount must be at least €50.00 eur for alma payments."
    );
}

#[test]
fn a_2xx_survives_a_crash() {
    let mut app = TestApp::spawn(&[]);
    let ids: Vec<String> = (0..20)
        .map(|i| {
            app.post("/v1/customers", &[("email", &format!("c{i}@example.com"))])
                .json()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    app.restart(true, None);
    for id in &ids {
        assert_eq!(
            app.get(&format!("/v1/customers/{id}")).status,
            200,
            "{id} lost after SIGKILL"
        );
    }
}

#[test]
fn a_setup_intent_confirmed_with_a_200_survives_a_crash() {
    let mut app = TestApp::spawn(&[]);
    let cus = app
        .post("/v1/customers", &[("email", "jenny@example.com")])
        .json();
    let cus = cus["id"].as_str().unwrap().to_string();
    let si = app
        .post(
            "/v1/setup_intents",
            &[
                ("customer", &cus),
                ("payment_method", "pm_card_visa"),
                ("payment_method_types[]", "card"),
            ],
        )
        .json();
    let id = si["id"].as_str().unwrap().to_string();
    let confirmed = app.post(&format!("/v1/setup_intents/{id}/confirm"), &[]);
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let pm = confirmed.json()["payment_method"]
        .as_str()
        .unwrap()
        .to_string();
    app.restart(true, None);
    let after = app.get(&format!("/v1/setup_intents/{id}")).json();
    assert_eq!(after["status"], "succeeded");
    assert_stripe_shape(&after);
    let attached = app.get(&format!("/v1/payment_methods/{pm}")).json();
    assert_eq!(attached["customer"], cus.as_str());
}

#[test]
fn racing_confirms_charge_once() {
    let app = TestApp::spawn(&[]);
    let pi = app.post(
        "/v1/payment_intents",
        &[
            ("amount", "2000"),
            ("currency", "usd"),
            ("payment_method", "pm_card_visa"),
            ("payment_method_types[]", "card"),
        ],
    );
    let pi = pi.json();
    assert_eq!(pi["status"], "requires_confirmation");
    let id = pi["id"].as_str().unwrap().to_string();
    let statuses: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (app, id) = (&app, id.clone());
                s.spawn(move || {
                    let r = app.post(&format!("/v1/payment_intents/{id}/confirm"), &[]);
                    (r.status, r.json())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|(s, _)| *s == 200).count(),
        1,
        "{statuses:?}"
    );
    for (s, body) in statuses.iter().filter(|(s, _)| *s != 200) {
        let err = &body["error"];
        assert_eq!(
            (
                *s,
                err["type"].as_str(),
                err["code"].as_str(),
                err["param"].as_str()
            ),
            (
                400,
                Some("invalid_request_error"),
                Some("payment_intent_unexpected_state"),
                None
            ),
            "{body}"
        );
    }
    let charges = app.get(&format!("/v1/charges?payment_intent={id}")).json();
    assert_eq!(charges["data"].as_array().unwrap().len(), 1);
}

#[test]
fn concurrent_idempotent_requests_make_one_object() {
    let app = TestApp::spawn(&[]);
    let results: Vec<(u16, String, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let app = &app;
                s.spawn(move || {
                    let r = app.request(
                        "POST",
                        "/v1/customers",
                        &[("email", "same@example.com")],
                        &[("authorization", &basic(SK)), ("idempotency-key", "k-1")],
                    );
                    (
                        r.status,
                        r.json()["id"].as_str().unwrap_or("").to_string(),
                        r.header("idempotent-replayed").map(str::to_string),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        results
            .iter()
            .all(|(s, id, _)| *s == 200 && id == &results[0].1),
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|(_, _, replay)| replay.is_none())
            .count(),
        1
    );
    let list = app.get("/v1/customers").json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let other = app.request(
        "POST",
        "/v1/customers",
        &[("email", "other@example.com")],
        &[("authorization", &basic(SK)), ("idempotency-key", "k-1")],
    );
    assert_error(&other, 400, "idempotency_error", None, None);
}

#[test]
fn endive_refuses_payment_method_types_and_writes_nothing() {
    let app = TestApp::spawn(&[]);
    let headers = [
        ("authorization", basic(SK)),
        ("stripe-version", ENDIVE.to_string()),
        ("idempotency-key", "v-1".to_string()),
    ];
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.request(
        "POST",
        "/v1/payment_intents",
        &[
            ("payment_method_types[]", "card"),
            ("amount", "1000"),
            ("currency", "usd"),
        ],
        &h,
    );
    assert_error(
        &r,
        400,
        "invalid_request_error",
        Some("payment_method_types_no_longer_supported"),
        Some("payment_method_types"),
    );
    assert_eq!(r.header("stripe-version"), Some(ENDIVE));
    assert_eq!(
        app.get("/v1/payment_intents").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get("/v1/events").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // The refusal was not saved under the key: the corrected call runs.
    let ok = app.request(
        "POST",
        "/v1/payment_intents",
        &[
            ("allowed_payment_method_types[]", "card"),
            ("amount", "1000"),
            ("currency", "usd"),
        ],
        &h,
    );
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.header("idempotent-replayed").is_none());
    assert_stripe_shape(&ok.json());
    let bad = app.request(
        "GET",
        "/v1/customers",
        &[],
        &[
            ("authorization", &basic(SK)),
            ("stripe-version", "2020-13-45"),
        ],
    );
    let err = assert_error(
        &bad,
        400,
        "invalid_request_error",
        None,
        Some("Stripe-Version"),
    );
    assert_eq!(
        err["message"],
        "Invalid Stripe API version: 2020-13-45. The newest version Pasarela serves is 2026-11-18.endive."
    );
}

#[test]
fn events_keep_the_version_they_were_rendered_at() {
    let mut app = TestApp::spawn(&[]);
    app.post("/v1/customers", &[("email", "a@example.com")]);
    app.restart(false, Some(&["--api-version", ENDIVE]));
    app.post("/v1/customers", &[("email", "b@example.com")]);
    let events = app.get("/v1/events").json();
    let versions: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["api_version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, vec![ENDIVE, "2025-09-30.clover"]);
    // The stored default applies to requests without a header now.
    assert_eq!(
        app.get("/v1/customers").header("stripe-version"),
        Some(ENDIVE)
    );
    for e in events["data"].as_array().unwrap() {
        assert_stripe_shape(e);
    }
}

#[test]
fn keys_are_generated_once_and_sigterm_exits_zero() {
    let mut app = TestApp::spawn_in(temp_dir(), &[]);
    let banner = app.stdout.join("\n");
    let sk = banner
        .lines()
        .find_map(|l| l.strip_prefix("Secret key:"))
        .unwrap()
        .trim()
        .to_string();
    assert!(sk.starts_with("sk_test_"), "{banner}");
    app.restart(false, None);
    assert!(
        app.stdout.join("\n").contains(&sk),
        "keys changed across restarts"
    );
    terminate(&mut app.child);
    let status = app.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn errors_have_stripe_bodies_and_statuses() {
    let app = TestApp::spawn(&[]);
    // (answer, status, code, param, message); every one is an invalid_request_error.
    #[allow(clippy::type_complexity)]
    let cases: Vec<(Resp, u16, Option<&str>, Option<&str>, &str)> = vec![
        (
            app.request("GET", "/v1/customers", &[], &[]),
            401,
            None,
            None,
            "You did not provide an API key",
        ),
        (
            app.request(
                "GET",
                "/v1/customers",
                &[],
                &[("authorization", "Bearer sk_test_wrong1234")],
            ),
            401,
            None,
            None,
            "Invalid API Key provided: sk_test_*****1234",
        ),
        (
            app.request(
                "GET",
                "/v1/customers",
                &[],
                &[("authorization", &format!("Bearer {PK}"))],
            ),
            403,
            Some("secret_key_required"),
            None,
            "publishable API key",
        ),
        (
            app.post("/v1/payment_intents", &[("currency", "usd")]),
            400,
            Some("parameter_missing"),
            Some("amount"),
            "Missing required param: amount.",
        ),
        (
            app.post(
                "/v1/payment_intents",
                &[("amount", "abc"), ("currency", "usd")],
            ),
            400,
            Some("parameter_invalid_integer"),
            Some("amount"),
            "Invalid integer: abc",
        ),
        (
            app.post(
                "/v1/payment_intents",
                &[("amount", "10"), ("currency", "usd")],
            ),
            400,
            Some("amount_too_small"),
            Some("amount"),
            "Amount must be at least $0.50 usd",
        ),
        (
            app.post(
                "/v1/payment_intents",
                &[("amount", "100"), ("currency", "usd"), ("foo", "1")],
            ),
            400,
            Some("parameter_unknown"),
            Some("foo"),
            "Received unknown parameter: foo",
        ),
        (
            app.get("/v1/payment_intents/pi_nope"),
            404,
            Some("resource_missing"),
            Some("intent"),
            "No such payment_intent: 'pi_nope'",
        ),
        (
            app.get("/v1/nothing"),
            404,
            None,
            None,
            "Unrecognized request URL (GET: /v1/nothing)",
        ),
    ];
    for (r, status, code, param, msg) in cases {
        assert_error(&r, status, "invalid_request_error", code, param);
        let body = r.json();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(msg),
            "{body}"
        );
        assert!(r.header("request-id").unwrap().starts_with("req_"));
        assert_stripe_shape(&body);
    }
}

#[test]
fn cors_never_allows_a_browsers_saved_credentials() {
    let app = TestApp::spawn(&[]);
    for origin in [None, Some("https://evil.example")] {
        let mut headers = vec![("authorization", basic(SK))];
        if let Some(o) = origin {
            headers.push(("origin", o.to_string()));
        }
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.request("GET", "/v1/customers", &[], &h);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"));
        assert_eq!(r.header("access-control-allow-credentials"), None);
    }
}

/// Deliveries owed by a database of the previous version (before deliveries had a due
/// column) are sent once the new version has migrated it.
#[test]
fn deliveries_owed_before_an_upgrade_are_sent_after_it() {
    // A port nobody listens on yet: the first tries fail, the delivery stays owed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = port.local_addr().unwrap();
    drop(port);
    let mut app = TestApp::spawn(&["--webhook-retry-seconds", "1"]);
    let url = format!("http://{addr}/hook");
    let ep = app.post(
        "/v1/webhook_endpoints",
        &[
            ("url", url.as_str()),
            ("enabled_events[]", "customer.created"),
        ],
    );
    assert_eq!(ep.status, 200, "{}", ep.text);
    let customer = app.post("/v1/customers", &[("email", "owed@example.com")]);
    assert_eq!(customer.status, 200);
    let event = app.get("/v1/events?type=customer.created").json()["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Stopped once the first try has failed and is recorded: owed, not leased mid-try.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let d = app.get(&format!("/v1/events/{event}/deliveries")).json();
        if d["data"][0]["attempts"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never tried: {d}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    terminate(&mut app.child);
    app.child.wait().unwrap();
    // The database as the previous version left it: no due column (nor search terms),
    // version 1.
    let db = rusqlite::Connection::open(app.dir.join("p.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER objects_terms_replaced; DROP TABLE search_terms;
         DROP INDEX objects_kind_due; ALTER TABLE objects DROP COLUMN due;
         UPDATE objects SET customer = NULL WHERE kind IN ('webhook_delivery', 'event');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    let pending: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM objects WHERE kind = 'webhook_delivery' AND ref1 = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(pending, 1);
    drop(db);
    let (_, seen) = counting_receiver_on(std::net::TcpListener::bind(addr).unwrap());
    app.restart(false, None);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !seen.lock().unwrap().contains_key(&event) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        seen.lock().unwrap().get(&event),
        Some(&1),
        "the owed event was not sent"
    );
    // Events recorded before 0003 get the id of their object (the Dashboard's timelines).
    let db = rusqlite::Connection::open(app.dir.join("p.db")).unwrap();
    let about: Option<String> = db
        .query_row(
            "SELECT customer FROM objects WHERE kind = 'event' AND id = ?1",
            [&event],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(about.as_deref(), customer.json()["id"].as_str());
}

#[test]
fn start_up_mistakes_are_refused_with_what_to_do() {
    // A SQLite path whose directory is missing: an error, no directories made.
    let missing = temp_dir().join("no").join("such");
    let url = format!("sqlite:{}", missing.join("p.db").display());
    let (code, err) = failed_start(&["--listen", "127.0.0.1:0", "--database-url", &url]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("does not exist") && err.contains("mkdir -p"),
        "{err}"
    );
    assert!(!missing.exists());
    // A country Stripe accounts cannot be in.
    let dir = temp_dir();
    let db = format!("sqlite:{}", dir.join("p.db").display());
    let (code, err) = failed_start(&[
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        &db,
        "--country",
        "XX",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("--country XX") && err.contains("FR, GB"),
        "{err}"
    );
    // A port in use is named, with the flag to choose another.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, err) = failed_start(&["--listen", &addr, "--database-url", &db]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&addr) && err.contains("in use") && err.contains("--listen"),
        "{err}"
    );
}

/// The banner of `pasarela serve` with `args`, up to its settings line; then stopped.
fn banner(args: &[&str]) -> String {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pasarela"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .take(8)
    {
        let line = line.unwrap();
        let last = line.starts_with("Settings:");
        lines.push(line);
        if last {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    lines.join("\n")
}

#[test]
fn the_banner_says_where_each_setting_came_from() {
    let dir = temp_dir();
    let db = format!("sqlite:{}", dir.join("p.db").display());
    let first = banner(&["--database-url", &db, "--country", "FR"]);
    assert!(
        first.contains("country from the flag, API version by default, keys generated"),
        "{first}"
    );
    let again = banner(&["--database-url", &db, "--api-version", "2024-06-20"]);
    assert!(again.contains("Account country: FR"), "{again}");
    assert!(
        again.contains(
            "country from the database, API version from the flag, keys from the database"
        ),
        "{again}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_log_says_what_failed_and_when_it_stopped() {
    let mut app = TestApp::spawn(&["--webhook-retry-seconds", "1"]);
    assert_eq!(app.get("/v1/customers/cus_nope").status, 404);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let ep = app
        .post(
            "/v1/webhook_endpoints",
            &[
                ("url", url.as_str()),
                ("enabled_events[]", "customer.created"),
            ],
        )
        .json();
    app.post("/v1/customers", &[("email", "log@example.com")]);
    let log = || std::fs::read_to_string(app.dir.join("server.log")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !log().contains("webhook delivery failed") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    terminate(&mut app.child);
    assert_eq!(app.child.wait().unwrap().code(), Some(0));
    let log = log();
    assert!(log.contains(" started listen="), "{log}");
    // A 4xx line carries Stripe's code and message.
    assert!(
        log.contains("status=404")
            && log.contains(r#"code="resource_missing" error=No such customer: 'cus_nope'"#),
        "{log}"
    );
    // A failed attempt names the endpoint, why, and when the next try is.
    let failed = log
        .lines()
        .find(|l| l.contains("webhook delivery failed"))
        .unwrap_or_else(|| panic!("no failed delivery line: {log}"));
    assert!(
        failed.contains(ep["id"].as_str().unwrap())
            && failed.contains("could not connect")
            && failed.contains("next_retry=in "),
        "{failed}"
    );
    assert!(
        log.contains("stopping: finishing the requests in flight"),
        "{log}"
    );
    assert!(
        log.contains("stopped: every answered write is committed"),
        "{log}"
    );
}
