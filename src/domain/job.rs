//! Work that happens later than the request that caused it (a test refund that settles
//! or fails, the daily forgetting of idempotency keys): a row with a due time, taken by
//! whichever node's scheduler gets to it first, done once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Work {
    /// A refund of `pm_card_pendingRefund` leaves `pending` for `succeeded`.
    SettleRefund { refund: String },
    /// A refund of `pm_card_refundFail` turns from `succeeded` to `failed`.
    FailRefund { refund: String },
    /// Idempotency keys are kept 24 hours; one node forgets the old ones for all.
    PruneIdempotency,
    /// A Checkout Session still open at its `expires_at` expires.
    ExpireCheckout { session: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub id: String,
    pub created: i64,
    pub due_at: i64,
    pub done: bool,
    pub work: Work,
}

/// The one pruning job every node shares (its fixed id makes it one row).
pub const PRUNE_ID: &str = "job_prune_idempotency";
/// How often idempotency keys are pruned.
pub const PRUNE_EVERY: i64 = 3600;
/// How long idempotency keys are kept.
pub const KEYS_KEPT: i64 = 24 * 3600;

impl Job {
    pub fn new(id: String, now: i64, delay: i64, work: Work) -> Job {
        Job {
            id,
            created: now,
            due_at: now + delay,
            done: false,
            work,
        }
    }

    /// When the scheduler should take it; None once done.
    pub fn due(&self) -> Option<i64> {
        (!self.done).then_some(self.due_at)
    }

    /// After it ran at `now`: a recurring job comes due again, the others are done.
    pub fn finished(&mut self, now: i64) {
        match self.work {
            Work::PruneIdempotency => self.due_at = now + PRUNE_EVERY,
            _ => self.done = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_off_jobs_finish_and_pruning_recurs() {
        let mut refund = Job::new(
            "job_1".into(),
            100,
            5,
            Work::SettleRefund {
                refund: "re_1".into(),
            },
        );
        assert_eq!(refund.due(), Some(105));
        refund.finished(105);
        assert_eq!(refund.due(), None);

        let mut prune = Job::new(PRUNE_ID.into(), 100, 0, Work::PruneIdempotency);
        prune.finished(200);
        assert_eq!(prune.due(), Some(200 + PRUNE_EVERY));
    }
}
