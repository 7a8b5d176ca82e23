//! Mandates: the customer's standing permission to charge a saved payment method
//! later (Amazon Pay here), made when a SetupIntent, or a payment with
//! `setup_future_usage`, succeeds; inactive once the method is detached.

use super::payment_method::PaymentMethodType;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MandateStatus {
    Active,
    Inactive,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Mandate {
    pub id: String,
    pub created: i64,
    pub payment_method: String,
    pub method_type: PaymentMethodType,
    pub customer: Option<String>,
    /// `{type, accepted_at, online: {ip_address, user_agent}}` or `{type, offline: {}}`.
    pub customer_acceptance: Value,
    pub status: MandateStatus,
}

/// Where an acceptance given as `infer_from_client` comes from: the confirming request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The page's origin (Origin header): it may frame the hosted page the request
    /// opens.
    pub origin: Option<String>,
}

/// The acceptance as Stripe keeps it, from `mandate_data[customer_acceptance]` as given
/// (`None` when the caller gave none: a server-side setup is accepted offline by the
/// merchant's own terms, online from the request otherwise).
pub fn acceptance(given: Option<&Value>, client: &Client, now: i64) -> Value {
    let kind = given
        .and_then(|g| g.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("online");
    if kind == "offline" {
        return json!({"accepted_at": now, "offline": {}, "type": "offline"});
    }
    let online = given.and_then(|g| g.get("online"));
    let field = |name: &str, inferred: &Option<String>| -> Value {
        match online.and_then(|o| o.get(name)).and_then(Value::as_str) {
            Some(v) => json!(v),
            None => json!(inferred),
        }
    };
    json!({
        "accepted_at": given.and_then(|g| g.get("accepted_at")).and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok()).unwrap_or(now),
        "online": {
            "ip_address": field("ip_address", &client.ip_address),
            "user_agent": field("user_agent", &client.user_agent),
        },
        "type": "online"
    })
}

impl Mandate {
    pub fn deactivate(&mut self) -> bool {
        let was_active = self.status == MandateStatus::Active;
        self.status = MandateStatus::Inactive;
        was_active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptance_from_the_client_or_as_given() {
        let client = Client {
            ip_address: Some("127.0.0.1".into()),
            user_agent: Some("Mozilla/5.0".into()),
            origin: None,
        };
        let inferred = json!({"type": "online", "online": {"infer_from_client": "true"}});
        let a = acceptance(Some(&inferred), &client, 7);
        assert_eq!(a["online"]["ip_address"], "127.0.0.1");
        assert_eq!(a["online"]["user_agent"], "Mozilla/5.0");
        assert_eq!(a["accepted_at"], 7);
        let given =
            json!({"type": "online", "online": {"ip_address": "10.0.0.1", "user_agent": "curl"}});
        let a = acceptance(Some(&given), &client, 7);
        assert_eq!(a["online"]["ip_address"], "10.0.0.1");
        assert_eq!(a["online"]["user_agent"], "curl");
        let a = acceptance(Some(&json!({"type": "offline"})), &client, 7);
        assert_eq!(
            a,
            json!({"accepted_at": 7, "offline": {}, "type": "offline"})
        );
    }
}
