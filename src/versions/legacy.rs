//! The breaking changes of the dated versions before 2024-06-20 (2020-08-27 … 2024-04-10),
//! oldest first; each one unit, as in `changes.rs`. Sources and what each renders are in
//! docs/api-versions.md. 2019-12-03 is the oldest version served, so its own changes
//! (which only older requests would see) need none; 2020-03-02 and 2023-10-16 change
//! nothing Pasarela serves.

use super::{Behaviour, Embed, VersionChange};
use serde_json::{json, Map, Value};

fn is(object: &Map<String, Value>, kind: &str) -> bool {
    object.get("object").and_then(Value::as_str) == Some(kind) && !object.contains_key("deleted")
}

fn empty_list(url: String) -> Value {
    json!({"object": "list", "data": [], "has_more": false, "total_count": 0, "url": url})
}

change!(
    CustomerListsNotIncluded,
    "2020-08-27",
    "Customer sources, subscriptions and tax_ids no longer included by default",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        // Pasarela keeps no sources, subscriptions or tax ids: the lists are empty.
        fn render_back(&self, object: &mut Map<String, Value>) {
            if !is(object, "customer") {
                return;
            }
            let id = object
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            for list in ["sources", "subscriptions", "tax_ids"] {
                object
                    .entry(list)
                    .or_insert_with(|| empty_list(format!("/v1/customers/{id}/{list}")));
            }
        }
    }
);

change!(
    CheckoutDisplayItemsRemoved,
    "2020-08-27",
    "Checkout Session display_items removed (use line_items)",
    {
        fn embeds(&self) -> Option<Embed> {
            Some(Embed::CheckoutDisplayItems)
        }
    }
);

change!(
    ThreeDSecureBooleansRemoved,
    "2020-08-27",
    "Charge payment_method_details.card.three_d_secure: authenticated and succeeded removed (use result)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if !is(object, "charge") {
                return;
            }
            let Some(Value::Object(tds)) = object
                .get_mut("payment_method_details")
                .and_then(|d| d.get_mut("card"))
                .and_then(|c| c.get_mut("three_d_secure"))
            else {
                return;
            };
            let result = tds.get("result").and_then(Value::as_str).unwrap_or_default();
            let authenticated = result == "authenticated";
            let succeeded = matches!(result, "authenticated" | "attempt_acknowledged");
            tds.insert("authenticated".into(), json!(authenticated));
            tds.insert("succeeded".into(), json!(succeeded));
        }
    }
);

// Fields the SDK types of a version declared (always sent, null when empty) and a later
// version's no longer do, without a changelog entry: kept as `null` before that version.
fn nulls_back(object: &mut Map<String, Value>, kind: &str, fields: &[(&str, Value)]) {
    if is(object, kind) {
        for (field, value) in fields {
            object.entry(*field).or_insert_with(|| value.clone());
        }
    }
}

change!(
    ChargeOrderDropped,
    "2020-08-27",
    "Charge order no longer sent (the SDK types of 2020-08-27 drop it; no changelog entry)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            nulls_back(object, "charge", &[("order", Value::Null)]);
        }
    }
);

change!(
    CheckoutShippingRenamed,
    "2022-08-01",
    "Checkout Session shipping renamed shipping_details; shipping_rate moved into shipping_cost",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if !is(object, "checkout.session") {
                return;
            }
            // Basil's unit put `shipping_details` back first (rendering goes newest first).
            let shipping = object.remove("shipping_details").unwrap_or(Value::Null);
            object.insert("shipping".into(), shipping);
            let rate = object
                .remove("shipping_cost")
                .and_then(|c| c.get("shipping_rate").cloned())
                .unwrap_or(Value::Null);
            object.insert("shipping_rate".into(), rate);
        }
    }
);

change!(
    CheckoutIntentDeferred,
    "2022-08-01",
    "a payment-mode Checkout Session makes its PaymentIntent when confirmed, not when created",
    {
        fn behaviour(&self) -> Option<Behaviour> {
            Some(Behaviour::CheckoutIntentAtCreation)
        }
    }
);

change!(
    CheckoutCustomerCreationIfRequired,
    "2022-08-01",
    "Checkout Session customer_creation defaults to if_required (was always) in payment mode",
    {
        fn behaviour(&self) -> Option<Behaviour> {
            Some(Behaviour::CheckoutAlwaysCreatesCustomer)
        }
    }
);

change!(
    CheckoutAdHocLineItemsRemoved,
    "2022-08-01",
    "Checkout Session line_items[amount|currency|name|description|images] removed (use price_data)",
    {
        fn behaviour(&self) -> Option<Behaviour> {
            Some(Behaviour::AdHocLineItems)
        }
    }
);

change!(
    CustomerDefaultCurrencyRemoved,
    "2022-08-01",
    "Customer default_currency removed",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if is(object, "customer") {
                let currency = object.get("currency").cloned().unwrap_or(Value::Null);
                object.insert("default_currency".into(), currency);
            }
        }
    }
);

change!(
    ProductCaptionDropped,
    "2022-11-15",
    "Product caption no longer sent (the SDK types of 2022-11-15 drop it; no changelog entry)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            nulls_back(object, "product", &[("caption", Value::Null)]);
        }
    }
);

change!(
    PaymentIntentChargesRemoved,
    "2022-11-15",
    "PaymentIntent charges removed (use latest_charge)",
    {
        fn embeds(&self) -> Option<Embed> {
            Some(Embed::PaymentIntentCharges)
        }
    }
);

change!(
    ChargeRefundsNotIncluded,
    "2022-11-15",
    "Charge refunds no longer included by default",
    {
        fn embeds(&self) -> Option<Embed> {
            Some(Embed::ChargeRefunds)
        }
    }
);

change!(
    DeprecatedFieldsDropped,
    "2023-08-16",
    "Charge destination and dispute, Product attributes no longer sent (stripe-node 13's types drop them; no changelog entry)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            nulls_back(object, "charge", &[("destination", Value::Null), ("dispute", Value::Null)]);
            nulls_back(object, "product", &[("attributes", json!([]))]);
        }
    }
);

change!(
    AutomaticPaymentMethodsByDefault,
    "2023-08-16",
    "PaymentIntents and SetupIntents created without types have automatic_payment_methods (was cards only)",
    {
        fn behaviour(&self) -> Option<Behaviour> {
            Some(Behaviour::CardsOnlyByDefault)
        }
    }
);

change!(
    CheckoutNoCostOrders,
    "2023-08-16",
    "Checkout Session payment_method_collection is if_required in payment mode (was always)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if is(object, "checkout.session") && object.get("mode") == Some(&json!("payment")) {
                object.insert("payment_method_collection".into(), json!("always"));
            }
        }
    }
);

change!(
    CaptureMethodAutomaticAsync,
    "2024-04-10",
    "PaymentIntent capture_method defaults to automatic_async (was automatic)",
    {
        fn behaviour(&self) -> Option<Behaviour> {
            Some(Behaviour::CaptureMethodAutomatic)
        }
    }
);

change!(
    ProductFeaturesRenamed,
    "2024-04-10",
    "Product features renamed marketing_features",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if is(object, "product") {
                let features = object.remove("marketing_features").unwrap_or(json!([]));
                object.insert("features".into(), features);
            }
        }
    }
);

#[cfg(test)]
mod tests {
    use crate::versions::{old_behaviour, render, ApiVersion, Behaviour, EMBEDDED, EMBEDDED_ANY};
    use serde_json::json;

    fn v(s: &str) -> ApiVersion {
        ApiVersion::parse(s).unwrap()
    }

    #[test]
    fn customer_lists_before_2020_08_27() {
        let c = json!({"object": "customer", "id": "cus_1", "currency": null});
        let old = render(c.clone(), v("2020-03-02"));
        assert_eq!(old["sources"]["url"], "/v1/customers/cus_1/sources");
        assert_eq!(old["tax_ids"]["total_count"], 0);
        assert_eq!(old["default_currency"], json!(null));
        let mid = render(c.clone(), v("2020-08-27"));
        assert!(mid.get("sources").is_none());
        assert_eq!(mid["default_currency"], json!(null));
        assert!(render(c, v("2022-08-01")).get("default_currency").is_none());
    }

    #[test]
    fn embedded_lists_stay_only_where_the_version_has_them() {
        let pi = json!({"object": "payment_intent", "id": "pi_1",
            "charges": {"object": "list", "data": []}, EMBEDDED: ["charges"], EMBEDDED_ANY: true});
        let old = render(pi.clone(), v("2022-08-01"));
        assert_eq!(old["charges"]["object"], "list");
        assert!(
            old.get(EMBEDDED).is_none() && old.get(EMBEDDED_ANY).is_none(),
            "the marks are never sent"
        );
        let new = render(pi, v("2022-11-15"));
        assert!(new.get("charges").is_none() && new.get(EMBEDDED).is_none());
        // A charge's refunds asked for with expand[] are not embedded: they stay.
        let ch = json!({"object": "charge", "refunds": {"object": "list", "data": []}});
        assert!(render(ch, v("2026-10-28.endive")).get("refunds").is_some());
    }

    #[test]
    fn checkout_before_2022_08_01_and_2023_08_16() {
        let s = json!({"object": "checkout.session", "mode": "payment",
            "shipping_cost": null, "payment_method_collection": "if_required"});
        let old = render(s.clone(), v("2020-08-27"));
        assert_eq!(old["shipping"], json!(null));
        assert_eq!(old["shipping_rate"], json!(null));
        assert!(old.get("shipping_details").is_none() && old.get("shipping_cost").is_none());
        assert_eq!(old["payment_method_collection"], "always");
        let mid = render(s.clone(), v("2022-11-15"));
        assert_eq!(mid["shipping_details"], json!(null));
        assert_eq!(mid["payment_method_collection"], "always");
        assert_eq!(
            render(s, v("2023-08-16"))["payment_method_collection"],
            "if_required"
        );
    }

    #[test]
    fn three_d_secure_booleans_before_2020_08_27() {
        let ch = json!({"object": "charge", "payment_method_details": {"card": {"three_d_secure": {"result": "authenticated"}}}});
        let old = render(ch.clone(), v("2020-03-02"));
        let tds = &old["payment_method_details"]["card"]["three_d_secure"];
        assert_eq!(
            (tds["authenticated"].clone(), tds["succeeded"].clone()),
            (json!(true), json!(true))
        );
        let new = render(ch, v("2020-08-27"));
        assert!(new["payment_method_details"]["card"]["three_d_secure"]
            .get("succeeded")
            .is_none());
    }

    #[test]
    fn product_features_before_2024_04_10() {
        let p = json!({"object": "product", "marketing_features": [{"name": "Fast"}]});
        assert_eq!(
            render(p.clone(), v("2023-10-16"))["features"],
            json!([{"name": "Fast"}])
        );
        assert!(render(p, v("2024-04-10")).get("features").is_none());
    }

    #[test]
    fn behaviours_by_version() {
        for (b, last_old, first_new) in [
            (
                Behaviour::CaptureMethodAutomatic,
                "2023-10-16",
                "2024-04-10",
            ),
            (Behaviour::CardsOnlyByDefault, "2022-11-15", "2023-08-16"),
            (
                Behaviour::CheckoutIntentAtCreation,
                "2020-08-27",
                "2022-08-01",
            ),
            (
                Behaviour::CheckoutAlwaysCreatesCustomer,
                "2020-08-27",
                "2022-08-01",
            ),
            (Behaviour::AdHocLineItems, "2020-08-27", "2022-08-01"),
        ] {
            assert!(old_behaviour(v(last_old), b), "{b:?} at {last_old}");
            assert!(!old_behaviour(v(first_new), b), "{b:?} at {first_new}");
        }
    }
}
