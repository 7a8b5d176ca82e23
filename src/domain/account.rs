//! The account itself (`GET /v1/account`) and its balance (`GET /v1/balance`): its id,
//! the countries Stripe serves with their default currencies, the capabilities a country
//! gives, and the balance summed from balance transactions.

use super::balance_transaction::BalanceTransaction;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The countries Stripe accounts can be in, with each one's default currency.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AE", "aed"),
    ("AT", "eur"),
    ("AU", "aud"),
    ("BE", "eur"),
    ("BG", "eur"),
    ("BR", "brl"),
    ("CA", "cad"),
    ("CH", "chf"),
    ("CY", "eur"),
    ("CZ", "czk"),
    ("DE", "eur"),
    ("DK", "dkk"),
    ("EE", "eur"),
    ("ES", "eur"),
    ("FI", "eur"),
    ("FR", "eur"),
    ("GB", "gbp"),
    ("GI", "gbp"),
    ("GR", "eur"),
    ("HK", "hkd"),
    ("HR", "eur"),
    ("HU", "huf"),
    ("IE", "eur"),
    ("IN", "inr"),
    ("IT", "eur"),
    ("JP", "jpy"),
    ("LI", "chf"),
    ("LT", "eur"),
    ("LU", "eur"),
    ("LV", "eur"),
    ("MT", "eur"),
    ("MX", "mxn"),
    ("MY", "myr"),
    ("NL", "eur"),
    ("NO", "nok"),
    ("NZ", "nzd"),
    ("PL", "pln"),
    ("PT", "eur"),
    ("RO", "ron"),
    ("SE", "sek"),
    ("SG", "sgd"),
    ("SI", "eur"),
    ("SK", "eur"),
    ("TH", "thb"),
    ("US", "usd"),
];

/// The default currency of an account in `country` (`usd` for a country not listed).
pub fn default_currency(country: &str) -> &'static str {
    COUNTRIES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(country))
        .map(|(_, cur)| *cur)
        .unwrap_or("usd")
}

/// The account's id: the same for every process that serves the same keys (several nodes
/// on one database agree without storing it), shaped like Stripe's (`acct_1` + 15).
pub fn account_id(secret_key: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::digest(secret_key.as_bytes());
    let tail: String = digest
        .iter()
        .take(15)
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("acct_1{tail}")
}

/// The capabilities the account has (all active in test mode): cards and transfers
/// everywhere, and each payment method Pasarela serves where the country allows it.
pub fn capabilities(country: &str) -> Vec<String> {
    use super::availability::check_country;
    use super::payment_method::PaymentMethodType;
    let mut caps = vec!["transfers".to_string()];
    for t in PaymentMethodType::ALL {
        if check_country(t, country).is_ok() {
            caps.push(format!("{}_payments", t.as_str()));
        }
    }
    caps.sort();
    caps
}

/// One currency's part of a balance: the amount, and by source type (all `card` here:
/// every method Pasarela serves settles as Stripe counts card funds).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Funds {
    pub available: i64,
    pub pending: i64,
}

/// The balance at `now` by currency: each transaction's net counts as available from its
/// `available_on`, pending before.
pub fn balance<'a>(
    transactions: impl IntoIterator<Item = &'a BalanceTransaction>,
    now: i64,
) -> BTreeMap<String, Funds> {
    let mut by_currency: BTreeMap<String, Funds> = BTreeMap::new();
    for t in transactions {
        let funds = by_currency
            .entry(t.currency.code().to_string())
            .or_default();
        if t.available_on <= now {
            funds.available += t.net();
        } else {
            funds.pending += t.net();
        }
    }
    by_currency
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    #[test]
    fn the_id_follows_the_key() {
        let a = account_id("sk_test_a");
        assert_eq!(a, account_id("sk_test_a"));
        assert_ne!(a, account_id("sk_test_b"));
        assert!(a.starts_with("acct_1") && a.len() == 21, "{a}");
    }

    #[test]
    fn currencies_and_capabilities_follow_the_country() {
        assert_eq!(default_currency("US"), "usd");
        assert_eq!(default_currency("fr"), "eur");
        assert_eq!(default_currency("JP"), "jpy");
        let names = capabilities;
        assert_eq!(
            names("US"),
            ["amazon_pay_payments", "card_payments", "transfers"]
        );
        assert!(names("FR").contains(&"alma_payments".to_string()));
        assert_eq!(names("BR"), ["card_payments", "transfers"]);
    }

    #[test]
    fn funds_are_pending_until_available_on() {
        let usd = Currency::parse("usd").unwrap();
        let eur = Currency::parse("eur").unwrap();
        let charge = BalanceTransaction::for_charge("txn_1".into(), "ch_1", 2000, &usd, 100);
        let older = BalanceTransaction::for_charge("txn_2".into(), "ch_2", 1000, &usd, 0);
        let refund = BalanceTransaction::for_refund("txn_3".into(), "re_1", 500, &usd, 200);
        let euros = BalanceTransaction::for_charge("txn_4".into(), "ch_3", 1000, &eur, 0);
        let now = 2 * 86_400 + 50;
        let b = balance([&charge, &older, &refund, &euros], now);
        assert_eq!(
            b["usd"],
            Funds {
                available: older.net() + refund.net(),
                pending: charge.net()
            }
        );
        assert_eq!(b["eur"].available, euros.net());
        assert_eq!(b["eur"].pending, 0);
    }
}
