//! The Checkout Session: a hosted page where the customer pays (mode `payment`) or saves
//! a payment method (mode `setup`). It makes its PaymentIntent or SetupIntent when the
//! customer opens the page, and is complete once that intent succeeded.

use super::money::Currency;
use super::payment_method::PaymentMethodType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How long a session stays open unless told (Stripe: 24 hours).
pub const LIFETIME: i64 = 24 * 3600;
/// The shortest and longest `expires_at` Stripe accepts, from creation.
pub const MIN_LIFETIME: i64 = 30 * 60;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Payment,
    Setup,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Complete,
    Expired,
}

/// One line of the order (`line_items[][price_data]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LineItem {
    pub id: String,
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
    /// The Price it sells: one of the catalog, or one made for its `price_data`.
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub product: String,
}

impl LineItem {
    pub fn total(&self) -> i64 {
        self.unit_amount * self.quantity
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckoutSession {
    pub id: String,
    pub created: i64,
    pub mode: Mode,
    pub status: Status,
    pub currency: Option<Currency>,
    pub line_items: Vec<LineItem>,
    pub payment_method_types: Vec<PaymentMethodType>,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub metadata: Map<String, Value>,
    pub expires_at: i64,
    /// The hosted page (on the server's public URL).
    pub url: String,
    /// The intent it made when the customer opened the page.
    pub payment_intent: Option<String>,
    pub setup_intent: Option<String>,
    /// What the customer gave, once complete (`customer_details`).
    pub customer_details: Option<Value>,
    /// `payment_intent_data[...]` / `setup_intent_data[...]`: description and metadata.
    pub intent_description: Option<String>,
    pub intent_metadata: Map<String, Value>,
    /// `customer_creation`: `always` makes a Customer when the session completes.
    #[serde(default)]
    pub customer_creation: Option<String>,
    /// Created at a version before 2022-08-01: its PaymentIntent was made with it and is
    /// shown from the start.
    #[serde(default)]
    pub intent_at_creation: bool,
}

impl CheckoutSession {
    pub fn amount_total(&self) -> Option<i64> {
        (self.mode == Mode::Payment).then(|| self.line_items.iter().map(LineItem::total).sum())
    }

    /// `paid`, `unpaid` or `no_payment_required` (setup mode).
    pub fn payment_status(&self) -> &'static str {
        match (self.mode, self.status) {
            (Mode::Setup, _) => "no_payment_required",
            (Mode::Payment, Status::Complete) => "paid",
            (Mode::Payment, _) => "unpaid",
        }
    }

    /// Whether the customer can still use it at `now`.
    pub fn open(&self, now: i64) -> bool {
        self.status == Status::Open && now < self.expires_at
    }

    /// `success_url` with `{CHECKOUT_SESSION_ID}` filled in, as Stripe does.
    pub fn success_url_filled(&self) -> String {
        self.success_url.replace("{CHECKOUT_SESSION_ID}", &self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(mode: Mode) -> CheckoutSession {
        CheckoutSession {
            id: "cs_test_1".into(),
            created: 0,
            mode,
            status: Status::Open,
            currency: Currency::parse("usd").ok(),
            line_items: vec![
                LineItem {
                    id: "li_1".into(),
                    name: "T-shirt".into(),
                    unit_amount: 2000,
                    quantity: 2,
                    price: "price_1".into(),
                    product: "prod_1".into(),
                },
                LineItem {
                    id: "li_2".into(),
                    name: "Cap".into(),
                    unit_amount: 500,
                    quantity: 1,
                    price: "price_2".into(),
                    product: "prod_2".into(),
                },
            ],
            payment_method_types: vec![PaymentMethodType::Card],
            customer: None,
            customer_email: None,
            client_reference_id: None,
            success_url: "https://example.com/ok?session={CHECKOUT_SESSION_ID}".into(),
            cancel_url: None,
            metadata: Map::new(),
            expires_at: LIFETIME,
            url: "http://127.0.0.1:4242/c/pay/cs_test_1".into(),
            payment_intent: None,
            setup_intent: None,
            customer_details: None,
            intent_description: None,
            intent_metadata: Map::new(),
            customer_creation: None,
            intent_at_creation: false,
        }
    }

    #[test]
    fn totals_statuses_and_the_success_url() {
        let mut s = session(Mode::Payment);
        assert_eq!(s.amount_total(), Some(4500));
        assert_eq!(s.payment_status(), "unpaid");
        assert!(s.open(10) && !s.open(LIFETIME));
        s.status = Status::Complete;
        assert_eq!(s.payment_status(), "paid");
        assert!(!s.open(10));
        assert_eq!(
            s.success_url_filled(),
            "https://example.com/ok?session=cs_test_1"
        );
        let setup = session(Mode::Setup);
        assert_eq!(setup.amount_total(), None);
        assert_eq!(setup.payment_status(), "no_payment_required");
    }
}
