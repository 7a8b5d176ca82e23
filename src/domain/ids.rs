//! Stripe-style ids: a prefix and a base62 tail (`pi_3Mtw...`, `cus_NffrFeUfNV2Hib`).

use rand::Rng;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub fn random_base62(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| BASE62[rng.gen_range(0..62)] as char)
        .collect()
}

/// A new id: most objects have 24-character tails, customers 14, requests 14.
pub fn new_id(prefix: &str) -> String {
    let len = match prefix {
        "cus" | "req" | "prod" => 14,
        _ => 24,
    };
    format!("{prefix}_{}", random_base62(len))
}

pub fn client_secret(intent_id: &str) -> String {
    format!("{intent_id}_secret_{}", random_base62(25))
}

/// The intent id of a client secret (`pi_x_secret_y` -> `pi_x`).
/// Whether a secret someone presented (client secret, nonce, key, token) is `actual`,
/// compared in constant time so that the answer's timing tells nothing of it.
pub fn same_secret(given: &str, actual: &str) -> bool {
    use subtle::ConstantTimeEq;
    given.len() == actual.len() && bool::from(given.as_bytes().ct_eq(actual.as_bytes()))
}

#[cfg(test)]
pub fn intent_of_secret(secret: &str) -> Option<&str> {
    secret.find("_secret_").map(|i| &secret[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ids_have_prefix_and_length() {
        let id = new_id("pi");
        assert!(id.starts_with("pi_") && id.len() == 27);
        assert_eq!(new_id("cus").len(), 18);
        let s = client_secret(&id);
        assert_eq!(intent_of_secret(&s), Some(id.as_str()));
    }
}
