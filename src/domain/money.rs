//! Currencies, minor units and Stripe's minimum charge amounts.

/// Currencies Stripe accepts (lower-case ISO 4217), in the order its error lists them.
pub const CURRENCIES: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd",
    "bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad",
    "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp",
    "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl",
    "hrk", "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr",
    "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga",
    "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio",
    "nok", "npr", "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron",
    "rsd", "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std",
    "szl", "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu", "uzs",
    "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];

/// Currencies without a minor unit: amounts are whole units.
const ZERO_DECIMAL: &[&str] = &[
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];
/// Currencies with three decimals.
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// A supported currency, lower-case. Built only by `parse`; stored and rendered as its
/// code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(code: String) -> Result<Self, String> {
        Currency::parse(&code).map_err(|e| format!("unsupported currency {}", e.0))
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct InvalidCurrency(pub String);

impl Currency {
    /// Parses a currency code the way Stripe does: case-insensitive, must be supported.
    pub fn parse(code: &str) -> Result<Currency, InvalidCurrency> {
        let lower = code.to_ascii_lowercase();
        if CURRENCIES.contains(&lower.as_str()) {
            Ok(Currency(lower))
        } else {
            Err(InvalidCurrency(lower))
        }
    }
    pub fn code(&self) -> &str {
        &self.0
    }
    pub fn decimals(&self) -> u32 {
        if ZERO_DECIMAL.contains(&self.code()) {
            0
        } else if THREE_DECIMAL.contains(&self.code()) {
            3
        } else {
            2
        }
    }
    /// Stripe's minimum charge amount in this currency's minor unit (about $0.50).
    pub fn minimum_amount(&self) -> i64 {
        match self.code() {
            "usd" | "eur" | "aud" | "cad" | "chf" | "nzd" | "sgd" | "brl" | "inr" => 50,
            "gbp" => 30,
            "jpy" => 50,
            "dkk" => 250,
            "nok" | "sek" => 300,
            "hkd" => 400,
            "mxn" | "thb" => 1000,
            "pln" | "ron" | "aed" | "myr" => 200,
            "bgn" => 100,
            "czk" => 1500,
            "huf" => 17500,
            "zar" => 1000,
            "krw" => 700,
            _ => match self.decimals() {
                0 => 1,
                3 => 500,
                _ => 50,
            },
        }
    }
    /// `$0.50 usd`, `¥50 jpy`: how Stripe words a minimum in `amount_too_small`.
    pub fn format_amount(&self, amount: i64) -> String {
        let symbol = match self.code() {
            "usd" | "aud" | "cad" | "nzd" | "sgd" | "hkd" | "mxn" => "$",
            "eur" => "€",
            "gbp" => "£",
            "jpy" => "¥",
            _ => "",
        };
        let d = self.decimals();
        let value = if d == 0 {
            amount.to_string()
        } else {
            let div = 10i64.pow(d);
            format!(
                "{}.{:0width$}",
                amount / div,
                amount % div,
                width = d as usize
            )
        };
        format!("{symbol}{value} {}", self.code())
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Amounts are at most 8 digits in the minor unit.
pub const MAX_AMOUNT: i64 = 99_999_999;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_formats() {
        assert_eq!(Currency::parse("USD").unwrap().code(), "usd");
        assert!(Currency::parse("xyz").is_err());
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(jpy.decimals(), 0);
        assert_eq!(jpy.format_amount(50), "¥50 jpy");
        assert_eq!(
            Currency::parse("usd").unwrap().format_amount(50),
            "$0.50 usd"
        );
        assert_eq!(Currency::parse("kwd").unwrap().decimals(), 3);
    }
}
