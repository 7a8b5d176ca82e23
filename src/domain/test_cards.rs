//! Stripe's test cards: numbers, `pm_card_*` / `tok_*` aliases, and what each does.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline {
    pub code: &'static str,
    pub decline_code: Option<&'static str>,
    pub message: &'static str,
    /// `issuer_declined`, or `blocked` for Radar blocks.
    pub outcome_type: &'static str,
    /// The card field the decline is about (`exp_month` for an expired card, `cvc`).
    pub param: Option<&'static str>,
}

/// What a charge on the card does once any authentication is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    Approve,
    Decline(Decline),
}

/// Whether the card asks for 3-D Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreeDs {
    NotRequired,
    /// On-session payments need authentication; off-session ones fail with
    /// `authentication_required`.
    Required,
    /// Needs authentication on-session, but off-session payments go through.
    RequiredOnSessionOnly,
    /// Needs authentication until the card is set up for later (a SetupIntent, or
    /// `setup_future_usage`); off-session payments go through after that.
    RequiredUntilSetUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    pub number: &'static str,
    pub brand: &'static str,
    pub country: &'static str,
    pub funding: &'static str,
    pub three_ds: ThreeDs,
    pub charge: Charge,
}

impl TestCard {
    pub fn last4(&self) -> &'static str {
        &self.number[self.number.len() - 4..]
    }
    pub fn display_brand(&self) -> &'static str {
        match self.brand {
            "amex" => "american_express",
            "cartes_bancaires" => "cartes_bancaires",
            b => b,
        }
    }
}

/// A decline about one card field (Stripe names it in `param`).
const fn with_param(c: Charge, param: &'static str) -> Charge {
    match c {
        Charge::Decline(d) => Charge::Decline(Decline {
            param: Some(param),
            ..d
        }),
        other => other,
    }
}

const fn decline(
    code: &'static str,
    decline_code: Option<&'static str>,
    message: &'static str,
) -> Charge {
    Charge::Decline(Decline {
        code,
        decline_code,
        message,
        outcome_type: "issuer_declined",
        param: None,
    })
}

const GENERIC: Charge = decline(
    "card_declined",
    Some("generic_decline"),
    "Your card was declined.",
);
const INSUFFICIENT: Charge = decline(
    "card_declined",
    Some("insufficient_funds"),
    "Your card has insufficient funds.",
);

/// Radar's default rules block the payment before the issuer sees it.
const RADAR_BLOCK: Charge = Charge::Decline(Decline {
    code: "card_declined",
    decline_code: Some("fraudulent"),
    message: "Your card was declined.",
    outcome_type: "blocked",
    param: None,
});

const fn card(
    number: &'static str,
    brand: &'static str,
    country: &'static str,
    funding: &'static str,
) -> TestCard {
    TestCard {
        number,
        brand,
        country,
        funding,
        three_ds: ThreeDs::NotRequired,
        charge: Charge::Approve,
    }
}
const fn with(c: TestCard, three_ds: ThreeDs, charge: Charge) -> TestCard {
    TestCard {
        three_ds,
        charge,
        ..c
    }
}

/// (aliases, card). Aliases are the names after `pm_card_` / `tok_`.
const CARDS: &[(&[&str], TestCard)] = &[
    (
        &["visa", "us"],
        card("4242424242424242", "visa", "US", "credit"),
    ),
    (
        &["visa_debit"],
        card("4000056655665556", "visa", "US", "debit"),
    ),
    (
        &["mastercard"],
        card("5555555555554444", "mastercard", "US", "credit"),
    ),
    (
        &["mastercard_debit"],
        card("5200828282828210", "mastercard", "US", "debit"),
    ),
    (
        &["mastercard_prepaid"],
        card("5105105105105100", "mastercard", "US", "prepaid"),
    ),
    (
        &["amex", "amex_threeDSecureNotSupported"],
        card("378282246310005", "amex", "US", "credit"),
    ),
    (
        &["discover"],
        card("6011111111111117", "discover", "US", "credit"),
    ),
    (
        &["diners"],
        card("3056930009020004", "diners", "US", "credit"),
    ),
    (&["jcb"], card("3566002020360505", "jcb", "JP", "credit")),
    (
        &["unionpay"],
        card("6200000000000005", "unionpay", "CN", "credit"),
    ),
    (
        &["bypassPending"],
        card("4000000000000077", "visa", "US", "credit"),
    ),
    (
        &["visa_cartesBancaires", "cartesBancaires"],
        card("4000002500001001", "visa", "FR", "credit"),
    ),
    (&["fr"], card("4000002500000003", "visa", "FR", "credit")),
    (&["de"], card("4000002760000016", "visa", "DE", "credit")),
    (&["gb"], card("4000008260000000", "visa", "GB", "credit")),
    (&["es"], card("4000007240000007", "visa", "ES", "credit")),
    (&["it"], card("4000003800000008", "visa", "IT", "credit")),
    (&["nl"], card("4000005280000002", "visa", "NL", "credit")),
    (&["be"], card("4000000560000004", "visa", "BE", "credit")),
    (&["ca"], card("4000001240000000", "visa", "CA", "credit")),
    (&["au"], card("4000000360000006", "visa", "AU", "credit")),
    (&["jp"], card("4000003920000003", "visa", "JP", "credit")),
    (
        &["visa_chargeDeclined", "chargeDeclined"],
        with(
            card("4000000000000002", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            GENERIC,
        ),
    ),
    (
        &[
            "visa_chargeDeclinedInsufficientFunds",
            "chargeDeclinedInsufficientFunds",
            "insufficientFunds",
        ],
        with(
            card("4000000000009995", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            INSUFFICIENT,
        ),
    ),
    (
        &["visa_chargeDeclinedLostCard", "chargeDeclinedLostCard"],
        with(
            card("4000000000009987", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            decline(
                "card_declined",
                Some("lost_card"),
                "Your card was declined.",
            ),
        ),
    ),
    (
        &["visa_chargeDeclinedStolenCard", "chargeDeclinedStolenCard"],
        with(
            card("4000000000009979", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            decline(
                "card_declined",
                Some("stolen_card"),
                "Your card was declined.",
            ),
        ),
    ),
    (
        &[
            "chargeDeclinedExpiredCard",
            "visa_chargeDeclinedExpiredCard",
        ],
        with(
            card("4000000000000069", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            with_param(
                decline(
                    "expired_card",
                    Some("expired_card"),
                    "Your card has expired.",
                ),
                "exp_month",
            ),
        ),
    ),
    (
        &[
            "chargeDeclinedIncorrectCvc",
            "visa_chargeDeclinedIncorrectCvc",
        ],
        with(
            card("4000000000000127", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            with_param(
                decline(
                    "incorrect_cvc",
                    Some("incorrect_cvc"),
                    "Your card's security code is incorrect.",
                ),
                "cvc",
            ),
        ),
    ),
    (
        &[
            "chargeDeclinedProcessingError",
            "visa_chargeDeclinedProcessingError",
        ],
        with(
            card("4000000000000119", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            decline(
                "processing_error",
                Some("processing_error"),
                "An error occurred while processing your card. Try again in a little bit.",
            ),
        ),
    ),
    (
        &["visa_chargeDeclinedVelocityLimitExceeded"],
        with(
            card("4000000000006975", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            decline(
                "card_declined",
                Some("card_velocity_exceeded"),
                "Your card was declined.",
            ),
        ),
    ),
    (
        &["chargeCustomerFail"],
        with(
            card("4000000000000341", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            GENERIC,
        ),
    ),
    (
        &["radarBlock"],
        with(
            card("4100000000000019", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            RADAR_BLOCK,
        ),
    ),
    (
        &["authenticationRequiredOnSetup"],
        with(
            card("4000002500003155", "visa", "FR", "credit"),
            ThreeDs::RequiredUntilSetUp,
            Charge::Approve,
        ),
    ),
    (
        &["authenticationRequired"],
        with(
            card("4000002760003184", "visa", "DE", "credit"),
            ThreeDs::Required,
            Charge::Approve,
        ),
    ),
    (
        &["authenticationRequiredSetupForOffSession"],
        with(
            card("4000003800000446", "visa", "IT", "credit"),
            ThreeDs::RequiredOnSessionOnly,
            Charge::Approve,
        ),
    ),
    (
        &["authenticationRequiredChargeDeclinedInsufficientFunds"],
        with(
            card("4000008260003178", "visa", "GB", "credit"),
            ThreeDs::Required,
            INSUFFICIENT,
        ),
    ),
    (
        &["threeDSecure2Required", "threeDSecureRequired"],
        with(
            card("4000000000003220", "visa", "IE", "credit"),
            ThreeDs::Required,
            Charge::Approve,
        ),
    ),
    (
        &[],
        with(
            card("4000008400000027", "visa", "US", "credit"),
            ThreeDs::Required,
            Charge::Approve,
        ),
    ),
    (
        &["threeDSecureRequiredChargeDeclined"],
        with(
            card("4000008400001629", "visa", "US", "credit"),
            ThreeDs::Required,
            GENERIC,
        ),
    ),
    (
        &["threeDSecureRequiredProcessingError"],
        with(
            card("4000008400001280", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            GENERIC,
        ),
    ),
    (
        &["threeDSecureOptional"],
        card("4000000000003055", "visa", "US", "credit"),
    ),
    (
        &["threeDSecureOptionalProcessingError"],
        card("4000000000003097", "visa", "US", "credit"),
    ),
    (
        &["pendingRefund"],
        card("4000000000007726", "visa", "US", "credit"),
    ),
    // Fraud-prevention and dispute cards: the charge itself succeeds.
    (
        &["riskLevelElevated"],
        card("4000000000009235", "visa", "US", "credit"),
    ),
    (
        &["riskLevelHighest"],
        with(
            card("4000000000004954", "visa", "US", "credit"),
            ThreeDs::NotRequired,
            RADAR_BLOCK,
        ),
    ),
    (
        &["cvcCheckFail"],
        card("4000000000000101", "visa", "US", "credit"),
    ),
    (
        &["avsFail"],
        card("4000000000000010", "visa", "US", "credit"),
    ),
    (
        &["avsZipFail"],
        card("4000000000000036", "visa", "US", "credit"),
    ),
    (
        &["avsLine1Fail"],
        card("4000000000000028", "visa", "US", "credit"),
    ),
    (
        &["avsUnchecked"],
        card("4000000000000044", "visa", "US", "credit"),
    ),
    (
        &["createDispute"],
        card("4000000000000259", "visa", "US", "credit"),
    ),
    (
        &["createDisputeInquiry"],
        card("4000000000001976", "visa", "US", "credit"),
    ),
    (
        &["createDisputeProductNotReceived"],
        card("4000000000002685", "visa", "US", "credit"),
    ),
    (
        &["createDisputeEarlyFraudWarning"],
        card("4000000000005423", "visa", "US", "credit"),
    ),
    (
        &["refundFail"],
        card("4000000000005126", "visa", "US", "credit"),
    ),
    (&[], card("4000000032200000", "visa", "US", "credit")),
];

/// Every test card, once (the tables of the domain tests walk them).
#[cfg(test)]
pub fn all() -> impl Iterator<Item = TestCard> {
    CARDS.iter().map(|(_, c)| *c)
}

/// The card behind `pm_card_<alias>` or `tok_<alias>`.
pub fn by_alias(id: &str) -> Option<TestCard> {
    let alias = id
        .strip_prefix("pm_card_")
        .or_else(|| id.strip_prefix("tok_"))?;
    CARDS
        .iter()
        .find(|(names, _)| names.contains(&alias))
        .map(|(_, c)| *c)
}

/// The card for a raw number; any other Luhn-valid number behaves like a plain card
/// of its brand.
pub fn by_number(number: &str) -> Option<TestCard> {
    let digits: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() < 12 || !luhn(&digits) {
        return None;
    }
    if let Some((_, c)) = CARDS.iter().find(|(_, c)| c.number == digits) {
        return Some(*c);
    }
    // Any other valid number behaves like the plain test card of its brand; the
    // caller keeps the real last four digits.
    let generic = match digits.as_bytes()[0] {
        b'5' | b'2' => "5555555555554444",
        b'3' if digits.starts_with("34") || digits.starts_with("37") => "378282246310005",
        b'6' => "6011111111111117",
        _ => "4242424242424242",
    };
    CARDS
        .iter()
        .find(|(_, c)| c.number == generic)
        .map(|(_, c)| *c)
}

pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = (c - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn aliases_and_numbers() {
        assert_eq!(by_alias("pm_card_visa").unwrap().last4(), "4242");
        assert_eq!(by_alias("tok_visa").unwrap().brand, "visa");
        let decline_code = |alias: &str| match by_alias(alias).unwrap().charge {
            Charge::Decline(d) => d.decline_code,
            Charge::Approve => None,
        };
        assert_eq!(
            decline_code("pm_card_chargeDeclined"),
            Some("generic_decline")
        );
        assert_eq!(
            decline_code("pm_card_insufficientFunds"),
            Some("insufficient_funds")
        );
        assert_eq!(
            by_alias("pm_card_authenticationRequired").unwrap().three_ds,
            ThreeDs::Required
        );
        assert!(by_alias("pm_card_nope").is_none());
        assert_eq!(by_number("4000 0000 0000 0002").unwrap().charge, GENERIC);
        assert!(by_number("4242424242424241").is_none());
        for (_, c) in CARDS {
            assert!(luhn(c.number), "{}", c.number);
        }
    }
}
