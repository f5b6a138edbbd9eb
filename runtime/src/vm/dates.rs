//! Calendar arithmetic on day numbers (days since 1970-01-01), as the
//! language reference §6.2 defines it: months clamp to the month's end, age
//! counts the birthday itself.
//!
//! The hot path works on plain integers (civil-calendar conversion by
//! arithmetic, no table, no allocation); chrono is only the bridge to and from
//! `NaiveDate` for callers.

use chrono::{Datelike, NaiveDate};

use crate::bytecode::program::Dur;

/// The latest day a date value may take: far beyond any case, and small
/// enough that `day + days` in `i64` never overflows before we clamp.
pub const MAX_DAY: i64 = 100_000_000;
/// The earliest day a date value may take.
pub const MIN_DAY: i64 = -100_000_000;

/// A calendar date as (year, month 1..=12, day 1..=31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

/// Day number of a civil date (proleptic Gregorian). Works on eras of 400
/// years so every step is exact integer arithmetic.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // 0..=399
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day number (the inverse of `days_from_civil`).
#[inline]
pub fn civil_from_days(days: i64) -> Civil {
    if let Some(z) = days
        .checked_add(719_468)
        .and_then(|z| u32::try_from(z).ok())
        .filter(|z| *z < 25 * 146_097)
    {
        // from 0000-03-01 for 10,000 years: every case's dates, in unsigned
        // arithmetic (cheaper divisions by constants)
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = i64::from(yoe + era * 400 + u32::from(month <= 2));
        return Civil { year, month, day };
    }
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil { year, month, day }
}

#[inline]
pub fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[inline]
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `day + n` days; `None` outside the supported range.
#[inline]
pub fn add_days(day: i64, n: i64) -> Option<i64> {
    let r = day.checked_add(n)?;
    in_range(r)
}

/// `day + n` months, clamped to the month's end (2025-01-31 + 1 month is
/// 2025-02-28). `None` outside the supported range.
pub fn add_months(day: i64, n: i64) -> Option<i64> {
    in_range(day)?;
    // Beyond 4·MAX_DAY months every result is out of range anyway; the bound
    // (in `Civil::add_months`) keeps the arithmetic from overflowing.
    civil_from_days(day).add_months(n)
}

impl Civil {
    /// This date plus `n` months, clamped to the month's end, as a day
    /// number. Fixed schedules convert their anchor once and call this per
    /// instance.
    #[inline]
    pub fn add_months(self, n: i64) -> Option<i64> {
        if n.abs() > 4 * MAX_DAY {
            return None;
        }
        let m0 = self.year.checked_mul(12)? + i64::from(self.month) - 1 + n;
        if let Ok(m0) = u32::try_from(m0) {
            if m0 < 12 * 10_000 {
                // years 0..=9999, every case's: the same count in unsigned
                // arithmetic, whose divisions by constants are cheaper
                let (year, month) = (m0 / 12, m0 % 12 + 1);
                let d = self.day.min(days_in_month(i64::from(year), month));
                return in_range(days_from_civil_0_9999(year, month, d));
            }
        }
        let year = m0.div_euclid(12);
        let month = (m0.rem_euclid(12) + 1) as u32;
        let d = self.day.min(days_in_month(year, month));
        in_range(days_from_civil(year, month, d))
    }
}

/// `days_from_civil` for years 0..=9999 (the year shifted by one era of
/// 400 years so that every quotient is of non-negative numbers).
#[inline]
fn days_from_civil_0_9999(year: u32, month: u32, day: u32) -> i64 {
    let y = year + 400 - u32::from(month <= 2);
    let era = y / 400;
    let yoe = y - era * 400; // 0..=399
    let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i64::from(era) * 146_097 + i64::from(doe) - 719_468 - 146_097
}

/// `day + d`; `None` outside the supported range.
pub fn add_dur(day: i64, d: Dur) -> Option<i64> {
    match d {
        Dur::Days(n) => add_days(day, i64::from(n)),
        Dur::Months(n) => add_months(day, i64::from(n)),
    }
}

/// `day + k·d`, computed from `day` in one step (fixed schedules never add
/// repeatedly, so month clamping does not drift: §6.2).
pub fn add_dur_times(day: i64, d: Dur, k: i64) -> Option<i64> {
    match d {
        Dur::Days(n) => add_days(day, i64::from(n).checked_mul(k)?),
        Dur::Months(n) => add_months(day, i64::from(n).checked_mul(k)?),
    }
}

/// Age in whole years on `on` of someone born on `birth`; the birthday itself
/// counts. `None` when either is out of range.
pub fn age_on(birth: i64, on: i64) -> Option<i64> {
    in_range(on)?;
    age_on_civil(birth, civil_from_days(on))
}

/// `age_on` for a date already converted (callers that ask about the same
/// date for many births keep its civil form); `on` must be in range.
#[inline]
pub fn age_on_civil(birth: i64, o: Civil) -> Option<i64> {
    in_range(birth)?;
    let b = civil_from_days(birth);
    let mut age = o.year - b.year;
    if (o.month, o.day) < (b.month, b.day) {
        age -= 1;
    }
    Some(age)
}

/// `Some(day)` when `day` lies in the supported range.
#[inline]
pub fn in_range(day: i64) -> Option<i64> {
    (MIN_DAY..=MAX_DAY).contains(&day).then_some(day)
}

/// Day number of a chrono date.
pub fn from_naive(d: NaiveDate) -> i32 {
    days_from_civil(i64::from(d.year()), d.month(), d.day()) as i32
}

/// Chrono date of a day number (`None` outside chrono's range).
pub fn to_naive(day: i32) -> Option<NaiveDate> {
    let c = civil_from_days(i64::from(day));
    NaiveDate::from_ymd_opt(i32::try_from(c.year).ok()?, c.month, c.day)
}

/// Day number of `YYYY-MM-DD` (strict), for tests, listings and readers.
pub fn parse_day(s: &str) -> Option<i32> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(from_naive)
}

/// `YYYY-MM-DD` of a day number, for listings and explanations.
pub fn format_day(day: i32) -> String {
    let c = civil_from_days(i64::from(day));
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// January 1 of the year `day` falls in, and that year's December 31.
pub fn year_bounds(day: i64) -> (i64, i64) {
    let c = civil_from_days(day);
    (
        days_from_civil(c.year, 1, 1),
        days_from_civil(c.year, 12, 31),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> i64 {
        i64::from(parse_day(s).unwrap_or(i32::MIN))
    }

    /// The VM decides `age >= n` as `birth <= today - n years` (month
    /// arithmetic, clamped): the same answer as the age itself, leap days
    /// included.
    #[test]
    fn age_at_least_is_birth_on_or_before_today_minus_years() {
        let todays = [
            "2024-02-29",
            "2025-02-28",
            "2025-03-01",
            "2025-09-30",
            "2025-12-31",
            "2026-01-01",
        ];
        for t in todays.map(d) {
            for n in [-1i64, 0, 1, 18, 25, 30, 65] {
                let threshold = add_months(t, -12 * n);
                assert!(threshold.is_some(), "{n} years before {t}");
                for b in (t - 366 * (n.max(0) + 2))..=(t + 400) {
                    assert_eq!(
                        age_on(b, t).map(|age| age >= n),
                        threshold.map(|th| b <= th),
                        "born {b}, on {t}, {n} years"
                    );
                }
            }
        }
    }

    #[test]
    fn round_trips_against_chrono() {
        for day in (-800_000..800_000).step_by(97) {
            let c = civil_from_days(day);
            assert_eq!(days_from_civil(c.year, c.month, c.day), day);
            let n = to_naive(day as i32).map(from_naive);
            assert_eq!(n, Some(day as i32));
        }
        assert_eq!(d("1970-01-01"), 0);
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(d("2025-01-31"), 1), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(add_months(d("2024-02-29"), 12), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2025-03-31"), -1), Some(d("2025-02-28")));
        assert_eq!(add_months(d("2025-12-15"), 1), Some(d("2026-01-15")));
        assert_eq!(add_months(0, i64::MAX), None);
    }

    #[test]
    fn unsigned_civil_dates_agree() {
        let signed = |days: i64| {
            let z = days + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z - era * 146_097;
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
            let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
            let year = yoe + era * 400 + i64::from(month <= 2);
            Civil { year, month, day }
        };
        let edge = 25 * 146_097 - 719_468;
        for day in (-800_000..3_000_000).step_by(3).chain([
            -719_469,
            -719_468,
            -719_467,
            edge - 1,
            edge,
            edge + 1,
        ]) {
            assert_eq!(civil_from_days(day), signed(day), "day {day}");
        }
    }

    #[test]
    fn unsigned_day_count_agrees() {
        for year in (0..=9999)
            .step_by(7)
            .chain([0, 1, 399, 400, 1900, 2000, 2100, 9999])
        {
            for month in 1..=12 {
                for day in [1, 15, 28, days_in_month(i64::from(year), month)] {
                    assert_eq!(
                        days_from_civil_0_9999(year, month, day),
                        days_from_civil(i64::from(year), month, day),
                        "{year}-{month}-{day}"
                    );
                }
            }
        }
        for day in (-800_000..3_000_000).step_by(13) {
            for n in [-25, -13, -12, -1, 0, 1, 3, 6, 11, 12, 13, 120] {
                let c = civil_from_days(day);
                let m0 = c.year * 12 + i64::from(c.month) - 1 + n;
                let (y, m) = (m0.div_euclid(12), (m0.rem_euclid(12) + 1) as u32);
                let want = in_range(days_from_civil(y, m, c.day.min(days_in_month(y, m))));
                assert_eq!(c.add_months(n), want, "{day} + {n} months");
            }
        }
    }

    #[test]
    fn age_counts_the_birthday() {
        assert_eq!(age_on(d("1980-05-01"), d("2026-05-01")), Some(46));
        assert_eq!(age_on(d("1980-05-01"), d("2026-04-30")), Some(45));
        assert_eq!(age_on(d("2000-02-29"), d("2025-02-28")), Some(24));
        assert_eq!(age_on(d("2000-02-29"), d("2025-03-01")), Some(25));
    }
}
