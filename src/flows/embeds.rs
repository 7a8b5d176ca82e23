//! The lists older API versions embedded in objects and the newest shape no longer has (a
//! PaymentIntent's `charges`, a Charge's `refunds`, a Checkout Session's `display_items`),
//! read from the store and named in the object's `versions::EMBEDDED` key, so that
//! `versions::render` keeps them only at the versions that had them.

use crate::domain::charge::Charge;
use crate::domain::checkout_session::CheckoutSession;
use crate::domain::refund::Refund;
use crate::store::{Db, ListQuery, StoreError};
use crate::versions::{self, ApiVersion, Embed, EMBEDDED, EMBEDDED_ANY};
use crate::views;
use serde_json::{json, Map, Value};

/// How many refunds a charge's embedded list holds (Stripe's default page).
const REFUNDS_SHOWN: usize = 10;

/// `body` rendered at `v`: the lists `v` embeds filled in, then rendered back.
pub fn render_at(db: &Db, mut body: Value, v: ApiVersion) -> Result<Value, StoreError> {
    fill(db, &mut body, &versions::embeds_for(v))?;
    Ok(versions::render(body, v))
}

/// Fills in `embeds` in every object of `body` they belong to.
pub fn fill(db: &Db, body: &mut Value, embeds: &[Embed]) -> Result<(), StoreError> {
    // PaymentIntents first: the charges they embed get their refunds next.
    for embed in [
        Embed::PaymentIntentCharges,
        Embed::ChargeRefunds,
        Embed::CheckoutDisplayItems,
    ] {
        if embeds.contains(&embed) {
            let (kind, _) = embed.field();
            let mut any = false;
            walk(body, kind, &mut |o| {
                any |= embed_one(db, o, embed)?;
                Ok(())
            })?;
            if let (true, Some(top)) = (any, body.as_object_mut()) {
                top.insert(EMBEDDED_ANY.to_string(), Value::Bool(true));
            }
        }
    }
    Ok(())
}

/// Embeds one list in `object`; whether it did.
fn embed_one(db: &Db, object: &mut Map<String, Value>, embed: Embed) -> Result<bool, StoreError> {
    let (_, field) = embed.field();
    // Already there: expanded by the caller (`expand[]=refunds`), or filled before (then
    // still embedded: the body's top is marked again).
    if object.contains_key(field) || object.contains_key("deleted") {
        let filled = object
            .get(EMBEDDED)
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|n| n == field));
        return Ok(filled);
    }
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let value = match embed {
        Embed::PaymentIntentCharges => {
            let latest = match object.get("latest_charge") {
                Some(Value::String(id)) => Some(id.clone()),
                Some(Value::Object(c)) => c.get("id").and_then(Value::as_str).map(str::to_string),
                _ => None,
            };
            // Stripe's list held the latest charge only.
            let data: Vec<Value> = match latest {
                Some(ch) => db.get::<Charge>(&ch)?.map(|c| views::charge(&c)),
                None => None,
            }
            .into_iter()
            .collect();
            embedded_list(&format!("/v1/charges?payment_intent={id}"), data, false)
        }
        Embed::ChargeRefunds => {
            let (data, has_more) = charge_refunds(db, &id, REFUNDS_SHOWN)?;
            embedded_list(&format!("/v1/charges/{id}/refunds"), data, has_more)
        }
        Embed::CheckoutDisplayItems => {
            let Some(s) = db.get::<CheckoutSession>(&id)? else {
                return Ok(false);
            };
            Value::Array(
                s.line_items
                    .iter()
                    .map(|l| {
                        json!({
                            "amount": l.unit_amount,
                            "currency": s.currency,
                            "custom": {"description": null, "images": null, "name": l.name},
                            "quantity": l.quantity,
                            "type": "custom",
                        })
                    })
                    .collect(),
            )
        }
    };
    object.insert(field.to_string(), value);
    match object.get_mut(EMBEDDED) {
        Some(Value::Array(names)) => names.push(json!(field)),
        _ => {
            object.insert(EMBEDDED.to_string(), json!([field]));
        }
    }
    Ok(true)
}

/// A charge's refunds, newest first: up to `limit` of them, and whether there are more.
pub fn charge_refunds(
    db: &Db,
    charge: &str,
    limit: usize,
) -> Result<(Vec<Value>, bool), StoreError> {
    let q = ListQuery {
        ref1: Some(charge.to_string()),
        limit,
        ..Default::default()
    };
    // A store that cannot list refunds by charge has none to show.
    let Ok(page) = db.list("refund", &q)? else {
        return Ok((vec![], false));
    };
    let mut data = Vec::with_capacity(page.bodies.len());
    for body in &page.bodies {
        data.push(views::refund(&crate::store::decode::<Refund>(body)?));
    }
    Ok((data, page.has_more))
}

/// An embedded list as the older versions showed it: with its `total_count`.
fn embedded_list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    let mut list = views::list(url, data, has_more);
    let count = list["data"].as_array().map_or(0, Vec::len);
    list["total_count"] = json!(count);
    list
}

/// What is done to each object found.
type Visit<'a> = dyn FnMut(&mut Map<String, Value>) -> Result<(), StoreError> + 'a;

/// Calls `f` on every object of type `kind` in `v`, the deepest first, except inside
/// events (their data was rendered once, at the event's own version).
fn walk(v: &mut Value, kind: &str, f: &mut Visit) -> Result<(), StoreError> {
    match v {
        Value::Object(map) => {
            if map.get("object").and_then(Value::as_str) == Some("event") {
                return Ok(());
            }
            for (_, child) in map.iter_mut() {
                walk(child, kind, f)?;
            }
            if map.get("object").and_then(Value::as_str) == Some(kind) {
                f(map)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, kind, f)?;
            }
        }
        _ => {}
    }
    Ok(())
}
