//! Stripe API versions. The core speaks the newest version; each breaking change is
//! one `VersionChange` that gates request parameters and renders responses back for
//! requests served at an older version. Adding a change = one unit in `changes.rs`
//! plus its test; no endpoint code changes.

/// One breaking change as a unit (`changes.rs`, `legacy.rs`): its version, its line for
/// humans, and what it does (the rest of `VersionChange`).
macro_rules! change {
    ($(#[$doc:meta])* $name:ident, $version:literal, $describe:literal, { $($body:tt)* }) => {
        $(#[$doc])*
        pub struct $name;
        impl VersionChange for $name {
            fn version(&self) -> &'static str {
                $version
            }
            fn describe(&self) -> &'static str {
                $describe
            }
            $($body)*
        }
    };
}

mod changes;
mod legacy;

use serde_json::{Map, Value};

/// Every version Stripe released from 2019-12-03 on, oldest first.
pub const VERSIONS: &[&str] = &[
    "2019-12-03",
    "2020-03-02",
    "2020-08-27",
    "2022-08-01",
    "2022-11-15",
    "2023-08-16",
    "2023-10-16",
    "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2025-06-30.basil",
    "2025-07-30.basil",
    "2025-08-27.basil",
    "2025-09-30.clover",
    "2025-10-29.clover",
    "2025-11-17.clover",
    "2025-12-15.clover",
    "2026-01-28.clover",
    "2026-02-25.clover",
    "2026-03-25.dahlia",
    "2026-04-22.dahlia",
    "2026-05-27.dahlia",
    "2026-06-24.dahlia",
    "2026-07-29.dahlia",
    "2026-08-26.dahlia",
    "2026-09-30.endive",
    "2026-10-28.endive",
    "2026-11-18.endive",
];

pub const LATEST: &str = "2026-11-18.endive";
/// The oldest version served; older ones are refused by name.
pub const OLDEST: &str = "2019-12-03";
pub const DEFAULT: &str = "2025-09-30.clover";

/// A known API version. Versions order by their date prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    pub fn parse(s: &str) -> Option<ApiVersion> {
        VERSIONS
            .iter()
            .find(|v| **v == s.trim())
            .map(|v| ApiVersion(v))
    }
    /// The version `s` names, or why it is refused: unknown, or a real Stripe version
    /// older than the oldest served (said so, rather than served in a newer shape). A
    /// well-formed version newer than the newest known is served as the newest (next
    /// month's SDK works today), said once in the log.
    pub fn resolve(s: &str) -> Result<ApiVersion, VersionError> {
        if let Some(v) = ApiVersion::parse(s) {
            return Ok(v);
        }
        let t = s.trim();
        if is_newer_than_known(t) {
            note_served_as_latest(t);
            return Ok(ApiVersion(LATEST));
        }
        if is_date(t) && ("2011-01-01"..OLDEST).contains(&t) {
            Err(VersionError::TooOld(t.to_string()))
        } else {
            Err(VersionError::Unknown(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &'static str {
        self.0
    }
    fn date(&self) -> &'static str {
        &self.0[..10]
    }
    /// Whether this version includes the change released in `version`.
    pub fn at_least(&self, version: &str) -> bool {
        self.date() >= &version[..10]
    }
}

/// `YYYY-MM-DD` with a month and day that can be.
fn is_date(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
        return false;
    }
    if !digits(5..7) || !digits(8..10) {
        return false;
    }
    let month: u32 = t[5..7].parse().unwrap_or(0);
    let day: u32 = t[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// The release a version belongs to (`endive` of `2026-11-18.endive`).
pub fn release_of(v: &str) -> Option<&str> {
    v.split_once('.').map(|(_, r)| r)
}

/// A release name Stripe could give next: lowercase letters, and not before the newest
/// known (Stripe names its releases in alphabetical order: acacia, basil, clover, ...).
pub fn is_release_at_or_after_latest(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase())
        && Some(name) >= release_of(LATEST)
}

/// `YYYY-MM-DD.release`, dated after the newest known version, of its release or a
/// later one. A bare date is not a version Stripe has made since its releases got names.
pub fn is_newer_than_known(t: &str) -> bool {
    let Some((date, release)) = t.split_once('.') else {
        return false;
    };
    is_date(date) && date > &LATEST[..10] && is_release_at_or_after_latest(release)
}

/// Says once per asked version that it is served as the newest known.
fn note_served_as_latest(asked: &str) {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    // Bounded: a client inventing versions cannot grow the set without end.
    if seen.len() < 64 && seen.insert(asked.to_string()) {
        tracing::info!(
            asked,
            served = LATEST,
            "an API version newer than the newest Pasarela knows: served as the newest"
        );
    }
}

/// A request a version refuses. The HTTP layer turns it into Stripe's error JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// The `Stripe-Version` names no version.
    Unknown(String),
    /// A dated version older than `OLDEST`.
    TooOld(String),
    /// A parameter this version does not have.
    ParameterUnknown(&'static str),
    /// A parameter naming an object that does not exist (`object`, `id`, `param`).
    NoSuch(&'static str, String, &'static str),
    /// A parameter this version no longer accepts: (`param`, `code`, message).
    NoLongerSupported(&'static str, &'static str, &'static str),
    /// A value this version does not take: (`param`, message).
    ParameterInvalid(&'static str, &'static str),
}

/// What the changes need to know of a request's parameters.
pub trait Given {
    /// Whether the top-level parameter `name` was sent.
    fn has(&self, name: &str) -> bool;
    /// Its text, when it was sent as a plain value.
    fn text(&self, name: &str) -> Option<&str>;
}

/// Which operation a request is, for changes that gate parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    PaymentIntentCreate,
    PaymentIntentUpdate,
    PaymentIntentConfirm,
    CustomerCreate,
    CustomerUpdate,
    SetupIntentCreate,
    SetupIntentUpdate,
    CheckoutSessionCreate,
}

/// A list older versions embedded in an object and the newest shape no longer has. The
/// versions layer does no I/O: whoever reads the store fills these in (naming them in the
/// object's `EMBEDDED` key) before rendering at a version that has them; `render` keeps
/// them there and drops them at the versions that do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Embed {
    /// A PaymentIntent's `charges`: a list holding its latest charge.
    PaymentIntentCharges,
    /// A Charge's `refunds`, included without `expand[]`.
    ChargeRefunds,
    /// A Checkout Session's `display_items`, one per line item.
    CheckoutDisplayItems,
}

impl Embed {
    /// The object type and the field the list is embedded as.
    pub fn field(self) -> (&'static str, &'static str) {
        match self {
            Embed::PaymentIntentCharges => ("payment_intent", "charges"),
            Embed::ChargeRefunds => ("charge", "refunds"),
            Embed::CheckoutDisplayItems => ("checkout.session", "display_items"),
        }
    }
}

/// The key of an object listing the fields embedded in it for older versions (never sent).
pub const EMBEDDED: &str = "__pasarela_embedded";
/// The key of a body's top object saying that something in it was embedded, so that
/// bodies without (nearly all) are not walked for them.
pub const EMBEDDED_ANY: &str = "__pasarela_has_embedded";

/// The lists a response rendered at `v` must have embedded.
pub fn embeds_for(v: ApiVersion) -> Vec<Embed> {
    changes()
        .iter()
        .filter(|c| !v.at_least(c.version()))
        .filter_map(|c| c.embeds())
        .collect()
}

/// Behaviours (not shapes) that a version changed. Endpoint code asks
/// `old_behaviour(version, Behaviour::X)`; the unit that changed it says when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Releasing an authorisation (cancel, or the rest of a partial capture) made a
    /// Refund on the charge.
    ReleasedAuthorizationIsRefund,
    /// A PaymentIntent created without `capture_method` captured synchronously
    /// (`automatic`, not `automatic_async`).
    CaptureMethodAutomatic,
    /// A PaymentIntent or SetupIntent created with neither `payment_method_types` nor
    /// `automatic_payment_methods` took cards only.
    CardsOnlyByDefault,
    /// A payment-mode Checkout Session made its PaymentIntent when it was created.
    CheckoutIntentAtCreation,
    /// A payment-mode Checkout Session without `customer` or `customer_creation` always
    /// made the buyer a Customer.
    CheckoutAlwaysCreatesCustomer,
    /// Checkout Session line items could be given as `amount`, `currency`, `name`,
    /// `description` and `images` instead of a Price.
    AdHocLineItems,
}

/// Whether a request served at `v` gets the behaviour from before the change that
/// ended `b`.
pub fn old_behaviour(v: ApiVersion, b: Behaviour) -> bool {
    changes()
        .iter()
        .any(|c| c.behaviour() == Some(b) && !v.at_least(c.version()))
}

/// One breaking change of Stripe's API.
pub trait VersionChange: Sync {
    /// The version that introduced the change.
    fn version(&self) -> &'static str;
    /// One line for humans; the docs test checks docs/api-versions.md lists each unit.
    #[allow(dead_code)]
    fn describe(&self) -> &'static str;
    /// Checks a request served at `v` (before or after the change).
    fn check_request(
        &self,
        _v: ApiVersion,
        _op: Operation,
        _params: &dyn Given,
    ) -> Result<(), VersionError> {
        Ok(())
    }
    /// Turns an object rendered after the change into its shape before it. Called for
    /// every object (a map with an `object` key) in a response served before `version()`.
    fn render_back(&self, _object: &mut Map<String, Value>) {}
    /// The behaviour this change ended, if it is one (see `old_behaviour`).
    fn behaviour(&self) -> Option<Behaviour> {
        None
    }
    /// Whether `render_back` does anything (lets render skip walking the response).
    fn changes_responses(&self) -> bool {
        false
    }
    /// The list this change stopped embedding, if it is one (see `Embed`).
    fn embeds(&self) -> Option<Embed> {
        None
    }
}

pub fn changes() -> &'static [&'static dyn VersionChange] {
    changes::ALL
}

/// Applies every change's request rule for a request served at `v`.
pub fn check_request(v: ApiVersion, op: Operation, params: &dyn Given) -> Result<(), VersionError> {
    for c in changes() {
        c.check_request(v, op, params)?;
    }
    Ok(())
}

/// Renders a newest-version response at version `v`: newest change first. Embedded
/// lists (see `Embed`) stay, unmarked, where `v` has them and go where it does not.
pub fn render(mut body: Value, v: ApiVersion) -> Value {
    if take_embedded_mark(&mut body) {
        let embeds = embeds_for(v);
        walk_objects(&mut body, &|o| settle_embeds(o, &embeds));
    }
    for c in changes().iter().rev() {
        if c.changes_responses() && !v.at_least(c.version()) {
            walk_objects(&mut body, &|o| c.render_back(o));
        }
    }
    body
}

/// Drops every embedded list (the newest shape, for comparing before and after).
pub fn without_embeds(mut body: Value) -> Value {
    if take_embedded_mark(&mut body) {
        walk_objects(&mut body, &|o| settle_embeds(o, &[]));
    }
    body
}

fn take_embedded_mark(body: &mut Value) -> bool {
    body.as_object_mut()
        .and_then(|m| m.remove(EMBEDDED_ANY))
        .is_some()
}

fn settle_embeds(object: &mut Map<String, Value>, kept: &[Embed]) {
    // An inner object filled on its own (an expansion) was marked at its own top.
    object.remove(EMBEDDED_ANY);
    let Some(Value::Array(embedded)) = object.remove(EMBEDDED) else {
        return;
    };
    let kind = object
        .get("object")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    for field in embedded.iter().filter_map(Value::as_str) {
        if !kept.iter().any(|e| e.field() == (kind.as_str(), field)) {
            object.remove(field);
        }
    }
}

fn walk_objects(v: &mut Value, f: &dyn Fn(&mut Map<String, Value>)) {
    match v {
        Value::Object(map) => {
            // An event's data was rendered once, at the event's own api_version.
            if map.get("object").and_then(Value::as_str) == Some("event") {
                return;
            }
            for (_, child) in map.iter_mut() {
                walk_objects(child, f);
            }
            if map.contains_key("object") {
                f(map);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_objects(item, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders_versions() {
        assert!(ApiVersion::parse("2025-09-30.clover").is_some());
        assert!(ApiVersion::parse("2025-09-30.basil").is_none());
        assert!(ApiVersion::parse("nope").is_none());
        let endive = ApiVersion::parse(LATEST).unwrap();
        let clover = ApiVersion::parse(DEFAULT).unwrap();
        assert!(endive > clover);
        assert!(endive.at_least("2026-09-30.endive"));
        assert!(!clover.at_least("2026-09-30.endive"));
        assert!(endive.at_least("2026-11-18.endive"));
        let mut sorted = VERSIONS.to_vec();
        sorted.sort();
        assert_eq!(sorted, VERSIONS);
    }

    #[test]
    fn newer_versions_are_served_as_the_newest() {
        let latest = ApiVersion::parse(LATEST).unwrap();
        for newer in ["2026-12-16.endive", "2027-01-27.fig", " 2099-12-31.zinnia "] {
            assert_eq!(ApiVersion::resolve(newer), Ok(latest), "{newer}");
        }
        // What Stripe refuses stays refused: malformed, a bare date, an older release's
        // name on a newer date, an impossible date, a date it never released.
        for bad in [
            "2027-01-27",
            "2027-01-27.",
            "2027-01-27.Fig",
            "2027-01-27.fig2",
            "2027-01-27.basil",
            "2027-13-01.fig",
            "2027-02-32.fig",
            "2026-10-29.endive",
            "2025-09-30.basil",
            "next",
        ] {
            assert!(
                matches!(ApiVersion::resolve(bad), Err(VersionError::Unknown(_))),
                "{bad}"
            );
        }
        assert_eq!(
            ApiVersion::resolve("2019-11-05"),
            Err(VersionError::TooOld("2019-11-05".into()))
        );
    }

    #[test]
    fn the_inventory_lists_every_unit() {
        let doc = include_str!("../../docs/api-versions.md");
        for c in changes() {
            assert!(
                doc.contains(c.version()),
                "docs/api-versions.md lacks {} ({})",
                c.version(),
                c.describe()
            );
        }
    }

    #[test]
    fn changes_are_known_versions_in_order() {
        let mut last = "";
        for c in changes() {
            assert!(ApiVersion::parse(c.version()).is_some(), "{}", c.version());
            assert!(c.version() >= last, "changes must be listed oldest first");
            last = c.version();
        }
    }
}
