//! The PaymentIntent as stored, its status machine, and the transition functions:
//! every status change of an intent happens here.

use super::attempt::{self, Attempt, Step};
use super::method_choice::ChosenTypes;
use super::money::Currency;
use super::payment_method::{FutureUsage, PaymentMethod, PaymentMethodType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who may confirm: `automatic` (Stripe.js with the client secret, or the server), or
/// `manual` (the server only, and again after a customer action).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationMethod {
    Automatic,
    Manual,
}

impl ConfirmationMethod {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "automatic" => Some(Self::Automatic),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
}

/// `automatic_payment_methods[allow_redirects]`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AllowRedirects {
    Always,
    Never,
}

impl AllowRedirects {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "always" => Some(Self::Always),
            "never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// How the customer acts on a pending attempt: leave for the hosted page, or let
/// Stripe.js show it in place (3-D Secure without a `return_url`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    RedirectToUrl,
    UseStripeSdk,
}

/// `payment_method_options[card][request_three_d_secure]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestThreeDSecure {
    Automatic,
    Any,
    Challenge,
}

impl RequestThreeDSecure {
    /// What an intent's `payment_method_options` ask of 3-D Secure for cards.
    pub fn of(options: &Map<String, Value>) -> Self {
        match options
            .get("card")
            .and_then(|o| o.get("request_three_d_secure"))
            .and_then(Value::as_str)
        {
            Some("any") => RequestThreeDSecure::Any,
            Some("challenge") => RequestThreeDSecure::Challenge,
            _ => RequestThreeDSecure::Automatic,
        }
    }
}

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
    /// Before the attempt reaches the processor: the intent may still change.
    pub fn is_before_processing(self) -> bool {
        matches!(
            self,
            Status::RequiresPaymentMethod | Status::RequiresConfirmation | Status::RequiresAction
        )
    }

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
    pub kind: ActionKind,
    /// Hosted authorization page for this attempt.
    pub url: String,
    pub return_url: Option<String>,
    /// Nonce in the hosted page URL, so an old page cannot act on a new attempt.
    pub nonce: String,
    /// Origins whose pages may frame the hosted page (Stripe.js's 3-D Secure overlay on
    /// the merchant's page): the confirming page's and the return URL's. Empty when
    /// neither is known (a server-side confirm without a return URL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub framers: Vec<String>,
}

impl PendingAction {
    /// The origins that may frame the page of an action started by a request from
    /// `page_origin` (its Origin header) returning to `return_url`.
    pub fn framers_of(page_origin: Option<&str>, return_url: Option<&str>) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for o in [page_origin, return_url]
            .into_iter()
            .flatten()
            .filter_map(origin_of)
        {
            if !found.contains(&o) {
                found.push(o);
            }
        }
        found
    }
}

/// `scheme://host[:port]` of an http(s) URL or Origin, lowercased; `None` for anything
/// else (`null`, userinfo, characters a Content-Security-Policy source cannot hold).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if authority.is_empty() || !authority.chars().all(fits) {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AutomaticPaymentMethods {
    pub enabled: bool,
    pub allow_redirects: Option<AllowRedirects>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PaymentIntent {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: Currency,
    pub status: Status,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub capture_method: CaptureMethod,
    pub confirmation_method: ConfirmationMethod,
    pub payment_method: Option<String>,
    pub payment_method_types: Vec<PaymentMethodType>,
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
    pub setup_future_usage: Option<FutureUsage>,
    pub shipping: Option<Value>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub return_url: Option<String>,
    pub transfer_group: Option<String>,
    pub off_session: bool,
    /// The payment method type of the current or last attempt.
    pub attempt_type: Option<PaymentMethodType>,
    /// The customer completed the action, but `confirmation_method=manual` needs the
    /// server to confirm again; that confirm charges without asking again.
    pub action_authenticated: bool,
    /// The customer's acceptance given on confirm, for the mandate saved on success.
    #[serde(default)]
    pub mandate_acceptance: Option<Value>,
}

/// A call the intent's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnexpectedState(pub String);

/// A call Stripe refuses for what it asks, not for the intent's status: the message,
/// the parameter at fault, and Stripe's code when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub param: &'static str,
    pub code: Option<&'static str>,
}

impl Refusal {
    fn new(param: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            message: message.into(),
            param,
            code: None,
        }
    }
}

/// Why a confirm (or capture) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    State(UnexpectedState),
    Request(Refusal),
}

impl From<UnexpectedState> for Refused {
    fn from(e: UnexpectedState) -> Self {
        Refused::State(e)
    }
}
impl From<Refusal> for Refused {
    fn from(e: Refusal) -> Self {
        Refused::Request(e)
    }
}

/// What a confirm call brings besides the payment method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfirmRequest {
    pub return_url: Option<String>,
    pub off_session: bool,
    pub use_stripe_sdk: bool,
    pub error_on_requires_action: bool,
    /// `setup_future_usage` given (`Some(None)`: unset by `setup_future_usage=`).
    pub setup_future_usage: Option<Option<FutureUsage>>,
    /// Made with the secret key (the server), not Stripe.js.
    pub from_server: bool,
    /// The active mandate of the method, if it has one (off-session redirect methods
    /// need it).
    pub mandate: Option<String>,
    /// `mandate_data[customer_acceptance]`, resolved: kept for the mandate a
    /// `setup_future_usage` payment makes.
    pub mandate_acceptance: Option<Value>,
}

/// What becomes of the payment method after a successful payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterPayment {
    /// Saved to the intent's customer (`setup_future_usage` with a customer).
    Attach(String),
    /// Already the customer's: now set up for later payments too.
    SetUp,
    /// Used once without a customer: it cannot be used again.
    Consume,
    /// Already a customer's, or already consumed.
    Keep,
}

/// The customer's answer on the hosted page, and what follows.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    /// Failed: the intent is back to `requires_payment_method` with the error.
    Failed,
    /// Authorized under `confirmation_method=manual`: the server confirms again.
    NeedsConfirmation,
    /// Authorized: on to the processor.
    Process { authenticated: bool },
}

const MISSING_PAYMENT_METHOD: &str = "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.";
const ALREADY_SUCCEEDED: &str = "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.";
const MISSING_RETURN_URL_AUTOMATIC: &str = "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.";
const AUTHENTICATION_FAILED_CARD: &str = "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.";
const CUSTOMER_DECLINED: &str = "The customer did not approve the PaymentIntent. Provide a new payment method to attempt to fulfill this PaymentIntent again.";

const CANCELABLE: &str =
    "requires_payment_method, requires_capture, requires_confirmation, requires_action, processing";
const UPDATABLE: &str = "requires_payment_method, requires_confirmation, requires_action";

impl PaymentIntent {
    /// A new intent waiting for a payment method, with nothing chosen yet.
    pub fn new(id: String, client_secret: String, amount: i64, currency: Currency) -> Self {
        PaymentIntent {
            id,
            client_secret,
            created: 0,
            amount,
            currency,
            status: Status::RequiresPaymentMethod,
            customer: None,
            description: None,
            metadata: Map::new(),
            capture_method: CaptureMethod::AutomaticAsync,
            confirmation_method: ConfirmationMethod::Automatic,
            payment_method: None,
            payment_method_types: vec![],
            allowed_payment_method_types: None,
            excluded_payment_method_types: None,
            automatic_payment_methods: None,
            payment_method_options: Map::new(),
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
            mandate_acceptance: None,
        }
    }

    /// Confirm is allowed from requires_payment_method (with a payment method),
    /// requires_confirmation and requires_action.
    pub fn check_confirm(&self, has_payment_method: bool) -> Result<(), UnexpectedState> {
        match self.status {
            s if s.is_before_processing() => {
                if has_payment_method {
                    Ok(())
                } else {
                    Err(UnexpectedState(MISSING_PAYMENT_METHOD.into()))
                }
            }
            Status::Succeeded => Err(UnexpectedState(ALREADY_SUCCEEDED.into())),
            s => Err(UnexpectedState(format!(
                "You cannot confirm this PaymentIntent because it has a status of {}.",
                s.as_str()
            ))),
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
            Status::Succeeded | Status::Canceled | Status::Processing => {
                Err(UnexpectedState(format!(
                    "You cannot cancel this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be canceled: {CANCELABLE}.",
                    self.status.as_str()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Amount, currency, payment method and the like change only before processing.
    pub fn check_update(&self, field: &str) -> Result<(), UnexpectedState> {
        match self.status {
            s if s.is_before_processing() => Ok(()),
            s => Err(UnexpectedState(format!(
                "This PaymentIntent's {field} could not be updated because it has a status of {}. You may only update the {field} of a PaymentIntent with one of the following statuses: {UPDATABLE}.",
                s.as_str()
            ))),
        }
    }

    /// Confirms with `pm`: checks what Stripe checks, records the attempt on the intent,
    /// and says the next step (the customer acts, the processor answers, or a decline).
    /// The caller carries the step out; nothing here touches the store.
    pub fn confirm(&mut self, pm: &PaymentMethod, req: &ConfirmRequest) -> Result<Step, Refused> {
        self.check_confirm(true)?;
        self.check_method_type(pm)?;
        self.check_owner(pm)?;
        if let Some(sfu) = req.setup_future_usage {
            self.setup_future_usage = sfu;
        }
        if let Some(sfu) = self.setup_future_usage {
            if !pm.kind.allows_setup_future_usage(sfu) {
                return Err(Refusal::new(
                    "setup_future_usage",
                    format!(
                        "The payment method `{}` does not support `setup_future_usage={}`.",
                        pm.kind,
                        sfu.as_str()
                    ),
                )
                .into());
            }
        }
        if let Some(url) = &req.return_url {
            self.return_url = Some(url.clone());
        }
        if req.mandate_acceptance.is_some() {
            self.mandate_acceptance = req.mandate_acceptance.clone();
        }
        self.check_redirects(pm, req)?;
        if pm.kind.is_redirect()
            && req.off_session
            && (pm.customer.is_none() || req.mandate.is_none())
        {
            // Off-session redirect payments need a method set up earlier with the
            // customer, and its mandate still active.
            return Err(Refusal::new(
                "off_session",
                format!(
                    "This PaymentIntent is `off_session`, but the {} PaymentMethod {} has not been set up for future payments with a Customer. Set it up first (a SetupIntent, or `setup_future_usage` on an earlier payment) or confirm the payment on-session.",
                    pm.kind, pm.id
                ),
            )
            .into());
        }
        self.off_session = req.off_session;
        self.payment_method = Some(pm.id.clone());
        self.set_attempt_type(pm.kind);
        self.last_payment_error = None;
        Ok(attempt::next_step(
            pm,
            &Attempt {
                off_session: req.off_session,
                use_stripe_sdk: req.use_stripe_sdk,
                error_on_requires_action: req.error_on_requires_action,
                has_return_url: self.return_url.is_some(),
                authenticated: self.action_authenticated,
                three_d_secure: self.requested_three_d_secure(),
            },
        ))
    }

    /// The method's type must be one the intent accepts.
    fn check_method_type(&self, pm: &PaymentMethod) -> Result<(), Refusal> {
        if !self.payment_method_types.contains(&pm.kind) {
            let types = super::payment_method::type_names(&self.payment_method_types);
            return Err(Refusal {
                message: format!(
                    "The PaymentMethod provided ({kind}) is not allowed for this PaymentIntent. Please attach a PaymentMethod of one of the following types: {}. Alternatively, update the allowed payment_method_types for this PaymentIntent to include \"{kind}\".",
                    types,
                    kind = pm.kind,
                ),
                param: "payment_method",
                code: Some("payment_intent_incompatible_payment_method"),
            }
            );
        }
        Ok(())
    }

    /// A PaymentMethod saved to a customer is usable only by intents of that customer.
    pub fn check_owner(&self, pm: &PaymentMethod) -> Result<(), Refusal> {
        match &pm.customer {
            Some(customer) if self.customer.as_deref() != Some(customer) => Err(Refusal::new(
                "payment_method",
                format!(
                    "The `payment_method` parameter supplied {} belongs to the Customer {customer}. Please include the Customer in the `customer` parameter on the PaymentIntent.",
                    pm.id
                ),
            )),
            _ => Ok(()),
        }
    }

    /// A redirect needs somewhere to come back to, and must not be refused.
    fn check_redirects(&self, pm: &PaymentMethod, req: &ConfirmRequest) -> Result<(), Refusal> {
        let redirects_allowed = self
            .automatic_payment_methods
            .as_ref()
            .is_some_and(|a| a.enabled && a.allow_redirects != Some(AllowRedirects::Never));
        if self.return_url.is_none() && !req.off_session {
            if pm.kind.is_redirect() {
                return Err(Refusal::new(
                    "return_url",
                    format!(
                        "You must provide a `return_url` when confirming a PaymentIntent with the payment method type {}.",
                        pm.kind
                    ),
                ));
            }
            if redirects_allowed && req.from_server {
                return Err(Refusal::new("return_url", MISSING_RETURN_URL_AUTOMATIC));
            }
        }
        if self.redirects_refused() && pm.kind.is_redirect() {
            return Err(Refusal::new(
                "payment_method",
                format!(
                    "The PaymentMethod type {} requires a redirect, but this PaymentIntent has `automatic_payment_methods[allow_redirects]=never`.",
                    pm.kind
                ),
            ));
        }
        Ok(())
    }

    /// The customer answered the hosted page for the pending attempt with `pm`.
    pub fn complete_action(&mut self, pm: &PaymentMethod, authorized: bool) -> ActionOutcome {
        if !authorized {
            let is_card = pm.kind == PaymentMethodType::Card;
            let error = serde_json::json!({
                "code": "payment_intent_authentication_failure",
                "doc_url": if is_card { "https://stripe.com/docs/error-codes/payment-intent-authentication-failure" } else { "https://stripe.com/docs/error-codes/payment-method-customer-decline" },
                "message": if is_card { AUTHENTICATION_FAILED_CARD } else { CUSTOMER_DECLINED },
                "payment_method": pm.id,
                "payment_method_type": pm.kind,
                "type": "invalid_request_error"
            });
            self.failed(error, None);
            return ActionOutcome::Failed;
        }
        if self.confirmation_method == ConfirmationMethod::Manual {
            self.action_completed_needs_confirmation();
            return ActionOutcome::NeedsConfirmation;
        }
        ActionOutcome::Process {
            authenticated: pm.kind == PaymentMethodType::Card,
        }
    }

    /// After a successful payment with `pm`: saved for the customer, consumed, or kept.
    pub fn after_payment(&self, pm: &PaymentMethod) -> AfterPayment {
        match (&pm.customer, &self.setup_future_usage, &self.customer) {
            (Some(owner), Some(_), Some(customer)) if owner == customer => AfterPayment::SetUp,
            (Some(_), _, _) => AfterPayment::Keep,
            (None, Some(_), Some(customer)) => AfterPayment::Attach(customer.clone()),
            _ if pm.consumed => AfterPayment::Keep,
            _ => AfterPayment::Consume,
        }
    }

    /// How much a capture takes (`amount_to_capture`, default all that is held), and
    /// how much of the hold it releases.
    pub fn capture_amounts(
        &self,
        amount_to_capture: Option<i64>,
        final_capture: Option<bool>,
    ) -> Result<(i64, i64), Refused> {
        if final_capture == Some(false) && !self.multicapture_requested() {
            return Err(Refusal::new(
                "final_capture",
                "`final_capture` can only be set to false on PaymentIntents that have multicapture enabled (`payment_method_options[card][request_multicapture]=if_available`).",
            )
            .into());
        }
        self.check_capture()?;
        let amount = amount_to_capture.unwrap_or(self.amount_capturable);
        if amount > self.amount_capturable {
            return Err(Refusal {
                message: format!(
                    "The amount to capture ({amount}) must be less than or equal to the amount capturable ({}).",
                    self.amount_capturable
                ),
                param: "amount_to_capture",
                code: Some("amount_too_large"),
            }
            .into());
        }
        Ok((amount, self.amount_capturable - amount))
    }

    /// The types the intent accepts, and how they were chosen.
    pub fn chosen_types(&self) -> ChosenTypes {
        ChosenTypes {
            types: self.payment_method_types.clone(),
            allowed: self.allowed_payment_method_types.clone(),
            excluded: self.excluded_payment_method_types.clone(),
            automatic: self.automatic_payment_methods.clone(),
        }
    }

    /// Keeps a new choice of types.
    pub fn set_types(&mut self, chosen: ChosenTypes) {
        self.payment_method_types = chosen.types;
        self.allowed_payment_method_types = chosen.allowed;
        self.excluded_payment_method_types = chosen.excluded;
        self.automatic_payment_methods = chosen.automatic;
    }

    /// Whether some accepted type takes `setup_future_usage` = `usage`.
    pub fn some_type_allows(&self, usage: FutureUsage) -> bool {
        self.payment_method_types
            .iter()
            .any(|t| t.allows_setup_future_usage(usage))
    }

    /// A payment method was attached (create or update): the intent waits for confirmation.
    pub fn attach_payment_method(&mut self, pm: String) {
        if self.payment_method.as_deref() != Some(pm.as_str()) {
            // Authentication done with another method does not carry over.
            self.action_authenticated = false;
        }
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
        self.attempt_type
            .is_some_and(|t| self.option_str(t, "capture_method") == Some("manual"))
    }

    /// One option the merchant set for a type (`payment_method_options[<type>][<key>]`).
    fn option_str(&self, t: PaymentMethodType, key: &str) -> Option<&str> {
        self.payment_method_options
            .get(t.as_str())
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
    }

    /// `payment_method_options[card][request_three_d_secure]`.
    pub fn requested_three_d_secure(&self) -> RequestThreeDSecure {
        RequestThreeDSecure::of(&self.payment_method_options)
    }

    /// `payment_method_options[card][request_multicapture]=if_available`.
    pub fn multicapture_requested(&self) -> bool {
        self.option_str(PaymentMethodType::Card, "request_multicapture") == Some("if_available")
    }

    /// Whether redirect methods were left out (`automatic_payment_methods[allow_redirects]=never`).
    pub fn redirects_refused(&self) -> bool {
        self.automatic_payment_methods
            .as_ref()
            .and_then(|a| a.allow_redirects)
            == Some(AllowRedirects::Never)
    }

    /// Records which payment method type the current attempt uses (for per-type options).
    pub fn set_attempt_type(&mut self, pm_type: PaymentMethodType) {
        self.attempt_type = Some(pm_type);
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

    #[test]
    fn the_hosted_page_may_be_framed_by_the_merchants_origins_only() {
        assert_eq!(
            PendingAction::framers_of(
                Some("http://127.0.0.1:4242"),
                Some("HTTP://127.0.0.1:4242/done?x=1")
            ),
            vec!["http://127.0.0.1:4242"]
        );
        assert_eq!(
            PendingAction::framers_of(Some("null"), Some("https://shop.example/return")),
            vec!["https://shop.example"]
        );
        // Nothing a policy could be smuggled through, nor other schemes.
        for bad in [
            "https://a.example; script-src *",
            "https://user@a.example/",
            "javascript://x",
            "myapp://return",
            "https://",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
        assert!(PendingAction::framers_of(None, None).is_empty());
    }

    fn pi(status: Status) -> PaymentIntent {
        let mut p = PaymentIntent::new(
            "pi_1".into(),
            "pi_1_secret_x".into(),
            1000,
            Currency::parse("usd").unwrap(),
        );
        p.status = status;
        p.payment_method_types = vec![PaymentMethodType::Card];
        p
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
        p.set_attempt_type(PaymentMethodType::Alma);
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
            p.set_attempt_type(PaymentMethodType::Card);
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
        p.set_attempt_type(PaymentMethodType::AmazonPay);
        p.payment_method_options.insert(
            "card".into(),
            serde_json::json!({ "capture_method": "manual" }),
        );
        assert!(p.captures_on_authorization());
    }
}
