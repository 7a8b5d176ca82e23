//! The scheduler: does the jobs whose time has come (test refunds that settle or fail,
//! the hourly pruning of idempotency keys). A job is taken and done in one write, so it
//! is done once: on PostgreSQL the rows a node takes are locked and skipped by the
//! others until it commits, and a node that dies mid-job rolls it back for another.

use crate::clock;
use crate::domain::job::{self, Job, Work};
use crate::error::ApiResult;
use crate::flows::{refunds, Exec};
use crate::state::App;
use crate::store::{Db, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// How often due jobs are looked for.
const POLL: Duration = Duration::from_millis(200);
/// Jobs done in one write.
const BATCH: usize = 50;
/// How long a job that failed waits before it is tried again.
const RETRY: i64 = 60;

/// Runs until the process stops.
pub async fn run(app: Arc<App>) {
    let ensured = app.store.write(|db| ensure_pruning(db, clock::now())).await;
    if let Err(e) = ensured {
        tracing::warn!(error = %e, "scheduling the pruning of idempotency keys");
    }
    loop {
        tokio::time::sleep(POLL).await;
        // A read first: the writer is only asked when there is work.
        let now = clock::now();
        match app.store.read(move |db| db.due::<Job>(now, 1)).await {
            Ok(due) if due.is_empty() => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "reading due jobs");
                continue;
            }
        }
        let exec = Exec::for_later(&app);
        if let Err(e) = app.store.write(move |db| run_due(db, &exec)).await {
            tracing::warn!(error = %e, "running scheduled jobs");
        }
    }
}

/// The pruning job is one row shared by every node; the first node to start adds it.
fn ensure_pruning(db: &Db, now: i64) -> Result<(), StoreError> {
    if db.get::<Job>(job::PRUNE_ID)?.is_none() {
        db.put(&Job::new(
            job::PRUNE_ID.into(),
            now,
            0,
            Work::PruneIdempotency,
        ))?;
    }
    Ok(())
}

/// Does the due jobs, each in its own savepoint: one that fails is undone and tried
/// again later, without holding up the rest.
fn run_due(db: &Db, exec: &Exec) -> Result<usize, StoreError> {
    let jobs = db.due::<Job>(exec.now, BATCH)?;
    let n = jobs.len();
    for mut job in jobs {
        match db.savepoint(|db| work(db, exec, &job.work)) {
            Ok(()) => job.finished(exec.now),
            Err(e) => {
                tracing::warn!(job = %job.id, error = ?e, "scheduled job failed; retrying later");
                job.due_at = exec.now + RETRY;
            }
        }
        db.put(&job)?;
    }
    Ok(n)
}

fn work(db: &Db, exec: &Exec, w: &Work) -> ApiResult<()> {
    match w {
        Work::SettleRefund { refund } => refunds::settle(db, exec, refund),
        Work::FailRefund { refund } => refunds::fail(db, exec, refund),
        Work::PruneIdempotency => {
            db.idempotent_prune(exec.now - job::KEYS_KEPT)?;
            Ok(())
        }
    }
}
