//! The creation date/time stamped into exported files, supplied by the caller so that writing
//! the same dataset twice gives identical bytes.

use super::DatasetError;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A UTC date and time with one-second resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Timestamp {
    /// Builds a timestamp, rejecting dates that do not exist and years outside 1900..=9999.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, DatasetError> {
        let valid = (1900..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(DatasetError::InvalidTimestamp {
                value: format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}"),
            });
        }
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339 in UTC, as stored in export manifests).
    pub fn parse_rfc3339(text: &str) -> Result<Self, DatasetError> {
        let invalid = || DatasetError::InvalidTimestamp {
            value: text.to_owned(),
        };
        let b = text.as_bytes();
        let shape_ok = b.len() == 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z';
        if !shape_ok {
            return Err(invalid());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u16, DatasetError> {
            text[range].parse::<u16>().map_err(|_| invalid())
        };
        let small = |range| num(range).and_then(|v| u8::try_from(v).map_err(|_| invalid()));
        Self::new(
            num(0..4)?,
            small(5..7)?,
            small(8..10)?,
            small(11..13)?,
            small(14..16)?,
            small(17..19)?,
        )
    }

    /// `2026-11-23T07:28:14Z`.
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// SPSS header date `23 Nov 26` (9 bytes).
    pub fn spss_date(&self) -> String {
        format!(
            "{:02} {} {:02}",
            self.day,
            MONTHS[usize::from(self.month - 1)],
            self.year % 100
        )
    }

    /// SPSS header time `07:28:14` (8 bytes).
    pub fn spss_time(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// Stata header stamp `23 Nov 2026 07:28` (17 bytes).
    pub fn stata_stamp(&self) -> String {
        format!(
            "{:02} {} {:04} {:02}:{:02}",
            self.day,
            MONTHS[usize::from(self.month - 1)],
            self.year,
            self.hour,
            self.minute
        )
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_each_file_header() {
        let t = Timestamp::new(2026, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(t.rfc3339(), "2026-03-04T05:06:07Z");
        assert_eq!(t.spss_date(), "04 Mar 26");
        assert_eq!(t.spss_time(), "05:06:07");
        assert_eq!(t.stata_stamp(), "04 Mar 2026 05:06");
        assert_eq!(Timestamp::parse_rfc3339("2026-03-04T05:06:07Z").unwrap(), t);
    }

    #[test]
    fn rejects_dates_that_do_not_exist() {
        assert!(Timestamp::new(2026, 2, 29, 0, 0, 0).is_err());
        assert!(Timestamp::new(2024, 2, 29, 0, 0, 0).is_ok());
        assert!(Timestamp::new(2026, 13, 1, 0, 0, 0).is_err());
        assert!(Timestamp::parse_rfc3339("2026-11-23 07:28:14").is_err());
    }
}
