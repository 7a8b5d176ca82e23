//! The PostgreSQL driver, for several `serve` processes sharing one database: each
//! process has its own writer, and writes lock the rows they read (`FOR UPDATE`) so
//! that two processes confirming one intent take turns.

use super::driver::{Arg, Cell, Col, Driver};
use super::StoreError;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_due.sql"),
    include_str!("../../migrations/postgres/0003_event_objects.sql"),
    include_str!("../../migrations/postgres/0004_search_terms.sql"),
];
/// Serializes migrations of processes starting together.
const MIGRATION_LOCK: i64 = 0x7061_7361_7265_6c61; // "pasarela"

pub struct Postgres {
    client: Client,
    statements: HashMap<String, Statement>,
}

fn err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // lock_not_available, deadlock_detected, serialization_failure
        if code == "55P03" || code == "40P01" || code == "40001" {
            return StoreError::Locked;
        }
    }
    StoreError::Other(format!("postgres: {e}"))
}

/// Connects and applies migrations.
pub fn open(url: &str) -> Result<Postgres, StoreError> {
    let mut client = Client::connect(url, NoTls).map_err(err)?;
    client
        .batch_execute("SET lock_timeout = '10s'")
        .map_err(err)?;
    let mut pg = Postgres {
        client,
        statements: HashMap::new(),
    };
    pg.client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    let result = migrate(&mut pg.client);
    pg.client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    result?;
    Ok(pg)
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS pasarela_migrations (version BIGINT NOT NULL)")
        .map_err(err)?;
    let version: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM pasarela_migrations",
            &[],
        )
        .map_err(err)?
        .get(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let mut tx = client.transaction().map_err(err)?;
        tx.batch_execute(sql).map_err(err)?;
        tx.execute(
            "INSERT INTO pasarela_migrations (version) VALUES ($1)",
            &[&(i as i64 + 1)],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Postgres {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql).map_err(err)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
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

fn refs(ps: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    ps.iter()
        .map(|p| match p {
            Param::Int(i) => i as &(dyn ToSql + Sync),
            Param::Text(t) => t as &(dyn ToSql + Sync),
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
        let stmt = self.statement(sql)?;
        let ps = params(args);
        self.client.execute(&stmt, &refs(&ps)).map_err(err)
    }

    fn query(
        &mut self,
        sql: &str,
        args: &[Arg],
        cols: &[Col],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        let stmt = self.statement(sql)?;
        let ps = params(args);
        let rows = self.client.query(&stmt, &refs(&ps)).map_err(err)?;
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
        self.batch("BEGIN")
    }

    fn locks_rows(&self) -> bool {
        true
    }

    fn among_json_list(&self, column: &str, param: usize) -> String {
        format!("{column} IN (SELECT jsonb_array_elements_text(${param}::text::jsonb))")
    }
}
