//! Calendar dates stored as whole days since 1970-01-01 (the Unix epoch, Arrow's `date32`),
//! the one representation every writer converts from: SPSS counts seconds since 1582-10-14,
//! Stata days since 1960-01-01, CSV writes `YYYY-MM-DD`.

/// Days from 1582-10-14 (SPSS's origin) to 1970-01-01.
pub const SPSS_EPOCH_OFFSET_DAYS: i64 = 141_428;
/// Days from 1960-01-01 (Stata's origin) to 1970-01-01.
pub const STATA_EPOCH_OFFSET_DAYS: i64 = 3_653;

/// Days since 1970-01-01 of 0001-01-01, the earliest date a dataset accepts.
pub const MIN_DATE_DAYS: i64 = -719_162;
/// Days since 1970-01-01 of 9999-12-31, the latest date a dataset accepts.
pub const MAX_DATE_DAYS: i64 = 2_932_896;

/// Days since 1970-01-01 of a proleptic Gregorian date (negative before), or `None` when the
/// date does not exist (2023-02-29, month 13).
pub fn days_from_ymd(year: i32, month: u8, day: u8) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let length = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > length {
        return None;
    }
    // Howard Hinnant's days_from_civil: years start in March so that leap days come last.
    let (m, d) = (i64::from(month), i64::from(day));
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The `(year, month, day)` of a count of days since 1970-01-01.
pub fn ymd_from_days(days: i64) -> (i64, u8, u8) {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // month is in 1..=12 and day in 1..=31 by construction.
    (year, month as u8, day as u8)
}

/// `YYYY-MM-DD` of a count of days since 1970-01-01 (what CSV files and codebooks show).
pub fn iso_date(days: f64) -> String {
    // Date cells are validated whole numbers within ±2^53: the cast is exact.
    let (year, month, day) = ymd_from_days(days as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_unix_epoch_and_round_trip() {
        assert_eq!(days_from_ymd(1970, 1, 1), Some(0));
        assert_eq!(days_from_ymd(1960, 1, 1), Some(-STATA_EPOCH_OFFSET_DAYS));
        assert_eq!(days_from_ymd(1582, 10, 14), Some(-SPSS_EPOCH_OFFSET_DAYS));
        assert_eq!(days_from_ymd(2026, 3, 2), Some(20_514));
        assert_eq!(days_from_ymd(2023, 2, 29), None);
        assert_eq!(days_from_ymd(1, 1, 1), Some(MIN_DATE_DAYS));
        assert_eq!(days_from_ymd(9999, 12, 31), Some(MAX_DATE_DAYS));
        assert_eq!(days_from_ymd(2024, 13, 1), None);
        for days in [-200_000, -1, 0, 1, 59, 60, 20_514, 2_932_896] {
            let (y, m, d) = ymd_from_days(days);
            assert_eq!(days_from_ymd(y as i32, m, d), Some(days));
        }
        assert_eq!(iso_date(20_514.0), "2026-03-02");
        assert_eq!(iso_date(-1.0), "1969-12-31");
    }
}
