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

/// The payment method types Stripe's Payment Element redisplays (of those Pasarela serves).
pub const REDISPLAYED_TYPES: &[&str] = &["card"];

impl CustomerSession {
    /// `cuss_secret_<x>` for the session `cuss_<x>`, so that the secret names it.
    pub fn secret_of_id(id: &str) -> String {
        format!("cuss_secret_{}", id.trim_start_matches("cuss_"))
    }

    /// The session a client secret names, if it has the shape of one.
    pub fn id_of_secret(client_secret: &str) -> Option<String> {
        let rest = client_secret.strip_prefix("cuss_secret_")?;
        (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| format!("cuss_{rest}"))
    }

    /// Whether it still grants anything at `now`.
    pub fn live(&self, now: i64) -> bool {
        now < self.expires_at
    }

    /// Whether the Payment Element may show a saved method of `kind` whose
    /// `allow_redisplay` is `allow_redisplay`.
    pub fn redisplays(&self, kind: &str, allow_redisplay: &str) -> bool {
        self.payment_element.as_ref().is_some_and(|pe| {
            pe.redisplay
                && REDISPLAYED_TYPES.contains(&kind)
                && pe
                    .allow_redisplay_filters
                    .iter()
                    .any(|f| f == allow_redisplay)
        })
    }

    /// How many saved methods the Payment Element shows.
    pub fn redisplay_limit(&self) -> usize {
        self.payment_element
            .as_ref()
            .map_or(0, |pe| pe.redisplay_limit.max(0) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_secret_names_the_session() {
        let secret = CustomerSession::secret_of_id("cuss_Abc123");
        assert_eq!(secret, "cuss_secret_Abc123");
        assert_eq!(
            CustomerSession::id_of_secret(&secret).as_deref(),
            Some("cuss_Abc123")
        );
        assert_eq!(CustomerSession::id_of_secret("cuss_secret_"), None);
        assert_eq!(CustomerSession::id_of_secret("pi_1_secret_x"), None);
        assert_eq!(CustomerSession::id_of_secret("cuss_secret_a'b"), None);
    }

    #[test]
    fn what_the_payment_element_redisplays() {
        let mut s = CustomerSession {
            id: "cuss_1".into(),
            created: 100,
            customer: "cus_1".into(),
            client_secret: "cuss_secret_1".into(),
            expires_at: 100 + LIFETIME,
            payment_element: Some(PaymentElement::default()),
            others: vec![],
        };
        assert!(s.live(100 + LIFETIME - 1) && !s.live(100 + LIFETIME));
        assert!(
            !s.redisplays("card", "always"),
            "redisplay is off unless enabled"
        );
        s.payment_element.as_mut().unwrap().redisplay = true;
        assert!(s.redisplays("card", "always"));
        assert!(
            !s.redisplays("card", "unspecified"),
            "only what the filters allow"
        );
        assert!(
            !s.redisplays("amazon_pay", "always"),
            "only the types Stripe redisplays"
        );
        assert_eq!(s.redisplay_limit(), 3);
        s.payment_element = None;
        assert!(!s.redisplays("card", "always"));
        assert_eq!(s.redisplay_limit(), 0);
    }
}
