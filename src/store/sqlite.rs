//! The SQLite backend. Writes go to one thread that runs every queued write of a
//! batch in one transaction (each in its own savepoint) and answers only after the
//! commit, so a reply means durable. Reads use a pool of separate connections.

use super::{decode, AccountRow, IdempotentRecord, ListPage, ListQuery, StoreError, Stored};
use rusqlite::{params, Connection, OptionalExtension};
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];
/// Most writes one commit takes; more wait for the next.
const MAX_BATCH: usize = 256;

type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Db) -> Reply + Send>;

/// A connection with the queries Pasarela needs, used by readers and the writer alike.
pub struct Db {
    conn: Connection,
    depth: Cell<u32>,
}

fn open(path: &str) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

impl Db {
    fn new(conn: Connection) -> Db {
        Db {
            conn,
            depth: Cell::new(0),
        }
    }

    /// Runs `f` in a savepoint: its writes are kept on `Ok` and undone on `Err`.
    pub fn savepoint<T, E>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let name = format!("sp{}", self.depth.get());
        self.conn
            .execute_batch(&format!("SAVEPOINT {name}"))
            .map_err(StoreError::from)?;
        self.depth.set(self.depth.get() + 1);
        let result = f(self);
        self.depth.set(self.depth.get() - 1);
        match &result {
            Ok(_) => self
                .conn
                .execute_batch(&format!("RELEASE {name}"))
                .map_err(StoreError::from)?,
            Err(_) => self
                .conn
                .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
                .map_err(StoreError::from)?,
        }
        result
    }

    pub fn get_raw(&self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM objects WHERE id = ?1 AND kind = ?2")?;
        Ok(stmt.query_row(params![id, kind], |r| r.get(0)).optional()?)
    }

    pub fn get<T: Stored>(&self, id: &str) -> Result<Option<T>, StoreError> {
        match self.get_raw(T::KIND, id)? {
            Some(body) => Ok(Some(decode(&body)?)),
            None => Ok(None),
        }
    }

    /// Inserts or replaces the object (keeping its place in lists).
    pub fn put<T: Stored>(&self, obj: &T) -> Result<(), StoreError> {
        let body = serde_json::to_string(obj)?;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO objects (id, kind, created, customer, ref1, hidden, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, ref1 = excluded.ref1, hidden = excluded.hidden, body = excluded.body",
        )?;
        stmt.execute(params![
            obj.id(),
            T::KIND,
            obj.created(),
            obj.customer(),
            obj.ref1(),
            obj.hidden(),
            body
        ])?;
        Ok(())
    }

    fn seq_of(&self, kind: &str, id: &str) -> Result<Option<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq FROM objects WHERE id = ?1 AND kind = ?2")?;
        Ok(stmt.query_row(params![id, kind], |r| r.get(0)).optional()?)
    }

    /// One page of a list, newest first. Errors with `Err(Some(cursor))` when a cursor id
    /// names no object of this kind.
    pub fn list(&self, kind: &str, q: &ListQuery) -> Result<Result<ListPage, String>, StoreError> {
        let mut sql = String::from("SELECT body FROM objects WHERE kind = ? AND hidden = 0");
        let mut args: Vec<rusqlite::types::Value> = vec![kind.to_string().into()];
        fn push(
            sql: &mut String,
            args: &mut Vec<rusqlite::types::Value>,
            clause: &str,
            v: rusqlite::types::Value,
        ) {
            sql.push_str(clause);
            args.push(v);
        }
        if let Some(c) = &q.customer {
            push(&mut sql, &mut args, " AND customer = ?", c.clone().into());
        }
        if let Some(r) = &q.ref1 {
            push(&mut sql, &mut args, " AND ref1 = ?", r.clone().into());
        }
        if let Some(r) = &q.ref1_like {
            push(&mut sql, &mut args, " AND ref1 LIKE ?", r.clone().into());
        }
        if let Some(list) = &q.ref1_in {
            sql.push_str(" AND ref1 IN (");
            for (i, r) in list.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('?');
                args.push(r.clone().into());
            }
            sql.push(')');
        }
        for (clause, v) in [
            (" AND created > ?", q.created_gt),
            (" AND created >= ?", q.created_gte),
            (" AND created < ?", q.created_lt),
            (" AND created <= ?", q.created_lte),
        ] {
            if let Some(v) = v {
                push(&mut sql, &mut args, clause, v.into());
            }
        }
        let ascending = if let Some(cursor) = &q.starting_after {
            let Some(seq) = self.seq_of(kind, cursor)? else {
                return Ok(Err(cursor.clone()));
            };
            push(&mut sql, &mut args, " AND seq < ?", seq.into());
            false
        } else if let Some(cursor) = &q.ending_before {
            let Some(seq) = self.seq_of(kind, cursor)? else {
                return Ok(Err(cursor.clone()));
            };
            push(&mut sql, &mut args, " AND seq > ?", seq.into());
            true
        } else {
            false
        };
        sql.push_str(if ascending {
            " ORDER BY seq ASC"
        } else {
            " ORDER BY seq DESC"
        });
        sql.push_str(&format!(" LIMIT {}", q.limit + 1));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut bodies: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let has_more = bodies.len() > q.limit;
        bodies.truncate(q.limit);
        if ascending {
            bodies.reverse();
        }
        Ok(Ok(ListPage { bodies, has_more }))
    }

    pub fn idempotent_get(&self, key: &str) -> Result<Option<IdempotentRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT request, status, body, request_id FROM idempotency WHERE key = ?1",
        )?;
        Ok(stmt
            .query_row(params![key], |r| {
                Ok(IdempotentRecord {
                    request: r.get(0)?,
                    status: r.get::<_, i64>(1)? as u16,
                    body: r.get(2)?,
                    request_id: r.get(3)?,
                })
            })
            .optional()?)
    }

    pub fn idempotent_put(
        &self,
        key: &str,
        rec: &IdempotentRecord,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO idempotency (key, request, status, body, request_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        stmt.execute(params![
            key,
            rec.request,
            rec.status as i64,
            rec.body,
            rec.request_id,
            now
        ])?;
        Ok(())
    }

    /// Forgets idempotency keys older than `before`.
    pub fn idempotent_prune(&self, before: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM idempotency WHERE created < ?1",
            params![before],
        )?)
    }

    pub fn account(&self) -> Result<Option<AccountRow>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT secret_key, publishable_key, country, api_version, created FROM account WHERE id = 1", [], |r| {
                Ok(AccountRow { secret_key: r.get(0)?, publishable_key: r.get(1)?, country: r.get(2)?, api_version: r.get(3)?, created: r.get(4)? })
            })
            .optional()?)
    }

    pub fn put_account(&self, a: &AccountRow) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO account (id, secret_key, publishable_key, country, api_version, created) VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET secret_key = excluded.secret_key, publishable_key = excluded.publishable_key,
             country = excluded.country, api_version = excluded.api_version",
            params![a.secret_key, a.publishable_key, a.country, a.api_version, a.created],
        )?;
        Ok(())
    }
}

pub struct Store {
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    readers: Mutex<Vec<Db>>,
    path: String,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Store {
    /// Opens (creating if missing) the database at `path` and applies migrations.
    pub fn open(path: &str) -> Result<Arc<Store>, StoreError> {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
            }
        }
        let conn = open(path)?;
        migrate(&conn)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let db = Db::new(conn);
        let handle = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer_loop(db, rx))
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(Arc::new(Store {
            writer: Mutex::new(Some(tx)),
            readers: Mutex::new(Vec::new()),
            path: path.to_string(),
            writer_thread: Mutex::new(Some(handle)),
        }))
    }

    /// Runs `f` on the writer in a savepoint of the current batch; resolves once the
    /// batch is committed. `Err` from `f` undoes its writes (and is returned as is).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |db: &Db| {
            let result = catch_unwind(AssertUnwindSafe(|| db.savepoint(f)))
                .unwrap_or_else(|_| Err(E::from(StoreError::Other("write panicked".into()))));
            Box::new(move |commit: Result<(), String>| {
                let out = match commit {
                    Ok(()) => result,
                    Err(e) => Err(E::from(StoreError::Other(format!("commit failed: {e}")))),
                };
                let _ = tx.send(out);
            })
        });
        let sent = self
            .writer
            .lock()
            .unwrap()
            .as_ref()
            .map(|w| w.send(job).is_ok())
            .unwrap_or(false);
        if !sent {
            return Err(E::from(StoreError::Other("store is closed".into())));
        }
        rx.await
            .unwrap_or_else(|_| Err(E::from(StoreError::Other("writer stopped".into()))))
    }

    /// Runs `f` on a reader connection. Reads are point lookups or pages of at most
    /// 100 rows from SQLite's cache and never wait on the writer (WAL), so they run on
    /// the calling thread: handing tens of microseconds of work to a blocking pool
    /// costs more in thread wake-ups than it saves.
    pub async fn read<T, E, F>(self: &Arc<Self>, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
    {
        self.read_blocking(f)
    }

    pub fn read_blocking<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let db = match self.readers.lock().unwrap().pop() {
            Some(db) => db,
            None => Db::new(open(&self.path).map_err(E::from)?),
        };
        let result = f(&db);
        self.readers.lock().unwrap().push(db);
        result
    }

    /// Stops the writer after the queued writes are committed.
    pub fn close(&self) {
        self.writer.lock().unwrap().take();
        if let Some(h) = self.writer_thread.lock().unwrap().take() {
            let _ = h.join();
        }
    }
}

fn writer_loop(db: Db, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = db.conn.execute_batch("BEGIN IMMEDIATE") {
            let msg = e.to_string();
            for job in jobs {
                // Without a transaction nothing may run: answer each with the error.
                drop(job);
                tracing::error!(error = %msg, "could not begin a write transaction");
            }
            continue;
        }
        let replies: Vec<Reply> = jobs.into_iter().map(|job| job(&db)).collect();
        let commit = db.conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = db.conn.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(commit.clone());
        }
    }
}
