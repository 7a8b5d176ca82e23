//! The breaking changes, oldest first. Each is one unit: a request rule and/or a
//! render-back of the objects it touched. See docs/api-versions.md.

use super::{ApiVersion, Operation, VersionChange};
use crate::api::error::{ApiError, ApiResult};
use crate::api::form::Params;

pub static ALL: &[&dyn VersionChange] = &[&PaymentMethodTypesNotWritable];

/// 2026-09-30.endive: `payment_method_types` can no longer be set on PaymentIntents;
/// it stays in responses as the computed list.
struct PaymentMethodTypesNotWritable;

impl VersionChange for PaymentMethodTypesNotWritable {
    fn version(&self) -> &'static str {
        "2026-09-30.endive"
    }
    fn describe(&self) -> &'static str {
        "payment_method_types is no longer writable on PaymentIntent create, update and confirm"
    }
    fn check_request(&self, v: ApiVersion, op: Operation, params: &Params) -> ApiResult<()> {
        let gated = matches!(
            op,
            Operation::PaymentIntentCreate
                | Operation::PaymentIntentUpdate
                | Operation::PaymentIntentConfirm
        );
        if gated && v.at_least(self.version()) && params.has("payment_method_types") {
            return Err(ApiError::invalid(
                "The `payment_method_types` parameter is no longer supported as of API version 2026-09-30.endive. Use `allowed_payment_method_types`, `excluded_payment_method_types` or `automatic_payment_methods` instead.",
            )
            .code("payment_method_types_no_longer_supported")
            .param("payment_method_types"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::form::decode;

    #[test]
    fn payment_method_types_gated_from_endive() {
        let p = Params::new(decode(&[b"payment_method_types[]=card"]));
        let endive = ApiVersion::parse("2026-09-30.endive").unwrap();
        let dahlia = ApiVersion::parse("2026-08-26.dahlia").unwrap();
        let c = PaymentMethodTypesNotWritable;
        let err = c
            .check_request(endive, Operation::PaymentIntentCreate, &p)
            .unwrap_err();
        assert_eq!(
            err.code.as_deref(),
            Some("payment_method_types_no_longer_supported")
        );
        assert!(c
            .check_request(dahlia, Operation::PaymentIntentCreate, &p)
            .is_ok());
        assert!(c.check_request(endive, Operation::Other, &p).is_ok());
    }
}
