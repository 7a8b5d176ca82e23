//! Starts the real binary with a fresh SQLite database on a port the system picks
//! (`--listen 127.0.0.1:0`; the port is read from the first line the server prints), and
//! talks HTTP to it (zero2prod's `spawn_app`).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SK: &str = "sk_test_BQokikJOvBiI2HlWgH4olfQ2";
pub const PK: &str = "pk_test_TYooMQauvdEDq54NiTphI7jx";

pub struct TestApp {
    pub base: String,
    pub dir: PathBuf,
    pub child: Child,
    pub stdout: Vec<String>,
    port: u16,
    extra: Vec<String>,
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "pasarela-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl TestApp {
    /// A server with the docs' keys, on a fresh database.
    pub fn spawn(args: &[&str]) -> TestApp {
        let mut all = vec!["--secret-key", SK, "--publishable-key", PK];
        all.extend_from_slice(args);
        Self::spawn_in(temp_dir(), &all)
    }

    pub fn spawn_in(dir: PathBuf, args: &[&str]) -> TestApp {
        let db = format!("sqlite:{}", dir.join("p.db").display());
        let mut all = vec!["--database-url", db.as_str()];
        all.extend_from_slice(args);
        Self::spawn_with(dir.clone(), &all)
    }

    /// A server on the database given in `args` (`--database-url ...`), with the docs' keys.
    pub fn spawn_on(database_url: &str, args: &[&str]) -> TestApp {
        let mut all = vec![
            "--database-url",
            database_url,
            "--secret-key",
            SK,
            "--publishable-key",
            PK,
        ];
        all.extend_from_slice(args);
        Self::spawn_with(temp_dir(), &all)
    }

    fn spawn_with(dir: PathBuf, args: &[&str]) -> TestApp {
        let extra: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (child, stdout, port) = start(&dir, &extra);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            dir,
            child,
            stdout,
            port,
            extra,
        }
    }

    /// Stops (SIGKILL when `hard`) and starts again on the same database,
    /// with `args` added to the flags it had.
    pub fn restart(&mut self, hard: bool, args: Option<&[&str]>) {
        if hard {
            self.child.kill().unwrap();
        } else {
            terminate(&mut self.child);
        }
        self.child.wait().unwrap();
        if let Some(a) = args {
            // The database and keys stay; the given flags are added to them.
            self.extra.extend(a.iter().map(|s| s.to_string()));
        }
        // A new port (the system picks again): the old one may be taken meanwhile.
        let (child, stdout, port) = start(&self.dir, &self.extra);
        self.port = port;
        self.base = format!("http://127.0.0.1:{port}");
        self.child = child;
        self.stdout = stdout;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with the secret key (Basic auth, as curl -u sends it).
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.request("POST", path, form, &[("authorization", &basic(SK))])
    }
    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], &[("authorization", &basic(SK))])
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let agent = ureq::AgentBuilder::new().redirects(0).build();
        let mut req = agent.request(method, &self.url(path));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = if method == "POST" {
            req.send_form(form)
        } else {
            req.call()
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .map(|n| (n.clone(), resp.header(&n).unwrap_or("").to_string()))
            .collect();
        let text = resp.into_string().unwrap();
        Resp {
            status,
            headers,
            text,
        }
    }
}

/// The port in the server's first line, `Pasarela listening on http://127.0.0.1:PORT (public
/// URL ...)`. Without `--public-url` the public URL (the hosted pages' links) is the same
/// address.
fn listening_port(first: &str, extra: &[String]) -> Option<u16> {
    let rest = first.strip_prefix("Pasarela listening on http://127.0.0.1:")?;
    let (port, rest) = rest.split_once(' ')?;
    let port: u16 = port.parse().ok()?;
    if !extra.iter().any(|a| a == "--public-url") {
        assert_eq!(
            rest,
            format!("(public URL http://127.0.0.1:{port})"),
            "the public URL is the listening address"
        );
    }
    Some(port)
}

fn start(dir: &Path, extra: &[String]) -> (Child, Vec<String>, u16) {
    let log = std::fs::File::create(dir.join("server.log")).expect("server log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pasarela"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start pasarela");
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(stdout);
    // The banner ends with the publishable key line.
    for _ in 0..4 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        lines.push(line.trim_end().to_string());
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    let port = lines
        .first()
        .and_then(|l| listening_port(l, extra))
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!(
                "pasarela did not say where it listens: {lines:?}\n{}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            )
        });
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if ureq::get(&format!("http://127.0.0.1:{port}/healthz"))
            .call()
            .map(|r| r.status() == 200)
            .unwrap_or(false)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server did not become ready: {lines:?}\n{}",
            std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, lines, port)
}

pub fn terminate(child: &mut Child) {
    unsafe_kill(child.id(), 15);
}

fn unsafe_kill(pid: u32, sig: i32) {
    Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn basic(key: &str) -> String {
    // base64 of "key:" without a dependency: keys are ASCII.
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{key}:").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Problems `tests/schema/check.py` (Stripe's object schemas, `tests/schema/objects.json`)
/// finds in a body, one per line; empty when it conforms. Panics when the checker does not
/// run cleanly (exit 0 with no output, or exit 1 with problems, and nothing on stderr), so a
/// broken checker cannot pass every body.
pub fn shape_problems(body: &serde_json::Value) -> String {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schema/check.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (runs tests/schema/check.py)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let clean = match out.status.code() {
        Some(0) => stdout.trim().is_empty(),
        Some(1) => !stdout.trim().is_empty(),
        _ => false,
    };
    assert!(
        clean && stderr.trim().is_empty(),
        "tests/schema/check.py did not run cleanly ({}):\n{stderr}{stdout}",
        out.status
    );
    stdout
}

/// An error answer: its status and the error's `type`, `code` and `param` (None: the field is
/// absent, as Stripe leaves it out). Returns the error object.
pub fn assert_error(
    r: &Resp,
    status: u16,
    type_: &str,
    code: Option<&str>,
    param: Option<&str>,
) -> serde_json::Value {
    let body = r.json();
    let err = &body["error"];
    assert!(
        err.is_object(),
        "not an error body ({}): {}",
        r.status,
        r.text
    );
    let got = (
        r.status,
        err["type"].as_str(),
        err["code"].as_str(),
        err["param"].as_str(),
    );
    assert_eq!(
        got,
        (status, Some(type_), code, param),
        "(status, type, code, param) of {}",
        r.text
    );
    err.clone()
}

pub fn assert_stripe_shape(body: &serde_json::Value) {
    let problems = shape_problems(body);
    assert!(
        problems.is_empty(),
        "not Stripe's shape:\n{problems}\nbody: {body}"
    );
}

/// A webhook handler on loopback that answers 200 and counts each event id it receives.
pub fn counting_receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
) {
    counting_receiver_on(std::net::TcpListener::bind("127.0.0.1:0").unwrap())
}

/// `counting_receiver` on a listener already bound (a port chosen in advance).
pub fn counting_receiver_on(
    listener: std::net::TcpListener,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
) {
    use std::io::{Read, Write};
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>> =
        Default::default();
    let counts = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counts = counts.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; length];
                reader.read_exact(&mut body).unwrap();
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
                *counts
                    .lock()
                    .unwrap()
                    .entry(event["id"].as_str().unwrap().to_string())
                    .or_default() += 1;
                let mut out = stream;
                let _ = out.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    (url, seen)
}

/// Fills the database `database_url` names with `intents` PaymentIntents through
/// `pasarela fill` (the store's bulk path) and returns what it says it filled.
pub fn fill(database_url: &str, intents: usize) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_pasarela"))
        .args(["fill", "--database-url", database_url])
        .args(["--intents", &intents.to_string()])
        .output()
        .expect("run pasarela fill");
    assert!(
        out.status.success(),
        "pasarela fill: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("fill prints JSON")
}

/// `PASARELA_SCALE_INTENTS`, or `default`.
pub fn scale_intents(default: usize) -> usize {
    std::env::var("PASARELA_SCALE_INTENTS")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Lists, searches and events on a filled database (`filled` from `fill`) answer
/// with the objects the fill says, newest first, pages included.
pub fn check_filled(app: &TestApp, filled: &serde_json::Value) {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("an array")
            .iter()
            .map(|s| s.as_str().expect("a string").to_string())
            .collect()
    };
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("no data: {body}"))
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |path: &str| -> serde_json::Value {
        let r = app.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        r.json()
    };
    let q = |s: &str| percent_encode(s);
    let customer = filled["customer"].as_str().unwrap();
    let customer_intents = strings(&filled["customer_intents"]);
    assert!(customer_intents.len() >= 20, "{filled}");

    let page = get(&format!("/v1/payment_intents?customer={customer}&limit=10"));
    assert_eq!(ids(&page), customer_intents[..10]);
    assert_eq!(page["has_more"], true);

    let newest = get("/v1/payment_intents?limit=10");
    assert_eq!(ids(&newest), strings(&filled["newest_intents"]));

    let search = format!(
        "/v1/payment_intents/search?limit=10&query={}",
        q(&format!("customer:\"{customer}\""))
    );
    let first = get(&search);
    assert_eq!(ids(&first), customer_intents[..10]);
    assert_eq!(first["has_more"], true);
    let token = first["next_page"].as_str().expect("a next page");
    let second = get(&format!("{search}&page={token}"));
    assert_eq!(ids(&second), customer_intents[10..20]);

    // Equality ignores case, through the index too.
    let (key, value) = (
        filled["metadata_key"].as_str().unwrap(),
        filled["metadata_value"].as_str().unwrap(),
    );
    let by_metadata = get(&format!(
        "/v1/payment_intents/search?query={}",
        q(&format!("metadata[\"{key}\"]:\"{}\"", value.to_lowercase()))
    ));
    assert_eq!(ids(&by_metadata), strings(&filled["metadata_intents"]));
    assert_eq!(by_metadata["has_more"], false);
    let narrowed = get(&format!(
        "/v1/payment_intents/search?expand[]=total_count&query={}",
        q(&format!(
            "customer:\"{customer}\" AND status:\"canceled\" AND -amount:1"
        ))
    ));
    let canceled = narrowed["total_count"].as_u64().unwrap() as usize;
    assert!(
        canceled > 0 && canceled < customer_intents.len(),
        "{narrowed}"
    );

    let email = get(&format!(
        "/v1/customers/search?query={}",
        q("email:\"CUSTOMER0@example.com\"")
    ));
    assert_eq!(ids(&email), [customer]);

    let events = get(&format!(
        "/v1/events?type={}&limit=10",
        filled["event_type"].as_str().unwrap()
    ));
    assert_eq!(ids(&events), strings(&filled["newest_events"]));
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs `pasarela serve` with `args` expecting it to refuse to start: its exit code
/// and what it printed on stderr. Panics if it is still running after 30 s.
pub fn failed_start(args: &[&str]) -> (Option<i32>, String) {
    let dir = temp_dir();
    let err = std::fs::File::create(dir.join("stderr")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pasarela"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::from(err))
        .spawn()
        .expect("start pasarela");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pasarela serve {args:?} started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(dir.join("stderr")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    (status.code(), stderr)
}
