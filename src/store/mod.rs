//! Persistence: objects stored as version-free JSON, events, idempotency records and
//! the account, in SQLite (embedded default) or PostgreSQL (shared by several
//! processes). One writer thread per process commits queued writes in batches (group
//! commit); readers use their own connections.

mod db;
mod driver;
mod postgres;
mod sqlite;
mod writer;

pub use db::Db;
pub use postgres::cause as postgres_cause;
pub use writer::{Backend, Connections, Store};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("store: {0}")]
    Other(String),
    /// Another process holds a row this write needs (PostgreSQL).
    #[error("row locked by another request")]
    Locked,
}

/// An object kept in the `objects` table.
pub trait Stored: Serialize + DeserializeOwned {
    const KIND: &'static str;
    fn id(&self) -> &str;
    fn created(&self) -> i64;
    /// The customer column, for `customer=` list filters.
    fn customer(&self) -> Option<&str> {
        None
    }
    /// A second filter column (customer email, charge's intent, event type).
    fn ref1(&self) -> Option<&str> {
        None
    }
    /// Kept but left out of lists (deleted customers).
    fn hidden(&self) -> bool {
        false
    }
    /// When a worker should next take it (deliveries, jobs); None once finished.
    fn due(&self) -> Option<i64> {
        None
    }
    /// Its metadata, for the kinds search finds by `metadata["key"]` (kept in
    /// `search_terms`).
    fn metadata(&self) -> Option<&Map<String, Value>> {
        None
    }
    /// The search field that ref1 holds, when search finds it by equality (a
    /// customer's email): ref1 itself stays exact for lists, and `search_terms` keeps
    /// it lowercased, as search compares.
    const REF1_SEARCHED_AS: Option<&'static str> = None;
}

/// The rows `search_terms` holds for `obj`: (field, lowercased value).
pub(crate) fn search_terms<T: Stored>(obj: &T) -> Vec<(String, String)> {
    let mut terms = Vec::new();
    if let Some(m) = obj.metadata() {
        // Metadata values are strings (the API takes nothing else).
        for (k, v) in m {
            if let Some(v) = v.as_str() {
                terms.push((metadata_field(k), v.to_lowercase()));
            }
        }
    }
    if let (Some(field), Some(v)) = (T::REF1_SEARCHED_AS, obj.ref1()) {
        terms.push((field.to_string(), v.to_lowercase()));
    }
    terms
}

/// How `search_terms` names a metadata key (apart from plain fields, which have no `[`).
pub(crate) fn metadata_field(key: &str) -> String {
    format!("metadata[{key}]")
}

/// What a list request asks for, already validated.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub customer: Option<String>,
    pub ref1: Option<String>,
    /// `ref1 LIKE` pattern (event type wildcards).
    pub ref1_like: Option<String>,
    pub ref1_in: Option<Vec<String>>,
    /// The customer column is one of these (an object's events: see `Event`).
    pub customer_in: Option<Vec<String>>,
    /// A `search_terms` row: (field, lowercased value).
    pub term: Option<(String, String)>,
    pub created_gt: Option<i64>,
    pub created_gte: Option<i64>,
    pub created_lt: Option<i64>,
    pub created_lte: Option<i64>,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    /// Without a cursor: the oldest page rather than the newest (still listed newest first).
    pub oldest_first: bool,
    pub limit: usize,
}

impl ListQuery {
    /// Whether an index column narrows the objects read (not only the kind).
    pub fn is_narrowed(&self) -> bool {
        self.customer.is_some() || self.ref1.is_some() || self.term.is_some()
    }
}

pub struct ListPage {
    pub bodies: Vec<String>,
    pub has_more: bool,
}

/// The account as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    pub secret_key: String,
    pub publishable_key: String,
    pub country: String,
    pub api_version: String,
    pub created: i64,
}

/// A saved idempotent response.
#[derive(Debug, Clone)]
pub struct IdempotentRecord {
    pub request: String,
    pub status: u16,
    pub body: String,
    pub request_id: String,
}

macro_rules! stored {
    ($t:ty, $kind:literal $(, customer = $c:ident)? $(, ref1 = $r:ident)? $(, hidden = $h:ident)?) => {
        stored!(@impl $t, $kind $(, customer = $c)? $(, ref1 = (|s| s.$r.as_deref()))? $(, hidden = $h)?);
    };
    // `searched`: found by search (`metadata["key"]`, and ref1 as the field named).
    ($t:ty, $kind:literal, searched $(as $field:literal)? $(, customer = $c:ident)? $(, ref1 = $r:ident)? $(, hidden = $h:ident)?) => {
        stored!(@impl $t, $kind $(, customer = $c)? $(, ref1 = (|s| s.$r.as_deref()))? $(, hidden = $h)?, searched = ($($field)?));
    };
    // `ref1_always`: a field that always has a value (a String, or a type with `as_str`).
    ($t:ty, $kind:literal $(, customer = $c:ident)?, ref1_always = $r:ident $(, hidden = $h:ident)?) => {
        stored!(@impl $t, $kind $(, customer = $c)?, ref1 = (|s| Some(s.$r.as_str())) $(, hidden = $h)?);
    };
    // `due`: a method giving when a worker should next take the object.
    ($t:ty, $kind:literal, due = $d:ident) => {
        stored!(@impl $t, $kind, due = $d);
    };
    (@impl $t:ty, $kind:literal $(, customer = $c:ident)? $(, ref1 = ($($r:tt)*))? $(, hidden = $h:ident)? $(, due = $d:ident)? $(, searched = ($($field:literal)?))?) => {
        impl Stored for $t {
            const KIND: &'static str = $kind;
            fn id(&self) -> &str {
                &self.id
            }
            fn created(&self) -> i64 {
                self.created
            }
            $(fn customer(&self) -> Option<&str> {
                self.$c.as_deref()
            })?
            $(fn ref1(&self) -> Option<&str> {
                let read: fn(&Self) -> Option<&str> = $($r)*;
                read(self)
            })?
            $(fn hidden(&self) -> bool {
                self.$h
            })?
            $(fn due(&self) -> Option<i64> {
                self.$d()
            })?
            $(fn metadata(&self) -> Option<&Map<String, Value>> {
                Some(&self.metadata)
            }
            $(const REF1_SEARCHED_AS: Option<&'static str> = Some($field);)?)?
        }
    };
}

use crate::domain::balance_transaction::BalanceTransaction;
use crate::domain::{
    charge::Charge, customer::Customer, payment_intent::PaymentIntent,
    payment_method::PaymentMethod,
};
stored!(Customer, "customer", searched as "email", ref1 = email, hidden = deleted);
stored!(
    PaymentIntent,
    "payment_intent",
    searched,
    customer = customer
);
stored!(
    PaymentMethod,
    "payment_method",
    customer = customer,
    ref1_always = kind
);
stored!(
    Charge,
    "charge",
    searched,
    customer = customer,
    ref1 = payment_intent
);
stored!(
    crate::domain::setup_intent::SetupIntent,
    "setup_intent",
    customer = customer,
    ref1 = payment_method
);
stored!(
    crate::domain::setup_attempt::SetupAttempt,
    "setup_attempt",
    customer = customer,
    ref1_always = setup_intent
);
stored!(
    crate::domain::mandate::Mandate,
    "mandate",
    customer = customer,
    ref1_always = payment_method
);
stored!(BalanceTransaction, "balance_transaction", ref1 = source);
stored!(crate::domain::catalog::Product, "product", hidden = deleted);
stored!(
    crate::domain::catalog::Price,
    "price",
    ref1_always = product,
    // An inline price (`price_data`) is in no list or search, as on Stripe.
    hidden = inline
);
stored!(
    crate::domain::checkout_session::CheckoutSession,
    "checkout_session",
    customer = customer
);
stored!(
    crate::domain::customer_session::CustomerSession,
    "customer_session",
    ref1_always = customer
);
stored!(
    crate::domain::refund::Refund,
    "refund",
    customer = customer,
    ref1 = charge
);

// An event's customer column holds the id of the object it is about, so the Dashboard
// finds an object's events without reading them all; ref1 is its type.
impl Stored for crate::domain::event::Event {
    const KIND: &'static str = "event";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn customer(&self) -> Option<&str> {
        self.object.get("id").and_then(serde_json::Value::as_str)
    }
    fn ref1(&self) -> Option<&str> {
        Some(self.kind.as_str())
    }
}
stored!(
    crate::domain::webhook::WebhookEndpoint,
    "webhook_endpoint",
    hidden = deleted
);
// Deliveries are counted by status (`pending_webhooks`) and taken by the worker when due;
// the customer column holds the endpoint, which the worker filters on.
impl Stored for crate::domain::webhook::Delivery {
    const KIND: &'static str = "webhook_delivery";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn customer(&self) -> Option<&str> {
        Some(&self.endpoint)
    }
    fn ref1(&self) -> Option<&str> {
        Some(self.status.as_str())
    }
    fn due(&self) -> Option<i64> {
        self.due()
    }
}
stored!(crate::domain::job::Job, "job", due = due);

pub(crate) fn decode<T: DeserializeOwned>(body: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(body)?)
}
