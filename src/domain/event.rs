//! The Event object: rendered once, when it happens, at the account's version then.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The events Pasarela emits, named as Stripe names them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum EventType {
    #[serde(rename = "payment_intent.created")]
    PaymentIntentCreated,
    #[serde(rename = "payment_intent.requires_action")]
    PaymentIntentRequiresAction,
    #[serde(rename = "payment_intent.amount_capturable_updated")]
    PaymentIntentAmountCapturableUpdated,
    #[serde(rename = "payment_intent.succeeded")]
    PaymentIntentSucceeded,
    #[serde(rename = "payment_intent.payment_failed")]
    PaymentIntentPaymentFailed,
    #[serde(rename = "payment_intent.canceled")]
    PaymentIntentCanceled,
    #[serde(rename = "charge.succeeded")]
    ChargeSucceeded,
    #[serde(rename = "charge.failed")]
    ChargeFailed,
    #[serde(rename = "charge.captured")]
    ChargeCaptured,
    #[serde(rename = "charge.updated")]
    ChargeUpdated,
    #[serde(rename = "charge.refunded")]
    ChargeRefunded,
    #[serde(rename = "refund.created")]
    RefundCreated,
    #[serde(rename = "refund.updated")]
    RefundUpdated,
    #[serde(rename = "refund.failed")]
    RefundFailed,
    /// Deprecated by Stripe in favour of `refund.updated`, still sent beside it.
    #[serde(rename = "charge.refund.updated")]
    ChargeRefundUpdated,
    #[serde(rename = "customer.created")]
    CustomerCreated,
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
    #[serde(rename = "customer.deleted")]
    CustomerDeleted,
    #[serde(rename = "payment_method.attached")]
    PaymentMethodAttached,
    #[serde(rename = "payment_method.detached")]
    PaymentMethodDetached,
    #[serde(rename = "payment_method.updated")]
    PaymentMethodUpdated,
    #[serde(rename = "setup_intent.created")]
    SetupIntentCreated,
    #[serde(rename = "setup_intent.requires_action")]
    SetupIntentRequiresAction,
    #[serde(rename = "setup_intent.succeeded")]
    SetupIntentSucceeded,
    #[serde(rename = "setup_intent.setup_failed")]
    SetupIntentSetupFailed,
    #[serde(rename = "setup_intent.canceled")]
    SetupIntentCanceled,
    #[serde(rename = "mandate.updated")]
    MandateUpdated,
    #[serde(rename = "checkout.session.completed")]
    CheckoutSessionCompleted,
    #[serde(rename = "checkout.session.expired")]
    CheckoutSessionExpired,
    #[serde(rename = "product.created")]
    ProductCreated,
    #[serde(rename = "product.updated")]
    ProductUpdated,
    #[serde(rename = "product.deleted")]
    ProductDeleted,
    #[serde(rename = "price.created")]
    PriceCreated,
    #[serde(rename = "price.updated")]
    PriceUpdated,
    #[serde(rename = "price.deleted")]
    PriceDeleted,
}

impl EventType {
    /// The name Stripe gives it (`payment_intent.succeeded`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentIntentCreated => "payment_intent.created",
            Self::PaymentIntentRequiresAction => "payment_intent.requires_action",
            Self::PaymentIntentAmountCapturableUpdated => {
                "payment_intent.amount_capturable_updated"
            }
            Self::PaymentIntentSucceeded => "payment_intent.succeeded",
            Self::PaymentIntentPaymentFailed => "payment_intent.payment_failed",
            Self::PaymentIntentCanceled => "payment_intent.canceled",
            Self::ChargeSucceeded => "charge.succeeded",
            Self::ChargeFailed => "charge.failed",
            Self::ChargeCaptured => "charge.captured",
            Self::ChargeUpdated => "charge.updated",
            Self::ChargeRefunded => "charge.refunded",
            Self::RefundCreated => "refund.created",
            Self::RefundUpdated => "refund.updated",
            Self::RefundFailed => "refund.failed",
            Self::ChargeRefundUpdated => "charge.refund.updated",
            Self::CustomerCreated => "customer.created",
            Self::CustomerUpdated => "customer.updated",
            Self::CustomerDeleted => "customer.deleted",
            Self::PaymentMethodAttached => "payment_method.attached",
            Self::PaymentMethodDetached => "payment_method.detached",
            Self::PaymentMethodUpdated => "payment_method.updated",
            Self::SetupIntentCreated => "setup_intent.created",
            Self::SetupIntentRequiresAction => "setup_intent.requires_action",
            Self::SetupIntentSucceeded => "setup_intent.succeeded",
            Self::SetupIntentSetupFailed => "setup_intent.setup_failed",
            Self::SetupIntentCanceled => "setup_intent.canceled",
            Self::MandateUpdated => "mandate.updated",
            Self::CheckoutSessionCompleted => "checkout.session.completed",
            Self::CheckoutSessionExpired => "checkout.session.expired",
            Self::ProductCreated => "product.created",
            Self::ProductUpdated => "product.updated",
            Self::ProductDeleted => "product.deleted",
            Self::PriceCreated => "price.created",
            Self::PriceUpdated => "price.updated",
            Self::PriceDeleted => "price.deleted",
        }
    }

    /// Events that say what changed (`data.previous_attributes`).
    pub fn carries_previous_attributes(self) -> bool {
        matches!(
            self,
            Self::ChargeUpdated
                | Self::ChargeRefunded
                | Self::RefundUpdated
                | Self::ChargeRefundUpdated
                | Self::CustomerUpdated
                | Self::PaymentMethodUpdated
                | Self::MandateUpdated
                | Self::ProductUpdated
                | Self::PriceUpdated
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: String,
    pub created: i64,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub api_version: String,
    pub object: Value,
    pub previous_attributes: Option<Value>,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    /// `object` in the newest version's shape when the event was rendered at an older
    /// one (absent when `object` is already newest), so that it can be shown at others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<Value>,
    /// The object before the change, newest shape, for `previous_attributes` at others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_before: Option<Value>,
    /// Its deliveries, one per endpoint that wanted it (and one per resend); None for
    /// events recorded before events listed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<String>>,
}

/// What changed between two renderings, as Stripe puts it in
/// `data.previous_attributes`: the old value of each changed key; for hashes, only
/// the changed sub-keys (a key that is new has `null`); arrays whole.
pub fn previous_attributes(before: &Value, after: &Value) -> Option<Value> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return None;
    };
    let mut out = serde_json::Map::new();
    for (k, old) in b {
        let new = a.get(k).unwrap_or(&Value::Null);
        if new == old {
            continue;
        }
        let value = match (old, new) {
            (Value::Object(_), Value::Object(_)) => {
                previous_attributes(old, new).unwrap_or(Value::Null)
            }
            _ => old.clone(),
        };
        out.insert(k.clone(), value);
    }
    for k in a.keys() {
        if !b.contains_key(k) {
            out.insert(k.clone(), Value::Null);
        }
    }
    if out.is_empty() {
        None
    } else {
        Some(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn previous_attributes_has_only_changed_keys() {
        let p = previous_attributes(&json!({"a":1,"b":2}), &json!({"a":1,"b":3}));
        assert_eq!(p, Some(json!({"b":2})));
        assert_eq!(previous_attributes(&json!({"a":1}), &json!({"a":1})), None);
        let before = json!({
            "metadata": {"a": "1"},
            "address": {"city": "Paris", "line1": null},
            "tags": [1]
        });
        let after = json!({
            "metadata": {"a": "1", "b": "2"},
            "address": {"city": "Lyon", "line1": "1 rue"},
            "tags": [1, 2]
        });
        let previous = json!({
            "metadata": {"b": null},
            "address": {"city": "Paris", "line1": null},
            "tags": [1]
        });
        assert_eq!(previous_attributes(&before, &after), Some(previous));
    }
}
