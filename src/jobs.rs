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
        match app.store.read(move |db| db.due::<Job>(now, 1, &[])).await {
            Ok(due) if due.is_empty() => continue,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "reading due jobs");
                continue;
            }
        }
        let exec = Exec::for_later(&app);
        let owed = exec.owes_deliveries.clone();
        if let Err(e) = app.store.write(move |db| run_due(db, &exec)).await {
            tracing::warn!(error = %e, "running scheduled jobs");
        }
        app.wake_deliveries(&owed);
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
    let jobs = db.due::<Job>(exec.now, BATCH, &[])?;
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
        Work::ExpireCheckout { session } => {
            crate::flows::checkout::expire_if_due(db, exec, session)
        }
        Work::PruneIdempotency => {
            db.idempotent_prune(exec.now - job::KEYS_KEPT)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Backend, Store};
    use crate::versions::{self, ApiVersion};

    fn exec(now: i64) -> Exec {
        let v = ApiVersion::parse(versions::LATEST).unwrap();
        Exec {
            client: Default::default(),
            request_id: String::new(),
            idempotency_key: None,
            now,
            version: v,
            event_version: v,
            public_url: String::new(),
            key: crate::api::auth::KeyKind::Secret,
            automatic: true,
            later_seconds: 0,
            owes_deliveries: Default::default(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn old_idempotency_keys_are_pruned_by_one_job_each_hour() {
        let dir = std::env::temp_dir().join(format!("pasarela-jobs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(Backend::Sqlite(dir.join("j.db").display().to_string())).unwrap();
        let now = clock::now();
        store
            .write(move |db| -> Result<(), StoreError> {
                db.idempotent_claim("old", "{}", "req_1", now - job::KEYS_KEPT - 10)?;
                db.idempotent_claim("recent", "{}", "req_2", now - 60)?;
                ensure_pruning(db, now)?;
                // A second node starting adds no second job.
                ensure_pruning(db, now)
            })
            .await
            .unwrap();
        let ran = store.write(move |db| run_due(db, &exec(now))).await;
        assert_eq!(ran.unwrap(), 1);
        let (old, recent, job) = store
            .read_blocking(|db| -> Result<_, StoreError> {
                Ok((
                    db.idempotent_get("old")?,
                    db.idempotent_get("recent")?,
                    db.get::<Job>(job::PRUNE_ID)?,
                ))
            })
            .unwrap();
        assert!(old.is_none(), "a key older than a day is forgotten");
        assert!(recent.is_some(), "a recent key is kept");
        assert_eq!(job.unwrap().due(), Some(now + job::PRUNE_EVERY));
        // Not again within the hour.
        let ran = store.write(move |db| run_due(db, &exec(now + 60))).await;
        assert_eq!(ran.unwrap(), 0);
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unvisited_checkout_session_expires_on_time() {
        use crate::domain::checkout_session::{CheckoutSession, Mode, Status};
        let dir = std::env::temp_dir().join(format!("pasarela-jobs-cs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(Backend::Sqlite(dir.join("j.db").display().to_string())).unwrap();
        let now = clock::now();
        let session = CheckoutSession {
            id: "cs_test_1".into(),
            created: now - 100,
            mode: Mode::Setup,
            status: Status::Open,
            currency: None,
            line_items: vec![],
            payment_method_types: vec![],
            customer: None,
            customer_email: None,
            client_reference_id: None,
            success_url: "https://example.com".into(),
            cancel_url: None,
            metadata: Default::default(),
            expires_at: now + 50,
            url: String::new(),
            payment_intent: None,
            setup_intent: None,
            customer_details: None,
            intent_description: None,
            intent_metadata: Default::default(),
            customer_creation: None,
            intent_at_creation: false,
        };
        let job = Job::new(
            "job_cs".into(),
            now - 100,
            150,
            Work::ExpireCheckout {
                session: session.id.clone(),
            },
        );
        store
            .write(move |db| -> Result<(), StoreError> {
                db.put(&session)?;
                db.put(&job)
            })
            .await
            .unwrap();
        // Not before its time.
        assert_eq!(
            store
                .write(move |db| run_due(db, &exec(now)))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .write(move |db| run_due(db, &exec(now + 50)))
                .await
                .unwrap(),
            1
        );
        let (s, events) = store
            .read_blocking(|db| -> Result<_, StoreError> {
                let q = crate::store::ListQuery {
                    limit: 10,
                    ..Default::default()
                };
                let page = db.list("event", &q)?.unwrap();
                Ok((
                    db.get::<CheckoutSession>("cs_test_1")?.unwrap(),
                    page.bodies,
                ))
            })
            .unwrap();
        assert_eq!(s.status, Status::Expired);
        assert_eq!(events.len(), 1);
        assert!(events[0].contains("checkout.session.expired"));
        store.close();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
