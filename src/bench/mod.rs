//! `pasarela bench`: the issue-20 workloads, measured from outside. The server runs as
//! its own process (`pasarela serve`) on a fresh database, beside a bare axum baseline
//! process in the same run; a wrk-like load generator in this process drives them over
//! loopback keep-alive connections. Every figure is printed as a rate and as a share of
//! the baseline, beside its target.

mod baseline;
mod child;
mod load;
mod webhooks;

use crate::store::Backend;
use child::{Child, PgDatabase};
use clap::Args;
use load::{Figures, Work};
use std::sync::Arc;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Seconds per run (wrk's -d), more than 0.
    #[arg(long, default_value_t = 8.0, value_parser = positive_seconds)]
    pub seconds: f64,
    /// Keep-alive connections (wrk's -c).
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Also measure on PostgreSQL: a server URL; each run makes a database of its own
    /// there (and drops it after).
    #[arg(long)]
    pub database_url: Option<String>,
    /// PaymentIntents stored for W4's small run.
    #[arg(long, default_value_t = 10_000)]
    pub small: usize,
    /// PaymentIntents stored for W4's large run, and the memory and start figures.
    #[arg(long, default_value_t = 1_000_000)]
    pub large: usize,
    /// Only these parts: w1, w2, w3, w4, webhooks (comma-separated, any case; default
    /// all).
    #[arg(long, value_delimiter = ',', value_parser = part)]
    pub only: Vec<String>,
    /// Run the bare baseline server (the bench starts it as a process of its own).
    #[arg(long, hide = true)]
    pub serve_baseline: bool,
}

/// The parts `--only` may name.
const PARTS: &[&str] = &["w1", "w2", "w3", "w4", "webhooks"];

fn part(s: &str) -> Result<String, String> {
    let lower = s.trim().to_ascii_lowercase();
    if PARTS.contains(&lower.as_str()) {
        Ok(lower)
    } else {
        Err(format!(
            "no part named {s:?}; the parts are {}",
            PARTS.join(", ")
        ))
    }
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok(n),
        _ => Err(format!("{s} is not a number of seconds above 0")),
    }
}

const CREATE_BODY: &str = "amount=1099&currency=usd&payment_method_types[]=card";

pub async fn run(args: BenchArgs) -> i32 {
    if args.serve_baseline {
        return baseline::serve().await;
    }
    match bench(&args).await {
        Ok(0) => 0,
        Ok(failed) => {
            eprintln!("bench: {failed} requests failed (the `failed` column): the figures are not to be trusted");
            1
        }
        Err(e) => {
            eprintln!("bench: {e}");
            1
        }
    }
}

fn wants(args: &BenchArgs, part: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|o| o == part)
}

/// Runs the parts asked for; how many requests failed in all.
async fn bench(args: &BenchArgs) -> Result<u64, String> {
    // An unreachable PostgreSQL fails now, not after the SQLite figures.
    if let Some(url) = &args.database_url {
        drop(PgDatabase::create(url)?);
    }
    let root = std::env::temp_dir().join(format!(
        "pasarela-bench-{}",
        crate::domain::ids::random_base62(8)
    ));
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    println!(
        "pasarela bench: {} connections, {} s per run, on {} ({} cores); load from this process, \
         server and baseline in processes of their own",
        args.connections,
        args.seconds,
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!(
        "share: the rate as a share of the bare baseline's, beside its target; \
         ✗ marks a figure that misses its target"
    );
    let base = Child::baseline().await?;
    let form = work("POST", "/v1/payment_intents", CREATE_BODY);
    let get = work("GET", "/v1/payment_intents/pi_x", "");
    header();
    let bare_post = measure(
        "baseline POST (bare axum, form parse)",
        &base,
        &form,
        args,
        None,
    )
    .await?;
    let bare_get = measure("baseline GET (bare axum)", &base, &get, args, None).await?;
    drop(base);
    let bases = Baselines {
        post: bare_post.requests_per_sec,
        get: bare_get.requests_per_sec,
    };
    let mut backends = vec![Engine::Sqlite(root.clone())];
    if let Some(url) = &args.database_url {
        backends.push(Engine::Postgres(url.clone()));
    }
    for engine in &backends {
        println!("\n{}", engine.describe());
        header();
        workloads(args, engine, &bases).await?;
    }
    if wants(args, "webhooks") {
        println!();
        let (_dir, url) = Engine::Sqlite(root.clone()).fresh()?;
        webhooks::latency(&url, args.seconds).await?;
    }
    let _ = std::fs::remove_dir_all(&root);
    Ok(FAILED.load(std::sync::atomic::Ordering::Relaxed))
}

/// Requests that failed in every run so far.
static FAILED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The baseline's rates, requests per second.
struct Baselines {
    post: f64,
    get: f64,
}

/// Where a run's server keeps its data.
enum Engine {
    /// A directory for SQLite files.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL server's URL.
    Postgres(String),
}

/// What keeps a fresh database alive; dropping it removes the database.
enum Fresh {
    Sqlite(std::path::PathBuf),
    /// Held to be dropped (which drops the database).
    #[allow(dead_code)]
    Postgres(PgDatabase),
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Fresh::Sqlite(dir) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Engine {
    fn describe(&self) -> String {
        match self {
            Engine::Sqlite(dir) => format!(
                "SQLite (WAL; every 2xx answered after an fsync of what it wrote), files under {}",
                dir.display()
            ),
            Engine::Postgres(url) => format!("PostgreSQL at {url}, a database per run"),
        }
    }

    /// A new empty database: its keeper and its `--database-url`.
    fn fresh(&self) -> Result<(Fresh, String), String> {
        match self {
            Engine::Sqlite(root) => {
                let dir = root.join(crate::domain::ids::random_base62(8));
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                let url = format!("sqlite:{}", dir.join("bench.db").display());
                Ok((Fresh::Sqlite(dir), url))
            }
            Engine::Postgres(admin) => {
                let db = PgDatabase::create(admin)?;
                let url = db.url.clone();
                Ok((Fresh::Postgres(db), url))
            }
        }
    }
}

fn backend_of(url: &str) -> Result<Backend, String> {
    crate::config::database(url)
}

fn work(method: &'static str, path: &str, body: &'static str) -> Work {
    Work::Request {
        method,
        paths: Arc::new(vec![path.to_string()]),
        body,
    }
}

fn header() {
    println!(
        "{:<46} {:>8} {:>9} {:>8} {:>8} {:>6} {:>16}",
        "workload", "done", "per s", "p50 ms", "p99 ms", "failed", "share (target)"
    );
}

async fn measure(
    name: &str,
    server: &Child,
    work: &Work,
    args: &BenchArgs,
    target: Option<(f64, f64)>,
) -> Result<Figures, String> {
    let bar = crate::progress::Timed::start(name, args.seconds);
    let figures = load::run(&server.addr, work, args.connections, args.seconds).await?;
    drop(bar);
    FAILED.fetch_add(figures.failed as u64, std::sync::atomic::Ordering::Relaxed);
    let ratio = target.map(|(baseline, want)| (figures.per_sec / baseline, want));
    let share = match ratio {
        Some((r, want)) => format!("{r:.2} (≥{want:.2}){}", if r >= want { "" } else { " ✗" }),
        None => String::new(),
    };
    println!(
        "{:<46} {:>8} {:>9.0} {:>8.2} {:>8.2} {:>6} {:>16}",
        name, figures.done, figures.per_sec, figures.p50_ms, figures.p99_ms, figures.failed, share
    );
    Ok(figures)
}

/// W1–W4, memory and start on one kind of database.
async fn workloads(args: &BenchArgs, engine: &Engine, bases: &Baselines) -> Result<(), String> {
    let pg = matches!(engine, Engine::Postgres(_));
    if wants(args, "w1") {
        let (_keep, url) = engine.fresh()?;
        let server = Child::serve(&url).await?;
        println!(
            "{:<46} start to ready {:.0} ms (empty database)",
            "",
            server.startup.as_secs_f64() * 1000.0
        );
        let want = if pg { 0.10 } else { 0.35 };
        let w1 = work("POST", "/v1/payment_intents", CREATE_BODY);
        let row = measure(
            "W1 create PaymentIntent",
            &server,
            &w1,
            args,
            Some((bases.post, want)),
        )
        .await?;
        if row.p99_ms > 20.0 && !pg {
            println!("{:<46} p99 above the 20 ms target ✗", "");
        }
    }
    if wants(args, "w2") {
        let (_keep, url) = engine.fresh()?;
        let server = Child::serve(&url).await?;
        let ids = create_intents(&server.addr, 200).await?;
        let w2 = Work::Request {
            method: "GET",
            paths: Arc::new(
                ids.iter()
                    .map(|id| format!("/v1/payment_intents/{id}"))
                    .collect(),
            ),
            body: "",
        };
        measure(
            "W2 retrieve PaymentIntent",
            &server,
            &w2,
            args,
            Some((bases.get, 0.60)),
        )
        .await?;
    }
    if wants(args, "w3") {
        let (_keep, url) = engine.fresh()?;
        let server = Child::serve(&url).await?;
        let row = measure(
            "W3 off-session flow (flows; 3 requests each)",
            &server,
            &Work::OffSessionFlow,
            args,
            Some((bases.post, 0.10)),
        )
        .await?;
        println!(
            "{:<46} {:.0} requests/s, every flow succeeded: {}",
            "",
            row.requests_per_sec,
            if row.failed == 0 { "yes" } else { "NO ✗" }
        );
    }
    if wants(args, "w4") {
        stored_at_scale(args, engine, bases).await?;
    }
    Ok(())
}

/// W4 with `small` and then with `large` intents stored (each database filled through
/// the store's bulk path), with the memory and start figures on each.
async fn stored_at_scale(
    args: &BenchArgs,
    engine: &Engine,
    bases: &Baselines,
) -> Result<(), String> {
    let mut at_small = Vec::new();
    for n in [args.small, args.large] {
        let (_keep, url) = engine.fresh()?;
        let t = std::time::Instant::now();
        let filled = fill(&url, n).await?;
        // Measured at rest: not while the kernel still writes the fill's pages back.
        settle(&url)?;
        println!(
            "{:<46} {} PaymentIntents stored with their customers and events (bulk path, {:.0} s)",
            "",
            n,
            t.elapsed().as_secs_f64()
        );
        let server = Child::serve(&url).await?;
        println!(
            "{:<46} start to ready {:.0} ms with {} stored (target ≤300){}",
            "",
            server.startup.as_secs_f64() * 1000.0,
            short(n),
            if server.startup.as_millis() > 300 {
                " ✗"
            } else {
                ""
            }
        );
        for (i, (name, path)) in w4_queries(&filled).into_iter().enumerate() {
            let row = measure(
                &format!("W4 @{} {name}", short(n)),
                &server,
                &work("GET", &path, ""),
                args,
                Some((bases.get, 0.50)),
            )
            .await?;
            if n == args.small {
                at_small.push(row.per_sec);
            } else if let Some(small) = at_small.get(i) {
                let kept = row.per_sec / small;
                println!(
                    "{:<46} {:.2} of the rate with {} stored (target ≥0.80){}",
                    "",
                    kept,
                    short(args.small),
                    if kept >= 0.8 { "" } else { " ✗" }
                );
            }
        }
        if let Some(rss) = server.rss_mib() {
            println!(
                "{:<46} server RSS {:.0} MiB with {} stored (target ≤150){}",
                "",
                rss,
                short(n),
                if rss > 150.0 { " ✗" } else { "" }
            );
        }
    }
    Ok(())
}

fn short(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1000 && n % 1000 == 0 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

/// What W4 asks, each a name and a path.
fn w4_queries(s: &crate::fill::Filled) -> Vec<(&'static str, String)> {
    let q = |s: String| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    vec![
        (
            "list ten of one customer",
            format!("/v1/payment_intents?customer={}&limit=10", s.customer),
        ),
        ("list ten newest", "/v1/payment_intents?limit=10".into()),
        (
            "search by customer",
            format!(
                "/v1/payment_intents/search?limit=10&query={}",
                q(format!("customer:\"{}\"", s.customer))
            ),
        ),
        (
            "search by metadata",
            format!(
                "/v1/payment_intents/search?limit=10&query={}",
                q(format!(
                    "metadata[\"{}\"]:\"{}\"",
                    s.metadata_key, s.metadata_value
                ))
            ),
        ),
        (
            "events?type=",
            format!("/v1/events?type={}&limit=10", s.event_type),
        ),
    ]
}

/// Stores `n` intents (with their customers and events) through the store's bulk path.
async fn fill(url: &str, n: usize) -> Result<crate::fill::Filled, String> {
    let store = crate::store::Store::open(backend_of(url)?).map_err(|e| e.to_string())?;
    let filled = crate::fill::fill(&store, n)
        .await
        .map_err(|e| e.to_string());
    store.close();
    filled
}

/// Puts what was written to `url` on disk (SQLite's files, PostgreSQL's checkpoint).
fn settle(url: &str) -> Result<(), String> {
    match backend_of(url)? {
        Backend::Sqlite(path) => {
            for file in [path.clone(), format!("{path}-wal")] {
                if let Ok(f) = std::fs::File::open(&file) {
                    f.sync_all().map_err(|e| format!("{file}: {e}"))?;
                }
            }
            Ok(())
        }
        // CHECKPOINT needs a superuser or pg_checkpoint; without, measured as it is.
        Backend::Postgres(url) => {
            let _ = child::pg_admin(&url, "CHECKPOINT");
            Ok(())
        }
    }
}

/// `n` PaymentIntents made through the API; their ids.
async fn create_intents(addr: &str, n: usize) -> Result<Vec<String>, String> {
    let mut conn = load::Conn::open(addr).await?;
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(
            conn.create("/v1/payment_intents", CREATE_BODY.into())
                .await
                .ok_or("creating a PaymentIntent failed")?,
        );
    }
    Ok(ids)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into())
}
