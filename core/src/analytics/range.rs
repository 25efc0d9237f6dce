//! Date ranges of the dashboard: their names, their business days, the previous period and
//! the grain of their series. Days are the shop's business days (`crate::time`), numbered
//! from 1970-01-01 so the rollups can key on an integer.

use std::fmt;
use std::str::FromStr;

use jiff::Span;
use jiff::civil::{Date, date};

use super::AnalyticsError;

/// The longest custom range, in days (about three years): long enough for any comparison a
/// seller makes, short enough that a typo (`2006` for `2026`) is an error, not a slow screen.
pub const MAX_RANGE_DAYS: i64 = 1_100;

const EPOCH: Date = date(1970, 1, 1);

/// A range as the seller picks it. Relative ranges end with today (the business day of
/// "now"), inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// Today so far.
    Today,
    /// Yesterday.
    Yesterday,
    /// The last N days, today included (7, 30, 90 or 365).
    LastDays(u16),
    /// This month so far (from the 1st to today).
    ThisMonth,
    /// The previous calendar month.
    LastMonth,
    /// From one business day to another, both included.
    Custom {
        /// First day.
        from: Date,
        /// Last day (included).
        to: Date,
    },
}

impl FromStr for RangeSpec {
    type Err = AnalyticsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let unknown = || AnalyticsError::UnknownRange(text.chars().take(60).collect());
        Ok(match text {
            "today" => RangeSpec::Today,
            "yesterday" => RangeSpec::Yesterday,
            "7d" => RangeSpec::LastDays(7),
            "30d" => RangeSpec::LastDays(30),
            "90d" => RangeSpec::LastDays(90),
            "365d" => RangeSpec::LastDays(365),
            "month" => RangeSpec::ThisMonth,
            "last-month" => RangeSpec::LastMonth,
            other => {
                let (from, to) = other.split_once("..").ok_or_else(unknown)?;
                let parse = |d: &str| crate::time::parse_date(d).map_err(|_| unknown());
                RangeSpec::Custom {
                    from: parse(from)?,
                    to: parse(to)?,
                }
            }
        })
    }
}

impl fmt::Display for RangeSpec {
    /// The spelling `from_str` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeSpec::Today => f.write_str("today"),
            RangeSpec::Yesterday => f.write_str("yesterday"),
            RangeSpec::LastDays(n) => write!(f, "{n}d"),
            RangeSpec::ThisMonth => f.write_str("month"),
            RangeSpec::LastMonth => f.write_str("last-month"),
            RangeSpec::Custom { from, to } => write!(f, "{from}..{to}"),
        }
    }
}

/// Half-open business days `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayRange {
    /// First day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    /// The day after the last one.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: Date,
}

impl DayRange {
    /// Number of days.
    pub fn days(&self) -> i64 {
        i64::from(day_number(self.end)) - i64::from(day_number(self.start))
    }

    /// `[start, end)` as day numbers.
    pub fn numbers(&self) -> (i32, i32) {
        (day_number(self.start), day_number(self.end))
    }

    /// The range of the same length that ends where this one starts.
    pub fn previous(&self) -> Result<DayRange, AnalyticsError> {
        let (s, _) = self.numbers();
        let len = i32::try_from(self.days()).map_err(|_| AnalyticsError::Overflow)?;
        Ok(DayRange {
            start: day_date(s - len)?,
            end: self.start,
        })
    }
}

impl RangeSpec {
    /// The business days of this range when today is `today`.
    ///
    /// # Errors
    /// [`AnalyticsError::EndBeforeStart`] and [`AnalyticsError::RangeTooLong`] for custom
    /// ranges; [`AnalyticsError::Time`] at the ends of the calendar.
    pub fn resolve(&self, today: Date) -> Result<DayRange, AnalyticsError> {
        let t = day_number(today);
        let range = match *self {
            RangeSpec::Today => numbered(t, t + 1)?,
            RangeSpec::Yesterday => numbered(t - 1, t)?,
            RangeSpec::LastDays(n) => numbered(t + 1 - i32::from(n), t + 1)?,
            RangeSpec::ThisMonth => DayRange {
                start: today.first_of_month(),
                end: day_date(t + 1)?,
            },
            RangeSpec::LastMonth => {
                let first = today.first_of_month();
                let start = first
                    .checked_sub(Span::new().months(1))
                    .map_err(|_| crate::time::TimeError::DateOutOfRange(first))?;
                DayRange { start, end: first }
            }
            RangeSpec::Custom { from, to } => {
                if to < from {
                    return Err(AnalyticsError::EndBeforeStart { from, to });
                }
                let end = to
                    .tomorrow()
                    .map_err(|_| crate::time::TimeError::DateOutOfRange(to))?;
                DayRange { start: from, end }
            }
        };
        let days = range.days();
        if days > MAX_RANGE_DAYS {
            return Err(AnalyticsError::RangeTooLong {
                days,
                max: MAX_RANGE_DAYS,
            });
        }
        Ok(range)
    }
}

fn numbered(start: i32, end: i32) -> Result<DayRange, AnalyticsError> {
    Ok(DayRange {
        start: day_date(start)?,
        end: day_date(end)?,
    })
}

/// Days since 1970-01-01 (negative before).
pub fn day_number(d: Date) -> i32 {
    // Every jiff date is within ±7.3 million days of 1970: always representable.
    EPOCH.until(d).map_or(0, |span| span.get_days())
}

/// The date of a day number.
pub fn day_date(n: i32) -> Result<Date, AnalyticsError> {
    EPOCH
        .checked_add(Span::new().days(i64::from(n)))
        .map_err(|_| AnalyticsError::Time(crate::time::TimeError::OutOfRange(i64::from(n))))
}

/// Monday = 0 ... Sunday = 6 of a day number (1970-01-01 was a Thursday).
pub fn weekday(day: i32) -> usize {
    // rem_euclid(7) is 0..=6: the cast cannot truncate.
    (i64::from(day) + 3).rem_euclid(7) as usize
}

/// `year * 12 + month - 1` of a day number: the month rollup's key.
pub fn month_number(day: i32) -> i32 {
    let d = day_date(day).unwrap_or(EPOCH);
    i32::from(d.year()) * 12 + i32::from(d.month()) - 1
}

/// The first day number of a month number.
pub fn month_start_day(month: i32) -> Result<i32, AnalyticsError> {
    let year = i16::try_from(month.div_euclid(12)).map_err(|_| AnalyticsError::Overflow)?;
    // 1..=12: the cast cannot truncate.
    let m = (month.rem_euclid(12) + 1) as i8;
    let d = Date::new(year, m, 1).map_err(|_| AnalyticsError::Overflow)?;
    Ok(day_number(d))
}

/// How finely a series cuts its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// Local hours of a one-day range.
    Hour,
    /// Business days (ranges up to 92 days).
    Day,
    /// Seven-day steps from the range's first day (ranges up to 366 days).
    Week,
    /// Calendar months, cut at the range's ends (longer ranges).
    Month,
}

impl Grain {
    /// The grain a range of `days` days calls for.
    pub fn for_days(days: i64) -> Grain {
        match days {
            ..=1 => Grain::Hour,
            2..=92 => Grain::Day,
            93..=366 => Grain::Week,
            _ => Grain::Month,
        }
    }

    /// The stable English identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Hour => "hour",
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
        }
    }
}

/// The day buckets `[start, end)` of a range for a day, week or month grain (for the hour
/// grain, the range's single day).
pub fn day_buckets(range: &DayRange, grain: Grain) -> Result<Vec<(i32, i32)>, AnalyticsError> {
    let (s, e) = range.numbers();
    let mut out = Vec::new();
    match grain {
        Grain::Hour => out.push((s, e)),
        Grain::Day => out.extend((s..e).map(|d| (d, d + 1))),
        Grain::Week => {
            let mut d = s;
            while d < e {
                out.push((d, (d + 7).min(e)));
                d += 7;
            }
        }
        Grain::Month => {
            let mut d = s;
            while d < e {
                let next = month_start_day(month_number(d) + 1)?.min(e);
                out.push((d, next));
                d = next;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn names_parse_and_print_back() {
        for name in [
            "today",
            "yesterday",
            "7d",
            "30d",
            "90d",
            "365d",
            "month",
            "last-month",
            "2026-01-01..2026-01-31",
        ] {
            assert_eq!(name.parse::<RangeSpec>().unwrap().to_string(), name);
        }
        for bad in [
            "",
            "8d",
            "2026-01-01",
            "2026-01-01..",
            "2026-02-30..2026-03-01",
            "x..y",
        ] {
            assert!(matches!(
                bad.parse::<RangeSpec>(),
                Err(AnalyticsError::UnknownRange(_))
            ));
        }
    }

    #[test]
    fn ranges_are_half_open_and_previous_has_the_same_length() {
        let today = d("2026-03-10");
        let r = RangeSpec::LastDays(7).resolve(today).unwrap();
        assert_eq!((r.start, r.end), (d("2026-03-04"), d("2026-03-11")));
        let p = r.previous().unwrap();
        assert_eq!((p.start, p.end, p.days()), (d("2026-02-25"), r.start, 7));
        let m = RangeSpec::ThisMonth.resolve(today).unwrap();
        assert_eq!((m.start, m.days()), (d("2026-03-01"), 10));
        let lm = RangeSpec::LastMonth.resolve(today).unwrap();
        assert_eq!(
            (lm.start, lm.end, lm.days()),
            (d("2026-02-01"), d("2026-03-01"), 28)
        );
        let y = RangeSpec::Yesterday.resolve(today).unwrap();
        assert_eq!((y.start, y.days()), (d("2026-03-09"), 1));
    }

    #[test]
    fn bad_custom_ranges_are_typed_errors() {
        let today = d("2026-03-10");
        let back = "2026-03-10..2026-03-01".parse::<RangeSpec>().unwrap();
        assert!(matches!(
            back.resolve(today),
            Err(AnalyticsError::EndBeforeStart { .. })
        ));
        let twenty = "2006-01-01..2025-12-31".parse::<RangeSpec>().unwrap();
        assert!(matches!(
            twenty.resolve(today),
            Err(AnalyticsError::RangeTooLong { days: 7305, .. })
        ));
        let one = "2026-03-01..2026-03-01".parse::<RangeSpec>().unwrap();
        assert_eq!(one.resolve(today).unwrap().days(), 1);
    }

    #[test]
    fn day_numbers_and_buckets() {
        assert_eq!(day_number(d("1970-01-01")), 0);
        assert_eq!(day_number(d("1969-12-31")), -1);
        assert_eq!(
            day_date(day_number(d("2026-11-11"))).unwrap(),
            d("2026-11-11")
        );
        assert_eq!(weekday(day_number(d("2026-12-07"))), 0); // a Monday
        assert_eq!(
            month_start_day(month_number(day_number(d("2026-02-17")))).unwrap(),
            day_number(d("2026-02-01"))
        );
        let r = DayRange {
            start: d("2026-01-15"),
            end: d("2026-04-02"),
        };
        let months = day_buckets(&r, Grain::Month).unwrap();
        assert_eq!(months.len(), 4);
        assert_eq!(
            months[0],
            (day_number(d("2026-01-15")), day_number(d("2026-02-01")))
        );
        assert_eq!(months[3].1, day_number(d("2026-04-02")));
        let weeks = day_buckets(&r, Grain::Week).unwrap();
        assert_eq!(weeks.last().unwrap().1, day_number(d("2026-04-02")));
        assert_eq!(Grain::for_days(1), Grain::Hour);
        assert_eq!(Grain::for_days(30), Grain::Day);
        assert_eq!(Grain::for_days(365), Grain::Week);
        assert_eq!(Grain::for_days(700), Grain::Month);
    }
}
