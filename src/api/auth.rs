//! API keys: which key a request presents, and what each kind may call.

use crate::error::ApiError;
use axum::http::HeaderMap;
use base64::Engine;

pub use crate::flows::KeyKind;

/// The key from `Authorization: Bearer`, `Authorization: Basic` (user = key), or else
/// the `key` parameter Stripe.js sends (looked up only when no header names a key).
pub fn presented_key(
    headers: &HeaderMap,
    key_param: impl FnOnce() -> Option<String>,
) -> Option<String> {
    if let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        let auth = auth.trim();
        if let Some(token) = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
        {
            return Some(token.trim().to_string());
        }
        if let Some(b64) = auth
            .strip_prefix("Basic ")
            .or_else(|| auth.strip_prefix("basic "))
        {
            let b64 = b64.trim();
            if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64) {
                if let Ok(s) = String::from_utf8(raw) {
                    return Some(s.split(':').next().unwrap_or("").to_string());
                }
            }
            return Some(b64.to_string());
        }
    }
    key_param().filter(|k| !k.is_empty())
}

const NO_API_KEY: &str = "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";

pub fn no_key() -> ApiError {
    ApiError::new(
        401,
        crate::error::ErrorType::InvalidRequestError,
        NO_API_KEY,
    )
}

/// `sk_test_**********1234`: the prefix, the hidden middle as `*`, the last four.
pub fn invalid_key(key: &str) -> ApiError {
    let prefix_len = if key.starts_with("sk_test_")
        || key.starts_with("pk_test_")
        || key.starts_with("rk_test_")
    {
        8
    } else if key.starts_with("sk_live_") || key.starts_with("pk_live_") {
        8
    } else {
        0
    };
    let chars: Vec<char> = key.chars().collect();
    let masked: String = chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < prefix_len || i + 4 >= chars.len() {
                *c
            } else {
                '*'
            }
        })
        .collect();
    ApiError::new(
        401,
        crate::error::ErrorType::InvalidRequestError,
        format!("Invalid API Key provided: {masked}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn reads_bearer_basic_and_param() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer sk_test_abc".parse().unwrap());
        assert_eq!(presented_key(&h, || None).as_deref(), Some("sk_test_abc"));
        h.insert(
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("sk_test_x:")
            )
            .parse()
            .unwrap(),
        );
        assert_eq!(presented_key(&h, || None).as_deref(), Some("sk_test_x"));
        assert_eq!(
            presented_key(&HeaderMap::new(), || Some("pk_test_1".into())).as_deref(),
            Some("pk_test_1")
        );
        assert_eq!(
            invalid_key("sk_test_abcdefgh1234").message,
            "Invalid API Key provided: sk_test_********1234"
        );
    }
}
