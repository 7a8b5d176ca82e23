//! Balance transactions: the funds movement behind a captured charge, with
//! Stripe's standard processing fee (2.9% + 30 minor units; no fixed part for
//! zero-decimal currencies).

use super::money::Currency;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BalanceTransaction {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: Currency,
    pub fee: i64,
    /// The charge (or later, refund) that moved the funds.
    pub source: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub available_on: i64,
}

/// Stripe's standard fee on `amount` in a currency with `decimals` minor digits.
pub fn standard_fee(amount: i64, decimals: u32) -> i64 {
    let percent = (amount * 29 + 500) / 1000;
    let fixed = if decimals == 0 { 0 } else { 30 };
    (percent + fixed).min(amount)
}

impl BalanceTransaction {
    /// The transaction of a charge captured for `amount`; funds available two days later.
    pub fn for_charge(
        id: String,
        charge: &str,
        amount: i64,
        currency: &Currency,
        now: i64,
    ) -> Self {
        BalanceTransaction {
            id,
            created: now,
            amount,
            currency: currency.clone(),
            fee: standard_fee(amount, currency.decimals()),
            source: Some(charge.to_string()),
            kind: "charge".into(),
            available_on: now + 2 * 86_400,
        }
    }

    /// The money going back for a refund (Stripe keeps its fee).
    pub fn for_refund(
        id: String,
        refund: &str,
        amount: i64,
        currency: &Currency,
        now: i64,
    ) -> Self {
        BalanceTransaction {
            id,
            created: now,
            amount: -amount,
            currency: currency.clone(),
            fee: 0,
            source: Some(refund.to_string()),
            kind: "refund".into(),
            available_on: now,
        }
    }

    /// The money of a failed refund coming back.
    pub fn for_refund_failure(
        id: String,
        refund: &str,
        amount: i64,
        currency: &Currency,
        now: i64,
    ) -> Self {
        BalanceTransaction {
            kind: "refund_failure".into(),
            amount,
            ..Self::for_refund(id, refund, amount, currency, now)
        }
    }

    pub fn net(&self) -> i64 {
        self.amount - self.fee
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fee_is_2_9_percent_plus_30() {
        assert_eq!(standard_fee(2000, 2), 88);
        assert_eq!(standard_fee(1099, 2), 62);
        assert_eq!(standard_fee(100, 0), 3);
        assert_eq!(standard_fee(10, 2), 10);
    }
}
