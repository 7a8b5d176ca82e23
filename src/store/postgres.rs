//! The PostgreSQL driver, for several `serve` processes sharing one database: each
//! process has its own writer, and writes lock the rows they read (`FOR UPDATE`) so
//! that two processes confirming one intent take turns.
//!
//! No state lives in the session between transactions (no named prepared statements,
//! no `SET`, no session advisory locks), so a pooler in transaction mode (PgBouncer's
//! `pool_mode = transaction`) may hand each transaction to another server connection.

use super::driver::{Arg, Cell, Col, Driver};
use super::StoreError;
use postgres::config::Host;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls};

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_due.sql"),
    include_str!("../../migrations/postgres/0003_event_objects.sql"),
    include_str!("../../migrations/postgres/0004_search_terms.sql"),
];
/// Serializes migrations of processes starting together.
const MIGRATION_LOCK: i64 = 0x7061_7361_7265_6c61; // "pasarela"
/// How long a write waits for a row another process holds before giving up (then
/// retried as `Locked`).
const LOCK_TIMEOUT: &str = "10s";

pub struct Postgres {
    client: Client,
}

fn err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // lock_not_available, deadlock_detected, serialization_failure
        if code == "55P03" || code == "40P01" || code == "40001" {
            return StoreError::Locked;
        }
    }
    StoreError::Other(format!("postgres: {}", cause(&e)))
}

/// The server's own message (with its detail and hint), or the cause under the
/// driver's one-line summary ("db error", "error connecting to server").
pub fn cause(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = db.message().to_string();
        if let Some(d) = db.detail() {
            m.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            m.push_str(&format!("; hint: {h}"));
        }
        return m;
    }
    match std::error::Error::source(e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    }
}

/// `host:port`, database and user of a connection, for errors a user can act on.
struct Target {
    host: String,
    port: u16,
    dbname: String,
    user: String,
}

impl Target {
    fn of(config: &Config) -> Target {
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let user = config
            .get_user()
            .map(str::to_string)
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default();
        Target {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            dbname: config.get_dbname().unwrap_or(&user).to_string(),
            user,
        }
    }

    fn failed(&self, what: &str, e: &postgres::Error) -> StoreError {
        StoreError::Other(format!(
            "PostgreSQL at {}:{} (database \"{}\", user \"{}\"): {what}: {}",
            self.host,
            self.port,
            self.dbname,
            self.user,
            cause(e)
        ))
    }
}

/// Connects and applies migrations; creates the database first when it is missing and
/// the role may create it.
pub fn open(url: &str) -> Result<Postgres, StoreError> {
    let config: Config = url
        .parse()
        .map_err(|e| StoreError::Other(format!("postgres: bad URL: {e}")))?;
    let target = Target::of(&config);
    let client = match config.connect(NoTls) {
        Ok(c) => c,
        Err(e) if e.code().map(|c| c.code()) == Some("3D000") => {
            create_database(&config, &target)?;
            config
                .connect(NoTls)
                .map_err(|e| target.failed("cannot connect", &e))?
        }
        Err(e) => return Err(target.failed("cannot connect", &e)),
    };
    let mut pg = Postgres { client };
    migrate(&mut pg.client).map_err(|e| match e {
        StoreError::Other(m) => StoreError::Other(format!(
            "PostgreSQL at {}:{} (database \"{}\"): setting up the tables: {m}",
            target.host, target.port, target.dbname
        )),
        e => e,
    })?;
    Ok(pg)
}

/// `CREATE DATABASE` from the server's `postgres` database; another process creating
/// it at the same time is fine. A role that may not gets the command to run instead.
fn create_database(config: &Config, target: &Target) -> Result<(), StoreError> {
    let mut admin = config.clone();
    admin.dbname("postgres");
    let mut client = admin
        .connect(NoTls)
        .map_err(|e| target.failed("the database does not exist, and creating it failed", &e))?;
    let quoted = format!("\"{}\"", target.dbname.replace('"', "\"\""));
    match client.batch_execute(&format!("CREATE DATABASE {quoted}")) {
        Ok(()) => {
            tracing::info!(database = %target.dbname, "created the PostgreSQL database");
            Ok(())
        }
        // duplicate_database: a node starting beside this one made it first.
        Err(e) if e.code().map(|c| c.code()) == Some("42P04") => Ok(()),
        Err(e) if e.code().map(|c| c.code()) == Some("42501") => Err(StoreError::Other(format!(
            "PostgreSQL at {}:{}: database \"{}\" does not exist and user \"{}\" may not \
             create it; create it as a role that may, owned by \"{}\": \
             createdb -h {} -p {} -O {} {}",
            target.host,
            target.port,
            target.dbname,
            target.user,
            target.user,
            target.host,
            target.port,
            target.user,
            target.dbname
        ))),
        Err(e) => Err(target.failed("the database does not exist, and creating it failed", &e)),
    }
}

/// Applies the migrations not yet applied, in one transaction holding a transaction
/// advisory lock (processes starting together take turns; a session lock would not
/// survive a transaction-mode pooler).
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(err)?;
    tx.execute_typed(
        "SELECT pg_advisory_xact_lock($1)",
        &[(&MIGRATION_LOCK, Type::INT8)],
    )
    .map_err(err)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS pasarela_migrations (version BIGINT NOT NULL)")
        .map_err(err)?;
    let version: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM pasarela_migrations",
            &[],
        )
        .map_err(err)?
        .get(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(err)?;
        tx.execute_typed(
            "INSERT INTO pasarela_migrations (version) VALUES ($1)",
            &[(&(i as i64 + 1), Type::INT8)],
        )
        .map_err(err)?;
    }
    tx.commit().map_err(err)
}

enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

fn params(args: &[Arg]) -> Vec<Param> {
    args.iter()
        .map(|a| match a {
            Arg::Int(i) => Param::Int(Some(*i)),
            Arg::Text(t) => Param::Text(Some(t.clone())),
            Arg::Null => Param::Text(None),
            Arg::NullInt => Param::Int(None),
        })
        .collect()
}

/// Each argument with its type: statements are sent unnamed with their types, parsed
/// and run in one round trip, so nothing is left prepared in the session.
fn typed(ps: &[Param]) -> Vec<(&(dyn ToSql + Sync), Type)> {
    ps.iter()
        .map(|p| match p {
            Param::Int(i) => (i as &(dyn ToSql + Sync), Type::INT8),
            Param::Text(t) => (t as &(dyn ToSql + Sync), Type::TEXT),
        })
        .collect()
}

impl Driver for Postgres {
    fn analyze(&mut self) -> Result<(), StoreError> {
        self.batch("ANALYZE objects; ANALYZE search_terms")
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(err)
    }

    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        let ps = params(args);
        self.client.execute_typed(sql, &typed(&ps)).map_err(err)
    }

    fn query(
        &mut self,
        sql: &str,
        args: &[Arg],
        cols: &[Col],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        let ps = params(args);
        let rows = self.client.query_typed(sql, &typed(&ps)).map_err(err)?;
        Ok(rows
            .iter()
            .map(|r| {
                cols.iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        Col::Int => Cell::Int(r.get::<_, i64>(i)),
                        Col::Text => Cell::Text(r.get::<_, String>(i)),
                    })
                    .collect()
            })
            .collect())
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.batch(&format!("BEGIN; SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    }

    fn locks_rows(&self) -> bool {
        true
    }

    fn among_json_list(&self, column: &str, param: usize) -> String {
        format!("{column} IN (SELECT jsonb_array_elements_text(${param}::text::jsonb))")
    }
}
