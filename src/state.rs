//! The state every request shares: the account this server plays, the store, the
//! public URL and limits, and the request id the middleware gives each request.

use crate::config::Limits;
use crate::store::Store;
use crate::versions::ApiVersion;
use std::sync::{Arc, Mutex};

/// The one account this server plays.
#[derive(Debug, Clone)]
pub struct Account {
    /// `acct_…`, derived from the secret key once at start (`domain::account::account_id`).
    pub id: String,
    pub secret_key: String,
    pub publishable_key: String,
    pub country: String,
    pub api_version: ApiVersion,
    /// When the account was first stored.
    pub created: i64,
}

pub struct App {
    pub store: Arc<Store>,
    pub account: Account,
    pub public_url: String,
    pub limits: Limits,
    /// Seconds before a failed webhook delivery's first retry (doubling after).
    pub webhook_retry_seconds: i64,
    /// How long a webhook endpoint has to answer.
    pub webhook_timeout: std::time::Duration,
    /// Certificate authorities trusted for https endpoints besides the system's.
    pub webhook_ca_file: Option<std::path::PathBuf>,
    /// Whether webhook endpoints may be link-local addresses (cloud metadata).
    pub webhook_allow_link_local: bool,
    /// Seconds before scheduled work (test refunds that settle or fail) is done.
    pub later_seconds: i64,
    /// Woken when a committed write owes webhook deliveries, so they go out at once.
    pub deliveries_owed: Arc<tokio::sync::Notify>,
    /// The API requests answered, for the Dashboard's Logs.
    pub requests: Arc<crate::request_log::RequestLog>,
    /// Whether /dashboard is served.
    pub dashboard: bool,
    /// Where the account's settings came from (flags, database, defaults), for the
    /// banner.
    pub settings: String,
}

impl App {
    /// After a write is committed: wakes the delivery worker if it owes deliveries.
    pub fn wake_deliveries(&self, owed: &std::sync::atomic::AtomicBool) {
        if owed.load(std::sync::atomic::Ordering::Relaxed) {
            self.deliveries_owed.notify_one();
        }
    }
}

impl App {
    pub fn merchant_name(&self) -> String {
        format!("Pasarela test account ({})", self.account.country)
    }
}

/// The peer address of the connection a request came on.
#[derive(Clone, Copy)]
pub struct PeerAddr(pub std::net::SocketAddr);

/// Who is asking: the connection's address and the request's `User-Agent`.
pub fn client_of(
    peer: Option<&PeerAddr>,
    headers: &axum::http::HeaderMap,
) -> crate::domain::mandate::Client {
    crate::domain::mandate::Client {
        ip_address: peer.map(|p| p.0.ip().to_string()),
        user_agent: headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        origin: headers
            .get(axum::http::header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// The request id the middleware gave this request.
#[derive(Clone)]
pub struct RequestId(pub String);

/// The version a request was served at and its Idempotency-Key, as the API layer
/// decided them; the middleware puts them in the response headers, whatever answered.
/// Also which key it came with, for the request log.
#[derive(Clone, Default)]
pub struct Served(Arc<Mutex<ServedAs>>);

#[derive(Clone, Default)]
struct ServedAs {
    version: Option<(ApiVersion, Option<String>)>,
    source: Option<&'static str>,
}

impl Served {
    pub fn set(&self, version: ApiVersion, idempotency_key: Option<String>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).version = Some((version, idempotency_key));
    }
    pub fn get(&self) -> Option<(ApiVersion, Option<String>)> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .version
            .clone()
    }
    /// Which credential the request presented: `secret`, `publishable` or `dashboard`.
    pub fn set_source(&self, source: &'static str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).source = Some(source);
    }
    pub fn source(&self) -> Option<&'static str> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).source
    }
}
