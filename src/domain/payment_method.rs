//! The PaymentMethod object as stored, and how test payment methods are made.

use super::test_cards::TestCard;

/// The payment method types Pasarela processes, in the order Stripe lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodType {
    Card,
    Alma,
    AmazonPay,
}

impl PaymentMethodType {
    pub const ALL: [PaymentMethodType; 3] = [Self::Card, Self::Alma, Self::AmazonPay];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Alma => "alma",
            Self::AmazonPay => "amazon_pay",
        }
    }
    /// Whether the customer leaves for the provider's page (the hosted test page here).
    pub fn is_redirect(self) -> bool {
        matches!(self, Self::AmazonPay | Self::Alma)
    }
    /// Which `setup_future_usage` values the type accepts.
    pub fn allows_setup_future_usage(self, usage: FutureUsage) -> bool {
        match self {
            Self::Card => true,
            Self::AmazonPay => usage == FutureUsage::OffSession,
            Self::Alma => false,
        }
    }
    /// Whether a SetupIntent can save it for later (Alma pays once).
    pub fn can_be_set_up(self) -> bool {
        self != Self::Alma
    }
    /// Whether saving it for later makes a mandate (the customer's standing permission).
    pub fn needs_mandate(self) -> bool {
        self == Self::AmazonPay
    }
    /// The name hosted pages show.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Card => "Card",
            Self::AmazonPay => "Amazon Pay",
            Self::Alma => "Alma",
        }
    }
    /// Cards make `ch_` charges and `re_` refunds; other methods `py_` and `pyr_`.
    pub fn charge_prefix(self) -> &'static str {
        if self == Self::Card {
            "ch"
        } else {
            "py"
        }
    }
    pub fn refund_prefix(self) -> &'static str {
        if self == Self::Card {
            "re"
        } else {
            "pyr"
        }
    }
}

impl std::fmt::Display for PaymentMethodType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `card, amazon_pay`: types as Stripe lists them in messages.
pub fn type_names(types: &[PaymentMethodType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    names.join(", ")
}

/// `setup_future_usage`: how a payment method will be reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FutureUsage {
    OffSession,
    OnSession,
}

impl FutureUsage {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off_session" => Some(Self::OffSession),
            "on_session" => Some(Self::OnSession),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OffSession => "off_session",
            Self::OnSession => "on_session",
        }
    }
}
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
    pub kind: PaymentMethodType,
    pub billing_details: Value,
    pub card: Option<CardDetails>,
    pub customer: Option<String>,
    pub metadata: Map<String, Value>,
    pub allow_redisplay: String,
    /// Used once without a customer: Stripe refuses to use it again.
    pub consumed: bool,
    /// Set up for later payments (a SetupIntent, or `setup_future_usage`): cards that
    /// ask for authentication only until then go through off session.
    #[serde(default)]
    pub set_up: bool,
}

impl PaymentMethod {
    /// A new method of `kind`: no card details, customer or billing details yet.
    pub fn new(id: String, created: i64, kind: PaymentMethodType) -> Self {
        PaymentMethod {
            id,
            created,
            kind,
            billing_details: billing_details_from(None),
            card: None,
            customer: None,
            metadata: Map::new(),
            allow_redisplay: "unspecified".into(),
            consumed: false,
            set_up: false,
        }
    }
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

/// A new PaymentMethod for a test alias (`pm_card_visa`, `tok_visa`): each use makes one,
/// expiring in December five years after `now`'s next year.
pub fn from_alias(id: &str, now: i64) -> Option<PaymentMethod> {
    let card = super::test_cards::by_alias(id)?;
    let next_year = 1970 + now / 31_556_952 + 1;
    let mut pm = PaymentMethod::new(super::ids::new_id("pm"), now, PaymentMethodType::Card);
    pm.card = Some(CardDetails::from_test_card(&card, 12, next_year + 5));
    Some(pm)
}
