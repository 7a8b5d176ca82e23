//! The breaking changes, oldest first. Each is one unit: a request rule and/or a
//! render-back of the objects it touched. See docs/api-versions.md.

use super::legacy::*;
use super::{ApiVersion, Given, Operation, VersionChange, VersionError};
use serde_json::{Map, Value};

pub static ALL: &[&dyn VersionChange] = &[
    &CustomerListsNotIncluded,
    &CheckoutDisplayItemsRemoved,
    &ThreeDSecureBooleansRemoved,
    &ChargeOrderDropped,
    &CheckoutShippingRenamed,
    &CheckoutIntentDeferred,
    &CheckoutCustomerCreationIfRequired,
    &CheckoutAdHocLineItemsRemoved,
    &CustomerDefaultCurrencyRemoved,
    &ProductCaptionDropped,
    &PaymentIntentChargesRemoved,
    &ChargeRefundsNotIncluded,
    &DeprecatedFieldsDropped,
    &AutomaticPaymentMethodsByDefault,
    &CheckoutNoCostOrders,
    &CaptureMethodAutomaticAsync,
    &ProductFeaturesRenamed,
    &InvoiceRemovedFromPayments,
    &CancellationReasonExpired,
    &CustomerCouponRemoved,
    &ReleasedAuthorizationNotRefunded,
    &CheckoutShippingDetailsMoved,
    &CheckoutUiModeRenamed,
    &PaymentMethodTypesNotWritable,
    &CheckoutPaymentMethodTypesNotWritable,
];

change!(
    /// 2025-03-31.basil: `invoice` is no longer a field of PaymentIntents and Charges.
    InvoiceRemovedFromPayments,
    "2025-03-31.basil",
    "invoice removed from PaymentIntent and Charge",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if matches!(
                object.get("object").and_then(Value::as_str),
                Some("payment_intent" | "charge")
            ) && !object.contains_key("deleted")
            {
                object.insert("invoice".into(), Value::Null);
            }
        }
    }
);

change!(
    /// 2025-03-31.basil: an authorisation that expired uncaptured is canceled with
    /// reason `expired`; before, `automatic`.
    CancellationReasonExpired,
    "2025-03-31.basil",
    "PaymentIntent cancellation_reason `expired` (was `automatic`)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if object.get("object").and_then(Value::as_str) == Some("payment_intent")
                && object.get("cancellation_reason").and_then(Value::as_str) == Some("expired")
            {
                object.insert(
                    "cancellation_reason".into(),
                    Value::String("automatic".into()),
                );
            }
        }
    }
);

change!(
    /// 2025-03-31.basil: canceling a held payment, or capturing part of it, no longer
    /// creates a Refund (`amount_refunded` stays, no `charge.refunded`).
    ReleasedAuthorizationNotRefunded,
    "2025-03-31.basil",
    "partial capture and cancel no longer create refunds",
    {
        fn behaviour(&self) -> Option<super::Behaviour> {
            Some(super::Behaviour::ReleasedAuthorizationIsRefund)
        }
    }
);

change!(
    /// 2025-03-31.basil: `coupon` and `promotion_code` are no longer parameters of
    /// Customer create/update. Before, they named a coupon to apply (Pasarela has none).
    CustomerCouponRemoved,
    "2025-03-31.basil",
    "coupon and promotion_code removed from Customer create and update",
    {
        fn check_request(
            &self,
            v: ApiVersion,
            op: Operation,
            params: &dyn Given,
        ) -> Result<(), VersionError> {
            if !matches!(op, Operation::CustomerCreate | Operation::CustomerUpdate) {
                return Ok(());
            }
            for (name, object) in [("coupon", "coupon"), ("promotion_code", "promotion code")] {
                if let Some(id) = params.text(name) {
                    if v.at_least(self.version()) {
                        return Err(VersionError::ParameterUnknown(name));
                    }
                    if !id.is_empty() {
                        return Err(VersionError::NoSuch(object, id.to_string(), name));
                    }
                }
            }
            Ok(())
        }
    }
);

const TYPES_NO_LONGER_SUPPORTED: &str = "The `payment_method_types` parameter is no longer supported as of API version 2026-09-30.endive. Use `allowed_payment_method_types`, `excluded_payment_method_types` or `automatic_payment_methods` instead.";

change!(
    /// 2026-09-30.endive: `payment_method_types` can no longer be set on PaymentIntents;
    /// it stays in responses as the computed list.
    PaymentMethodTypesNotWritable,
    "2026-09-30.endive",
    "payment_method_types is no longer writable on PaymentIntent create, update and confirm",
    {
        fn check_request(
            &self,
            v: ApiVersion,
            op: Operation,
            params: &dyn Given,
        ) -> Result<(), VersionError> {
            let gated = matches!(
                op,
                Operation::PaymentIntentCreate
                    | Operation::PaymentIntentUpdate
                    | Operation::PaymentIntentConfirm
                    | Operation::SetupIntentCreate
                    | Operation::SetupIntentUpdate
            );
            if gated && v.at_least(self.version()) && params.has("payment_method_types") {
                return Err(VersionError::NoLongerSupported(
                    "payment_method_types",
                    "payment_method_types_no_longer_supported",
                    TYPES_NO_LONGER_SUPPORTED,
                ));
            }
            Ok(())
        }
    }
);

change!(
    /// 2025-03-31.basil: a Checkout Session's top-level `shipping_details` is removed (now
    /// `collected_information.shipping_details`). Pasarela collects no shipping address, so
    /// before basil it is `null`.
    CheckoutShippingDetailsMoved,
    "2025-03-31.basil",
    "Checkout Session shipping_details removed (collected_information.shipping_details)",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if object.get("object").and_then(Value::as_str) == Some("checkout.session") {
                object.insert("shipping_details".into(), Value::Null);
            }
        }
    }
);

const UI_MODES: [(&str, &str); 3] = [
    ("hosted", "hosted_page"),
    ("embedded", "embedded_page"),
    ("custom", "elements"),
];

change!(
    /// 2026-03-25.dahlia: Checkout's `ui_mode` values are renamed (`hosted` → `hosted_page`,
    /// `embedded` → `embedded_page`, `custom` → `elements`); each version refuses the other
    /// naming. Pasarela serves the hosted page only.
    CheckoutUiModeRenamed,
    "2026-03-25.dahlia",
    "Checkout Session ui_mode renamed: hosted_page, embedded_page, elements",
    {
        fn changes_responses(&self) -> bool {
            true
        }
        fn check_request(
            &self,
            v: ApiVersion,
            op: Operation,
            params: &dyn Given,
        ) -> Result<(), VersionError> {
            let Some(given) = params.text("ui_mode") else {
                return Ok(());
            };
            if op != Operation::CheckoutSessionCreate {
                return Ok(());
            }
            let new = v.at_least(self.version());
            let known = UI_MODES
                .iter()
                .any(|(old, renamed)| given == if new { *renamed } else { *old });
            if !known {
                return Err(VersionError::ParameterInvalid(
                    "ui_mode",
                    if new {
                        "Invalid ui_mode: must be one of hosted_page, embedded_page or elements"
                    } else {
                        "Invalid ui_mode: must be one of hosted, embedded or custom"
                    },
                ));
            }
            Ok(())
        }
        fn render_back(&self, object: &mut Map<String, Value>) {
            if object.get("object").and_then(Value::as_str) != Some("checkout.session") {
                return;
            }
            let renamed = object.get("ui_mode").and_then(Value::as_str);
            if let Some((old, _)) = UI_MODES.iter().find(|(_, r)| Some(*r) == renamed) {
                object.insert("ui_mode".into(), Value::String(old.to_string()));
            }
        }
    }
);

change!(
    /// 2026-09-30.endive: `payment_method_types` can no longer be set on Checkout Sessions.
    CheckoutPaymentMethodTypesNotWritable,
    "2026-09-30.endive",
    "payment_method_types is no longer accepted on Checkout Session create",
    {
        fn check_request(
            &self,
            v: ApiVersion,
            op: Operation,
            params: &dyn Given,
        ) -> Result<(), VersionError> {
            if op == Operation::CheckoutSessionCreate
                && v.at_least(self.version())
                && params.has("payment_method_types")
            {
                return Err(VersionError::NoLongerSupported(
                    "payment_method_types",
                    "payment_method_types_no_longer_supported",
                    TYPES_NO_LONGER_SUPPORTED,
                ));
            }
            Ok(())
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Top-level parameters as sent.
    struct Sent(&'static [(&'static str, &'static str)]);
    impl Given for Sent {
        fn has(&self, name: &str) -> bool {
            self.0.iter().any(|(k, _)| *k == name)
        }
        fn text(&self, name: &str) -> Option<&str> {
            self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        }
    }

    #[test]
    fn payment_method_types_gated_from_endive() {
        let p = Sent(&[("payment_method_types", "")]);
        let endive = ApiVersion::parse("2026-09-30.endive").unwrap();
        let dahlia = ApiVersion::parse("2026-08-26.dahlia").unwrap();
        let c = PaymentMethodTypesNotWritable;
        let err = c
            .check_request(endive, Operation::PaymentIntentCreate, &p)
            .unwrap_err();
        assert!(matches!(
            err,
            VersionError::NoLongerSupported(_, "payment_method_types_no_longer_supported", _)
        ));
        assert!(c
            .check_request(dahlia, Operation::PaymentIntentCreate, &p)
            .is_ok());
        assert!(c
            .check_request(endive, Operation::CustomerCreate, &p)
            .is_ok());
    }

    fn v(s: &str) -> ApiVersion {
        ApiVersion::parse(s).unwrap()
    }

    #[test]
    fn invoice_rendered_back_before_basil_only() {
        let body =
            serde_json::json!({"object": "payment_intent", "latest_charge": {"object": "charge"}});
        let old = crate::versions::render(body.clone(), v("2025-02-24.acacia"));
        assert_eq!(old["invoice"], Value::Null);
        assert_eq!(old["latest_charge"]["invoice"], Value::Null);
        let new = crate::versions::render(body, v("2025-03-31.basil"));
        assert!(new.get("invoice").is_none());
    }

    #[test]
    fn expired_was_automatic_before_basil() {
        let body =
            serde_json::json!({"object": "payment_intent", "cancellation_reason": "expired"});
        assert_eq!(
            crate::versions::render(body.clone(), v("2024-06-20"))["cancellation_reason"],
            "automatic"
        );
        assert_eq!(
            crate::versions::render(body, v("2025-09-30.clover"))["cancellation_reason"],
            "expired"
        );
    }

    #[test]
    fn released_authorizations_were_refunds_before_basil() {
        use crate::versions::{old_behaviour, Behaviour};
        assert!(old_behaviour(
            v("2025-02-24.acacia"),
            Behaviour::ReleasedAuthorizationIsRefund
        ));
        assert!(!old_behaviour(
            v("2025-03-31.basil"),
            Behaviour::ReleasedAuthorizationIsRefund
        ));
        assert!(!old_behaviour(
            v("2026-10-28.endive"),
            Behaviour::ReleasedAuthorizationIsRefund
        ));
    }

    #[test]
    fn coupon_unknown_from_basil() {
        let p = Sent(&[("coupon", "SPRING")]);
        let c = CustomerCouponRemoved;
        let e = c
            .check_request(v("2025-03-31.basil"), Operation::CustomerCreate, &p)
            .unwrap_err();
        assert_eq!(e, VersionError::ParameterUnknown("coupon"));
        let e = c
            .check_request(v("2025-02-24.acacia"), Operation::CustomerUpdate, &p)
            .unwrap_err();
        assert_eq!(e, VersionError::NoSuch("coupon", "SPRING".into(), "coupon"));
    }
}
