//! The CustomerSession: a short-lived grant, given to the browser with its client
//! secret, that lets Stripe.js's components act for one customer (show the saved
//! payment methods the Payment Element may redisplay, save or remove them).

use serde::{Deserialize, Serialize};

/// How long a session lasts (Stripe: 30 minutes).
pub const LIFETIME: i64 = 30 * 60;
/// How many saved methods the Payment Element shows unless told (Stripe's default).
pub const DEFAULT_REDISPLAY_LIMIT: i64 = 3;
/// The most it may show.
pub const MAX_REDISPLAY_LIMIT: i64 = 10;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CustomerSession {
    /// Never shown (Stripe's object has none); the client secret names the session.
    pub id: String,
    pub created: i64,
    pub customer: String,
    pub client_secret: String,
    pub expires_at: i64,
    pub payment_element: Option<PaymentElement>,
    /// The other components, by name, with the features given for them (echoed only:
    /// Pasarela serves no buy button, pricing table, portal or mobile SDKs).
    pub others: Vec<(String, Option<serde_json::Value>)>,
}

/// What the Payment Element may do for the customer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentElement {
    /// Which saved methods it shows, by their `allow_redisplay`.
    pub allow_redisplay_filters: Vec<String>,
    pub redisplay: bool,
    pub redisplay_limit: i64,
    pub remove: bool,
    pub save: bool,
    pub save_usage: Option<String>,
}

impl Default for PaymentElement {
    fn default() -> Self {
        PaymentElement {
            allow_redisplay_filters: vec!["always".into()],
            redisplay: false,
            redisplay_limit: DEFAULT_REDISPLAY_LIMIT,
            remove: false,
            save: false,
            save_usage: None,
        }
    }
}

impl CustomerSession {
    /// `cuss_secret_<x>` for the session `cuss_<x>`, so that the secret names it.
    pub fn secret_of_id(id: &str) -> String {
        format!("cuss_secret_{}", id.trim_start_matches("cuss_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_secret_names_the_session() {
        assert_eq!(
            CustomerSession::secret_of_id("cuss_Abc123"),
            "cuss_secret_Abc123"
        );
    }
}
