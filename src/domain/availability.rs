//! Which payment method types an account may use, by account country, currency and amount.

use super::money::Currency;

/// The payment method types Pasarela can process, in the order Stripe lists them.
pub const SUPPORTED_TYPES: &[&str] = &["card", "alma", "amazon_pay"];

/// Every type name Stripe knows; a name outside this list is an invalid type.
pub const KNOWN_TYPES: &[&str] = &[
    "acss_debit",
    "affirm",
    "afterpay_clearpay",
    "alipay",
    "alma",
    "amazon_pay",
    "au_becs_debit",
    "bacs_debit",
    "bancontact",
    "billie",
    "blik",
    "boleto",
    "card",
    "card_present",
    "cashapp",
    "crypto",
    "customer_balance",
    "eps",
    "fpx",
    "giropay",
    "grabpay",
    "ideal",
    "interac_present",
    "kakao_pay",
    "klarna",
    "konbini",
    "kr_card",
    "link",
    "mb_way",
    "mobilepay",
    "multibanco",
    "naver_pay",
    "nz_bank_account",
    "oxxo",
    "p24",
    "pay_by_bank",
    "payco",
    "paynow",
    "paypal",
    "payto",
    "pix",
    "promptpay",
    "revolut_pay",
    "samsung_pay",
    "satispay",
    "sepa_debit",
    "sofort",
    "swish",
    "twint",
    "us_bank_account",
    "wechat_pay",
    "zip",
];

const AMAZON_PAY_COUNTRIES: &[&str] = &[
    "AT", "BE", "CH", "CY", "DE", "DK", "ES", "FR", "GB", "HU", "IE", "IT", "LU", "NL", "PT", "SE",
    "US",
];
const AMAZON_PAY_CURRENCIES: &[&str] = &[
    "aud", "gbp", "dkk", "eur", "hkd", "jpy", "nzd", "nok", "zar", "sek", "chf", "usd",
];
const ALMA_COUNTRIES: &[&str] = &["FR", "IT", "ES", "NL", "BE", "LU"];
/// Alma finances 50 to 5 000 EUR.
pub const ALMA_MIN: i64 = 5_000;
pub const ALMA_MAX: i64 = 500_000;

/// Why a type cannot be used for a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// Not a payment method type Stripe knows, or not one Pasarela processes.
    NotActivated,
    Country,
    Currency {
        supported: &'static [&'static str],
    },
    AmountTooSmall {
        min: i64,
    },
    AmountTooLarge {
        max: i64,
    },
}

/// Whether `pm_type` can pay `amount` in `currency` for an account in `country`.
/// `amount` is `None` when only country and currency are known.
pub fn check(
    pm_type: &str,
    country: &str,
    currency: &Currency,
    amount: Option<i64>,
) -> Result<(), Unavailable> {
    match pm_type {
        "card" => Ok(()),
        "amazon_pay" => {
            if !AMAZON_PAY_COUNTRIES.contains(&country) {
                return Err(Unavailable::Country);
            }
            if !AMAZON_PAY_CURRENCIES.contains(&currency.code()) {
                return Err(Unavailable::Currency {
                    supported: AMAZON_PAY_CURRENCIES,
                });
            }
            Ok(())
        }
        "alma" => {
            if !ALMA_COUNTRIES.contains(&country) {
                return Err(Unavailable::Country);
            }
            if currency.code() != "eur" {
                return Err(Unavailable::Currency {
                    supported: &["eur"],
                });
            }
            match amount {
                Some(a) if a < ALMA_MIN => Err(Unavailable::AmountTooSmall { min: ALMA_MIN }),
                Some(a) if a > ALMA_MAX => Err(Unavailable::AmountTooLarge { max: ALMA_MAX }),
                _ => Ok(()),
            }
        }
        _ => Err(Unavailable::NotActivated),
    }
}

/// The types available to a dynamic (automatic or allowed-list) intent: the candidates
/// that fit, in Stripe's order.
pub fn filter(
    candidates: &[&str],
    country: &str,
    currency: &Currency,
    amount: Option<i64>,
) -> Vec<String> {
    candidates
        .iter()
        .filter(|t| check(t, country, currency, amount).is_ok())
        .map(|t| t.to_string())
        .collect()
}

/// Payment method types that need the customer to leave for a redirect.
pub fn is_redirect(pm_type: &str) -> bool {
    matches!(pm_type, "amazon_pay" | "alma")
}

/// Types that accept `setup_future_usage`, and which values.
pub fn allows_setup_future_usage(pm_type: &str, usage: &str) -> bool {
    match pm_type {
        "card" => true,
        "amazon_pay" => usage == "off_session",
        _ => false,
    }
}

/// Human name used on hosted pages.
pub fn display_name(pm_type: &str) -> &'static str {
    match pm_type {
        "card" => "Card",
        "amazon_pay" => "Amazon Pay",
        "alma" => "Alma",
        _ => "Payment method",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn c(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }
    #[test]
    fn table() {
        let cases: &[(&str, &str, &str, i64, bool)] = &[
            ("card", "US", "usd", 50, true),
            ("amazon_pay", "US", "usd", 1099, true),
            ("amazon_pay", "FR", "eur", 1099, true),
            ("amazon_pay", "US", "cad", 1099, false),
            ("amazon_pay", "BR", "usd", 1099, false),
            ("alma", "FR", "eur", 5099, true),
            ("alma", "US", "eur", 5099, false),
            ("alma", "FR", "usd", 5099, false),
            ("alma", "FR", "eur", 4999, false),
            ("alma", "FR", "eur", 500_001, false),
            ("ideal", "NL", "eur", 500, false),
        ];
        for (t, country, cur, amount, ok) in cases {
            assert_eq!(
                check(t, country, &c(cur), Some(*amount)).is_ok(),
                *ok,
                "{t} {country} {cur} {amount}"
            );
        }
        assert_eq!(
            filter(SUPPORTED_TYPES, "US", &c("usd"), Some(1000)),
            vec!["card", "amazon_pay"]
        );
        assert_eq!(
            filter(SUPPORTED_TYPES, "FR", &c("eur"), Some(6000)),
            vec!["card", "alma", "amazon_pay"]
        );
    }
}
