//! The Event object: rendered once, when it happens, at the account's version then.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: String,
    pub created: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub api_version: String,
    pub object: Value,
    pub previous_attributes: Option<Value>,
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The old values of the top-level keys that differ between two renderings,
/// as Stripe puts them in `data.previous_attributes`.
pub fn previous_attributes(before: &Value, after: &Value) -> Option<Value> {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return None;
    };
    let mut out = serde_json::Map::new();
    for (k, old) in b {
        if a.get(k) != Some(old) {
            out.insert(k.clone(), old.clone());
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
    }
}
