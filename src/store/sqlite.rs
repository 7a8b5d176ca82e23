//! The SQLite driver (the embedded default): WAL, so readers never wait on the one
//! writer; `synchronous=FULL`, so a commit is on disk before anyone is answered.

use super::driver::{Arg, Cell, Col, Driver};
use super::StoreError;
use rusqlite::types::Value;
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_due.sql"),
    include_str!("../../migrations/sqlite/0003_event_objects.sql"),
    include_str!("../../migrations/sqlite/0004_search_terms.sql"),
];

pub struct Sqlite {
    conn: Connection,
}

/// Opens (creating if missing) the database file and applies migrations.
pub fn open(path: &str) -> Result<Sqlite, StoreError> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
        }
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(Sqlite { conn })
}

fn bind(args: &[Arg]) -> Vec<Value> {
    args.iter()
        .map(|a| match a {
            Arg::Int(i) => Value::Integer(*i),
            Arg::Text(t) => Value::Text(t.clone()),
            Arg::Null | Arg::NullInt => Value::Null,
        })
        .collect()
}

// The shared SQL writes `$1`, `$2`, ... in order of first use: SQLite takes `$1` as a
// named parameter and numbers named parameters in that same order, so positional
// binding lines up without rewriting the SQL.

impl Driver for Sqlite {
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch(sql)?)
    }

    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(bind(args)))? as u64)
    }

    fn query(
        &mut self,
        sql: &str,
        args: &[Arg],
        cols: &[Col],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(bind(args)), |r| {
            cols.iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Col::Int => r.get::<_, i64>(i).map(Cell::Int),
                    Col::Text => r.get::<_, String>(i).map(Cell::Text),
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn savepoint(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.prepare_cached(sql)?.execute([])?;
        Ok(())
    }

    fn cache_kib(&mut self, kib: Option<i64>) -> Result<(), StoreError> {
        // SQLite's default: 2 MB.
        let kib = kib.unwrap_or(2000);
        Ok(self.conn.pragma_update(None, "cache_size", -kib)?)
    }

    fn begin_write(&mut self) -> Result<(), StoreError> {
        self.batch("BEGIN IMMEDIATE")
    }

    fn locks_rows(&self) -> bool {
        // One writer owns the file: reads inside its transaction are already serialized.
        false
    }
}
