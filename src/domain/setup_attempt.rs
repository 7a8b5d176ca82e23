//! SetupAttempts: one per confirmation of a SetupIntent, with how it ended.

use super::payment_method::{FutureUsage, PaymentMethod, PaymentMethodType};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    RequiresConfirmation,
    RequiresAction,
    Processing,
    Succeeded,
    Failed,
    Abandoned,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SetupAttempt {
    pub id: String,
    pub created: i64,
    pub setup_intent: String,
    pub customer: Option<String>,
    pub payment_method: String,
    pub payment_method_details: Value,
    pub setup_error: Option<Value>,
    pub status: AttemptStatus,
    pub usage: FutureUsage,
}

/// `payment_method_details` of an attempt with `pm` (`authenticated`: 3-D Secure done).
pub fn details(pm: &PaymentMethod, authenticated: bool) -> Value {
    match (pm.kind, &pm.card) {
        (PaymentMethodType::Card, Some(c)) => json!({
            "card": {
                "brand": c.brand,
                "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": null},
                "country": c.country,
                "exp_month": c.exp_month,
                "exp_year": c.exp_year,
                "fingerprint": c.fingerprint,
                "funding": c.funding,
                "last4": c.last4,
                "network": c.brand,
                "three_d_secure": if authenticated {
                    json!({"authentication_flow": "challenge", "electronic_commerce_indicator": "05", "result": "authenticated", "result_reason": null, "transaction_id": null, "version": "2.2.0"})
                } else {
                    Value::Null
                },
                "wallet": null
            },
            "type": "card"
        }),
        (kind, _) => json!({ kind.as_str(): {}, "type": kind }),
    }
}

impl SetupAttempt {
    /// Left unfinished: `abandoned`. Whether it was still open.
    pub fn abandon(&mut self) -> bool {
        let open = matches!(
            self.status,
            AttemptStatus::RequiresConfirmation
                | AttemptStatus::RequiresAction
                | AttemptStatus::Processing
        );
        if open {
            self.status = AttemptStatus::Abandoned;
        }
        open
    }

    /// The attempt ended: succeeded, or failed with `error`.
    pub fn ended(&mut self, error: Option<Value>) {
        self.status = if error.is_some() {
            AttemptStatus::Failed
        } else {
            AttemptStatus::Succeeded
        };
        self.setup_error = error;
    }
}
