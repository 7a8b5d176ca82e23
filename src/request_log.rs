//! The API requests this process answered, newest last, for the Dashboard's Logs: kept in
//! memory for `--request-log-minutes` (and at most `MAX_ENTRIES`), so that logging costs a
//! request no write. Each node of a shared PostgreSQL keeps its own.

use serde::Serialize;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The most entries kept, whatever their age.
pub const MAX_ENTRIES: usize = 20_000;

/// One answered request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Increases by one per entry: the Dashboard polls it to know something happened.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub duration_ms: f64,
    pub request_id: String,
    pub idempotency_key: Option<String>,
    pub api_version: Option<String>,
    /// `secret`, `publishable`, `dashboard` (an action taken in the Dashboard), or none
    /// when the request carried no valid key.
    pub source: Option<&'static str>,
    /// The error body of a 4xx or 5xx answer.
    pub error: Option<Value>,
    /// The ids the request named in its path or answered with, so an object's page can
    /// link the requests that touched it.
    pub objects: Vec<String>,
}

pub struct RequestLog {
    entries: Mutex<VecDeque<Entry>>,
    seq: AtomicU64,
    keep_ms: i64,
}

impl RequestLog {
    pub fn new(keep_minutes: u64) -> RequestLog {
        RequestLog {
            entries: Mutex::new(VecDeque::new()),
            seq: AtomicU64::new(0),
            keep_ms: (keep_minutes as i64).saturating_mul(60_000),
        }
    }

    /// Keeps `entry` (its `seq` is given here, under the lock, so entries stay in seq
    /// order), dropping what is too old or too many.
    pub fn push(&self, mut entry: Entry) {
        let oldest = entry.at_ms - self.keep_ms;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        entries.push_back(entry);
        while entries.len() > MAX_ENTRIES || entries.front().is_some_and(|e| e.at_ms < oldest) {
            entries.pop_front();
        }
    }

    /// The newest entry's `seq` (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }

    /// Up to `limit` entries that `keep` accepts, newest first, older than `before` (a seq).
    pub fn newest(
        &self,
        limit: usize,
        before: Option<u64>,
        keep: impl Fn(&Entry) -> bool,
    ) -> Vec<Entry> {
        // What has aged out goes on the next push; it is not shown meanwhile.
        let oldest = crate::clock::now_ms() - self.keep_ms;
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .rev()
            .take_while(|e| e.at_ms >= oldest)
            .filter(|e| before.is_none_or(|b| e.seq < b))
            .filter(|e| keep(e))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn find(&self, request_id: &str) -> Option<Entry> {
        self.newest(1, None, |e| e.request_id == request_id).pop()
    }
}

/// A query string as the log keeps it: the values of `key` (an API key) and
/// `client_secret` hidden.
pub fn redacted_query(query: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(query.as_bytes()).map(|(k, v)| {
            // Every secret a query can carry (`customer_session_client_secret` too).
            let hidden = k == "key" || k.ends_with("client_secret");
            (k, if hidden { "hidden".into() } else { v })
        }))
        .finish()
}

/// The ids of the objects an error answer names (a declined PaymentIntent, its charge).
pub fn ids_in_error(error: &Value) -> Vec<String> {
    ["payment_intent", "setup_intent", "payment_method"]
        .iter()
        .filter_map(|k| error[*k]["id"].as_str())
        .chain(error["charge"].as_str())
        .map(str::to_string)
        .collect()
}

/// The object ids in a request path (`/v1/payment_intents/pi_123/capture` → `pi_123`).
pub fn ids_in_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|seg| looks_like_id(seg))
        .map(str::to_string)
        .collect()
}

/// The `id` an answer starts with (objects are rendered with `id` first), without parsing it.
pub fn answered_id(body: &[u8]) -> Option<String> {
    let rest = body.strip_prefix(b"{\"id\":\"")?;
    let end = rest.iter().position(|b| *b == b'"')?;
    let id = std::str::from_utf8(&rest[..end]).ok()?;
    looks_like_id(id).then(|| id.to_string())
}

fn looks_like_id(s: &str) -> bool {
    match s.split_once('_') {
        Some((prefix, rest)) => {
            !prefix.is_empty()
                && prefix.len() <= 8
                && prefix.bytes().all(|b| b.is_ascii_lowercase())
                && rest.len() >= 8
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                // Random ids mix in digits or capitals; route words (`webhook_endpoints`) do not.
                && rest.bytes().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at_ms: i64) -> Entry {
        Entry {
            seq: 0,
            at_ms,
            method: "GET".into(),
            path: "/v1/customers".into(),
            query: None,
            status: 200,
            duration_ms: 1.0,
            request_id: format!("req_{at_ms}"),
            idempotency_key: None,
            api_version: None,
            source: Some("secret"),
            error: None,
            objects: vec![],
        }
    }

    #[test]
    fn keeps_what_is_recent_newest_first() {
        let log = RequestLog::new(1);
        let now = crate::clock::now_ms();
        let (old, recent, newest) = (now - 100_000, now - 50_000, now - 1_000);
        log.push(entry(old));
        log.push(entry(recent));
        log.push(entry(newest));
        let seen: Vec<i64> = log
            .newest(10, None, |_| true)
            .iter()
            .map(|e| e.at_ms)
            .collect();
        assert_eq!(seen, vec![newest, recent], "older than a minute is gone");
        assert_eq!(log.last_seq(), 3);
        let before: Vec<u64> = log
            .newest(10, Some(3), |_| true)
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(before, vec![2]);
        assert!(log.find(&format!("req_{recent}")).is_some());
        assert!(log.find(&format!("req_{old}")).is_none());
    }

    #[test]
    fn finds_ids_in_paths_and_answers() {
        assert_eq!(
            ids_in_path("/v1/payment_intents/pi_3Abcdefgh12/capture"),
            vec!["pi_3Abcdefgh12"]
        );
        assert!(ids_in_path("/v1/payment_intents").is_empty());
        assert!(ids_in_path("/v1/checkout/sessions").is_empty());
        assert!(ids_in_path("/v1/webhook_endpoints/we_1Abcdefgh/deliveries").len() == 1);
        assert!(ids_in_path("/v1/elements/saved_payment_methods").is_empty());
        assert_eq!(
            answered_id(br#"{"id":"cus_Abcdefgh123","object":"customer"}"#).as_deref(),
            Some("cus_Abcdefgh123")
        );
        assert_eq!(
            redacted_query("key=pk_test_1&client_secret=pi_1_secret_2&limit=3&customer_session_client_secret=cuss_secret_3"),
            "key=hidden&client_secret=hidden&limit=3&customer_session_client_secret=hidden"
        );
        let e = serde_json::json!({"payment_intent": {"id": "pi_1"}, "charge": "ch_2"});
        assert_eq!(ids_in_error(&e), vec!["pi_1", "ch_2"]);
        assert_eq!(answered_id(br#"{"object":"list","data":[]}"#), None);
    }
}
