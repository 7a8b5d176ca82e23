//! The time, in Unix seconds: what `created` and the like are stamped with.

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The time in Unix milliseconds, for what is timed finer (the request log).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

const DAY: i64 = 86_400;

/// The UTC date (year, month 1–12, day) of unix time `t` (Howard Hinnant's
/// `civil_from_days`).
pub fn date_of(t: i64) -> (i64, i64, i64) {
    let z = t.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The unix time a UTC date starts at (`days_from_civil`); None for no such month or day.
pub fn start_of(year: i64, month: i64, day: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_both_ways() {
        assert_eq!(super::date_of(0), (1970, 1, 1));
        assert_eq!(super::date_of(1_795_996_800), (2026, 11, 30));
        assert_eq!(super::start_of(2026, 11, 30), Some(1_795_996_800));
        assert_eq!(
            super::start_of(2024, 2, 29).map(super::date_of),
            Some((2024, 2, 29))
        );
        assert_eq!(super::start_of(2026, 13, 1), None);
    }
}
