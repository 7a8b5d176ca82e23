//! The processes under load: `pasarela serve` on a given database and the bare baseline,
//! each started as its own process (so the load generator's work is not theirs), timed
//! from spawn to a `/healthz` 200, and killed when dropped. Also fresh PostgreSQL
//! databases, one per run, so runs do not see one another's rows.

use super::load::Conn;
use axum::body::Bytes;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Child {
    process: std::process::Child,
    /// `127.0.0.1:port`
    pub addr: String,
    /// From spawn to the first `/healthz` 200.
    pub startup: Duration,
}

impl Child {
    /// `pasarela serve` on `database_url`, with the bench's keys.
    pub async fn serve(database_url: &str) -> Result<Child, String> {
        Child::start(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--secret-key",
            super::load::SK,
            "--publishable-key",
            "pk_test_TYooMQauvdEDq54NiTphI7jx",
            "--country",
            "US",
        ])
        .await
    }

    /// The bare server (`pasarela bench --serve-baseline`).
    pub async fn baseline() -> Result<Child, String> {
        Child::start(&["bench", "--serve-baseline"]).await
    }

    async fn start(args: &[&str]) -> Result<Child, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let t = Instant::now();
        let mut process = Command::new(exe)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {args:?}: {e}"))?;
        let stdout = process.stdout.take().ok_or("no stdout")?;
        // Both print `… listening on http://ADDR …` first; the rest of stdout is drained
        // so the child never blocks on a full pipe.
        let addr = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next()?.ok()?;
            std::thread::spawn(move || lines.for_each(drop));
            let rest = first.split("http://").nth(1)?;
            Some(rest.split_whitespace().next()?.to_string())
        })
        .await
        .map_err(|e| e.to_string())?;
        let mut child = Child {
            process,
            addr: addr.ok_or_else(|| format!("{args:?} did not start"))?,
            startup: Duration::ZERO,
        };
        let give_up = t + Duration::from_secs(60);
        loop {
            if let Ok(mut c) = Conn::open(&child.addr).await {
                if let Ok((200, _)) = c.send("GET", "/healthz", Bytes::new()).await {
                    break;
                }
            }
            if Instant::now() > give_up {
                return Err(format!("{args:?} never answered /healthz"));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        child.startup = t.elapsed();
        Ok(child)
    }

    /// Resident memory now, in MiB (Linux).
    pub fn rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.process.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A PostgreSQL database made for one run and dropped after it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// A new empty database on the server `admin_url` points at.
    pub fn create(admin_url: &str) -> Result<PgDatabase, String> {
        let name = format!(
            "pasarela_bench_{}",
            crate::domain::ids::random_base62(10).to_lowercase()
        );
        pg_admin(admin_url, &format!("CREATE DATABASE {name}"))?;
        Ok(PgDatabase {
            admin_url: admin_url.to_string(),
            url: with_database(admin_url, &name),
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = pg_admin(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

pub fn pg_admin(url: &str, sql: &str) -> Result<(), String> {
    // The postgres client blocks on a runtime of its own: keep it off ours.
    let (url, sql) = (url.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .map_err(|e| format!("PostgreSQL at {url}: {}", crate::store::postgres_cause(&e)))?;
        client
            .batch_execute(&sql)
            .map_err(|e| format!("{sql}: {}", crate::store::postgres_cause(&e)))
    })
    .join()
    .map_err(|_| "postgres admin thread panicked".to_string())?
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_end])
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        let w = super::with_database;
        assert_eq!(w("postgres://u@h:5432/test", "b"), "postgres://u@h:5432/b");
        assert_eq!(
            w("postgres://u@h/test?sslmode=disable", "b"),
            "postgres://u@h/b?sslmode=disable"
        );
        assert_eq!(w("postgres://u@h:5432", "b"), "postgres://u@h:5432/b");
    }
}
