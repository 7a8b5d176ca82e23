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

/// The writer's connection. Its commits write the WAL without waiting for the disk
/// (`synchronous=NORMAL`): the store's `Syncer` fsyncs the WAL before any write is
/// answered, while the writer goes on with the next batch. (Measured and left alone:
/// savepoint sub-journals in memory took a third of a bulk fill's time; a 32 MiB page
/// cache cost the writer more in SQLite's cache upkeep at every commit than it saved.)
pub fn open_writer(path: &str) -> Result<Sqlite, StoreError> {
    let db = open(path)?;
    db.conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(db)
}

/// Copies committed WAL pages into the database file every 50 ms from a thread of its
/// own (PASSIVE: it never blocks the writer or readers). The writer still checkpoints
/// in its commit when the WAL passes 1000 pages, as SQLite does by default, because only
/// a checkpoint that catches up with the writer lets the WAL start over; but it finds
/// most pages already copied. In the writer's commit, checkpoints took a tenth of its
/// time, and every write waits for the writer.
pub struct Checkpointer {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    pub fn start(path: &str) -> Result<Checkpointer, StoreError> {
        let db = open(path)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || loop {
                let last = !matches!(
                    stopped.recv_timeout(std::time::Duration::from_millis(50)),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                );
                if let Err(e) = db
                    .conn
                    .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
                if last {
                    break;
                }
            })
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(Checkpointer { stop, thread })
    }

    /// One last checkpoint, then the thread ends.
    pub fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// The WAL file of the database at `path`, opened to be synced.
pub fn wal_file(path: &str) -> std::io::Result<std::fs::File> {
    std::fs::File::open(format!("{path}-wal"))
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

    fn among_json_list(&self, column: &str, param: usize) -> String {
        format!("{column} IN (SELECT value FROM json_each(${param}))")
    }
}
