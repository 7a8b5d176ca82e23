//! The Refund object as stored, and the refund rules of a charge.

use super::charge::{Charge, ChargeStatus};
use super::money::Currency;
use super::payment_method::PaymentMethodType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A refund's status. Test refunds succeed at once; the others come with refunds that
/// wait (`pm_card_pendingRefund`, `pm_card_refundFail`) once something runs later.
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
