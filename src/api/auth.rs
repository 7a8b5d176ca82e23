//! API keys: which key a request presents, and what each kind may call.

use crate::error::ApiError;
use axum::http::HeaderMap;
use base64::Engine;

pub use crate::flows::KeyKind;

/// Where a request's key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Bearer,
    /// `Authorization: Basic`: what curl's `-u` sends, and what a browser sends on its own
    /// once it has saved credentials for the server.
    Basic,
    /// The `key` parameter (Stripe.js's `key=pk_...`).
    Param,
}

/// The key from `Authorization: Bearer`, `Authorization: Basic` (user = key), or else
/// the `key` parameter Stripe.js sends (looked up only when no header names a key).
pub fn presented_key(
    headers: &HeaderMap,
    key_param: impl FnOnce() -> Option<String>,
) -> Option<(String, KeySource)> {
    if let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        let auth = auth.trim();
        if let Some(token) = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
        {
            return Some((token.trim().to_string(), KeySource::Bearer));
        }
        if let Some(b64) = auth
            .strip_prefix("Basic ")
            .or_else(|| auth.strip_prefix("basic "))
        {
            let b64 = b64.trim();
            if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64) {
                if let Ok(s) = String::from_utf8(raw) {
                    let user = s.split(':').next().unwrap_or("").to_string();
                    return Some((user, KeySource::Basic));
                }
            }
            return Some((b64.to_string(), KeySource::Basic));
        }
    }
    key_param()
        .filter(|k| !k.is_empty())
        .map(|k| (k, KeySource::Param))
}

/// Why the secret key may not act for this request, when it may not: sent as a parameter
/// (it ends up in URLs, histories and logs), or sent as Basic credentials by a browser for a
/// page that does not hold it. A browser adds saved credentials by itself to a form a page of
/// another site submits, or to a `fetch` with `credentials: 'include'`; it says so in
/// `Sec-Fetch-Site` (`cross-site`, `same-site`) or, in browsers without it, in `Origin`. The
/// SDKs, curl and the CLI send neither; a page that holds the key sends it as Bearer.
pub fn secret_refused(headers: &HeaderMap, source: KeySource, writes: bool) -> Option<ApiError> {
    match source {
        KeySource::Param => Some(ApiError::new(
            401,
            crate::error::ErrorType::InvalidRequestError,
            "The secret key cannot be sent as the `key` parameter: it would end up in URLs and \
             logs. Send it in the Authorization header (`Authorization: Bearer sk_test_...`).",
        )),
        KeySource::Basic if writes && from_another_page(headers) => Some(ApiError::new(
            403,
            crate::error::ErrorType::InvalidRequestError,
            "This request carries the secret key as credentials the browser saved, sent for a \
             page that does not hold the key (a form or a script of another site): Pasarela \
             does not let it write. Call the API from your server, the SDKs or curl, or send \
             the key yourself as `Authorization: Bearer sk_test_...`.",
        )),
        _ => None,
    }
}

/// Whether a browser sent this request for a page other than one the user typed in.
fn from_another_page(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some(site) => site != "none",
        None => header("origin").is_some(),
    }
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
    let known = ["sk_test_", "pk_test_", "rk_test_", "sk_live_", "pk_live_"];
    let prefix_len = if known.iter().any(|p| key.starts_with(p)) {
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
    fn saved_credentials_do_not_write_for_another_page() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let cross = with(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.test"),
        ]);
        let same_site = with(&[("sec-fetch-site", "same-site")]);
        let typed = with(&[("sec-fetch-site", "none")]);
        let old_browser = with(&[("origin", "http://evil.test")]);
        let sdk = HeaderMap::new();
        for h in [&cross, &same_site, &old_browser] {
            assert!(secret_refused(h, KeySource::Basic, true).is_some());
            // Reading is the developer looking; another page cannot read the answer.
            assert!(secret_refused(h, KeySource::Basic, false).is_none());
            // A page that holds the key sends it itself.
            assert!(secret_refused(h, KeySource::Bearer, true).is_none());
        }
        for h in [&typed, &sdk] {
            assert!(secret_refused(h, KeySource::Basic, true).is_none());
        }
        assert_eq!(
            secret_refused(&sdk, KeySource::Param, false).map(|e| e.status),
            Some(401)
        );
    }
    #[test]
    fn reads_bearer_basic_and_param() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer sk_test_abc".parse().unwrap());
        let key = |h: &HeaderMap| presented_key(h, || None).map(|(k, _)| k);
        assert_eq!(key(&h).as_deref(), Some("sk_test_abc"));
        h.insert(
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("sk_test_x:")
            )
            .parse()
            .unwrap(),
        );
        assert_eq!(
            presented_key(&h, || None),
            Some(("sk_test_x".into(), KeySource::Basic))
        );
        assert_eq!(
            presented_key(&HeaderMap::new(), || Some("pk_test_1".into())),
            Some(("pk_test_1".into(), KeySource::Param))
        );
        assert_eq!(
            invalid_key("sk_test_abcdefgh1234").message,
            "Invalid API Key provided: sk_test_********1234"
        );
    }
}
