//! The SetupIntent as stored, its status machine, and its decisions: a SetupIntent
//! sets a payment method up for later payments, through the same attempt steps as a
//! PaymentIntent (`domain::attempt`), with no charge at the end.

use super::attempt::{self, Attempt, Step};
use super::method_choice::ChosenTypes;
use super::payment_intent::{
    AutomaticPaymentMethods, PendingAction, Refusal, Refused, RequestThreeDSecure, UnexpectedState,
};
use super::payment_method::{FutureUsage, PaymentMethod, PaymentMethodType};
use super::test_cards::Decline;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    Succeeded,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::RequiresPaymentMethod => "requires_payment_method",
            Status::RequiresConfirmation => "requires_confirmation",
            Status::RequiresAction => "requires_action",
            Status::Processing => "processing",
            Status::Succeeded => "succeeded",
            Status::Canceled => "canceled",
        }
    }
    fn is_open(self) -> bool {
        matches!(
            self,
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SetupIntent {
    pub id: String,
    pub created: i64,
    pub client_secret: String,
    pub status: Status,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub usage: FutureUsage,
    pub payment_method: Option<String>,
    pub payment_method_types: Vec<PaymentMethodType>,
    pub allowed_payment_method_types: Option<Vec<String>>,
    pub excluded_payment_method_types: Option<Vec<String>>,
    pub automatic_payment_methods: Option<AutomaticPaymentMethods>,
    /// Per-type options given by the merchant (`payment_method_options[card][...]`).
    #[serde(default)]
    pub payment_method_options: Map<String, Value>,
    pub cancellation_reason: Option<String>,
    /// The error of the last failed attempt (with the PaymentMethod id).
    pub last_setup_error: Option<Value>,
    pub mandate: Option<String>,
    /// `inbound` / `outbound`, as the merchant gave them.
    #[serde(default)]
    pub flow_directions: Option<Vec<String>>,
    /// The SetupAttempt of the last confirmation.
    #[serde(default)]
    pub latest_attempt: Option<String>,
    pub pending_action: Option<PendingAction>,
    pub return_url: Option<String>,
    /// The customer's acceptance of a mandate, as given on confirm (with
    /// `infer_from_client` already filled in), kept until the setup succeeds.
    pub mandate_acceptance: Option<Value>,
}

/// What a confirm call brings besides the payment method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupRequest {
    pub return_url: Option<String>,
    pub use_stripe_sdk: bool,
    /// The customer's acceptance of the mandate (`mandate_data`), resolved.
    pub mandate_acceptance: Option<Value>,
}

/// The customer's answer on the hosted page, and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupOutcome {
    Failed,
    /// On to verification (3-D Secure done for cards).
    Verify,
}

const UNEXPECTED: &str = "You cannot confirm this SetupIntent because it has a status of";
const MISSING_PAYMENT_METHOD: &str = "You cannot confirm this SetupIntent because it's missing a payment method. You can either update the SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.";
const AUTHENTICATION_FAILED: &str =
    "The latest attempt to set up the payment method has failed because authentication failed.";
const CUSTOMER_DECLINED: &str = "The customer did not approve the setup. Provide a new payment method to attempt to set up this SetupIntent again.";

impl SetupIntent {
    pub fn new(id: String, client_secret: String, usage: FutureUsage) -> Self {
        SetupIntent {
            id,
            created: 0,
            client_secret,
            status: Status::RequiresPaymentMethod,
            customer: None,
            description: None,
            metadata: Map::new(),
            usage,
            payment_method: None,
            payment_method_types: vec![],
            allowed_payment_method_types: None,
            excluded_payment_method_types: None,
            automatic_payment_methods: None,
            payment_method_options: Map::new(),
            cancellation_reason: None,
            last_setup_error: None,
            mandate: None,
            flow_directions: None,
            latest_attempt: None,
            pending_action: None,
            return_url: None,
            mandate_acceptance: None,
        }
    }

    /// Keeps a choice of types; methods that cannot be set up for later are left out.
    pub fn set_types(&mut self, mut chosen: ChosenTypes) {
        chosen.types.retain(|t| t.can_be_set_up());
        self.payment_method_types = chosen.types;
        self.allowed_payment_method_types = chosen.allowed;
        self.excluded_payment_method_types = chosen.excluded;
        self.automatic_payment_methods = chosen.automatic;
    }

    pub fn check_confirm(&self, has_payment_method: bool) -> Result<(), UnexpectedState> {
        match self.status {
            s if s.is_open() && has_payment_method => Ok(()),
            s if s.is_open() => Err(UnexpectedState(MISSING_PAYMENT_METHOD.into())),
            Status::Succeeded => Err(UnexpectedState(
                "You cannot confirm this SetupIntent because it has already succeeded.".into(),
            )),
            s => Err(UnexpectedState(format!("{UNEXPECTED} {}.", s.as_str()))),
        }
    }

    pub fn check_cancel(&self) -> Result<(), UnexpectedState> {
        if self.status.is_open() {
            return Ok(());
        }
        Err(UnexpectedState(format!(
            "You cannot cancel this SetupIntent because it has a status of {}. Only a SetupIntent with one of the following statuses may be canceled: requires_payment_method, requires_confirmation, requires_action.",
            self.status.as_str()
        )))
    }

    pub fn check_update(&self) -> Result<(), UnexpectedState> {
        if self.status.is_open() {
            return Ok(());
        }
        Err(UnexpectedState(format!(
            "You cannot update this SetupIntent because it has a status of {}.",
            self.status.as_str()
        )))
    }

    /// A payment method was given (create or update): waits for confirmation.
    pub fn attach_payment_method(&mut self, pm: String) {
        self.payment_method = Some(pm);
        self.last_setup_error = None;
        if matches!(
            self.status,
            Status::RequiresPaymentMethod | Status::RequiresAction
        ) {
            self.status = Status::RequiresConfirmation;
            self.pending_action = None;
        }
    }

    /// Confirms with `pm`: checks what Stripe checks, records the attempt, and says the
    /// next step. `Step::Process` means the method is verified (`verify`).
    pub fn confirm(&mut self, pm: &PaymentMethod, req: &SetupRequest) -> Result<Step, Refused> {
        self.check_confirm(true)?;
        if !self.payment_method_types.contains(&pm.kind) {
            let types = super::payment_method::type_names(&self.payment_method_types);
            return Err(Refusal {
                message: format!(
                    "The provided PaymentMethod ({}) is not allowed for this SetupIntent. Allowed types: {}.",
                    pm.kind,
                    types
                ),
                param: "payment_method",
                code: Some("setup_intent_invalid_parameter"),
            }
            .into());
        }
        self.check_owner(pm)?;
        self.check_usage(pm)?;
        if let Some(url) = &req.return_url {
            self.return_url = Some(url.clone());
        }
        if pm.kind.is_redirect() && self.return_url.is_none() {
            return Err(Refusal {
                message: format!(
                    "You must provide a `return_url` when confirming a SetupIntent with the payment method type {}.",
                    pm.kind
                ),
                param: "return_url",
                code: None,
            }
            .into());
        }
        if req.mandate_acceptance.is_some() {
            self.mandate_acceptance = req.mandate_acceptance.clone();
        }
        self.payment_method = Some(pm.id.clone());
        self.last_setup_error = None;
        Ok(attempt::next_step(
            pm,
            &Attempt {
                off_session: false,
                use_stripe_sdk: req.use_stripe_sdk,
                error_on_requires_action: false,
                has_return_url: self.return_url.is_some(),
                authenticated: false,
                three_d_secure: RequestThreeDSecure::of(&self.payment_method_options),
            },
        ))
    }

    /// A method saved to a customer sets up only for that customer's intents.
    pub fn check_owner(&self, pm: &PaymentMethod) -> Result<(), Refusal> {
        match &pm.customer {
            Some(owner) if self.customer.as_ref() != Some(owner) => Err(Refusal {
                message: format!(
                    "The payment method supplied ({}) belongs to the Customer {owner}. Please include the Customer in the `customer` parameter on the SetupIntent.",
                    pm.id
                ),
                param: "payment_method",
                code: None,
            }),
            _ => Ok(()),
        }
    }

    /// Whether the method may be set up for this `usage` (Amazon Pay: off session only).
    pub fn check_usage(&self, pm: &PaymentMethod) -> Result<(), Refusal> {
        if pm.kind.allows_setup_future_usage(self.usage) {
            return Ok(());
        }
        Err(Refusal {
            message: format!(
                "The payment method `{}` does not support `usage={}`.",
                pm.kind,
                self.usage.as_str()
            ),
            param: "usage",
            code: None,
        })
    }

    /// The customer must act first.
    pub fn require_action(&mut self, action: PendingAction) {
        self.status = Status::RequiresAction;
        self.pending_action = Some(action);
    }

    /// The method is set up: usable for later payments.
    pub fn succeeded(&mut self, mandate: Option<String>) {
        self.status = Status::Succeeded;
        self.pending_action = None;
        self.last_setup_error = None;
        self.mandate = mandate;
    }

    /// The attempt failed: back to `requires_payment_method`, with the error.
    pub fn failed(&mut self, error: Value) {
        self.status = Status::RequiresPaymentMethod;
        self.payment_method = None;
        self.pending_action = None;
        self.last_setup_error = Some(error);
    }

    /// The customer answered the hosted page for the pending attempt with `pm`.
    pub fn complete_action(&mut self, pm: &PaymentMethod, authorized: bool) -> SetupOutcome {
        if authorized {
            return SetupOutcome::Verify;
        }
        let is_card = pm.kind == PaymentMethodType::Card;
        self.failed(json!({
            "code": "setup_intent_authentication_failure",
            "doc_url": "https://stripe.com/docs/error-codes/setup-intent-authentication-failure",
            "message": if is_card { AUTHENTICATION_FAILED } else { CUSTOMER_DECLINED },
            "payment_method": pm.id,
            "payment_method_type": pm.kind,
            "type": "invalid_request_error"
        }));
        SetupOutcome::Failed
    }

    /// A decline while verifying the method.
    pub fn declined(&mut self, pm: &PaymentMethod, d: &Decline) {
        let mut err = json!({
            "code": d.code,
            "doc_url": format!("https://stripe.com/docs/error-codes/{}", d.code.replace('_', "-")),
            "message": d.message,
            "payment_method": pm.id,
            "payment_method_type": pm.kind,
            "type": "card_error"
        });
        if let Some(dc) = d.decline_code {
            err["decline_code"] = json!(dc);
        }
        self.failed(err);
    }

    pub fn cancel(&mut self, reason: Option<String>) {
        self.status = Status::Canceled;
        self.cancellation_reason = reason;
        self.pending_action = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment_intent::ActionKind;
    use crate::domain::payment_method::from_alias;

    fn si(status: Status) -> SetupIntent {
        let mut s = SetupIntent::new(
            "seti_1".into(),
            "seti_1_secret_x".into(),
            FutureUsage::OffSession,
        );
        s.status = status;
        s.payment_method_types = vec![PaymentMethodType::Card, PaymentMethodType::AmazonPay];
        s
    }

    fn amazon_pay() -> PaymentMethod {
        PaymentMethod::new("pm_ap".into(), 0, PaymentMethodType::AmazonPay)
    }

    const ALL: [Status; 6] = [
        Status::RequiresPaymentMethod,
        Status::RequiresConfirmation,
        Status::RequiresAction,
        Status::Processing,
        Status::Succeeded,
        Status::Canceled,
    ];

    #[test]
    fn which_call_each_status_allows() {
        for s in ALL {
            let open = matches!(
                s,
                Status::RequiresPaymentMethod
                    | Status::RequiresConfirmation
                    | Status::RequiresAction
            );
            assert_eq!(si(s).check_confirm(true).is_ok(), open, "confirm {s:?}");
            assert_eq!(si(s).check_cancel().is_ok(), open, "cancel {s:?}");
            assert_eq!(si(s).check_update().is_ok(), open, "update {s:?}");
            assert!(si(s).check_confirm(false).is_err());
        }
    }

    #[test]
    fn steps_of_a_setup() {
        let with_return = SetupRequest {
            return_url: Some("https://m.test/done".into()),
            ..Default::default()
        };
        // (method, step)
        let table = [
            (
                "pm_card_visa",
                Step::Process {
                    authenticated: false,
                },
            ),
            (
                "pm_card_authenticationRequired",
                Step::Act(ActionKind::RedirectToUrl),
            ),
            (
                "pm_card_authenticationRequiredOnSetup",
                Step::Act(ActionKind::RedirectToUrl),
            ),
        ];
        for (alias, want) in table {
            let pm = from_alias(alias, 0).unwrap();
            let mut s = si(Status::RequiresPaymentMethod);
            assert_eq!(s.confirm(&pm, &with_return), Ok(want), "{alias}");
            assert_eq!(s.payment_method.as_deref(), Some(pm.id.as_str()));
        }
        let mut s = si(Status::RequiresConfirmation);
        assert_eq!(
            s.confirm(&amazon_pay(), &with_return),
            Ok(Step::Act(ActionKind::RedirectToUrl))
        );
        // A redirect needs a return_url.
        let mut s = si(Status::RequiresConfirmation);
        let e = s
            .confirm(&amazon_pay(), &SetupRequest::default())
            .unwrap_err();
        assert!(matches!(e, Refused::Request(r) if r.param == "return_url"));
    }

    #[test]
    fn the_customers_answer() {
        let mut s = si(Status::RequiresAction);
        assert_eq!(s.complete_action(&amazon_pay(), true), SetupOutcome::Verify);
        s.succeeded(Some("mandate_1".into()));
        assert_eq!(
            (s.status, s.mandate.as_deref()),
            (Status::Succeeded, Some("mandate_1"))
        );
        let mut s = si(Status::RequiresAction);
        s.payment_method = Some("pm_ap".into());
        assert_eq!(
            s.complete_action(&amazon_pay(), false),
            SetupOutcome::Failed
        );
        assert_eq!(s.status, Status::RequiresPaymentMethod);
        assert!(s.payment_method.is_none());
        assert_eq!(
            s.last_setup_error.as_ref().unwrap()["code"],
            "setup_intent_authentication_failure"
        );
    }
}
