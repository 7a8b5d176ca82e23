//! Several `serve` processes sharing one PostgreSQL database (the contract's
//! multi-node mode): each test gets a fresh database on the PostgreSQL server that
//! `PASARELA_TEST_DATABASE_URL` names.
//!
//! `PASARELA_TEST_DATABASE_URL` is a server URL without a database name,
//! `postgres://USER@HOST:PORT` (a `?query` may follow); the tests connect to its `postgres`
//! database (every cluster has one) to create and drop theirs. `scripts/test` starts a
//! throwaway PostgreSQL and always sets it, so these tests always run there, and an
//! unreachable server fails them. A plain `cargo test` without it says so and returns.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;

/// `server` with `database` as its path.
fn with_database(server: &str, database: &str) -> String {
    match server.split_once('?') {
        Some((base, query)) => format!("{}/{database}?{query}", base.trim_end_matches('/')),
        None => format!("{}/{database}", server.trim_end_matches('/')),
    }
}

/// A fresh database, dropped at the end; None (with a note on stderr) when
/// `PASARELA_TEST_DATABASE_URL` is not set.
struct FreshDb {
    server: String,
    name: String,
}

impl FreshDb {
    fn new(test: &str) -> Option<FreshDb> {
        let db = FreshDb::uncreated(test)?;
        let admin_url = with_database(&db.server, "postgres");
        let mut admin =
            postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| {
                panic!(
                    "PASARELA_TEST_DATABASE_URL={}: cannot connect to {admin_url}: {e}",
                    db.server
                )
            });
        admin
            .batch_execute(&format!("CREATE DATABASE {}", db.name))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {} on {}: {e}", db.name, db.server));
        Some(db)
    }

    /// A name no database has yet, dropped at the end like a fresh one: for Pasarela
    /// to create.
    fn uncreated(test: &str) -> Option<FreshDb> {
        let server = match std::env::var("PASARELA_TEST_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
            _ => {
                // Straight to stderr: the test harness would hide a println! of a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "postgres::{test}: not run here: set PASARELA_TEST_DATABASE_URL to a \
                     PostgreSQL server (postgres://USER@127.0.0.1:PORT, no database name), \
                     or run scripts/test, which starts a throwaway PostgreSQL for these tests"
                );
                return None;
            }
        };
        let name = format!(
            "pasarela_test_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
                % 1_000_000_000
        );
        Some(FreshDb { server, name })
    }

    fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }

    fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&with_database(&self.server, "postgres"), postgres::NoTls)
            .unwrap()
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        if let Ok(mut admin) =
            postgres::Client::connect(&with_database(&self.server, "postgres"), postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

#[test]
fn database_urls_keep_the_server_and_its_options() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5433", "x"),
        "postgres://postgres@127.0.0.1:5433/x"
    );
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5433/?sslmode=disable", "x"),
        "postgres://postgres@127.0.0.1:5433/x?sslmode=disable"
    );
}

#[test]
fn two_processes_share_one_database() {
    let Some(db) = FreshDb::new("two_processes_share_one_database") else {
        return;
    };
    let a = TestApp::spawn_on(&db.url(), &[]);
    let b = TestApp::spawn_on(&db.url(), &[]);

    // Written through one, read through the other.
    let cus = a
        .post("/v1/customers", &[("email", "shared@example.com")])
        .json();
    let got = b.get(&format!("/v1/customers/{}", cus["id"].as_str().unwrap()));
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["email"], "shared@example.com");

    // Racing confirms through both processes charge once.
    let pi = a
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("payment_method", "pm_card_visa"),
                ("payment_method_types[]", "card"),
            ],
        )
        .json();
    let id = pi["id"].as_str().unwrap().to_string();
    let results: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (app, id) = (if i % 2 == 0 { &a } else { &b }, id.clone());
                s.spawn(move || {
                    let r = app.post(&format!("/v1/payment_intents/{id}/confirm"), &[]);
                    (r.status, r.json())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 200).count(),
        1,
        "{results:?}"
    );
    for (s, body) in results.iter().filter(|(s, _)| *s != 200) {
        // The loser sees the intent confirmed, or (waiting on the row lock) Stripe's 429.
        let err = &body["error"];
        let got = (
            *s,
            err["type"].as_str(),
            err["code"].as_str(),
            err["param"].as_str(),
        );
        assert!(
            got == (
                400,
                Some("invalid_request_error"),
                Some("payment_intent_unexpected_state"),
                None
            ) || got
                == (
                    429,
                    Some("invalid_request_error"),
                    Some("lock_timeout"),
                    None
                ),
            "{s} {body}"
        );
    }
    assert_eq!(
        b.get(&format!("/v1/charges?payment_intent={id}")).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // One Idempotency-Key sent to both at once makes one object.
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let app = if i % 2 == 0 { &a } else { &b };
                s.spawn(move || {
                    let r = app.request(
                        "POST",
                        "/v1/customers",
                        &[("email", "once@example.com")],
                        &[
                            ("authorization", &basic(SK)),
                            ("idempotency-key", "shared-key"),
                        ],
                    );
                    assert_eq!(r.status, 200, "{}", r.text);
                    r.json()["id"].as_str().unwrap().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(ids.iter().all(|i| i == &ids[0]), "{ids:?}");
    assert_eq!(
        a.get("/v1/customers?email=once@example.com").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Seed 000: created and confirmed through one process, authorized through the other.
    let pi = a
        .post(
            "/v1/payment_intents",
            &[
                ("payment_method_types[]", "amazon_pay"),
                ("amount", "1099"),
                ("currency", "usd"),
            ],
        )
        .json();
    let confirmed = a
        .request(
            "POST",
            &format!("/v1/payment_intents/{}/confirm", pi["id"].as_str().unwrap()),
            &[
                ("key", PK),
                ("client_secret", pi["client_secret"].as_str().unwrap()),
                ("payment_method_data[type]", "amazon_pay"),
                ("return_url", "https://shop.test/r"),
            ],
            &[],
        )
        .json();
    let url = confirmed["next_action"]["redirect_to_url"]["url"]
        .as_str()
        .unwrap();
    let path = &url[a.base.len()..];
    let done = b.request("POST", path, &[("outcome", "authorize")], &[]);
    assert_eq!(done.status, 303);
    let after = b
        .get(&format!(
            "/v1/payment_intents/{}",
            pi["id"].as_str().unwrap()
        ))
        .json();
    assert_eq!(after["status"], "succeeded");
    assert_stripe_shape(
        &b.request(
            "GET",
            &format!("/v1/payment_intents/{}", pi["id"].as_str().unwrap()),
            &[],
            &[
                ("authorization", &basic(SK)),
                ("stripe-version", "2026-10-28.endive"),
            ],
        )
        .json(),
    );
}

#[test]
fn a_2xx_on_postgres_survives_a_crash() {
    let Some(db) = FreshDb::new("a_2xx_on_postgres_survives_a_crash") else {
        return;
    };
    let mut app = TestApp::spawn_on(&db.url(), &[]);
    let ids: Vec<String> = (0..10)
        .map(|_| {
            app.post("/v1/customers", &[]).json()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    app.restart(true, None);
    for id in &ids {
        assert_eq!(app.get(&format!("/v1/customers/{id}")).status, 200);
    }
    assert_eq!(
        app.get("/v1/events?limit=100").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[test]
fn two_processes_deliver_each_event_once() {
    let Some(db) = FreshDb::new("two_processes_deliver_each_event_once") else {
        return;
    };
    let a = TestApp::spawn_on(&db.url(), &[]);
    let b = TestApp::spawn_on(&db.url(), &[]);
    let (url, seen) = counting_receiver();
    let ep = a.post(
        "/v1/webhook_endpoints",
        &[
            ("url", url.as_str()),
            ("enabled_events[]", "customer.created"),
        ],
    );
    assert_eq!(ep.status, 200, "{}", ep.text);
    // Events recorded through both processes; both workers look for due deliveries.
    for i in 0..20 {
        let app = if i % 2 == 0 { &a } else { &b };
        let r = app.post("/v1/customers", &[("email", &format!("c{i}@example.com"))]);
        assert_eq!(r.status, 200);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.lock().unwrap().len() < 20 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 20, "events delivered: {seen:?}");
    assert!(
        seen.values().all(|n| *n == 1),
        "an event was delivered more than once: {seen:?}"
    );
}

/// A webhook handler on loopback that holds its first request without answering (a
/// handler stuck while the sending node dies), then answers 200 to the rest; the event
/// ids it received, in order, and a flag set once the held request has arrived.
fn stalling_receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let held = std::sync::Arc::new(AtomicBool::new(false));
    let (ids, stalled) = (got.clone(), held.clone());
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let event: Value = serde_json::from_slice(&body).unwrap();
            ids.lock()
                .unwrap()
                .push(event["id"].as_str().unwrap().to_string());
            if !stalled.swap(true, Ordering::SeqCst) {
                kept.push(stream); // never answered
                continue;
            }
            let mut out = stream;
            let _ =
                out.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (url, got, held)
}

#[test]
fn a_node_killed_mid_delivery_leaves_it_to_another() {
    let Some(db) = FreshDb::new("a_node_killed_mid_delivery_leaves_it_to_another") else {
        return;
    };
    // Short timeouts: the dead node's lease (about twice the timeout) runs out quickly.
    let flags = ["--webhook-timeout-seconds", "2"];
    let mut a = TestApp::spawn_on(&db.url(), &flags);
    let (url, got, held) = stalling_receiver();
    let ep = a.post(
        "/v1/webhook_endpoints",
        &[
            ("url", url.as_str()),
            ("enabled_events[]", "customer.created"),
        ],
    );
    assert_eq!(ep.status, 200, "{}", ep.text);
    let created = a.post("/v1/customers", &[("email", "held@example.com")]);
    assert_eq!(created.status, 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !held.load(std::sync::atomic::Ordering::SeqCst) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        held.load(std::sync::atomic::Ordering::SeqCst),
        "the first node never sent it"
    );
    // The first node dies while its handler has not answered.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let b = TestApp::spawn_on(&db.url(), &flags);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while got.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "the other node never sent it again: {got:?}");
    assert_eq!(got[0], got[1], "the same event, sent again");
    // And the second node records it as delivered.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut event = b.get(&format!("/v1/events/{}", got[0]));
    while event.json()["pending_webhooks"] != 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
        event = b.get(&format!("/v1/events/{}", got[0]));
    }
    assert_eq!(event.json()["pending_webhooks"], 0, "{}", event.text);
}

#[test]
fn a_filled_database_is_listed_and_searched_through_indexes() {
    let Some(db) = FreshDb::new("a_filled_database_is_listed_and_searched_through_indexes") else {
        return;
    };
    // Fewer than SQLite's million by default: PostgreSQL takes the same bulk path.
    let filled = fill(&db.url(), scale_intents(50_000));
    let app = TestApp::spawn_on(&db.url(), &[]);
    check_filled(&app, &filled);
}

// -- the first hour: errors a user can act on, the database made, the connection budget --

#[test]
fn start_up_failures_say_which_server_and_why() {
    let Some(db) = FreshDb::uncreated("start_up_failures_say_which_server_and_why") else {
        return;
    };
    // A role the server does not know: the server's own words, with host, port, database.
    let config: postgres::Config = db.url().parse().unwrap();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let unknown_role = format!(
        "postgres://nobody_{}@127.0.0.1:{port}/x",
        std::process::id()
    );
    let (code, err) = failed_start(&["--database-url", &unknown_role]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("PostgreSQL at 127.0.0.1:{port}")) && err.contains("does not exist"),
        "{err}"
    );
    // Nobody listening: the cause, not "error connecting to server" alone.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = free.local_addr().unwrap().port();
    drop(free);
    let (code, err) = failed_start(&[
        "--database-url",
        &format!("postgres://postgres@127.0.0.1:{closed}/x"),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(&format!("127.0.0.1:{closed}")) && err.contains("Connection refused"),
        "{err}"
    );
    // No database name: refused before connecting, not the tables put in `postgres`.
    let (code, err) = failed_start(&["--database-url", &db.server]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("names no database"), "{err}");
}

#[test]
fn a_missing_database_is_created() {
    let Some(db) = FreshDb::uncreated("a_missing_database_is_created") else {
        return;
    };
    let app = TestApp::spawn_on(&db.url(), &[]);
    let cus = app.post("/v1/customers", &[("email", "made@example.com")]);
    assert_eq!(cus.status, 200, "{}", cus.text);
    let exists: i64 = db
        .admin()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&db.name],
        )
        .unwrap()
        .get(0);
    assert_eq!(exists, 1);
}

/// Connections open to `db` now.
fn connections_to(db: &FreshDb) -> i64 {
    db.admin()
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1",
            &[&db.name],
        )
        .unwrap()
        .get(0)
}

#[test]
fn a_process_holds_no_more_connections_than_its_budget() {
    let Some(db) = FreshDb::new("a_process_holds_no_more_connections_than_its_budget") else {
        return;
    };
    let app = TestApp::spawn_on(&db.url(), &["--db-connections", "4"]);
    // Reads and writes from 16 clients at once, a search among them.
    std::thread::scope(|s| {
        for i in 0..16 {
            let app = &app;
            s.spawn(move || {
                for j in 0..10 {
                    let email = format!("c{i}-{j}@example.com");
                    let made = app.post("/v1/customers", &[("email", email.as_str())]);
                    assert_eq!(made.status, 200, "{}", made.text);
                    let id = made.json()["id"].as_str().unwrap().to_string();
                    assert_eq!(app.get(&format!("/v1/customers/{id}")).status, 200);
                    if j == 0 {
                        let found =
                            app.get("/v1/customers/search?query=email%3A%27c1-0%40example.com%27");
                        assert_eq!(found.status, 200, "{}", found.text);
                    }
                }
            });
        }
    });
    let open = connections_to(&db);
    println!("--db-connections 4: {open} connections open after 320 requests from 16 clients");
    assert!((1..=4).contains(&open), "{open} connections open");
    // Fewer than a process can work with is refused at start.
    let (code, err) = failed_start(&["--database-url", &db.url(), "--db-connections", "2"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("--db-connections"), "{err}");
}

/// PgBouncer in transaction mode in front of the test server, on a port of its own;
/// killed on drop. It will not run as root: as root it runs as `nobody`.
struct PgBouncer {
    child: std::process::Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl PgBouncer {
    fn start(server: &str) -> PgBouncer {
        let bin = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("pgbouncer (Debian package pgbouncer; scripts/test installs it)");
        let config: postgres::Config = with_database(server, "postgres").parse().unwrap();
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let pg_port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres").to_string();
        let dir = temp_dir();
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
        std::fs::write(
            dir.join("pgbouncer.ini"),
            format!(
                "[databases]\n* = host={host} port={pg_port}\n[pgbouncer]\n\
                 listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
                 auth_type = trust\nauth_file = {}\npool_mode = transaction\n\
                 default_pool_size = 6\nmax_client_conn = 500\n",
                dir.join("users.txt").display()
            ),
        )
        .unwrap();
        let ini = dir.join("pgbouncer.ini").display().to_string();
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let mut cmd = if root {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", bin]);
            c
        } else {
            std::process::Command::new(bin)
        };
        let child = cmd
            .arg(&ini)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start pgbouncer");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "pgbouncer did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        PgBouncer { child, dir, port }
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn two_nodes_work_behind_pgbouncer_in_transaction_mode() {
    let Some(db) = FreshDb::new("two_nodes_work_behind_pgbouncer_in_transaction_mode") else {
        return;
    };
    let bouncer = PgBouncer::start(&db.server);
    let through = format!("postgres://postgres@127.0.0.1:{}/{}", bouncer.port, db.name);
    let a = TestApp::spawn_on(&through, &[]);
    let b = TestApp::spawn_on(&through, &[]);
    let (hook, seen) = counting_receiver();
    let ep = a.post(
        "/v1/webhook_endpoints",
        &[
            ("url", hook.as_str()),
            ("enabled_events[]", "payment_intent.succeeded"),
        ],
    );
    assert_eq!(ep.status, 200, "{}", ep.text);
    // Statements from both nodes interleave on the pooler's six server connections:
    // none may rely on what an earlier one left in a session.
    let mut ids = Vec::new();
    for i in 0..20 {
        let (one, other) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let email = format!("bounce{i}@example.com");
        let cus = one
            .post("/v1/customers", &[("email", email.as_str())])
            .json();
        let cus_id = cus["id"].as_str().unwrap();
        let pi = other.post(
            "/v1/payment_intents",
            &[
                ("amount", "1500"),
                ("currency", "usd"),
                ("customer", cus_id),
                ("payment_method", "pm_card_visa"),
                ("payment_method_types[]", "card"),
                ("confirm", "true"),
            ],
        );
        assert_eq!(pi.status, 200, "{}", pi.text);
        assert_eq!(pi.json()["status"], "succeeded");
        let id = pi.json()["id"].as_str().unwrap().to_string();
        let refund = one.post(
            "/v1/refunds",
            &[("payment_intent", id.as_str()), ("amount", "500")],
        );
        assert_eq!(refund.status, 200, "{}", refund.text);
        ids.push(id);
    }
    let listed = b.get("/v1/payment_intents?limit=100").json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 20);
    let found = a.get("/v1/customers/search?query=email%3A%27bounce7%40example.com%27");
    assert_eq!(
        found.json()["data"].as_array().unwrap().len(),
        1,
        "{}",
        found.text
    );
    // Every succeeded event delivered once, by one node or the other.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.lock().unwrap().len() < 20 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 20, "{seen:?}");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
}
