//! Webhook endpoints and deliveries: which events an endpoint wants, how a delivery is
//! signed (`Stripe-Signature`), and when a failed one is tried again.

use super::event::EventType;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Why a webhook URL can never be delivered to, as it is checked on create and update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRefused {
    /// Not `http://host[:port]/…` with a host and a port from 1 to 65535.
    Malformed,
    /// A link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer.
    LinkLocal,
}

/// The parts of a webhook URL that decide whether it can be delivered to: `scheme`,
/// `host` (brackets kept for IPv6) and `port` as parsed by the HTTP layer.
pub fn check_url(
    scheme: &str,
    host: &str,
    port: Option<u16>,
    port_given: bool,
    allow_link_local: bool,
) -> Result<(), UrlRefused> {
    if scheme != "http" && scheme != "https" {
        return Err(UrlRefused::Malformed);
    }
    if host.is_empty() || (port_given && port.is_none_or(|p| p == 0)) {
        return Err(UrlRefused::Malformed);
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let link_local = match bare.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(a)) => a.is_link_local(),
        Ok(std::net::IpAddr::V6(a)) => (a.segments()[0] & 0xffc0) == 0xfe80,
        Err(_) => host.eq_ignore_ascii_case("metadata.google.internal"),
    };
    if link_local && !allow_link_local {
        return Err(UrlRefused::LinkLocal);
    }
    Ok(())
}

/// Every event type an endpoint may subscribe to (stripe-node 23.1.0,
/// `WebhookEndpointCreateParams.EnabledEvent`), besides `*`.
pub const EVENT_TYPES: &[&str] = &[
    "account.application.authorized",
    "account.application.deauthorized",
    "account.external_account.created",
    "account.external_account.deleted",
    "account.external_account.updated",
    "account.updated",
    "application_fee.created",
    "application_fee.refund.updated",
    "application_fee.refunded",
    "apps.install.created",
    "apps.install.deleted",
    "apps.install.updated",
    "balance.available",
    "balance_settings.updated",
    "billing.alert.triggered",
    "billing.credit_balance_transaction.created",
    "billing.credit_grant.created",
    "billing.credit_grant.updated",
    "billing.meter.created",
    "billing.meter.deactivated",
    "billing.meter.reactivated",
    "billing.meter.updated",
    "billing_portal.configuration.created",
    "billing_portal.configuration.updated",
    "billing_portal.session.created",
    "capability.updated",
    "cash_balance.funds_available",
    "charge.captured",
    "charge.dispute.closed",
    "charge.dispute.created",
    "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.updated",
    "charge.expired",
    "charge.failed",
    "charge.pending",
    "charge.refund.updated",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
    "climate.order.canceled",
    "climate.order.created",
    "climate.order.delayed",
    "climate.order.delivered",
    "climate.order.product_substituted",
    "climate.product.created",
    "climate.product.pricing_updated",
    "coupon.created",
    "coupon.deleted",
    "coupon.updated",
    "credit_note.created",
    "credit_note.updated",
    "credit_note.voided",
    "customer.created",
    "customer.deleted",
    "customer.discount.created",
    "customer.discount.deleted",
    "customer.discount.updated",
    "customer.source.created",
    "customer.source.deleted",
    "customer.source.expiring",
    "customer.source.updated",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.pending_update_applied",
    "customer.subscription.pending_update_expired",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "customer.subscription.updated",
    "customer.tax_id.created",
    "customer.tax_id.deleted",
    "customer.tax_id.updated",
    "customer.updated",
    "customer_cash_balance_transaction.created",
    "entitlements.active_entitlement_summary.updated",
    "file.created",
    "financial_connections.account.account_numbers_updated",
    "financial_connections.account.created",
    "financial_connections.account.deactivated",
    "financial_connections.account.disconnected",
    "financial_connections.account.expected_deactivation_date_updated",
    "financial_connections.account.reactivated",
    "financial_connections.account.refreshed_balance",
    "financial_connections.account.refreshed_ownership",
    "financial_connections.account.refreshed_transactions",
    "financial_connections.account.supported_payment_method_types_updated",
    "financial_connections.account.upcoming_account_number_expiry",
    "financial_connections.account.upcoming_deactivation",
    "financial_connections.authorization.expected_deactivation_date_updated",
    "financial_connections.authorization.upcoming_deactivation",
    "identity.verification_session.canceled",
    "identity.verification_session.created",
    "identity.verification_session.processing",
    "identity.verification_session.redacted",
    "identity.verification_session.requires_input",
    "identity.verification_session.verified",
    "invoice.created",
    "invoice.deleted",
    "invoice.finalization_failed",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.overdue",
    "invoice.overpaid",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_attempt_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.upcoming",
    "invoice.updated",
    "invoice.voided",
    "invoice.will_be_due",
    "invoice_payment.paid",
    "invoiceitem.created",
    "invoiceitem.deleted",
    "issuing_authorization.created",
    "issuing_authorization.request",
    "issuing_authorization.updated",
    "issuing_card.created",
    "issuing_card.updated",
    "issuing_cardholder.created",
    "issuing_cardholder.updated",
    "issuing_dispute.closed",
    "issuing_dispute.created",
    "issuing_dispute.funds_reinstated",
    "issuing_dispute.funds_rescinded",
    "issuing_dispute.submitted",
    "issuing_dispute.updated",
    "issuing_personalization_design.activated",
    "issuing_personalization_design.deactivated",
    "issuing_personalization_design.rejected",
    "issuing_personalization_design.updated",
    "issuing_token.created",
    "issuing_token.updated",
    "issuing_transaction.created",
    "issuing_transaction.purchase_details_receipt_updated",
    "issuing_transaction.updated",
    "mandate.updated",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.partially_funded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payment_link.created",
    "payment_link.updated",
    "payment_method.attached",
    "payment_method.automatically_updated",
    "payment_method.detached",
    "payment_method.updated",
    "payout.canceled",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "payout.reconciliation_completed",
    "payout.updated",
    "person.created",
    "person.deleted",
    "person.updated",
    "plan.created",
    "plan.deleted",
    "plan.updated",
    "price.created",
    "price.deleted",
    "price.updated",
    "product.created",
    "product.deleted",
    "product.updated",
    "promotion_code.created",
    "promotion_code.updated",
    "quote.accepted",
    "quote.canceled",
    "quote.created",
    "quote.finalized",
    "radar.early_fraud_warning.created",
    "radar.early_fraud_warning.updated",
    "refund.created",
    "refund.failed",
    "refund.updated",
    "reporting.report_run.failed",
    "reporting.report_run.succeeded",
    "reporting.report_type.updated",
    "reserve.hold.created",
    "reserve.hold.updated",
    "reserve.plan.created",
    "reserve.plan.disabled",
    "reserve.plan.expired",
    "reserve.plan.updated",
    "reserve.release.created",
    "review.closed",
    "review.opened",
    "setup_intent.canceled",
    "setup_intent.created",
    "setup_intent.requires_action",
    "setup_intent.setup_failed",
    "setup_intent.succeeded",
    "sigma.scheduled_query_run.created",
    "source.canceled",
    "source.chargeable",
    "source.failed",
    "source.mandate_notification",
    "source.refund_attributes_required",
    "source.transaction.created",
    "source.transaction.updated",
    "subscription_schedule.aborted",
    "subscription_schedule.canceled",
    "subscription_schedule.completed",
    "subscription_schedule.created",
    "subscription_schedule.expiring",
    "subscription_schedule.released",
    "subscription_schedule.updated",
    "tax.settings.updated",
    "tax_rate.created",
    "tax_rate.updated",
    "terminal.reader.action_failed",
    "terminal.reader.action_succeeded",
    "terminal.reader.action_updated",
    "test_helpers.test_clock.advancing",
    "test_helpers.test_clock.created",
    "test_helpers.test_clock.deleted",
    "test_helpers.test_clock.internal_failure",
    "test_helpers.test_clock.ready",
    "three_d_secure.authentication.canceled",
    "three_d_secure.authentication.challenge_started",
    "three_d_secure.authentication.errored",
    "three_d_secure.authentication.failed",
    "three_d_secure.authentication.requires_challenge",
    "three_d_secure.authentication.requires_submission",
    "three_d_secure.authentication.succeeded",
    "topup.canceled",
    "topup.created",
    "topup.failed",
    "topup.reversed",
    "topup.succeeded",
    "transfer.created",
    "transfer.reversed",
    "transfer.updated",
    "treasury.credit_reversal.created",
    "treasury.credit_reversal.posted",
    "treasury.debit_reversal.completed",
    "treasury.debit_reversal.created",
    "treasury.debit_reversal.initial_credit_granted",
    "treasury.financial_account.closed",
    "treasury.financial_account.created",
    "treasury.financial_account.features_status_updated",
    "treasury.inbound_transfer.canceled",
    "treasury.inbound_transfer.created",
    "treasury.inbound_transfer.failed",
    "treasury.inbound_transfer.succeeded",
    "treasury.outbound_payment.canceled",
    "treasury.outbound_payment.created",
    "treasury.outbound_payment.expected_arrival_date_updated",
    "treasury.outbound_payment.failed",
    "treasury.outbound_payment.posted",
    "treasury.outbound_payment.returned",
    "treasury.outbound_payment.tracking_details_updated",
    "treasury.outbound_transfer.canceled",
    "treasury.outbound_transfer.created",
    "treasury.outbound_transfer.expected_arrival_date_updated",
    "treasury.outbound_transfer.failed",
    "treasury.outbound_transfer.posted",
    "treasury.outbound_transfer.returned",
    "treasury.outbound_transfer.tracking_details_updated",
    "treasury.received_credit.created",
    "treasury.received_credit.failed",
    "treasury.received_credit.succeeded",
    "treasury.received_debit.created",
];

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    Enabled,
    Disabled,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub created: i64,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub api_version: Option<String>,
    pub status: EndpointStatus,
    /// `whsec_...`: shown once, at creation.
    pub secret: String,
    pub deleted: bool,
}

impl WebhookEndpoint {
    /// Whether an event of `kind` is delivered to this endpoint.
    pub fn wants(&self, kind: EventType) -> bool {
        !self.deleted
            && self.status == EndpointStatus::Enabled
            && self
                .enabled_events
                .iter()
                .any(|e| e == "*" || e == kind.as_str())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// One try at delivering: when, what the endpoint answered (or why nothing came back).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Attempt {
    pub at: i64,
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
    /// The first bytes of the endpoint's answer.
    pub response_excerpt: Option<String>,
}

/// An event owed to an endpoint, written with the event, kept until it succeeds or
/// Stripe would give up (three days).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub created: i64,
    pub event: String,
    pub endpoint: String,
    pub due_at: i64,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
}

/// Stripe retries for up to three days.
pub const GIVE_UP_AFTER: i64 = 3 * 86_400;

impl Delivery {
    /// When the worker should take it; None once it succeeded or was given up.
    pub fn due(&self) -> Option<i64> {
        (self.status == DeliveryStatus::Pending).then_some(self.due_at)
    }

    /// Records an attempt: a 2xx ends the delivery; anything else is tried again after
    /// `retry_base` seconds, doubling each time, until three days have passed.
    pub fn record(&mut self, attempt: Attempt, retry_base: i64) {
        let ok = attempt.status_code.is_some_and(|c| (200..300).contains(&c));
        let at = attempt.at;
        self.attempts.push(attempt);
        if ok {
            self.status = DeliveryStatus::Succeeded;
        } else if at - self.created >= GIVE_UP_AFTER {
            self.status = DeliveryStatus::Failed;
        } else {
            self.due_at = at + retry_delay(self.attempts.len() as u32, retry_base);
        }
    }
}

/// The wait before retry `n` (1 = the first retry): `base`, then doubling, at most a day.
pub fn retry_delay(n: u32, base: i64) -> i64 {
    let doubled = base
        .max(1)
        .saturating_mul(1i64 << n.saturating_sub(1).min(20));
    doubled.min(86_400)
}

/// `Stripe-Signature` for `payload` sent at `t`: HMAC-SHA256 of `t.payload` keyed with
/// the whole secret (`whsec_...` included), as the SDKs verify it.
pub fn signature(secret: &str, t: i64, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.{payload}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The secret `pasarela listen` signs with: derived from the account's secret key, so it
/// stays the same on every run for the account (64 hex digits, as the Stripe CLI's).
pub fn listen_secret(account_secret_key: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(account_secret_key.as_bytes()).expect("any key length");
    mac.update(b"pasarela listen signing secret");
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("whsec_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_can_never_be_delivered_are_refused() {
        let check =
            |scheme, host, port: Option<u16>, given| check_url(scheme, host, port, given, false);
        assert_eq!(check("http", "127.0.0.1", Some(4242), true), Ok(()));
        assert_eq!(check("http", "example.com", None, false), Ok(()));
        assert_eq!(check("http", "[::1]", Some(80), true), Ok(()));
        assert_eq!(check("https", "example.com", None, false), Ok(()));
        assert_eq!(
            check("ftp", "example.com", None, false),
            Err(UrlRefused::Malformed)
        );
        assert_eq!(
            check("http", "127.0.0.1", Some(0), true),
            Err(UrlRefused::Malformed)
        );
        assert_eq!(
            check("http", "127.0.0.1", None, true),
            Err(UrlRefused::Malformed)
        );
        assert_eq!(check("http", "", None, false), Err(UrlRefused::Malformed));
        assert_eq!(
            check("http", "169.254.169.254", None, false),
            Err(UrlRefused::LinkLocal)
        );
        assert_eq!(
            check("http", "[fe80::1]", None, false),
            Err(UrlRefused::LinkLocal)
        );
        assert_eq!(
            check("http", "metadata.google.internal", None, false),
            Err(UrlRefused::LinkLocal)
        );
        assert_eq!(
            check_url("http", "169.254.169.254", None, false, true),
            Ok(())
        );
        // Private addresses stay allowed: Pasarela is a local tool.
        assert_eq!(check("http", "10.0.0.5", None, false), Ok(()));
    }

    #[test]
    fn the_listen_secret_is_stable_per_account() {
        let a = listen_secret("sk_test_a");
        assert_eq!(a, listen_secret("sk_test_a"));
        assert_ne!(a, listen_secret("sk_test_b"));
        assert!(a.starts_with("whsec_") && a.len() == 6 + 64);
    }

    #[test]
    fn signature_matches_a_known_vector() {
        // HMAC-SHA256(b"whsec_test", b"1.{}"), computed with Python's hmac module.
        assert_eq!(
            signature("whsec_test", 1, "{}"),
            "t=1,v1=7500d5d4be4b3ef07af1fe56f7d522d135cdaa7530de557e67cc1049c52de094"
        );
        assert_ne!(
            signature("whsec_other", 1, "{}"),
            signature("whsec_test", 1, "{}")
        );
    }

    #[test]
    fn retries_double_until_three_days() {
        assert_eq!(
            (1..=5).map(|n| retry_delay(n, 5)).collect::<Vec<_>>(),
            vec![5, 10, 20, 40, 80]
        );
        assert_eq!(retry_delay(40, 5), 86_400);
        let mut d = Delivery {
            id: "whdel_1".into(),
            created: 0,
            event: "evt_1".into(),
            endpoint: "we_1".into(),
            due_at: 0,
            status: DeliveryStatus::Pending,
            attempts: vec![],
        };
        let failed = |at| Attempt {
            at,
            status_code: Some(500),
            duration_ms: 1,
            error: None,
            response_excerpt: None,
        };
        d.record(failed(0), 5);
        assert_eq!((d.status, d.due_at), (DeliveryStatus::Pending, 5));
        let mut ok = d.clone();
        ok.record(
            Attempt {
                status_code: Some(204),
                ..failed(10)
            },
            5,
        );
        assert_eq!(ok.status, DeliveryStatus::Succeeded);
        d.record(failed(GIVE_UP_AFTER), 5);
        assert_eq!(d.status, DeliveryStatus::Failed);
    }

    #[test]
    fn an_endpoint_wants_what_it_enabled() {
        let mut e = WebhookEndpoint {
            id: "we_1".into(),
            created: 0,
            url: "http://127.0.0.1/h".into(),
            enabled_events: vec!["payment_intent.succeeded".into()],
            description: None,
            metadata: Map::new(),
            api_version: None,
            status: EndpointStatus::Enabled,
            secret: "whsec_x".into(),
            deleted: false,
        };
        assert!(e.wants(EventType::PaymentIntentSucceeded));
        assert!(!e.wants(EventType::ChargeSucceeded));
        e.enabled_events = vec!["*".into()];
        assert!(e.wants(EventType::ChargeSucceeded));
        e.status = EndpointStatus::Disabled;
        assert!(!e.wants(EventType::ChargeSucceeded));
    }
}
