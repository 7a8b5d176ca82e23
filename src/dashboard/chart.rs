//! What the Dashboard's home page computes from charges: volume per currency by outcome,
//! and the bars of the payments-over-time chart (drawn as SVG by the template). Plain
//! functions of the charges' JSON; also the template filters for money and time.

use crate::domain::money::Currency;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

const DAY: i64 = 86_400;

/// Volume of one currency over a period, in its smallest unit.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct Volume {
    pub currency: String,
    pub succeeded: i64,
    pub failed: i64,
    pub refunded: i64,
    pub count: usize,
}

/// Per currency (sorted), the charges created at or after `since`.
pub fn volumes(charges: &[Value], since: i64) -> Vec<Volume> {
    let mut by: BTreeMap<String, Volume> = BTreeMap::new();
    for c in charges
        .iter()
        .filter(|c| c["created"].as_i64().unwrap_or(0) >= since)
    {
        let currency = c["currency"].as_str().unwrap_or("").to_string();
        let v = by.entry(currency.clone()).or_insert_with(|| Volume {
            currency,
            ..Default::default()
        });
        v.count += 1;
        match c["status"].as_str() {
            Some("succeeded") => v.succeeded += c["amount_captured"].as_i64().unwrap_or(0),
            Some("failed") => v.failed += c["amount"].as_i64().unwrap_or(0),
            _ => {}
        }
        v.refunded += c["amount_refunded"].as_i64().unwrap_or(0);
    }
    by.into_values().collect()
}

/// One day's bar: how many payments succeeded, failed, or are waiting, stacked.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bar {
    pub label: String,
    pub x: i64,
    pub succeeded: usize,
    pub failed: usize,
    pub other: usize,
    /// The segments' heights and tops in the chart's units (its height is `HEIGHT`).
    pub h_succeeded: i64,
    pub h_failed: i64,
    pub h_other: i64,
    pub y_succeeded: i64,
    pub y_failed: i64,
    pub y_other: i64,
}

pub const HEIGHT: i64 = 120;
const WIDTH: i64 = 28;
const GAP: i64 = 12;

/// The last `days` days (ending today, UTC) of PaymentIntents by outcome.
pub fn bars(intents: &[Value], now: i64, days: i64) -> Vec<Bar> {
    let today = now - now.rem_euclid(DAY);
    let first = today - (days - 1) * DAY;
    let mut counts = vec![(0usize, 0usize, 0usize); days as usize];
    for pi in intents {
        let created = pi["created"].as_i64().unwrap_or(0);
        if created < first {
            continue;
        }
        let day = ((created - first) / DAY) as usize;
        let Some(c) = counts.get_mut(day) else {
            continue;
        };
        let failed = pi["last_payment_error"].is_object();
        match pi["status"].as_str() {
            Some("succeeded") => c.0 += 1,
            _ if failed => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    let top = counts
        .iter()
        .map(|c| c.0 + c.1 + c.2)
        .max()
        .unwrap_or(0)
        .max(1) as i64;
    counts
        .iter()
        .enumerate()
        .map(|(i, &(s, f, o))| {
            let h = |n: usize| n as i64 * HEIGHT / top;
            let (hs, hf, ho) = (h(s), h(f), h(o));
            Bar {
                label: day_label(first + i as i64 * DAY),
                x: i as i64 * (WIDTH + GAP),
                succeeded: s,
                failed: f,
                other: o,
                h_succeeded: hs,
                h_failed: hf,
                h_other: ho,
                y_succeeded: HEIGHT - hs,
                y_failed: HEIGHT - hs - hf,
                y_other: HEIGHT - hs - hf - ho,
            }
        })
        .collect()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn day_label(t: i64) -> String {
    let (_, m, d) = crate::clock::date_of(t);
    format!("{} {d}", MONTHS[(m - 1) as usize])
}

/// `{{ amount|money(currency) }}`: "$10.99", "¥500", "10.99 CHF"; "—" without an amount.
pub fn money_filter(amount: Option<i64>, currency: Option<String>) -> String {
    let (Some(amount), Some(currency)) = (amount, currency) else {
        return "\u{2014}".into();
    };
    match Currency::parse(&currency) {
        Ok(c) => {
            let full = c.format_amount(amount);
            // `format_amount` says "$10.99 USD"; with a symbol the code is left out.
            match full.split_once(' ') {
                Some((value, _)) if !value.chars().all(|ch| ch.is_ascii_digit() || ch == '.') => {
                    value.to_string()
                }
                _ => full,
            }
        }
        Err(_) => format!("{amount} {currency}"),
    }
}

/// `{{ created|when }}`: "Nov 30, 21:14:05" (UTC); "—" without a time.
pub fn when_filter(t: Option<i64>) -> String {
    let Some(t) = t else {
        return "\u{2014}".into();
    };
    let (_, m, d) = crate::clock::date_of(t);
    let s = t.rem_euclid(DAY);
    format!(
        "{} {d}, {:02}:{:02}:{:02}",
        MONTHS[(m - 1) as usize],
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// The start (UTC) of the day and of the week (Monday) `now` falls in.
pub fn day_and_week_start(now: i64) -> (i64, i64) {
    let today = now - now.rem_euclid(DAY);
    // 1970-01-01 was a Thursday: days since a Monday.
    let weekday = (today / DAY + 3).rem_euclid(7);
    (today, today - weekday * DAY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volumes_by_currency_and_outcome() {
        let charges = vec![
            json!({"created": 100, "currency": "usd", "status": "succeeded", "amount": 1000, "amount_captured": 1000, "amount_refunded": 300}),
            json!({"created": 100, "currency": "usd", "status": "failed", "amount": 500, "amount_captured": 0, "amount_refunded": 0}),
            json!({"created": 100, "currency": "eur", "status": "succeeded", "amount": 700, "amount_captured": 700, "amount_refunded": 0}),
            json!({"created": 10, "currency": "usd", "status": "succeeded", "amount": 9, "amount_captured": 9, "amount_refunded": 0}),
        ];
        let v = volumes(&charges, 50);
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].currency.as_str(), v[0].succeeded), ("eur", 700));
        assert_eq!(
            (v[1].succeeded, v[1].failed, v[1].refunded, v[1].count),
            (1000, 500, 300, 2)
        );
    }

    #[test]
    fn bars_stack_by_outcome_and_day() {
        let now = 10 * DAY + 3600;
        let intents = vec![
            json!({"created": 10 * DAY + 5, "status": "succeeded"}),
            json!({"created": 10 * DAY + 6, "status": "requires_payment_method", "last_payment_error": {"code": "card_declined"}}),
            json!({"created": 9 * DAY + 6, "status": "requires_payment_method"}),
            json!({"created": 2 * DAY, "status": "succeeded"}),
        ];
        let b = bars(&intents, now, 3);
        assert_eq!(b.len(), 3);
        assert_eq!((b[2].succeeded, b[2].failed, b[2].other), (1, 1, 0));
        assert_eq!((b[1].succeeded, b[1].failed, b[1].other), (0, 0, 1));
        assert_eq!(
            b[2].h_succeeded + b[2].h_failed,
            HEIGHT,
            "the busiest day fills the chart"
        );
        assert_eq!(b[2].y_failed, 0);
    }

    #[test]
    fn formats_money_and_time() {
        assert_eq!(money_filter(Some(1099), Some("usd".into())), "$10.99");
        assert_eq!(money_filter(Some(500), Some("jpy".into())), "¥500");
        assert_eq!(money_filter(None, Some("usd".into())), "\u{2014}");
        assert_eq!(when_filter(Some(1_700_000_000)), "Nov 14, 22:13:20");
        assert_eq!(when_filter(None), "\u{2014}");
        let (day, week) = day_and_week_start(1_700_000_000);
        assert_eq!(day % DAY, 0);
        assert_eq!(
            crate::clock::date_of(week),
            (2023, 11, 13),
            "the Monday of that week"
        );
    }
}
