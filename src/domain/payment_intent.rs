//! The PaymentIntent as stored, its status machine, and the transition functions:
//! every status change of an intent happens here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
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
            Status::RequiresCapture => "requires_capture",
            Status::Succeeded => "succeeded",
            Status::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    Automatic,
    AutomaticAsync,
    Manual,
}

impl CaptureMethod {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "automatic" => Some(Self::Automatic),
            "automatic_async" => Some(Self::AutomaticAsync),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Automatic => "automatic",
            Self::AutomaticAsync => "automatic_async",
            Self::Manual => "manual",
        }
    }
}

/// The customer action an intent waits for in `requires_action`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingAction {
    /// `redirect_to_url` or `use_stripe_sdk`.
    pub kind: String,
    /// Hosted authorization page for this attempt.
    pub url: String,
    pub return_url: Option<String>,
    /// Nonce in the hosted page URL, so an old page cannot act on a new attempt.
    pub nonce: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AutomaticPaymentMethods {
    pub enabled: bool,
    pub allow_redirects: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentIntent {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub status: Status,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub capture_method: CaptureMethod,
    pub confirmation_method: String,
    pub payment_method: Option<String>,
    pub payment_method_types: Vec<String>,
    pub allowed_payment_method_types: Option<Vec<String>>,
    pub excluded_payment_method_types: Option<Vec<String>>,
    pub automatic_payment_methods: Option<AutomaticPaymentMethods>,
    /// Per-type options given by the merchant (`payment_method_options[card][...]`).
    pub payment_method_options: Map<String, Value>,
    pub client_secret: String,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub canceled_at: Option<i64>,
    pub cancellation_reason: Option<String>,
    /// The error of the last failed attempt, stored with the PaymentMethod id in
    /// `payment_method` (rendered as the full object).
    pub last_payment_error: Option<Value>,
    pub latest_charge: Option<String>,
    pub pending_action: Option<PendingAction>,
    pub receipt_email: Option<String>,
    pub setup_future_usage: Option<String>,
    pub shipping: Option<Value>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub return_url: Option<String>,
    pub transfer_group: Option<String>,
    pub off_session: bool,
    /// The payment method type of the current or last attempt.
    pub attempt_type: Option<String>,
    /// The customer completed the action, but `confirmation_method=manual` needs the
    /// server to confirm again; that confirm charges without asking again.
    pub action_authenticated: bool,
}

/// A call the intent's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedState(pub String);

const CANCELABLE: &str =
    "requires_payment_method, requires_capture, requires_confirmation, requires_action, processing";
const UPDATABLE: &str = "requires_payment_method, requires_confirmation, requires_action";

impl PaymentIntent {
    /// Confirm is allowed from requires_payment_method (with a payment method),
    /// requires_confirmation and requires_action.
    pub fn check_confirm(&self, has_payment_method: bool) -> Result<(), UnexpectedState> {
        match self.status {
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction => {
                if has_payment_method {
                    Ok(())
                } else {
                    Err(UnexpectedState("You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.".into()))
                }
            }
            Status::Succeeded => Err(UnexpectedState(
                "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.".into(),
            )),
            s => Err(UnexpectedState(format!("You cannot confirm this PaymentIntent because it has a status of {}.", s.as_str()))),
        }
    }

    pub fn check_capture(&self) -> Result<(), UnexpectedState> {
        if self.status == Status::RequiresCapture {
            Ok(())
        } else {
            Err(UnexpectedState(format!(
                "This PaymentIntent could not be captured because it has a status of {}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
                self.status.as_str()
            )))
        }
    }

    pub fn check_cancel(&self) -> Result<(), UnexpectedState> {
        match self.status {
            Status::Succeeded | Status::Canceled | Status::Processing => Err(UnexpectedState(format!(
                "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be canceled: {CANCELABLE}.",
                self.status.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// Amount, currency, payment method and the like change only before processing.
    pub fn check_update(&self, field: &str) -> Result<(), UnexpectedState> {
        match self.status {
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction => Ok(()),
            s => Err(UnexpectedState(format!(
                "This PaymentIntent's {field} could not be updated because it has a status of {}. You may only update the {field} of a PaymentIntent with one of the following statuses: {UPDATABLE}.",
                s.as_str()
            ))),
        }
    }

    /// A payment method was attached (create or update): the intent waits for confirmation.
    pub fn attach_payment_method(&mut self, pm: String) {
        self.payment_method = Some(pm);
        self.last_payment_error = None;
        if self.status == Status::RequiresPaymentMethod || self.status == Status::RequiresAction {
            self.status = Status::RequiresConfirmation;
            self.pending_action = None;
        }
    }

    /// A payment method was detached from the intent by an update (`payment_method=`).
    pub fn detach_payment_method(&mut self) {
        self.payment_method = None;
        self.status = Status::RequiresPaymentMethod;
        self.pending_action = None;
    }

    /// The attempt waits for the customer (redirect or 3-D Secure).
    pub fn require_action(&mut self, action: PendingAction) {
        self.status = Status::RequiresAction;
        self.pending_action = Some(action);
        self.last_payment_error = None;
    }

    /// The processor authorised `charge_id`: captured at once, or held for capture.
    pub fn authorized(&mut self, charge_id: String) {
        self.action_authenticated = false;
        self.latest_charge = Some(charge_id);
        self.pending_action = None;
        self.last_payment_error = None;
        if !self.captures_on_authorization() {
            self.status = Status::RequiresCapture;
            self.amount_capturable = self.amount;
        } else {
            self.status = Status::Succeeded;
            self.amount_received = self.amount;
        }
    }

    /// After a customer action under `confirmation_method=manual`, the server confirms again.
    pub fn action_completed_needs_confirmation(&mut self) {
        self.status = Status::RequiresConfirmation;
        self.pending_action = None;
        self.action_authenticated = true;
    }

    /// The one rule for "capture now": the intent's capture method is not manual, and no
    /// `payment_method_options[<type>][capture_method]=manual` for the attempt's type
    /// overrides it.
    pub fn captures_on_authorization(&self) -> bool {
        self.capture_method != CaptureMethod::Manual && !self.manual_capture_for_type()
    }

    /// `payment_method_options[<type>][capture_method]=manual` overrides the intent's method.
    fn manual_capture_for_type(&self) -> bool {
        let Some(pm_type) = self.last_used_type() else {
            return false;
        };
        self.payment_method_options
            .get(&pm_type)
            .and_then(|o| o.get("capture_method"))
            .and_then(|v| v.as_str())
            == Some("manual")
    }

    fn last_used_type(&self) -> Option<String> {
        self.attempt_type.clone()
    }

    /// Records which payment method type the current attempt uses (for per-type options).
    pub fn set_attempt_type(&mut self, pm_type: &str) {
        self.attempt_type = Some(pm_type.to_string());
    }

    /// The attempt failed: back to requires_payment_method, the error kept.
    pub fn failed(&mut self, error: Value, charge_id: Option<String>) {
        self.action_authenticated = false;
        self.status = Status::RequiresPaymentMethod;
        self.payment_method = None;
        self.pending_action = None;
        self.last_payment_error = Some(error);
        if let Some(id) = charge_id {
            self.latest_charge = Some(id);
        }
    }

    /// Captures `amount` (≤ amount_capturable); the rest of the hold is released.
    pub fn capture(&mut self, amount: i64) {
        self.amount_received = amount;
        self.amount_capturable = 0;
        self.status = Status::Succeeded;
    }

    pub fn cancel(&mut self, reason: Option<String>, now: i64) {
        self.status = Status::Canceled;
        self.canceled_at = Some(now);
        self.cancellation_reason = reason;
        self.amount_capturable = 0;
        self.pending_action = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pi(status: Status) -> PaymentIntent {
        PaymentIntent {
            id: "pi_1".into(),
            created: 0,
            amount: 1000,
            currency: "usd".into(),
            status,
            customer: None,
            description: None,
            metadata: Map::new(),
            capture_method: CaptureMethod::AutomaticAsync,
            confirmation_method: "automatic".into(),
            payment_method: None,
            payment_method_types: vec!["card".into()],
            allowed_payment_method_types: None,
            excluded_payment_method_types: None,
            automatic_payment_methods: None,
            payment_method_options: Map::new(),
            client_secret: "pi_1_secret_x".into(),
            amount_capturable: 0,
            amount_received: 0,
            canceled_at: None,
            cancellation_reason: None,
            last_payment_error: None,
            latest_charge: None,
            pending_action: None,
            receipt_email: None,
            setup_future_usage: None,
            shipping: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            return_url: None,
            transfer_group: None,
            off_session: false,
            attempt_type: None,
            action_authenticated: false,
        }
    }

    const ALL: [Status; 7] = [
        Status::RequiresPaymentMethod,
        Status::RequiresConfirmation,
        Status::RequiresAction,
        Status::Processing,
        Status::RequiresCapture,
        Status::Succeeded,
        Status::Canceled,
    ];

    #[test]
    fn which_calls_each_status_allows() {
        // (status, confirm with pm, capture, cancel, update amount)
        let table = [
            (Status::RequiresPaymentMethod, true, false, true, true),
            (Status::RequiresConfirmation, true, false, true, true),
            (Status::RequiresAction, true, false, true, true),
            (Status::Processing, false, false, false, false),
            (Status::RequiresCapture, false, true, true, false),
            (Status::Succeeded, false, false, false, false),
            (Status::Canceled, false, false, false, false),
        ];
        assert_eq!(table.len(), ALL.len());
        for (s, confirm, capture, cancel, update) in table {
            let p = pi(s);
            assert_eq!(p.check_confirm(true).is_ok(), confirm, "{s:?} confirm");
            assert_eq!(p.check_capture().is_ok(), capture, "{s:?} capture");
            assert_eq!(p.check_cancel().is_ok(), cancel, "{s:?} cancel");
            assert_eq!(p.check_update("amount").is_ok(), update, "{s:?} update");
        }
        assert!(pi(Status::RequiresPaymentMethod)
            .check_confirm(false)
            .unwrap_err()
            .0
            .contains("missing a payment method"));
        assert!(pi(Status::Succeeded)
            .check_confirm(true)
            .unwrap_err()
            .0
            .contains("already succeeded"));
    }

    #[test]
    fn authorization_follows_capture_method() {
        let mut p = pi(Status::RequiresConfirmation);
        p.authorized("ch_1".into());
        assert_eq!((p.status, p.amount_received), (Status::Succeeded, 1000));
        let mut p = pi(Status::RequiresConfirmation);
        p.capture_method = CaptureMethod::Manual;
        p.authorized("ch_1".into());
        assert_eq!(
            (p.status, p.amount_capturable),
            (Status::RequiresCapture, 1000)
        );
        p.capture(600);
        assert_eq!(
            (p.status, p.amount_received, p.amount_capturable),
            (Status::Succeeded, 600, 0)
        );
        let mut p = pi(Status::RequiresConfirmation);
        p.payment_method_options.insert(
            "alma".into(),
            serde_json::json!({"capture_method": "manual"}),
        );
        p.set_attempt_type("alma");
        p.authorized("py_1".into());
        assert_eq!(p.status, Status::RequiresCapture);
    }

    #[test]
    fn failure_resets_payment_method() {
        let mut p = pi(Status::RequiresConfirmation);
        p.payment_method = Some("pm_1".into());
        p.failed(
            serde_json::json!({"type": "card_error"}),
            Some("ch_1".into()),
        );
        assert_eq!(p.status, Status::RequiresPaymentMethod);
        assert!(p.payment_method.is_none());
        assert_eq!(p.latest_charge.as_deref(), Some("ch_1"));
        p.attach_payment_method("pm_2".into());
        assert_eq!(p.status, Status::RequiresConfirmation);
        assert!(p.last_payment_error.is_none());
    }

    #[test]
    fn cancel_records_reason() {
        let mut p = pi(Status::RequiresCapture);
        p.amount_capturable = 1000;
        p.cancel(Some("requested_by_customer".into()), 5);
        assert_eq!(
            (p.status, p.canceled_at, p.amount_capturable),
            (Status::Canceled, Some(5), 0)
        );
    }

    #[test]
    fn capture_now_is_one_rule() {
        // (intent's method, per-type option for the attempt's type) -> captured at once
        let table = [
            (CaptureMethod::Automatic, None, true),
            (CaptureMethod::AutomaticAsync, None, true),
            (CaptureMethod::Manual, None, false),
            (CaptureMethod::AutomaticAsync, Some("manual"), false),
            (CaptureMethod::Manual, Some("manual"), false),
        ];
        for (method, option, now) in table {
            let mut p = pi(Status::RequiresConfirmation);
            p.capture_method = method;
            p.set_attempt_type("card");
            if let Some(o) = option {
                p.payment_method_options
                    .insert("card".into(), serde_json::json!({ "capture_method": o }));
            }
            assert_eq!(p.captures_on_authorization(), now, "{method:?} {option:?}");
            p.authorized("ch_1".into());
            let want = if now {
                Status::Succeeded
            } else {
                Status::RequiresCapture
            };
            assert_eq!(p.status, want);
        }
        // An option for another type does not apply to this attempt.
        let mut p = pi(Status::RequiresConfirmation);
        p.set_attempt_type("amazon_pay");
        p.payment_method_options.insert(
            "card".into(),
            serde_json::json!({ "capture_method": "manual" }),
        );
        assert!(p.captures_on_authorization());
    }
}
