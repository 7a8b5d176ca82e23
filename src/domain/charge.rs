//! The Charge object as stored: one per confirmation attempt that reaches the processor.

use super::money::Currency;
use super::payment_method::{PaymentMethod, PaymentMethodType};
use super::test_cards::Decline;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A charge's status: test payments settle at once, so never `pending` here.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Charge {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub currency: Currency,
    pub status: ChargeStatus,
    pub paid: bool,
    pub captured: bool,
    pub refunded: bool,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub payment_intent: Option<String>,
    pub payment_method: Option<String>,
    pub billing_details: Value,
    /// `{type, <type>: {...}}` snapshot of the method at charge time.
    pub payment_method_details: Value,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub outcome: Value,
    pub receipt_email: Option<String>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub calculated_statement_descriptor: Option<String>,
    pub balance_transaction: Option<String>,
    pub shipping: Option<Value>,
    pub transfer_group: Option<String>,
}

/// The inputs a charge copies from its intent.
pub struct ChargeFrom {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: Currency,
    pub customer: Option<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    pub payment_intent: String,
    pub receipt_email: Option<String>,
    pub statement_descriptor: Option<String>,
    pub statement_descriptor_suffix: Option<String>,
    pub shipping: Option<Value>,
    pub transfer_group: Option<String>,
    pub three_d_secure: bool,
    /// For alma: the installment count the customer chose.
    pub installments: Option<i64>,
}

/// The statement descriptor the customer sees: the account prefix, plus a suffix if given.
fn calculated_descriptor(suffix: Option<&str>, descriptor: Option<&str>) -> String {
    let base = "PASARELA";
    let s = match (descriptor, suffix) {
        (Some(d), _) => d.to_string(),
        (None, Some(sfx)) => format!("{base}* {sfx}"),
        (None, None) => base.to_string(),
    };
    s.chars().take(22).collect::<String>().to_uppercase()
}

fn details(pm: &PaymentMethod, from: &ChargeFrom, approved: bool) -> Value {
    match pm.kind {
        PaymentMethodType::Card => {
            let c = pm
                .card
                .as_ref()
                .expect("card payment method has card details");
            json!({
                "card": {
                    "amount_authorized": if approved { Some(from.amount) } else { None },
                    "authorization_code": if approved { Some(crate::domain::ids::random_base62(6).to_uppercase()) } else { None },
                    "brand": c.brand,
                    "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": "pass"},
                    "country": c.country,
                    "electronic_commerce_indicator": if from.three_d_secure { Some("05") } else { None },
                    "exp_month": c.exp_month,
                    "exp_year": c.exp_year,
                    "extended_authorization": {"status": "disabled"},
                    "fingerprint": c.fingerprint,
                    "funding": c.funding,
                    "incremental_authorization": {"status": "unavailable"},
                    "installments": null,
                    "last4": c.last4,
                    "mandate": null,
                    "multicapture": {"status": "unavailable"},
                    "network": c.brand,
                    "network_token": {"used": false},
                    "network_transaction_id": if approved { Some(crate::domain::ids::random_base62(15)) } else { None },
                    "overcapture": {"maximum_amount_capturable": from.amount, "status": "unavailable"},
                    "regulated_status": "unregulated",
                    "transaction_link_id": null,
                    "three_d_secure": if from.three_d_secure {
                        json!({"authentication_flow": "challenge", "electronic_commerce_indicator": "05", "exemption_indicator": null, "result": "authenticated", "result_reason": null, "transaction_id": crate::domain::ids::random_base62(32), "version": "2.2.0"})
                    } else { Value::Null },
                    "wallet": null
                },
                "type": "card"
            })
        }
        PaymentMethodType::AmazonPay => json!({
            "amazon_pay": {
                "funding": {"card": {"brand": "visa", "country": "US", "exp_month": 12, "exp_year": 2030, "funding": "credit", "last4": "4242"}, "type": "card"},
                "transaction_id": format!("P01-{}", crate::domain::ids::random_base62(14))
            },
            "type": "amazon_pay"
        }),
        PaymentMethodType::Alma => json!({
            "alma": {"installments": {"count": from.installments.unwrap_or(3)}, "transaction_id": format!("alma_{}", crate::domain::ids::random_base62(16))},
            "type": "alma"
        }),
    }
}

impl Charge {
    /// The type of the payment method charged.
    pub fn method_type(&self) -> PaymentMethodType {
        self.payment_method_details
            .get("type")
            .and_then(Value::as_str)
            .and_then(PaymentMethodType::parse)
            .unwrap_or(PaymentMethodType::Card)
    }

    fn base(pm: &PaymentMethod, from: ChargeFrom, approved: bool) -> Charge {
        let pmd = details(pm, &from, approved);
        let is_card = pm.kind == PaymentMethodType::Card;
        Charge {
            id: from.id.clone(),
            created: from.created,
            amount: from.amount,
            amount_captured: 0,
            amount_refunded: 0,
            currency: from.currency.clone(),
            status: ChargeStatus::Failed,
            paid: false,
            captured: false,
            refunded: false,
            customer: from.customer.clone(),
            description: from.description.clone(),
            metadata: from.metadata.clone(),
            payment_intent: Some(from.payment_intent.clone()),
            payment_method: Some(pm.id.clone()),
            billing_details: pm.billing_details.clone(),
            payment_method_details: pmd,
            failure_code: None,
            failure_message: None,
            outcome: Value::Null,
            receipt_email: from.receipt_email.clone(),
            statement_descriptor: from.statement_descriptor.clone(),
            statement_descriptor_suffix: from.statement_descriptor_suffix.clone(),
            calculated_statement_descriptor: if is_card {
                Some(calculated_descriptor(
                    from.statement_descriptor_suffix.as_deref(),
                    None,
                ))
            } else {
                Some(calculated_descriptor(
                    None,
                    from.statement_descriptor.as_deref(),
                ))
            },
            balance_transaction: None,
            shipping: from.shipping.clone(),
            transfer_group: from.transfer_group.clone(),
        }
    }

    /// An authorised charge; captured at once unless the intent holds it.
    pub fn approved(pm: &PaymentMethod, from: ChargeFrom, capture: bool) -> Charge {
        let mut c = Self::base(pm, from, true);
        c.status = ChargeStatus::Succeeded;
        c.paid = true;
        c.outcome = json!({
            "advice_code": null, "network_advice_code": null, "network_decline_code": null,
            "network_status": "approved_by_network", "reason": null, "risk_level": "normal",
            "risk_score": 20, "seller_message": "Payment complete.", "type": "authorized"
        });
        if capture {
            c.capture(c.amount);
        }
        c
    }

    pub fn declined(pm: &PaymentMethod, from: ChargeFrom, d: &Decline) -> Charge {
        let mut c = Self::base(pm, from, false);
        c.failure_code = Some(d.code.to_string());
        c.failure_message = Some(d.message.to_string());
        let reason = d.decline_code.unwrap_or(d.code);
        let seller = if d.decline_code == Some("generic_decline") {
            "The bank did not return any further details with this decline.".to_string()
        } else {
            format!("The bank returned the decline code `{reason}`.")
        };
        c.outcome = if d.outcome_type == "blocked" {
            json!({
                "advice_code": null, "network_advice_code": null, "network_decline_code": null,
                "network_status": "not_sent_to_network", "reason": "highest_risk_level", "risk_level": "highest",
                "risk_score": 95, "seller_message": "Stripe blocked this payment as too risky.", "type": "blocked"
            })
        } else {
            json!({
                "advice_code": if reason == "insufficient_funds" { json!("try_again_later") } else { json!("do_not_try_again") },
                "network_advice_code": null, "network_decline_code": null,
                "network_status": "declined_by_network", "reason": reason, "risk_level": "normal",
                "risk_score": 40, "seller_message": seller, "type": "issuer_declined"
            })
        };
        c
    }

    /// Captures `amount`; since 2025-03-31.basil the released rest of a partial
    /// capture is not a refund, so `amount_refunded` is untouched.
    pub fn capture(&mut self, amount: i64) {
        self.captured = true;
        self.amount_captured = amount;
    }
}
