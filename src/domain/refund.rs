//! The Refund object as stored, and the refund rules of a charge.

use super::charge::{Charge, ChargeStatus};
use super::money::Currency;
use super::payment_method::PaymentMethodType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A refund's status. Test refunds succeed at once, except on the cards whose refunds
/// change later (`pm_card_pendingRefund`, `pm_card_refundFail`; see `Later`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    Pending,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Refund {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: Currency,
    pub charge: Option<String>,
    pub payment_intent: Option<String>,
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub reason: Option<String>,
    pub metadata: Map<String, Value>,
    pub status: RefundStatus,
    pub balance_transaction: Option<String>,
    pub destination_details: Value,
    #[serde(default)]
    pub pending_reason: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<String>,
    #[serde(default)]
    pub failure_balance_transaction: Option<String>,
}

/// What happens to a new refund later, decided by the test card refunded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Later {
    /// It succeeded at once and stays so.
    Nothing,
    /// `pm_card_pendingRefund`: it starts `pending` and later succeeds.
    Succeeds,
    /// `pm_card_refundFail`: it starts `succeeded` and later fails.
    Fails,
}

impl Later {
    pub fn for_card(number: Option<&str>) -> Later {
        match number {
            Some("4000000000007726") => Later::Succeeds,
            Some("4000000000005126") => Later::Fails,
            _ => Later::Nothing,
        }
    }

    /// The status a refund starts in.
    pub fn first_status(self) -> RefundStatus {
        match self {
            Later::Succeeds => RefundStatus::Pending,
            Later::Nothing | Later::Fails => RefundStatus::Succeeded,
        }
    }
}

/// Why a `pm_card_refundFail` refund fails *(Pasarela's pick among Stripe's reasons)*.
pub const TEST_FAILURE_REASON: &str = "expired_or_canceled_card";

impl Refund {
    /// A pending refund goes through; false when it is no longer pending.
    pub fn settle(&mut self) -> bool {
        if self.status != RefundStatus::Pending {
            return false;
        }
        self.status = RefundStatus::Succeeded;
        self.pending_reason = None;
        true
    }

    /// A succeeded refund fails; the money comes back through `failure_balance_transaction`.
    /// False when it has not succeeded.
    pub fn fail(&mut self, failure_balance_transaction: String) -> bool {
        if self.status != RefundStatus::Succeeded {
            return false;
        }
        self.status = RefundStatus::Failed;
        self.failure_reason = Some(TEST_FAILURE_REASON.into());
        self.failure_balance_transaction = Some(failure_balance_transaction);
        true
    }
}

/// Why a charge cannot be refunded by `amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefused {
    AlreadyRefunded,
    NotCaptured,
    TooLarge { requested: i64, left: i64 },
}

/// What is left to refund on a charge.
pub fn refundable(charge: &Charge) -> i64 {
    charge.amount_captured - charge.amount_refunded
}

/// Checks a refund of `amount` (None: all that is left) against the charge.
pub fn check(charge: &Charge, amount: Option<i64>) -> Result<i64, RefundRefused> {
    if !charge.captured || charge.status != ChargeStatus::Succeeded {
        return Err(RefundRefused::NotCaptured);
    }
    let left = refundable(charge);
    if left <= 0 {
        return Err(RefundRefused::AlreadyRefunded);
    }
    let amount = amount.unwrap_or(left);
    if amount > left {
        return Err(RefundRefused::TooLarge {
            requested: amount,
            left,
        });
    }
    Ok(amount)
}

/// Where the money goes back, by payment method type.
pub fn destination_details(pm_type: PaymentMethodType, reference: &str) -> Value {
    match pm_type {
        PaymentMethodType::Card => json!({
            "card": {"reference": reference, "reference_status": "available", "reference_type": "acquirer_reference_number", "type": "refund"},
            "type": "card"
        }),
        other => json!({ other.as_str(): {}, "type": other.as_str() }),
    }
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::RequiresAction => "requires_action",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }
}

impl Charge {
    /// Records a refund of `amount` on the charge (before 2025-03-31.basil, also the
    /// release of an uncaptured part, which counts as refunded).
    pub fn refund(&mut self, amount: i64) {
        self.amount_refunded += amount;
        self.refunded = self.fully_refunded();
    }

    /// A refund of `amount` failed: the charge counts it as refunded no longer.
    pub fn refund_failed(&mut self, amount: i64) {
        self.amount_refunded = (self.amount_refunded - amount).max(0);
        self.refunded = self.fully_refunded();
    }

    /// The one rule for `refunded`: something was refunded, and at least all that was
    /// captured (a canceled authorisation released before basil captured nothing).
    pub fn fully_refunded(&self) -> bool {
        self.amount_refunded > 0 && self.amount_refunded >= self.amount_captured
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment_method::PaymentMethod;

    fn charge(captured: i64) -> Charge {
        let pm = PaymentMethod::new("pm_1".into(), 0, PaymentMethodType::Alma);
        let from = crate::domain::charge::ChargeFrom {
            id: "py_1".into(),
            created: 0,
            amount: 1000,
            currency: Currency::parse("eur").unwrap(),
            customer: None,
            description: None,
            metadata: Map::new(),
            payment_intent: "pi_1".into(),
            receipt_email: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            shipping: None,
            transfer_group: None,
            three_d_secure: false,
            installments: Some(3),
        };
        let mut c = Charge::approved(&pm, from, false);
        if captured > 0 {
            c.capture(captured);
        }
        c
    }

    #[test]
    fn test_refunds_settle_or_fail_later_by_card() {
        assert_eq!(Later::for_card(Some("4242424242424242")), Later::Nothing);
        assert_eq!(Later::for_card(None), Later::Nothing);
        let pending = Later::for_card(Some("4000000000007726"));
        let failing = Later::for_card(Some("4000000000005126"));
        assert_eq!(pending.first_status(), RefundStatus::Pending);
        assert_eq!(failing.first_status(), RefundStatus::Succeeded);

        let mut c = charge(1000);
        c.refund(400);
        let mut r = Refund {
            id: "re_1".into(),
            created: 0,
            amount: 400,
            currency: c.currency.clone(),
            charge: Some(c.id.clone()),
            payment_intent: None,
            customer: None,
            payment_method: None,
            reason: None,
            metadata: Map::new(),
            status: RefundStatus::Pending,
            balance_transaction: None,
            destination_details: Value::Null,
            pending_reason: Some("processing".into()),
            failure_reason: None,
            failure_balance_transaction: None,
        };
        assert!(!r.fail("txn_1".into()), "a pending refund does not fail");
        assert!(r.settle());
        assert_eq!(r.pending_reason, None);
        assert!(!r.settle(), "settles once");
        assert!(r.fail("txn_1".into()));
        assert_eq!(r.status, RefundStatus::Failed);
        assert_eq!(r.failure_reason.as_deref(), Some(TEST_FAILURE_REASON));
        c.refund_failed(400);
        assert_eq!(c.amount_refunded, 0);
        assert!(!c.refunded);
    }

    #[test]
    fn fully_refunded_is_one_rule() {
        let mut c = charge(1000);
        assert!(!c.fully_refunded());
        c.refund(400);
        assert!(!c.refunded);
        c.refund(600);
        assert!(c.refunded);
        // A partial capture of 600: refunding the 600 refunds it fully.
        let mut c = charge(600);
        c.refund(600);
        assert!(c.refunded);
        // A released authorisation (before basil): nothing captured, all released.
        let mut c = charge(0);
        c.refund(c.amount);
        assert!(c.refunded);
    }

    #[test]
    fn refund_rules() {
        let mut c = charge(1000);
        assert_eq!(check(&c, None), Ok(1000));
        assert_eq!(check(&c, Some(400)), Ok(400));
        c.refund(400);
        assert!(!c.refunded);
        assert_eq!(
            check(&c, Some(700)),
            Err(RefundRefused::TooLarge {
                requested: 700,
                left: 600
            })
        );
        c.refund(600);
        assert!(c.refunded);
        assert_eq!(check(&c, None), Err(RefundRefused::AlreadyRefunded));
        assert_eq!(check(&charge(0), None), Err(RefundRefused::NotCaptured));
    }
}
