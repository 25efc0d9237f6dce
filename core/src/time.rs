//! Time: the injected clock and the shop's calendar.
//!
//! Instants are UTC epoch milliseconds (`i64`) in storage and on the wire.
//! Business days, hours and weeks are civil notions, so they are computed in
//! the shop's IANA time zone ([`ShopZone`], default [`DEFAULT_TIME_ZONE`])
//! with jiff and its bundled time zone database, the same on every phone.
//!
//! "Now" comes from a [`Clock`] that the caller injects, so tests and the CLI
//! can set it; nothing in the core reads the system time directly.
//!
//! A business day is the half-open interval `[start of day, start of next
//! day)` returned by [`ShopZone::day_bounds_ms`]; it is 24 hours long except
//! on time zone transitions (23 or 25 hours on DST days, and possibly empty
//! when a zone skips a whole date). [`ShopZone::business_day`] is defined to
//! agree with these bounds, so grouping orders by `business_day` and querying
//! `day_bounds_ms` always select the same orders.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, ISOWeekDate, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

/// The shop time zone used when the shop has not set one: China Standard Time.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// Why a time computation failed.
#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    /// The name is not an IANA time zone in the bundled database.
    #[error("unknown time zone {name:?}: use an IANA name such as \"Asia/Shanghai\"")]
    UnknownZone {
        /// The name as given.
        name: String,
        /// jiff's lookup error, when there was one (`Etc/Unknown` is found
        /// but refused, so it has none).
        #[source]
        source: Option<jiff::Error>,
    },
    /// The epoch milliseconds are beyond the supported range of instants
    /// (roughly years -9999 to 9999).
    #[error("time {0} ms is outside the supported range")]
    OutOfRange(i64),
    /// The text is not a valid `YYYY-MM-DD` date.
    #[error("not a valid date: {0:?} (expected YYYY-MM-DD, for example 2026-11-11)")]
    InvalidDate(String),
    /// The date is valid but its day cannot be expressed as instants (only
    /// at the very ends of the supported range).
    #[error("date {0} is outside the supported range")]
    DateOutOfRange(Date),
}

impl TimeError {
    /// What to tell the seller, in `language`.
    pub fn message(&self, language: crate::locale::Language) -> String {
        use crate::locale::Language::{En, ZhCn};
        match (self, language) {
            (TimeError::UnknownZone { name, .. }, ZhCn) => {
                format!("未知的时区 {name}，请使用 IANA 时区名称，例如 Asia/Shanghai。")
            }
            (TimeError::UnknownZone { name, .. }, En) => {
                format!("Unknown time zone {name}: use an IANA name such as Asia/Shanghai.")
            }
            (TimeError::InvalidDate(s), ZhCn) => {
                format!("{s} 不是有效的日期，请按 YYYY-MM-DD 填写，例如 2026-11-11。")
            }
            (TimeError::InvalidDate(s), En) => {
                format!("{s} is not a valid date: write it as YYYY-MM-DD, for example 2026-11-11.")
            }
            (TimeError::OutOfRange(_) | TimeError::DateOutOfRange(_), ZhCn) => {
                "这个时间超出了支持的范围。".to_owned()
            }
            (TimeError::OutOfRange(_) | TimeError::DateOutOfRange(_), En) => {
                "This time is outside the supported range.".to_owned()
            }
        }
    }
}

/// A source of "now" in UTC epoch milliseconds.
///
/// The shells and tests implement it; the core never reads the system clock
/// itself, so any rule that depends on "now" can be tested at a chosen time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant, in milliseconds since 1970-01-01T00:00:00Z.
    fn now_ms(&self) -> i64;
}

/// The real clock of the device.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        // A phone's clock can be set before 1970; that is an error for
        // duration_since, not for us. Saturate rather than panic.
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        }
    }
}

/// A clock that stands still until told otherwise: for tests, demos and the
/// CLI's `--now`. Shared safely between threads.
#[derive(Debug, Default)]
pub struct FixedClock {
    ms: AtomicI64,
}

impl FixedClock {
    /// A clock reading `ms`.
    #[must_use]
    pub const fn new(ms: i64) -> FixedClock {
        FixedClock {
            ms: AtomicI64::new(ms),
        }
    }

    /// Sets the clock to `ms`.
    pub fn set(&self, ms: i64) {
        self.ms.store(ms, Ordering::SeqCst);
    }

    /// Moves the clock by `delta_ms` (negative goes back), saturating at the
    /// ends of `i64` instead of wrapping.
    pub fn advance(&self, delta_ms: i64) {
        // fetch_add would wrap on overflow; the closure always returns Some,
        // so fetch_update cannot fail.
        let _ = self
            .ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |ms| {
                Some(ms.saturating_add(delta_ms))
            });
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst)
    }
}

/// An ISO 8601 week: weeks start on Monday and week 1 is the week with the
/// year's first Thursday, so `year` can differ from the calendar year near
/// New Year. Orders chronologically. Displays as `2026-W48`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    /// The ISO week-numbering year.
    pub year: i16,
    /// The week of that year, `1..=53`.
    pub week: i8,
}

impl IsoWeek {
    /// The ISO week that contains `date`.
    #[must_use]
    pub fn of(date: Date) -> IsoWeek {
        let week_date = date.iso_week_date();
        IsoWeek {
            year: week_date.year(),
            week: week_date.week(),
        }
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Four-digit years as ISO 8601 writes them; the sign only for the
        // (theoretical) years before year 0.
        if self.year < 0 {
            write!(f, "-{:04}-W{:02}", self.year.unsigned_abs(), self.week)
        } else {
            write!(f, "{:04}-W{:02}", self.year, self.week)
        }
    }
}

/// The shop's time zone: an IANA zone from the bundled database, with its
/// canonical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShopZone {
    tz: TimeZone,
    name: String,
}

impl ShopZone {
    /// Looks up an IANA time zone name such as `Asia/Shanghai` (matched
    /// case-insensitively; the canonical spelling is kept).
    ///
    /// # Errors
    ///
    /// [`TimeError::UnknownZone`] if the name is not in the database.
    /// Fixed offsets and POSIX TZ strings are refused: a shop's calendar
    /// must follow its region's rules.
    pub fn new(name: &str) -> Result<ShopZone, TimeError> {
        let unknown = |source| TimeError::UnknownZone {
            name: name.to_owned(),
            source,
        };
        let tz = TimeZone::get(name).map_err(|e| unknown(Some(e)))?;
        // jiff maps "Etc/Unknown" to a placeholder zone that behaves like UTC;
        // accepting it would hide a configuration mistake.
        if tz.is_unknown() {
            return Err(unknown(None));
        }
        let canonical = tz.iana_name().unwrap_or(name).to_owned();
        Ok(ShopZone {
            tz,
            name: canonical,
        })
    }

    /// The zone's canonical IANA name, e.g. `Asia/Shanghai`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The underlying jiff time zone, for computations this type does not
    /// offer.
    #[must_use]
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The shop's business day (local calendar date) of the instant `ms`.
    ///
    /// Always the date `d` with `day_bounds_ms(d)` containing `ms`. That is
    /// the local wall-clock date, except in the rare zones whose clocks once
    /// went back across midnight, where the repeated late-evening hour
    /// belongs to the new day (whose bounds already began).
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] if `ms` is beyond the supported instants.
    pub fn business_day(&self, ms: i64) -> Result<Date, TimeError> {
        let local = self.local(ms)?;
        let date = local.date();
        // Only a backward jump across midnight can put `ms` past the next
        // day's start while the wall clock still shows `date`. If the next
        // day cannot be computed (end of range), `ms` cannot be past it.
        if let Ok(next) = date.tomorrow()
            && let Ok(next_start) = self.day_start_ms(next)
            && ms >= next_start
        {
            return Ok(next);
        }
        Ok(date)
    }

    /// The local hour of the instant `ms`, `0..=23`, as a shop's "orders by
    /// hour" chart shows it.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] if `ms` is beyond the supported instants.
    pub fn hour_of_day(&self, ms: i64) -> Result<u8, TimeError> {
        let hour = self.local(ms)?.hour();
        // jiff guarantees 0..=23; the conversion just avoids a cast.
        u8::try_from(hour).map_err(|_| TimeError::OutOfRange(ms))
    }

    /// The ISO week of the business day of `ms`.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] if `ms` is beyond the supported instants.
    pub fn iso_week(&self, ms: i64) -> Result<IsoWeek, TimeError> {
        self.business_day(ms).map(IsoWeek::of)
    }

    /// The first instant of business day `date`, in epoch milliseconds.
    ///
    /// Usually local midnight. When midnight does not exist (a DST gap at
    /// midnight, as in São Paulo or Havana) it is the instant the clocks
    /// jump, i.e. the first instant whose wall-clock date is `date`; when
    /// midnight happens twice it is the first one.
    ///
    /// # Errors
    ///
    /// [`TimeError::DateOutOfRange`] at the extreme ends of the date range.
    pub fn day_start_ms(&self, date: Date) -> Result<i64, TimeError> {
        let midnight = DateTime::from_parts(date, Time::midnight());
        let out_of_range = |_| TimeError::DateOutOfRange(date);
        let start = match self.tz.to_ambiguous_timestamp(midnight).offset() {
            AmbiguousOffset::Unambiguous { offset } => {
                offset.to_timestamp(midnight).map_err(out_of_range)?
            }
            // The earlier midnight: the day starts at its first occurrence.
            AmbiguousOffset::Fold { before, .. } => {
                before.to_timestamp(midnight).map_err(out_of_range)?
            }
            AmbiguousOffset::Gap { before, after } => self
                .gap_start(midnight, before, after)
                .map_err(out_of_range)?,
        };
        Ok(start.as_millisecond())
    }

    /// `[start, end)` of business day `date` in epoch milliseconds, where
    /// `end` is the start of the next day: consecutive days abut with no gap
    /// or overlap. The length is 24 h, or 23 h / 25 h on DST days (and 0 for
    /// a date a zone skipped entirely, such as 2011-12-30 in Samoa).
    ///
    /// # Errors
    ///
    /// [`TimeError::DateOutOfRange`] at the extreme ends of the date range.
    pub fn day_bounds_ms(&self, date: Date) -> Result<(i64, i64), TimeError> {
        let next = date
            .tomorrow()
            .map_err(|_| TimeError::DateOutOfRange(date))?;
        Ok((self.day_start_ms(date)?, self.day_start_ms(next)?))
    }

    /// The Monday that starts the ISO week of `date`.
    ///
    /// Weeks start on Monday in China (and in ISO 8601) whatever the zone;
    /// this is a method so that call sites read alike and a per-shop week
    /// start could be added without changing them.
    #[must_use]
    pub fn week_start_day(&self, date: Date) -> Date {
        // first_of_week cannot fail: jiff's first date, -9999-01-01, is a
        // Monday. Falling back to the date itself avoids a panic path.
        date.iso_week_date()
            .first_of_week()
            .map_or(date, ISOWeekDate::date)
    }

    /// The wall-clock date and time of `ms` in this zone.
    fn local(&self, ms: i64) -> Result<DateTime, TimeError> {
        let ts = timestamp(ms)?;
        Ok(self.tz.to_datetime(ts))
    }

    /// The instant the clocks jump over `midnight`, which lies in a gap
    /// between offsets `before` and `after`.
    ///
    /// jiff's "compatible" reading of a nonexistent midnight (what
    /// `start_of_day` uses) shifts it forward by the gap's length. That is the
    /// jump instant when the gap starts exactly at midnight (the usual case),
    /// but lands inside the new day when a gap straddles midnight. The jump is
    /// the first transition after `midnight - after` (before which the wall
    /// clock still shows the previous day).
    fn gap_start(
        &self,
        midnight: DateTime,
        before: Offset,
        after: Offset,
    ) -> Result<Timestamp, jiff::Error> {
        let compatible = before.to_timestamp(midnight)?;
        let jump = after
            .to_timestamp(midnight)
            .ok()
            .and_then(|earliest| self.tz.following(earliest).next())
            .map(|transition| transition.timestamp());
        Ok(match jump {
            // Sanity check: the jump can never be later than the compatible
            // reading; if the data says otherwise, trust jiff.
            Some(jump) if jump <= compatible => jump,
            _ => compatible,
        })
    }
}

impl Default for ShopZone {
    /// The shop zone for [`DEFAULT_TIME_ZONE`] (Asia/Shanghai).
    fn default() -> ShopZone {
        match ShopZone::new(DEFAULT_TIME_ZONE) {
            Ok(zone) => zone,
            // Unreachable: the database is compiled in (tzdb-bundle-always).
            // China has kept UTC+8 since 1991, so this is the right answer
            // for any order the app will see.
            Err(_) => ShopZone {
                tz: TimeZone::fixed(Offset::constant(8)),
                name: DEFAULT_TIME_ZONE.to_owned(),
            },
        }
    }
}

impl fmt::Display for ShopZone {
    /// The zone's IANA name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Parses a `YYYY-MM-DD` date, as QA and the CLI type it (surrounding
/// whitespace allowed). Nothing else is accepted: no times, no `20261111`.
///
/// # Errors
///
/// [`TimeError::InvalidDate`] for any other shape or a date that does not
/// exist (`2026-02-30`).
pub fn parse_date(input: &str) -> Result<Date, TimeError> {
    let text = input.trim();
    let invalid = || TimeError::InvalidDate(echo(text));
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(invalid());
    }
    // Shape checked: all three slices are ASCII digits on char boundaries.
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|digits| digits.parse::<i16>().ok())
            .ok_or_else(invalid)
    };
    let year = number(0..4)?;
    let month = i8::try_from(number(5..7)?).map_err(|_| invalid())?;
    let day = i8::try_from(number(8..10)?).map_err(|_| invalid())?;
    Date::new(year, month, day).map_err(|_| invalid())
}

/// The instant `ms` as the shop's wall clock shows it, with its offset:
/// `2026-11-27 23:35:00 +08:00` (RFC 3339 with a space separator and
/// whole seconds).
///
/// # Errors
///
/// [`TimeError::OutOfRange`] if `ms` is beyond the supported instants.
pub fn format_ms_rfc3339(ms: i64, zone: &ShopZone) -> Result<String, TimeError> {
    let ts = timestamp(ms)?;
    let local = zone.tz.to_datetime(ts);
    let offset = zone.tz.to_offset(ts);
    // Written by hand rather than with strftime: formatting fixed-width
    // integers cannot fail, so there is no error path to reach a panic.
    let year = i32::from(local.year());
    let year_text = if year < 0 {
        format!("-{:04}", year.unsigned_abs())
    } else {
        format!("{year:04}")
    };
    Ok(format!(
        "{year_text}-{:02}-{:02} {:02}:{:02}:{:02} {}",
        local.month(),
        local.day(),
        local.hour(),
        local.minute(),
        local.second(),
        format_offset(offset),
    ))
}

/// `+08:00`, `-04:00`, `+05:45`; seconds only for historical local mean
/// times such as Shanghai's `+08:05:43` before 1901.
fn format_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let magnitude = total.unsigned_abs();
    let (hours, minutes, seconds) = (magnitude / 3600, magnitude / 60 % 60, magnitude % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}:{minutes:02}")
    } else {
        format!("{sign}{hours:02}:{minutes:02}:{seconds:02}")
    }
}

/// The business day and hour of many instants that mostly fall on the same day, such as a
/// synced page's orders: it keeps the last day's bounds, so an instant on that day costs
/// two comparisons instead of three time zone conversions.
///
/// Gives exactly what [`ShopZone::business_day`] and [`ShopZone::hour_of_day`] give.
#[derive(Debug)]
pub struct DayCutter<'z> {
    zone: &'z ShopZone,
    last: Option<CutDay>,
}

/// A business day's bounds, and whether its hours are plain: it starts at local midnight and
/// no transition falls inside it, so the local hour is the hours elapsed since the start.
#[derive(Clone, Copy, Debug)]
struct CutDay {
    start: i64,
    end: i64,
    date: Date,
    plain_hours: bool,
}

impl<'z> DayCutter<'z> {
    /// A cutter for `zone`, with nothing remembered yet.
    #[must_use]
    pub fn new(zone: &'z ShopZone) -> DayCutter<'z> {
        DayCutter { zone, last: None }
    }

    /// The business day and the local hour (0..=23) of `ms`.
    ///
    /// # Errors
    ///
    /// [`TimeError::OutOfRange`] if `ms` is beyond the supported instants.
    pub fn day_and_hour(&mut self, ms: i64) -> Result<(Date, u8), TimeError> {
        let day = match self.last {
            Some(day) if day.start <= ms && ms < day.end => day,
            _ => {
                let day = self.cut(ms)?;
                self.last = Some(day);
                day
            }
        };
        let hour = if day.plain_hours {
            // At most 23: the day is 24 hours long when its hours are plain.
            u8::try_from((ms - day.start) / 3_600_000).map_err(|_| TimeError::OutOfRange(ms))?
        } else {
            self.zone.hour_of_day(ms)?
        };
        Ok((day.date, hour))
    }

    fn cut(&self, ms: i64) -> Result<CutDay, TimeError> {
        let date = self.zone.business_day(ms)?;
        let (start, end) = self.zone.day_bounds_ms(date)?;
        let starts_at_midnight = self.zone.local(start)?.time() == Time::midnight();
        let no_transition = self
            .zone
            .tz
            .following(timestamp(start)?)
            .next()
            .is_none_or(|t| t.timestamp().as_millisecond() >= end);
        Ok(CutDay {
            start,
            end,
            date,
            plain_hours: starts_at_midnight && no_transition && end - start == 86_400_000,
        })
    }
}

/// Epoch milliseconds to a jiff instant, or the typed range error.
fn timestamp(ms: i64) -> Result<Timestamp, TimeError> {
    Timestamp::from_millisecond(ms).map_err(|_| TimeError::OutOfRange(ms))
}

/// The input as quoted back in an error, cut to a readable length.
fn echo(input: &str) -> String {
    const MAX_CHARS: usize = 40;
    if input.chars().count() <= MAX_CHARS {
        input.to_owned()
    } else {
        let mut cut: String = input.chars().take(MAX_CHARS).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const HOUR: i64 = 3_600_000;

    fn zone(name: &str) -> ShopZone {
        match ShopZone::new(name) {
            Ok(z) => z,
            Err(e) => panic!("test zone {name}: {e}"),
        }
    }

    /// Epoch ms of an RFC 3339 instant, for readable test data.
    fn ms(text: &str) -> i64 {
        match text.parse::<Timestamp>() {
            Ok(ts) => ts.as_millisecond(),
            Err(e) => panic!("test instant {text}: {e}"),
        }
    }

    #[test]
    fn shanghai_business_day_starts_at_local_midnight() -> Result<(), TimeError> {
        let sh = ShopZone::default();
        assert_eq!(sh.name(), "Asia/Shanghai");
        let midnight = ms("2026-11-11T16:00:00Z");
        assert_eq!(sh.business_day(midnight)?, date(2026, 11, 12));
        assert_eq!(sh.business_day(midnight - 1)?, date(2026, 11, 11));
        assert_eq!(sh.hour_of_day(midnight)?, 0);
        assert_eq!(sh.hour_of_day(midnight - 1)?, 23);
        assert_eq!(sh.day_start_ms(date(2026, 11, 12))?, midnight);
        assert_eq!(
            sh.day_bounds_ms(date(2026, 11, 12))?,
            (midnight, midnight + 24 * HOUR)
        );
        Ok(())
    }

    #[test]
    fn new_york_dst_days_have_23_and_25_hours() -> Result<(), TimeError> {
        let ny = zone("America/New_York");
        let (start, end) = ny.day_bounds_ms(date(2026, 3, 8))?;
        assert_eq!(end - start, 23 * HOUR);
        assert_eq!(start, ms("2026-03-08T05:00:00Z"));
        let (start, end) = ny.day_bounds_ms(date(2026, 11, 1))?;
        assert_eq!(end - start, 25 * HOUR);
        assert_eq!(start, ms("2026-11-01T04:00:00Z"));
        let (start, end) = ny.day_bounds_ms(date(2026, 7, 1))?;
        assert_eq!(end - start, 24 * HOUR);
        Ok(())
    }

    #[test]
    fn missing_midnight_starts_the_day_at_the_jump() -> Result<(), TimeError> {
        // São Paulo skipped 00:00-01:00 on 2015-10-18.
        let sp = zone("America/Sao_Paulo");
        let start = sp.day_start_ms(date(2015, 10, 18))?;
        assert_eq!(start, ms("2015-10-18T03:00:00Z"));
        assert_eq!(sp.business_day(start)?, date(2015, 10, 18));
        assert_eq!(sp.business_day(start - 1)?, date(2015, 10, 17));
        assert_eq!(sp.hour_of_day(start)?, 1);
        // Samoa skipped 2011-12-30 altogether: an empty day.
        let apia = zone("Pacific/Apia");
        let (s, e) = apia.day_bounds_ms(date(2011, 12, 30))?;
        assert_eq!(s, e);
        assert_eq!(apia.day_bounds_ms(date(2011, 12, 29))?.1, s);
        assert_eq!(apia.day_bounds_ms(date(2011, 12, 31))?.0, e);
        Ok(())
    }

    #[test]
    fn gap_straddling_midnight_starts_the_day_at_the_jump() -> Result<(), TimeError> {
        // Toronto jumped from 23:30 EST to 00:30 EDT on 1919-03-30/31; jiff's
        // "compatible" midnight would be 01:00, half an hour too late.
        let to = zone("America/Toronto");
        let start = to.day_start_ms(date(1919, 3, 31))?;
        assert_eq!(format_ms_rfc3339(start, &to)?, "1919-03-31 00:30:00 -04:00");
        assert_eq!(to.business_day(start - 1)?, date(1919, 3, 30));
        assert_eq!(to.business_day(start)?, date(1919, 3, 31));
        Ok(())
    }

    #[test]
    fn fold_across_midnight_belongs_to_the_new_day() -> Result<(), TimeError> {
        // Goose Bay fell back an hour at 00:01 on 1987-10-25, showing 23:01
        // on the 24th again; the 25th had already begun at the first
        // midnight, so those instants are business day 25.
        let gb = zone("America/Goose_Bay");
        let (start, end) = gb.day_bounds_ms(date(1987, 10, 25))?;
        let repeated = ms("1987-10-25T03:30:00Z");
        assert_eq!(
            format_ms_rfc3339(repeated, &gb)?,
            "1987-10-24 23:30:00 -04:00"
        );
        assert_eq!(start, ms("1987-10-25T03:00:00Z"));
        assert!(start <= repeated && repeated < end);
        assert_eq!(gb.business_day(repeated)?, date(1987, 10, 25));
        assert_eq!(gb.hour_of_day(repeated)?, 23);
        assert_eq!(gb.business_day(start - 1)?, date(1987, 10, 24));
        Ok(())
    }

    #[test]
    fn day_invariants_hold_around_every_transition() -> Result<(), TestCaseError> {
        // Deterministic complement to the random properties: probe both
        // sides of every transition from 1900 to 2100.
        let from = timestamp(-2_208_988_800_000).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut probes = 0;
        for name in ZONES.iter().chain(ODD_ZONES.iter()) {
            let z = zone(name);
            for transition in z.time_zone().following(from) {
                let t = transition.timestamp().as_millisecond();
                if t >= 4_102_444_800_000 {
                    break;
                }
                for delta in [-HOUR - 1, -1, 0, 1, HOUR / 2, HOUR - 1] {
                    check_day_invariants(&z, t + delta)?;
                    probes += 1;
                }
            }
        }
        assert!(probes > 1_000, "only {probes} probes");
        Ok(())
    }

    #[test]
    fn iso_weeks() -> Result<(), TimeError> {
        let sh = ShopZone::default();
        let week = sh.iso_week(ms("2026-11-27T15:35:00Z"))?;
        assert_eq!(
            week,
            IsoWeek {
                year: 2026,
                week: 48
            }
        );
        assert_eq!(week.to_string(), "2026-W48");
        // 2027-01-01 (a Friday) is in the last week of 2026.
        assert_eq!(IsoWeek::of(date(2027, 1, 1)).to_string(), "2026-W53");
        assert_eq!(IsoWeek::of(date(2024, 12, 30)).to_string(), "2025-W01");
        assert_eq!(IsoWeek { year: -1, week: 2 }.to_string(), "-0001-W02");
        assert_eq!(sh.week_start_day(date(2026, 11, 27)), date(2026, 11, 23));
        assert_eq!(sh.week_start_day(date(2026, 11, 23)), date(2026, 11, 23));
        assert_eq!(sh.week_start_day(date(2026, 11, 29)), date(2026, 11, 23));
        assert_eq!(sh.week_start_day(Date::MIN), Date::MIN);
        assert_eq!(sh.week_start_day(Date::MAX), date(9999, 12, 27));
        Ok(())
    }

    #[test]
    fn zones_are_checked() {
        assert!(matches!(
            ShopZone::new("Mars/Olympus_Mons"),
            Err(TimeError::UnknownZone { .. })
        ));
        assert!(matches!(
            ShopZone::new(""),
            Err(TimeError::UnknownZone { .. })
        ));
        assert!(matches!(
            ShopZone::new("Etc/Unknown"),
            Err(TimeError::UnknownZone { source: None, .. })
        ));
        assert!(matches!(
            ShopZone::new("+08:00"),
            Err(TimeError::UnknownZone { .. })
        ));
        assert_eq!(zone("asia/shanghai").name(), "Asia/Shanghai");
        assert_eq!(zone("UTC").name(), "UTC");
        assert_eq!(zone("asia/shanghai"), ShopZone::default());
        assert_eq!(ShopZone::default().to_string(), "Asia/Shanghai");
        let msg = ShopZone::new("Nowhere").err().map(|e| e.to_string());
        assert_eq!(
            msg.as_deref(),
            Some("unknown time zone \"Nowhere\": use an IANA name such as \"Asia/Shanghai\"")
        );
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        let sh = ShopZone::default();
        for bad in [
            i64::MAX,
            i64::MIN,
            400_000_000_000_000,
            -400_000_000_000_000,
        ] {
            assert!(matches!(sh.business_day(bad), Err(TimeError::OutOfRange(m)) if m == bad));
            assert!(matches!(sh.hour_of_day(bad), Err(TimeError::OutOfRange(_))));
            assert!(matches!(sh.iso_week(bad), Err(TimeError::OutOfRange(_))));
            assert!(matches!(
                format_ms_rfc3339(bad, &sh),
                Err(TimeError::OutOfRange(_))
            ));
        }
        assert!(matches!(
            sh.day_bounds_ms(Date::MAX),
            Err(TimeError::DateOutOfRange(_))
        ));
        assert!(matches!(
            zone("Pacific/Kiritimati").day_start_ms(Date::MIN),
            Err(TimeError::DateOutOfRange(_))
        ));
        assert_eq!(
            TimeError::OutOfRange(5).to_string(),
            "time 5 ms is outside the supported range"
        );
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2026-11-11").ok(), Some(date(2026, 11, 11)));
        assert_eq!(parse_date(" 2024-02-29\n").ok(), Some(date(2024, 2, 29)));
        for bad in [
            "",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-1",
            "20261111",
            "2026/11/11",
            "2026-11-11T00:00",
            "+2026-11-11",
            "2026-11-1a",
            "２０２６-11-11",
            "2026-11-11x",
            "-026-11-11",
        ] {
            assert!(
                matches!(parse_date(bad), Err(TimeError::InvalidDate(_))),
                "{bad:?} was accepted"
            );
        }
        assert_eq!(
            parse_date("11/11/2026")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("not a valid date: \"11/11/2026\" (expected YYYY-MM-DD, for example 2026-11-11)")
        );
    }

    #[test]
    fn formats_in_shop_time() -> Result<(), TimeError> {
        let sh = ShopZone::default();
        let t = ms("2026-11-27T15:35:00.999Z");
        assert_eq!(format_ms_rfc3339(t, &sh)?, "2026-11-27 23:35:00 +08:00");
        assert_eq!(
            format_ms_rfc3339(t, &zone("America/New_York"))?,
            "2026-11-27 10:35:00 -05:00"
        );
        assert_eq!(
            format_ms_rfc3339(t, &zone("Asia/Kathmandu"))?,
            "2026-11-27 21:20:00 +05:45"
        );
        assert_eq!(
            format_ms_rfc3339(0, &zone("UTC"))?,
            "1970-01-01 00:00:00 +00:00"
        );
        assert_eq!(
            format_ms_rfc3339(ms("1900-01-01T00:00:00Z"), &sh)?,
            "1900-01-01 08:05:43 +08:05:43"
        );
        assert_eq!(
            format_ms_rfc3339(-1, &zone("UTC"))?,
            "1969-12-31 23:59:59 +00:00"
        );
        Ok(())
    }

    #[test]
    fn clocks() {
        let fixed = FixedClock::new(1_000);
        assert_eq!(fixed.now_ms(), 1_000);
        fixed.advance(500);
        assert_eq!(fixed.now_ms(), 1_500);
        fixed.advance(-2_000);
        assert_eq!(fixed.now_ms(), -500);
        fixed.set(i64::MAX - 1);
        fixed.advance(10);
        assert_eq!(fixed.now_ms(), i64::MAX);
        fixed.set(i64::MIN);
        fixed.advance(-1);
        assert_eq!(fixed.now_ms(), i64::MIN);
        // The real clock is after this code was written (2026) on any
        // machine that runs the tests.
        assert!(SystemClock.now_ms() > ms("2026-01-01T00:00:00Z"));
        // Usable as a shared trait object across threads.
        let shared: std::sync::Arc<dyn Clock> = std::sync::Arc::new(FixedClock::new(7));
        let handle = std::thread::spawn({
            let shared = std::sync::Arc::clone(&shared);
            move || shared.now_ms()
        });
        assert_eq!(handle.join().ok(), Some(7));
    }

    const ZONES: [&str; 5] = [
        "Asia/Shanghai",
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "UTC",
    ];

    /// Zones with unusual histories: gaps and folds at midnight, skipped
    /// dates, 30/45-minute offsets, offsets beyond +12.
    const ODD_ZONES: [&str; 12] = [
        "America/Sao_Paulo",
        "America/Havana",
        "America/Santiago",
        "Asia/Tehran",
        "Pacific/Apia",
        "Pacific/Kiritimati",
        "Africa/Casablanca",
        "Asia/Gaza",
        "America/St_Johns",
        "Antarctica/Troll",
        "America/Toronto",
        "America/Goose_Bay",
    ];

    /// 1971-01-01T00:00:00Z ..= 2099-12-31T23:59:59.999Z.
    const REALISTIC_MS: std::ops::RangeInclusive<i64> = 31_536_000_000..=4_102_444_799_999;

    fn check_day_invariants(z: &ShopZone, t: i64) -> Result<(), TestCaseError> {
        let day = z
            .business_day(t)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (start, end) = z
            .day_bounds_ms(day)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(
            start <= t && t < end,
            "{} {t}: {day} is [{start}, {end})",
            z.name()
        );
        // Consecutive days abut.
        let next = day
            .tomorrow()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (next_start, _) = z
            .day_bounds_ms(next)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(next_start, end);
        // The start of a day belongs to it.
        prop_assert_eq!(z.business_day(start).ok(), Some(day));
        prop_assert!(end - start <= 26 * HOUR);
        let hour = z
            .hour_of_day(t)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(hour <= 23);
        prop_assert_eq!(z.iso_week(t).ok(), Some(IsoWeek::of(day)));
        Ok(())
    }

    /// One cutter over many instants agrees with `business_day` and `hour_of_day` at each.
    fn check_cutter(z: &ShopZone, instants: impl IntoIterator<Item = i64>) {
        let mut cutter = DayCutter::new(z);
        for t in instants {
            let expected = (z.business_day(t).ok(), z.hour_of_day(t).ok());
            let got = cutter.day_and_hour(t).ok();
            assert_eq!(
                got.map(|(d, h)| (Some(d), Some(h))),
                Some(expected),
                "{} at {t}",
                z.name()
            );
        }
    }

    #[test]
    fn the_day_cutter_agrees_across_every_transition() {
        // Every transition from 1995 to 2035 in zones with DST, gaps and folds at midnight,
        // skipped dates and half-hour shifts: instants from a day before to a day after it,
        // every 17 minutes, in one cutter (so its remembered day is used across the change).
        let (from, to) = (ms("1995-01-01T00:00:00Z"), ms("2035-01-01T00:00:00Z"));
        let mut transitions = 0;
        for name in ZONES.iter().chain(ODD_ZONES.iter()) {
            let z = zone(name);
            for t in z
                .time_zone()
                .following(Timestamp::from_millisecond(from).unwrap())
            {
                let at = t.timestamp().as_millisecond();
                if at >= to {
                    break;
                }
                transitions += 1;
                check_cutter(&z, (at - 30 * HOUR..at + 30 * HOUR).step_by(17 * 60_000));
            }
        }
        assert!(transitions > 500, "only {transitions} transitions checked");
        // Before 1901 Shanghai's offset had seconds (+08:05:43).
        let z = zone("Asia/Shanghai");
        let old = ms("1899-03-01T00:00:00Z");
        check_cutter(&z, (old..old + 3 * 24 * HOUR).step_by(13 * 60_000));
    }

    proptest! {
        #[test]
        fn the_day_cutter_agrees_on_random_instants(
            base in REALISTIC_MS,
            steps in proptest::collection::vec(-3 * 24 * HOUR..3 * 24 * HOUR, 1..60),
            zi in 0..ZONES.len() + ODD_ZONES.len(),
        ) {
            let name = ZONES.iter().chain(ODD_ZONES.iter()).nth(zi).unwrap();
            check_cutter(&zone(name), steps.into_iter().map(|d| base + d));
        }

        #[test]
        fn business_day_bounds_contain_the_instant(
            t in REALISTIC_MS,
            zi in 0..ZONES.len(),
        ) {
            check_day_invariants(&zone(ZONES[zi]), t)?;
        }

        #[test]
        fn business_day_bounds_hold_in_odd_zones(
            t in -2_208_988_800_000i64..=4_102_444_799_999,
            zi in 0..ODD_ZONES.len(),
        ) {
            check_day_invariants(&zone(ODD_ZONES[zi]), t)?;
        }

        #[test]
        fn day_start_is_in_its_day(
            y in 1971i16..=2099,
            doy in 1i16..=365,
            zi in 0..ZONES.len(),
        ) {
            let z = zone(ZONES[zi]);
            let d = date(y, 1, 1)
                .checked_add(jiff::Span::new().days(i64::from(doy - 1)))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let start = z.day_start_ms(d).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(z.business_day(start).ok(), Some(d));
            let monday = z.week_start_day(d);
            prop_assert_eq!(monday.weekday(), jiff::civil::Weekday::Monday);
            prop_assert!(monday <= d && d.since(monday).map(|s| s.get_days()).ok() < Some(7));
        }

        #[test]
        fn any_ms_is_handled_without_panic(t in any::<i64>(), zi in 0..ZONES.len()) {
            let z = zone(ZONES[zi]);
            match z.business_day(t) {
                Ok(_) => prop_assert!(z.hour_of_day(t).is_ok()),
                Err(TimeError::OutOfRange(m)) => prop_assert_eq!(m, t),
                Err(other) => return Err(TestCaseError::fail(other.to_string())),
            }
            let _ = format_ms_rfc3339(t, &z);
        }

        #[test]
        fn any_date_is_handled_without_panic(
            y in -9999i16..=9999,
            m in 1i8..=12,
            d in 1i8..=28,
            zi in 0..ZONES.len(),
        ) {
            let z = zone(ZONES[zi]);
            let day = date(y, m, d);
            if let Ok((start, end)) = z.day_bounds_ms(day) {
                prop_assert!(start < end);
            }
            let text = format!("{day}");
            if (0..=9999).contains(&y) {
                prop_assert_eq!(parse_date(&text).ok(), Some(day));
            }
        }

        #[test]
        fn parse_date_never_panics(s in "\\PC{0,12}") {
            let _ = parse_date(&s);
        }

        #[test]
        fn fixed_clock_advance_is_saturating_add(start in any::<i64>(), delta in any::<i64>()) {
            let clock = FixedClock::new(start);
            clock.advance(delta);
            prop_assert_eq!(clock.now_ms(), start.saturating_add(delta));
        }
    }
}
