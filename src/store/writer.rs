//! The store: one writer thread that runs every queued write of a batch in one
//! transaction (each in its own savepoint) and answers only after the commit is on disk,
//! so a reply means durable; and a pool of reader connections.

use super::db::Db;
use super::driver::Driver;
use super::StoreError;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Most writes one commit takes; more wait for the next.
const MAX_BATCH: usize = 256;

/// PostgreSQL connections a process holds, split between writers and readers.
///
/// Writers: their writes lock the rows they read, so they may run side by side as
/// several processes' do; each spends most of a batch waiting on round trips, so one
/// writer left the server idle (1.1k creates/s). Readers: more than the cores can use
/// only wait longer, and each holds its own buffers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connections {
    pub writers: usize,
    pub readers: usize,
}

impl Connections {
    /// The fewest a process can work with: a writer, a reader, and one for start-up
    /// reads.
    pub const FEWEST: usize = 3;

    /// The default total: four per core and four more, at most 24 (what one process
    /// used before it was configurable, less one).
    pub fn default_total() -> usize {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        (4 * cores + 4).min(24)
    }

    /// `total` split: a third writers (at most 8), one for start-up reads, the rest
    /// readers.
    pub fn of(total: usize) -> Connections {
        let total = total.max(Self::FEWEST);
        let writers = (total / 3).clamp(1, 8);
        Connections {
            writers,
            readers: total - writers - 1,
        }
    }
}

type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Db) -> Reply + Send>;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Backend {
    Sqlite(String),
    Postgres(String),
}

/// The writer connections (each with its syncer, on SQLite) and the checkpointing thread.
type Writers = (
    Vec<(Db, Option<Syncer>)>,
    Option<super::sqlite::Checkpointer>,
);

impl Backend {
    fn connect(&self) -> Result<Box<dyn Driver>, StoreError> {
        Ok(match self {
            Backend::Sqlite(path) => Box::new(super::sqlite::open(path)?),
            Backend::Postgres(url) => Box::new(off_runtime(|| super::postgres::open(url))?),
        })
    }

    /// The writers' connections, each with the thread that makes its commits durable
    /// (SQLite's; a PostgreSQL commit is durable when it returns); on SQLite also the
    /// thread that checkpoints.
    fn connect_writers(&self, pg_writers: usize) -> Result<Writers, StoreError> {
        Ok(match self {
            Backend::Sqlite(path) => {
                let writer = super::sqlite::open_writer(path)?;
                let wal = super::sqlite::wal_file(path)
                    .map_err(|e| StoreError::Other(format!("{path}-wal: {e}")))?;
                (
                    vec![(Db::new(Box::new(writer), true), Some(Syncer::start(wal)?))],
                    Some(super::sqlite::Checkpointer::start(path)?),
                )
            }
            // Off the runtime as a whole: when one fails, those already open are
            // dropped here too, and the client may not be dropped on an async thread.
            Backend::Postgres(_) => off_runtime(|| -> Result<Writers, StoreError> {
                let writers = (0..pg_writers)
                    .map(|_| Ok((Db::new(self.connect()?, true), None)))
                    .collect::<Result<_, StoreError>>()?;
                Ok((writers, None))
            })?,
        })
    }
}

/// SQLite reader connections open at most: more only wait longer for the database (two
/// cores here), and each holds its own cache and buffers (with one per waiting request,
/// 64 PostgreSQL readers held 500 MiB).
const MAX_READERS: usize = 16;

type ReadJob = Box<dyn FnOnce(&Db) + Send>;

/// PostgreSQL reads, run by `Connections::readers` threads that each own a connection
/// (opened at their first read). Its client blocks on a runtime of its own, so reads must leave the
/// async threads; `block_in_place` started a thread per waiting request instead (80 under
/// load, 200 MiB).
struct ReadThreads {
    tx: Mutex<mpsc::Sender<ReadJob>>,
}

impl ReadThreads {
    fn start(backend: &Backend, threads: usize) -> Result<ReadThreads, StoreError> {
        let (tx, rx) = mpsc::channel::<ReadJob>();
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..threads {
            let (rx, backend) = (rx.clone(), backend.clone());
            std::thread::Builder::new()
                .name("store-reader".into())
                .spawn(move || {
                    let mut db: Option<Db> = None;
                    loop {
                        let Ok(job) = rx.lock().unwrap().recv() else {
                            break;
                        };
                        if db.is_none() {
                            match backend.connect() {
                                Ok(d) => db = Some(Db::new(d, false)),
                                // Dropping the job answers its caller with an error.
                                Err(e) => {
                                    tracing::error!(error = %e, "reader cannot connect");
                                    continue;
                                }
                            }
                        }
                        job(db.as_ref().expect("connected"));
                    }
                })
                .map_err(|e| StoreError::Other(e.to_string()))?;
        }
        Ok(ReadThreads { tx: Mutex::new(tx) })
    }

    async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: ReadJob = Box::new(move |db| {
            let _ = tx.send(f(db));
        });
        if self.tx.lock().unwrap().send(job).is_err() {
            return Err(E::from(StoreError::Other("store is closed".into())));
        }
        rx.await
            .unwrap_or_else(|_| Err(E::from(StoreError::Other("read failed".into()))))
    }
}

/// The reader connections: those not in use, and how many are open in all.
#[derive(Default)]
struct Readers {
    idle: Vec<Db>,
    open: usize,
}

/// The PostgreSQL client blocks on a runtime of its own, which tokio forbids on an
/// async thread: from there, run it as blocking work.
fn off_runtime<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => tokio::task::block_in_place(f),
        Err(_) => f(),
    }
}

pub struct Store {
    writer: Mutex<Option<mpsc::Sender<Job>>>,
    readers: Mutex<Readers>,
    /// Signalled when a reader is put back.
    reader_back: std::sync::Condvar,
    /// PostgreSQL's readers, on threads of their own.
    read_threads: Option<ReadThreads>,
    /// Connections `read_blocking` may open: on PostgreSQL only start-up reads use it.
    blocking_readers: usize,
    backend: Backend,
    writer_threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    checkpointer: Mutex<Option<super::sqlite::Checkpointer>>,
}

impl Store {
    /// Opens the database (creating and migrating it as needed) and starts the writer,
    /// with the default PostgreSQL connections.
    pub fn open(backend: Backend) -> Result<Arc<Store>, StoreError> {
        Store::open_with(backend, Connections::default_total())
    }

    /// Opens the database holding at most `pg_connections` PostgreSQL connections.
    pub fn open_with(backend: Backend, pg_connections: usize) -> Result<Arc<Store>, StoreError> {
        let budget = Connections::of(pg_connections);
        let (writers, checkpointer) = backend.connect_writers(budget.writers)?;
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = writers
            .into_iter()
            .map(|(db, syncer)| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name("store-writer".into())
                    .spawn(move || writer_loop(db, &rx, syncer))
                    .map_err(|e| StoreError::Other(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Arc::new(Store {
            writer: Mutex::new(Some(tx)),
            readers: Mutex::new(Readers::default()),
            reader_back: std::sync::Condvar::new(),
            blocking_readers: match &backend {
                Backend::Postgres(_) => 1,
                Backend::Sqlite(_) => MAX_READERS,
            },
            read_threads: match &backend {
                Backend::Postgres(_) => Some(ReadThreads::start(&backend, budget.readers)?),
                Backend::Sqlite(_) => None,
            },
            backend,
            writer_threads: Mutex::new(threads),
            checkpointer: Mutex::new(checkpointer),
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
            // A panicking write is an error inside its savepoint, so what it wrote is rolled
            // back and the rest of the batch commits without it.
            let result = db.savepoint(|db| {
                catch_unwind(AssertUnwindSafe(|| f(db)))
                    .unwrap_or_else(|_| Err(E::from(StoreError::Other("write panicked".into()))))
            });
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

    /// Runs `f` on a reader connection. SQLite reads are point lookups or pages of at
    /// most 100 rows from its cache and never wait on the writer (WAL), so they run on
    /// the calling thread: handing tens of microseconds of work to a blocking pool
    /// costs more in thread wake-ups than it saves. PostgreSQL reads cross the network
    /// and its client brings its own runtime, so they leave the async thread.
    pub async fn read<T, E, F>(self: &Arc<Self>, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
    {
        match &self.read_threads {
            Some(pool) => pool.run(f).await,
            None => self.read_blocking(f),
        }
    }

    /// Runs `f` on a reader connection on the blocking pool: for reads that may take
    /// long (a search reading every object of a kind), which on an async thread would
    /// hold up every request waiting there.
    pub async fn read_long<T, E, F>(self: &Arc<Self>, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&Db) -> Result<T, E> + Send + 'static,
    {
        if let Some(pool) = &self.read_threads {
            return pool.run(f).await;
        }
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .unwrap_or_else(|_| Err(E::from(StoreError::Other("read panicked".into()))))
    }

    pub fn read_blocking<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let run = || {
            let db = self.take_reader().map_err(E::from)?;
            let result = f(&db);
            self.readers.lock().unwrap().idle.push(db);
            self.reader_back.notify_one();
            result
        };
        match self.backend {
            Backend::Postgres(_) => off_runtime(run),
            Backend::Sqlite(_) => run(),
        }
    }

    /// An idle reader connection, a new one while fewer than `blocking_readers` are open, else
    /// the next one put back.
    fn take_reader(&self) -> Result<Db, StoreError> {
        let mut readers = self.readers.lock().unwrap();
        loop {
            if let Some(db) = readers.idle.pop() {
                return Ok(db);
            }
            if readers.open < self.blocking_readers {
                readers.open += 1;
                drop(readers);
                return self
                    .backend
                    .connect()
                    .map(|d| Db::new(d, false))
                    .inspect_err(|_| {
                        self.readers.lock().unwrap().open -= 1;
                    });
            }
            readers = self.reader_back.wait(readers).unwrap();
        }
    }

    /// Stops the writer after the queued writes are committed, and closes the readers.
    pub fn close(&self) {
        self.writer.lock().unwrap().take();
        for h in std::mem::take(&mut *self.writer_threads.lock().unwrap()) {
            let _ = h.join();
        }
        if let Some(c) = self.checkpointer.lock().unwrap().take() {
            c.stop();
        }
        let readers = std::mem::take(&mut self.readers.lock().unwrap().idle);
        off_runtime(|| drop(readers));
    }
}

/// Answers committed batches once the WAL they were written to is on disk: one fsync for
/// every batch committed while the last one ran. With the disk's wait here rather than in
/// the writer's commit, the writer runs the next batch meanwhile; before, each batch's
/// fsync took about as long as its work.
struct Syncer {
    tx: mpsc::Sender<Vec<Reply>>,
    /// Kept here too, to sync on the writer should the thread be gone.
    wal: Arc<std::fs::File>,
}

impl Syncer {
    fn start(wal: std::fs::File) -> Result<Syncer, StoreError> {
        let wal = Arc::new(wal);
        let (tx, rx) = mpsc::channel::<Vec<Reply>>();
        let file = wal.clone();
        std::thread::Builder::new()
            .name("store-sync".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batches = vec![first];
                    batches.extend(rx.try_iter());
                    let synced = sync(&file);
                    for reply in batches.into_iter().flatten() {
                        reply(synced.clone());
                    }
                }
            })
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(Syncer { tx, wal })
    }
}

fn sync(wal: &std::fs::File) -> Result<(), String> {
    wal.sync_data()
        .map_err(|e| format!("fsync of the WAL: {e}"))
}

/// Takes the queued writes (at most `MAX_BATCH`) and commits them as one transaction,
/// until the store closes. Writers sharing the queue take turns to fill their batch.
fn writer_loop(db: Db, rx: &Mutex<mpsc::Receiver<Job>>, syncer: Option<Syncer>) {
    loop {
        let jobs: Vec<Job> = {
            let rx = rx.lock().unwrap();
            let Ok(first) = rx.recv() else { break };
            std::iter::once(first)
                .chain(rx.try_iter().take(MAX_BATCH - 1))
                .collect()
        };
        if let Err(e) = db.begin_write() {
            // Without a transaction nothing may run: dropping a job answers it with an error.
            tracing::error!(error = %e, "could not begin a write transaction");
            drop(jobs);
            continue;
        }
        let replies: Vec<Reply> = jobs.into_iter().map(|job| job(&db)).collect();
        let commit = db.batch("COMMIT").map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = db.batch("ROLLBACK");
        }
        let (replies, outcome) = match (&syncer, &commit) {
            (Some(s), Ok(())) => match s.tx.send(replies) {
                Ok(()) => continue,
                Err(mpsc::SendError(replies)) => (replies, sync(&s.wal)),
            },
            _ => (replies, commit),
        };
        // Committed without a syncer (PostgreSQL), or failed: answered now.
        for reply in replies {
            reply(outcome.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_connections_are_split_within_the_budget() {
        use super::Connections;
        for total in [0, 3, 4, 12, 24, 100] {
            let c = Connections::of(total);
            assert!(c.writers >= 1 && c.readers >= 1, "{total}: {c:?}");
            assert_eq!(c.writers + c.readers + 1, total.max(Connections::FEWEST));
        }
        assert_eq!(
            Connections::of(12),
            Connections {
                writers: 4,
                readers: 7
            }
        );
        assert!(Connections::default_total() <= 24);
    }

    use super::*;
    use crate::domain::customer::Customer;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_write_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("pasarela-writer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(Backend::Sqlite(dir.join("w.db").display().to_string())).unwrap();
        let customer = |id: &str| -> Customer {
            serde_json::from_value(serde_json::json!({
                "id": id, "created": 0, "email": null, "name": null, "description": null,
                "phone": null, "address": null, "shipping": null, "balance": 0, "metadata": {},
                "preferred_locales": [], "tax_exempt": null, "default_payment_method": null,
                "invoice_prefix": "ABC", "deleted": false
            }))
            .unwrap()
        };
        let (a, b) = (customer("cus_panics"), customer("cus_commits"));
        let panicking = store.write(move |db| -> Result<(), StoreError> {
            db.put(&a)?;
            panic!("a bug in a write");
        });
        let fine = store.write(move |db| -> Result<(), StoreError> { db.put(&b) });
        let (panicked, committed) = tokio::join!(panicking, fine);
        assert!(panicked.is_err());
        committed.unwrap();
        let (lost, kept) = store
            .read_blocking(|db| -> Result<_, StoreError> {
                Ok((
                    db.get::<Customer>("cus_panics")?,
                    db.get::<Customer>("cus_commits")?,
                ))
            })
            .unwrap();
        assert!(lost.is_none(), "the panicking write's put was committed");
        assert!(kept.is_some());
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
