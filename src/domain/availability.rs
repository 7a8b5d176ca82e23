//! Which payment method types an account may use, by account country, currency and amount.

use super::money::Currency;
use super::payment_method::PaymentMethodType;

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

/// Whether `pm_type` can be set up for later by an account in `country` (no amount or
/// currency is known yet).
pub fn check_country(pm_type: PaymentMethodType, country: &str) -> Result<(), Unavailable> {
    let countries = match pm_type {
        PaymentMethodType::Card => return Ok(()),
        PaymentMethodType::AmazonPay => AMAZON_PAY_COUNTRIES,
        PaymentMethodType::Alma => ALMA_COUNTRIES,
    };
    if countries.contains(&country) {
        Ok(())
    } else {
        Err(Unavailable::Country)
    }
}

/// Whether `pm_type` can pay `amount` in `currency` for an account in `country`.
/// `amount` is `None` when only country and currency are known.
pub fn check(
    pm_type: PaymentMethodType,
    country: &str,
    currency: &Currency,
    amount: Option<i64>,
) -> Result<(), Unavailable> {
    match pm_type {
        PaymentMethodType::Card => Ok(()),
        PaymentMethodType::AmazonPay => {
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
        PaymentMethodType::Alma => {
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
    }
}

/// Every type Pasarela processes, by name.
pub fn supported_names() -> impl Iterator<Item = &'static str> {
    PaymentMethodType::ALL
        .into_iter()
        .map(PaymentMethodType::as_str)
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
            let usable = PaymentMethodType::parse(t)
                .is_some_and(|t| check(t, country, &c(cur), Some(*amount)).is_ok());
            assert_eq!(usable, *ok, "{t} {country} {cur} {amount}");
        }
    }
}
