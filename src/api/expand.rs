//! `expand[]`: which fields of which object may be expanded, and expanding them.

use crate::domain::{
    charge::Charge, customer::Customer, payment_intent::PaymentIntent,
    payment_method::PaymentMethod,
};
use crate::error::{ApiError, ApiResult};
use crate::store::{Db, StoreError};
use crate::views;
use serde_json::Value;

/// (object type, field path) -> the kind of object the id names. `None`: expandable
/// in Stripe but never set in Pasarela, so it stays null.
const EXPANDABLE: &[(&str, &str, Option<&str>)] = &[
    ("payment_intent", "customer", Some("customer")),
    ("payment_intent", "payment_method", Some("payment_method")),
    ("payment_intent", "latest_charge", Some("charge")),
    ("payment_intent", "application", None),
    ("payment_intent", "on_behalf_of", None),
    ("payment_intent", "review", None),
    ("payment_intent", "source", None),
    ("payment_intent", "payment_record", None),
    ("charge", "customer", Some("customer")),
    ("charge", "payment_intent", Some("payment_intent")),
    ("charge", "balance_transaction", Some("balance_transaction")),
    ("balance_transaction", "source", Some("charge")),
    ("charge", "failure_balance_transaction", None),
    ("charge", "application", None),
    ("charge", "application_fee", None),
    ("charge", "on_behalf_of", None),
    ("charge", "review", None),
    ("charge", "source_transfer", None),
    ("charge", "transfer", None),
    ("charge", "payment_method_details.card.mandate", None),
    // Includable: present only when expanded.
    ("charge", "refunds", None),
    ("payment_method", "customer", Some("customer")),
    ("refund", "charge", Some("charge")),
    ("refund", "payment_intent", Some("payment_intent")),
    ("refund", "payment_method", Some("payment_method")),
    ("refund", "customer", Some("customer")),
    ("refund", "balance_transaction", Some("balance_transaction")),
    ("refund", "failure_balance_transaction", None),
    ("refund", "source_transfer_reversal", None),
    ("refund", "transfer_reversal", None),
    ("setup_intent", "customer", Some("customer")),
    ("setup_intent", "payment_method", Some("payment_method")),
    ("setup_intent", "mandate", Some("mandate")),
    ("setup_intent", "latest_attempt", Some("setup_attempt")),
    ("setup_attempt", "setup_intent", Some("setup_intent")),
    ("setup_attempt", "payment_method", Some("payment_method")),
    ("setup_attempt", "customer", Some("customer")),
    ("setup_attempt", "application", None),
    ("setup_attempt", "on_behalf_of", None),
    ("setup_intent", "single_use_mandate", None),
    ("setup_intent", "application", None),
    ("setup_intent", "on_behalf_of", None),
    ("mandate", "payment_method", Some("payment_method")),
    ("customer", "default_source", None),
    ("customer", "test_clock", None),
    (
        "customer",
        "invoice_settings.default_payment_method",
        Some("payment_method"),
    ),
];

/// What a publishable key may expand: Stripe.js expands an intent's `payment_method`,
/// and nothing that reveals the customer (its view leaves `customer` out altogether).
const PUBLISHABLE_EXPANDABLE: &[(&str, &str)] = &[
    ("payment_intent", "payment_method"),
    ("setup_intent", "payment_method"),
];

/// Refuses, for a publishable key, every path but the few Stripe.js uses.
pub fn validate_publishable(object: &str, paths: &[String]) -> ApiResult<()> {
    match paths
        .iter()
        .find(|p| !PUBLISHABLE_EXPANDABLE.contains(&(object, p.as_str())))
    {
        Some(path) => Err(ApiError::invalid(format!(
            "This property cannot be expanded ({path}) with a publishable key."
        ))),
        None => Ok(()),
    }
}

/// Longest expandable field of `object` that `segs` starts with: (segments used, target).
fn lookup(object: &str, segs: &[&str]) -> Option<(usize, Option<&'static str>)> {
    (1..=segs.len().min(3)).rev().find_map(|n| {
        let field = segs[..n].join(".");
        EXPANDABLE
            .iter()
            .find(|(o, f, _)| *o == object && *f == field)
            .map(|(_, _, t)| (n, *t))
    })
}

/// Checks paths before anything runs; `list` responses need a `data.` prefix.
pub fn validate(object: &str, paths: &[String], list: bool) -> ApiResult<()> {
    for path in paths {
        let mut segs: Vec<&str> = path.split('.').collect();
        if list {
            if segs[0] != "data" {
                return Err(ApiError::invalid(format!(
                    "This property cannot be expanded ({path}). You may want to try expanding 'data.{path}' instead."
                )));
            }
            segs.remove(0);
            if segs.is_empty() {
                continue;
            }
        }
        if segs.len() > 4 {
            return Err(ApiError::invalid(format!(
                "You cannot expand more than 4 levels of a property. Property: {path}"
            )));
        }
        let mut current = object;
        let mut rest = &segs[..];
        while !rest.is_empty() {
            match lookup(current, rest) {
                Some((n, Some(target))) => {
                    current = target;
                    rest = &rest[n..];
                }
                Some((n, None)) if n == rest.len() => rest = &[],
                _ => {
                    return Err(ApiError::invalid(format!(
                        "This property cannot be expanded ({path})."
                    )))
                }
            }
        }
    }
    Ok(())
}

/// Renders the stored object `id` of `kind` in full.
pub fn render_object(db: &Db, kind: &str, id: &str) -> Result<Option<Value>, StoreError> {
    Ok(match kind {
        "customer" => db.get::<Customer>(id)?.map(|c| views::customer(&c)),
        "payment_method" => db
            .get::<PaymentMethod>(id)?
            .map(|p| views::payment_method(&p)),
        "charge" => db.get::<Charge>(id)?.map(|c| views::charge(&c)),
        "refund" => db
            .get::<crate::domain::refund::Refund>(id)?
            .map(|r| views::refund(&r)),
        "balance_transaction" => db
            .get::<crate::domain::balance_transaction::BalanceTransaction>(id)?
            .map(|t| views::balance_transaction(&t)),
        "setup_attempt" => match db.get::<crate::domain::setup_attempt::SetupAttempt>(id)? {
            Some(a) => Some(crate::flows::render_attempt(db, &a)?),
            None => None,
        },
        "mandate" => db
            .get::<crate::domain::mandate::Mandate>(id)?
            .map(|m| views::mandate(&m)),
        "setup_intent" => match db.get::<crate::domain::setup_intent::SetupIntent>(id)? {
            Some(s) => Some(crate::flows::render_setup(db, &s)?),
            None => None,
        },
        "payment_intent" => match db.get::<PaymentIntent>(id)? {
            Some(p) => Some(crate::flows::render_intent(db, &p)?),
            None => None,
        },
        _ => None,
    })
}

fn expand_one(db: &Db, node: &mut Value, segs: &[&str]) -> Result<(), StoreError> {
    // An older version's `charges.data.…` (allowed only at those versions): the list is
    // embedded now, and each charge in it expanded.
    if segs.len() > 2
        && segs[..2] == ["charges", "data"]
        && node.get("object").and_then(|o| o.as_str()) == Some("payment_intent")
    {
        let embed = crate::versions::Embed::PaymentIntentCharges;
        crate::flows::embeds::fill(db, node, &[embed])?;
        if let Some(Value::Array(charges)) = node.pointer_mut("/charges/data") {
            for charge in charges {
                expand_one(db, charge, &segs[2..])?;
            }
        }
        return Ok(());
    }
    // A charge's refunds: a list shown only when asked for.
    if segs == ["refunds"] && node.get("object").and_then(|o| o.as_str()) == Some("charge") {
        let id = node["id"].as_str().unwrap_or_default().to_string();
        let (data, has_more) = crate::flows::embeds::charge_refunds(db, &id, 100)?;
        node["refunds"] = views::list(&format!("/v1/charges/{id}/refunds"), data, has_more);
        return Ok(());
    }
    let Some(object) = node
        .get("object")
        .and_then(|o| o.as_str())
        .map(str::to_string)
    else {
        return Ok(());
    };
    let Some((n, target)) = lookup(&object, segs) else {
        return Ok(());
    };
    let mut slot = &mut *node;
    for s in &segs[..n] {
        match slot.get_mut(*s) {
            Some(v) => slot = v,
            None => return Ok(()),
        }
    }
    if let (Some(kind), Value::String(id)) = (target, &*slot) {
        if let Some(obj) = render_object(db, kind, &id.clone())? {
            *slot = obj;
        }
    }
    if slot.is_object() && n < segs.len() {
        expand_one(db, slot, &segs[n..])?;
    }
    Ok(())
}

/// Expands `paths` in a rendered object (or in each item of a list with `data.` paths).
pub fn apply(db: &Db, body: &mut Value, paths: &[String]) -> Result<(), StoreError> {
    for path in paths {
        let segs: Vec<&str> = path.split('.').collect();
        if body.get("object").and_then(|o| o.as_str()) == Some("list") {
            if let Some(Value::Array(items)) = body.get_mut("data") {
                for item in items {
                    expand_one(db, item, &segs[1..])?;
                }
            }
        } else {
            expand_one(db, body, &segs)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn validates_paths() {
        let ok = |o: &str, p: &str, l: bool| validate(o, &[p.to_string()], l).is_ok();
        assert!(ok("payment_intent", "customer", false));
        assert!(ok(
            "payment_intent",
            "latest_charge.payment_intent.customer",
            false
        ));
        assert!(ok("payment_intent", "data.customer", true));
        assert!(ok("payment_intent", "data", true));
        assert!(ok(
            "customer",
            "invoice_settings.default_payment_method",
            false
        ));
        assert!(!ok("payment_intent", "amount", false));
        let e = validate("payment_intent", &["customer".into()], true).unwrap_err();
        assert!(e.message.contains("'data.customer'"));
    }

    #[test]
    fn a_publishable_key_expands_only_the_payment_method() {
        let ok = |p: &str| validate_publishable("payment_intent", &[p.to_string()]).is_ok();
        assert!(ok("payment_method"));
        assert!(!ok("customer"));
        assert!(!ok("payment_method.customer"));
        assert!(!ok("latest_charge"));
        assert!(validate_publishable("payment_method", &["customer".into()]).is_err());
    }
}
