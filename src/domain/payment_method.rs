//! The PaymentMethod object as stored, and how test payment methods are made.

use super::test_cards::TestCard;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CardDetails {
    pub brand: String,
    pub display_brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub country: String,
    pub funding: String,
    pub fingerprint: String,
    /// The test card number, which decides what charges on it do.
    pub number: String,
}

impl CardDetails {
    pub fn from_test_card(card: &TestCard, exp_month: i64, exp_year: i64) -> Self {
        CardDetails {
            brand: card.brand.to_string(),
            display_brand: card.display_brand().to_string(),
            last4: card.last4().to_string(),
            exp_month,
            exp_year,
            country: card.country.to_string(),
            funding: card.funding.to_string(),
            fingerprint: fingerprint(card.number),
            number: card.number.to_string(),
        }
    }
}

/// A stable per-number fingerprint (16 base62 chars), as Stripe gives one per card number.
fn fingerprint(number: &str) -> String {
    const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf29ce484222325;
    (0..16)
        .map(|i| {
            for b in number.bytes().chain([i as u8]) {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            B62[(h % 62) as usize] as char
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentMethod {
    pub id: String,
    pub created: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub billing_details: Value,
    pub card: Option<CardDetails>,
    pub customer: Option<String>,
    pub metadata: Map<String, Value>,
    pub allow_redisplay: String,
    /// Used once without a customer: Stripe refuses to use it again.
    pub consumed: bool,
}

pub fn empty_billing_details() -> Value {
    serde_json::json!({
        "address": {"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null},
        "email": null, "name": null, "phone": null, "tax_id": null
    })
}

/// Fills given billing details over the empty shape (every field present, null when unset).
pub fn billing_details_from(given: Option<&Value>) -> Value {
    let mut base = empty_billing_details();
    if let Some(Value::Object(g)) = given {
        for (k, v) in g {
            if k == "address" {
                if let Value::Object(addr) = v {
                    for (ak, av) in addr {
                        base["address"][ak] = av.clone();
                    }
                }
            } else {
                base[k.as_str()] = v.clone();
            }
        }
    }
    base
}
