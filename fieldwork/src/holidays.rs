//! French public holidays (*jours fériés*, Code du travail L.3133-1), on which no one is called
//! by default: the eight fixed dates and the three that follow Easter, computed for any year.
//! Alsace-Moselle's two extra days (Good Friday, 26 December) are not included: the observatory
//! calls Gironde.

use jiff::ToSpan;
use jiff::civil::Date;

/// A French public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicHoliday {
    /// 1 January.
    NewYearsDay,
    /// The day after Easter Sunday.
    EasterMonday,
    /// 1 May.
    LabourDay,
    /// 8 May, Victory in Europe.
    VictoryDay,
    /// Thursday, 39 days after Easter Sunday.
    AscensionDay,
    /// Whit Monday, 50 days after Easter Sunday (still a public holiday, whatever a firm's
    /// *journée de solidarité*).
    WhitMonday,
    /// 14 July.
    NationalDay,
    /// 15 August.
    AssumptionDay,
    /// 1 November.
    AllSaintsDay,
    /// 11 November.
    ArmisticeDay,
    /// 25 December.
    ChristmasDay,
}

impl PublicHoliday {
    /// Every public holiday, in calendar order.
    pub const ALL: [PublicHoliday; 11] = [
        PublicHoliday::NewYearsDay,
        PublicHoliday::EasterMonday,
        PublicHoliday::LabourDay,
        PublicHoliday::VictoryDay,
        PublicHoliday::AscensionDay,
        PublicHoliday::WhitMonday,
        PublicHoliday::NationalDay,
        PublicHoliday::AssumptionDay,
        PublicHoliday::AllSaintsDay,
        PublicHoliday::ArmisticeDay,
        PublicHoliday::ChristmasDay,
    ];

    /// The French name, as shown to managers.
    pub fn label(self) -> &'static str {
        match self {
            PublicHoliday::NewYearsDay => "Jour de l'an",
            PublicHoliday::EasterMonday => "Lundi de Pâques",
            PublicHoliday::LabourDay => "Fête du Travail",
            PublicHoliday::VictoryDay => "Victoire 1945",
            PublicHoliday::AscensionDay => "Ascension",
            PublicHoliday::WhitMonday => "Lundi de Pentecôte",
            PublicHoliday::NationalDay => "Fête nationale",
            PublicHoliday::AssumptionDay => "Assomption",
            PublicHoliday::AllSaintsDay => "Toussaint",
            PublicHoliday::ArmisticeDay => "Armistice 1918",
            PublicHoliday::ChristmasDay => "Noël",
        }
    }

    /// Its date in `year`, for the years [`easter_sunday`] knows (1583 to 9999).
    pub fn date(self, year: i16) -> Option<Date> {
        let fixed = |month, day| Date::new(year, month, day).ok();
        let after_easter = |days: i64| easter_sunday(year)?.checked_add(days.days()).ok();
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return None;
        }
        match self {
            PublicHoliday::NewYearsDay => fixed(1, 1),
            PublicHoliday::EasterMonday => after_easter(1),
            PublicHoliday::LabourDay => fixed(5, 1),
            PublicHoliday::VictoryDay => fixed(5, 8),
            PublicHoliday::AscensionDay => after_easter(39),
            PublicHoliday::WhitMonday => after_easter(50),
            PublicHoliday::NationalDay => fixed(7, 14),
            PublicHoliday::AssumptionDay => fixed(8, 15),
            PublicHoliday::AllSaintsDay => fixed(11, 1),
            PublicHoliday::ArmisticeDay => fixed(11, 11),
            PublicHoliday::ChristmasDay => fixed(12, 25),
        }
    }
}

/// The first year of the Gregorian calendar's Easter rule.
const FIRST_YEAR: i16 = 1583;
/// The last year of the calendar dates work with.
const LAST_YEAR: i16 = 9999;

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, known as Meeus/Jones/
/// Butcher); `None` before 1583 or after 9999.
pub fn easter_sunday(year: i16) -> Option<Date> {
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // Month 3 or 4 and day 1 to 31 by the algorithm; `Date::new` checks it anyway.
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The public holidays of `year` with their dates, in calendar order; empty outside 1583–9999.
pub fn public_holidays(year: i16) -> Vec<(Date, PublicHoliday)> {
    PublicHoliday::ALL
        .into_iter()
        .filter_map(|holiday| Some((holiday.date(year)?, holiday)))
        .collect()
}

/// The public holiday falling on `date`, if any.
pub fn public_holiday_on(date: Date) -> Option<PublicHoliday> {
    public_holidays(date.year())
        .into_iter()
        .find_map(|(day, holiday)| (day == date).then_some(holiday))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn easter_falls_on_the_known_sundays() {
        let known = [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2028, date(2028, 4, 16)),
            // The extremes of the Gregorian rule: as early as 22 March, as late as 25 April.
            (2285, date(2285, 3, 22)),
            (2038, date(2038, 4, 25)),
            (1583, date(1583, 4, 10)),
        ];
        for (year, sunday) in known {
            assert_eq!(easter_sunday(year), Some(sunday), "{year}");
            assert_eq!(sunday.weekday(), jiff::civil::Weekday::Sunday);
        }
    }

    #[test]
    fn easter_is_unknown_outside_the_gregorian_years() {
        assert_eq!(easter_sunday(1582), None);
        assert_eq!(easter_sunday(10_000), None);
        assert!(public_holidays(1000).is_empty());
    }

    #[test]
    fn holidays_of_2026_are_the_eleven_legal_days() {
        let expected = [
            date(2026, 1, 1),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 5, 8),
            date(2026, 5, 14),
            date(2026, 5, 25),
            date(2026, 7, 14),
            date(2026, 8, 15),
            date(2026, 11, 1),
            date(2026, 11, 11),
            date(2026, 12, 25),
        ];
        let dates: Vec<Date> = public_holidays(2026).into_iter().map(|(d, _)| d).collect();
        assert_eq!(dates, expected);
    }

    #[test]
    fn movable_holidays_follow_easter() {
        // Easter 2027 is 28 March: Easter Monday 29 March, Ascension 6 May, Whit Monday 17 May.
        assert_eq!(
            public_holiday_on(date(2027, 3, 29)),
            Some(PublicHoliday::EasterMonday)
        );
        assert_eq!(
            public_holiday_on(date(2027, 5, 6)),
            Some(PublicHoliday::AscensionDay)
        );
        assert_eq!(
            public_holiday_on(date(2027, 5, 17)),
            Some(PublicHoliday::WhitMonday)
        );
        assert_eq!(public_holiday_on(date(2027, 5, 18)), None);
        assert_eq!(PublicHoliday::WhitMonday.label(), "Lundi de Pentecôte");
    }
}
