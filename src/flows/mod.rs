//! The layer between the HTTP layer (and the hosted pages) and the domain: each flow
//! loads what a decision needs from the store, asks the domain, saves the outcome and
//! records its events, all inside the caller's write. Neither `api` nor `web` reaches
//! into the other; both call these.

pub mod catalog;
pub mod checkout;
pub mod embeds;
pub mod hosted;
pub mod payment_intent;
pub mod payment_methods;
pub mod refunds;
pub mod setup_intent;

use crate::domain::event::{previous_attributes, Event, EventType};
use crate::domain::ids;
use crate::domain::mandate::Client;
use crate::domain::payment_intent::PaymentIntent;
use crate::domain::payment_method::PaymentMethod;
use crate::domain::webhook::{Delivery, DeliveryStatus, WebhookEndpoint};
use crate::error::{ApiError, ApiResult};
use crate::state::App;
use crate::store::{Db, StoreError, Stored};
use crate::versions::{self, ApiVersion};
use crate::views;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Which key made the request: some flows differ for Stripe.js (publishable key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Publishable,
}

/// The account's webhook endpoints, all of them (deleted ones left out): usually a
/// handful, but an event is owed to every one, so they are read page by page.
pub fn endpoints(db: &Db) -> Result<Vec<WebhookEndpoint>, StoreError> {
    let mut all: Vec<WebhookEndpoint> = Vec::new();
    loop {
        let q = crate::store::ListQuery {
            limit: 100,
            starting_after: all.last().map(|e| e.id.clone()),
            ..Default::default()
        };
        let Ok(page) = db.list(WebhookEndpoint::KIND, &q)? else {
            return Ok(all);
        };
        for b in &page.bodies {
            all.push(crate::store::decode::<WebhookEndpoint>(b)?);
        }
        if !page.has_more {
            return Ok(all);
        }
    }
}

/// The events still owed to some endpoint (a delivery pending, or given up), with how
/// many endpoints each is owed to.
pub fn undelivered(db: &Db) -> Result<std::collections::HashMap<String, usize>, StoreError> {
    let mut owed = std::collections::HashMap::new();
    for status in [DeliveryStatus::Pending, DeliveryStatus::Failed] {
        let q = crate::store::ListQuery {
            ref1: Some(status.as_str().to_string()),
            limit: 10_000,
            ..Default::default()
        };
        if let Ok(page) = db.list(Delivery::KIND, &q)? {
            for body in &page.bodies {
                let d = crate::store::decode::<Delivery>(body)?;
                *owed.entry(d.event).or_insert(0) += 1;
            }
        }
    }
    Ok(owed)
}

/// How many endpoints `e` is still owed to (`pending_webhooks`): its deliveries not yet
/// succeeded.
pub fn owed(db: &Db, e: &Event) -> Result<usize, StoreError> {
    let Some(deliveries) = &e.deliveries else {
        // Recorded before events listed their deliveries: count them all.
        return Ok(undelivered(db)?.get(&e.id).copied().unwrap_or(0));
    };
    db.count_among::<Delivery>(deliveries, DeliveryStatus::Succeeded.as_str())
}

/// An event as the API shows it, with the endpoints it is still owed to.
pub fn render_event(db: &Db, e: &Event) -> Result<Value, StoreError> {
    Ok(views::event(e, owed(db, e)?))
}

/// The event as rendered at `version` (an endpoint's own, or the newest for
/// `listen --latest`); as recorded when that is its own version.
pub fn event_at(e: &Event, version: ApiVersion) -> std::borrow::Cow<'_, Event> {
    use std::borrow::Cow;
    // An event recorded at an older version before events kept their newest shape
    // cannot be rendered at another: it is shown as recorded.
    if e.api_version == version.as_str()
        || (e.latest.is_none() && e.api_version != versions::LATEST)
    {
        return Cow::Borrowed(e);
    }
    let latest = e.latest.as_ref().unwrap_or(&e.object);
    let object = versions::render(latest.clone(), version);
    let previous = match &e.latest_before {
        Some(before) => previous_attributes(
            &versions::render(before.clone(), version),
            &versions::render(versions::without_embeds(latest.clone()), version),
        ),
        // Recorded before events kept the object before the change: as recorded.
        None => e.previous_attributes.clone(),
    };
    Cow::Owned(Event {
        api_version: version.as_str().to_string(),
        object,
        previous_attributes: previous,
        ..e.clone()
    })
}

/// Where a missing object is reported: Stripe's name for it, the parameter that named
/// it, and the status (404 for the object of the URL, 400 for a parameter).
pub struct Lookup(pub &'static str, pub &'static str, pub u16);

/// The stored object `id`, or Stripe's `No such <name>: 'id'` (`resource_missing`).
pub fn load<T: Stored>(db: &Db, id: &str, Lookup(name, param, status): Lookup) -> ApiResult<T> {
    db.get::<T>(id)?
        .ok_or_else(|| ApiError::no_such(name, id, param, status))
}

/// The customer an intent names: it must exist and not be deleted.
pub fn live_customer(db: &Db, id: &str) -> ApiResult<()> {
    match db.get::<crate::domain::customer::Customer>(id)? {
        Some(c) if !c.deleted => Ok(()),
        _ => Err(ApiError::no_such("customer", id, "customer", 400)),
    }
}

/// A SetupIntent rendered in full, with the payment method its last error names.
pub fn render_setup(
    db: &Db,
    si: &crate::domain::setup_intent::SetupIntent,
) -> Result<Value, StoreError> {
    let error_method = match si
        .last_setup_error
        .as_ref()
        .and_then(|e| e.get("payment_method"))
        .and_then(Value::as_str)
    {
        Some(id) => db.get::<PaymentMethod>(id)?,
        None => None,
    };
    Ok(views::setup_intent(si, error_method.as_ref()))
}

/// A SetupAttempt rendered in full, with the payment method its error names.
pub fn render_attempt(
    db: &Db,
    a: &crate::domain::setup_attempt::SetupAttempt,
) -> Result<Value, StoreError> {
    let method = match &a.setup_error {
        Some(_) => db.get::<PaymentMethod>(&a.payment_method)?,
        None => None,
    };
    Ok(views::setup_attempt(a, method.as_ref()))
}

/// An intent rendered in full, with the payment method its last error names.
pub fn render_intent(db: &Db, pi: &PaymentIntent) -> Result<Value, StoreError> {
    let error_method = match pi
        .last_payment_error
        .as_ref()
        .and_then(|e| e.get("payment_method"))
        .and_then(Value::as_str)
    {
        Some(id) => db.get::<PaymentMethod>(id)?,
        None => None,
    };
    Ok(views::payment_intent(pi, error_method.as_ref()))
}

/// What a write needs to know about its request.
pub struct Exec {
    /// Who made the request (address and user agent), for mandate acceptance.
    pub client: Client,
    pub request_id: String,
    pub idempotency_key: Option<String>,
    pub now: i64,
    pub version: ApiVersion,
    /// The account's default version, at which events are rendered.
    pub event_version: ApiVersion,
    pub public_url: String,
    pub key: KeyKind,
    /// Caused by the customer (hosted page) or by time, not an API request: events
    /// carry no request.
    pub automatic: bool,
    /// Seconds before scheduled work is done.
    pub later_seconds: i64,
    /// Set when the write owes webhook deliveries: whoever ran it wakes the delivery
    /// worker once it is committed (`App::wake_deliveries`), not before, or the worker
    /// would look before the deliveries are there.
    pub owes_deliveries: Arc<AtomicBool>,
}

impl Exec {
    /// For what the customer does on a hosted page: no API request, no idempotency key,
    /// events without `request`, served at the account's version.
    pub fn for_customer(app: &App, request_id: String, client: Client) -> Exec {
        Exec {
            client,
            request_id,
            idempotency_key: None,
            now: crate::clock::now(),
            version: app.account.api_version,
            event_version: app.account.api_version,
            public_url: app.public_url.clone(),
            key: KeyKind::Secret,
            automatic: true,
            later_seconds: app.later_seconds,
            owes_deliveries: Default::default(),
        }
    }

    /// Says that this write owes webhook deliveries.
    pub fn owe_deliveries(&self) {
        self.owes_deliveries.store(true, Ordering::Relaxed);
    }

    /// For what happens later on its own (scheduled jobs): like a customer's action,
    /// with no request behind it.
    pub fn for_later(app: &App) -> Exec {
        Exec::for_customer(app, String::new(), Client::default())
    }

    /// Records an event in the current transaction. `before` is the object's rendering
    /// before the change, for `previous_attributes` on update-like events. Gives back the
    /// object as the event holds it (rendered at the account's version) when nothing was
    /// embedded in it, so a caller answering at that version need not render it again.
    pub fn event(
        &self,
        db: &Db,
        kind: EventType,
        object: &Value,
        before: Option<&Value>,
    ) -> Result<Option<Value>, StoreError> {
        let from_request = !self.automatic;
        let endpoints = endpoints(db)?;
        // The lists older versions embed, filled in now when the event's version or an
        // endpoint's has them: what they hold is what they held when it happened.
        let oldest = endpoints
            .iter()
            .filter_map(|e| e.api_version.as_deref().and_then(ApiVersion::parse))
            .chain([self.event_version])
            .min()
            .unwrap_or(self.event_version);
        let embeds = versions::embeds_for(oldest);
        let filled;
        let object = if embeds.is_empty() {
            object
        } else {
            let mut o = object.clone();
            embeds::fill(db, &mut o, &embeds)?;
            filled = o;
            &filled
        };
        let rendered = versions::render(object.clone(), self.event_version);
        let previous = before
            .filter(|_| kind.carries_previous_attributes())
            .and_then(|b| {
                // Compared without the embedded lists (the before has none).
                let unembedded;
                let after = if embeds.is_empty() {
                    &rendered
                } else {
                    let plain = versions::without_embeds(object.clone());
                    unembedded = versions::render(plain, self.event_version);
                    &unembedded
                };
                previous_attributes(&versions::render(b.clone(), self.event_version), after)
            });
        let mut e = Event {
            id: ids::new_id("evt"),
            created: self.now,
            kind,
            api_version: self.event_version.as_str().to_string(),
            object: rendered,
            previous_attributes: previous,
            request_id: if from_request {
                Some(self.request_id.clone())
            } else {
                None
            },
            idempotency_key: if from_request {
                self.idempotency_key.clone()
            } else {
                None
            },
            // The newest shape too, for endpoints and listeners pinned to another version.
            latest: (self.event_version.as_str() != versions::LATEST || !embeds.is_empty())
                .then(|| object.clone()),
            latest_before: if kind.carries_previous_attributes() {
                before.cloned()
            } else {
                None
            },
            deliveries: None,
        };
        // What every endpoint that wants it is owed, in the same transaction as the event.
        let mut deliveries = Vec::new();
        for endpoint in endpoints {
            if endpoint.wants(kind) {
                let d = Delivery {
                    id: ids::new_id("whdel"),
                    created: self.now,
                    event: e.id.clone(),
                    endpoint: endpoint.id,
                    due_at: self.now,
                    status: DeliveryStatus::Pending,
                    attempts: vec![],
                };
                db.put(&d)?;
                deliveries.push(d.id);
            }
        }
        e.deliveries = Some(deliveries.clone());
        db.put(&e)?;
        if !deliveries.is_empty() {
            self.owe_deliveries();
        }
        Ok(embeds.is_empty().then_some(e.object))
    }
}
