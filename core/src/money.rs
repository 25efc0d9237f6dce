//! Money and percentages, in integers only.
//!
//! Amounts are [`Fen`]: a signed count of fen, the minor unit of the renminbi
//! (1 yuan = 100 fen). Shares and rates are [`Bps`]: basis points, where
//! 10,000 bps is 100%. Floats never appear: binary fractions cannot represent
//! 0.10 exactly and sums of prices must reconcile to the fen with the server.
//!
//! Arithmetic is checked and returns `Option`, so an overflow is a value the
//! caller must handle rather than a panic (debug) or a silent wrap (release).
//! For that reason the types deliberately do not implement `Add`, `Sub` or
//! `Sum`.
//!
//! Text forms:
//! - [`Fen`] displays as `¥1,234.50` / `-¥1,234.50` and parses what a seller
//!   or QA types (`1234`, `1234.5`, `¥1,234.50`, `￥1234`, `-12.30`);
//!   `Fen::parse(&x.to_string()) == Ok(x)` holds for every `i64`.
//! - [`Bps`] displays as `21.35%`.

use std::fmt;
use std::fmt::Write as _;
use std::str::FromStr;

/// Fen per yuan.
const FEN_PER_YUAN: i64 = 100;

/// Basis points in a whole (100%).
const BPS_PER_WHOLE: i128 = 10_000;

/// Longest piece of rejected input echoed back in an error message; keeps
/// messages readable (and small) if something hostile or pasted is parsed.
const MAX_ECHO_CHARS: usize = 40;

/// An amount of money in fen (1/100 of a yuan), the CNY minor unit.
///
/// Serialised as a bare JSON integer, as it is stored and sent on the wire.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Fen(pub i64);

/// A ratio in basis points: 10,000 bps = 100%, 1 bp = 0.01%.
///
/// Used for rates (fees, discounts) and shares such as "mobile share of
/// revenue". Serialised as a bare JSON integer.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Bps(pub i32);

/// Why an amount could not be parsed or computed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    /// Nothing (or only whitespace / a currency sign) was entered.
    #[error("amount is empty")]
    Empty,
    /// More than two digits after the decimal point: fen is the smallest unit.
    #[error("amount has more than two decimal places: {0:?}")]
    TooManyDecimals(String),
    /// Thousands separators not in groups of three (`1,23`, `12,,345`, `,1`).
    #[error("amount has a misplaced thousands separator: {0:?}")]
    MisplacedComma(String),
    /// Not an amount at all: letters, stray signs, a lone decimal point, ...
    #[error("not a valid amount: {0:?} (type a number such as 1234.50)")]
    Invalid(String),
    /// The amount does not fit in an `i64` count of fen.
    #[error("amount is too large")]
    TooLarge,
    /// A money calculation overflowed; for callers turning the `Option` of a
    /// checked operation into an error.
    #[error("overflow")]
    Overflow,
}

impl MoneyError {
    /// What to tell the seller who typed the amount, in `language`.
    pub fn message(&self, language: crate::locale::Language) -> String {
        use crate::locale::Language::{En, ZhCn};
        match (self, language) {
            (MoneyError::Empty, ZhCn) => "请输入金额。".to_owned(),
            (MoneyError::Empty, En) => "Enter an amount.".to_owned(),
            (MoneyError::TooManyDecimals(s), ZhCn) => {
                format!("金额 {s} 的小数超过两位，最小单位是分。")
            }
            (MoneyError::TooManyDecimals(s), En) => {
                format!(
                    "The amount {s} has more than two decimal places; the smallest unit is one fen."
                )
            }
            (MoneyError::MisplacedComma(s), ZhCn) => {
                format!("金额 {s} 的千位分隔符位置不对，例如应写成 1,234.50。")
            }
            (MoneyError::MisplacedComma(s), En) => {
                format!(
                    "The amount {s} has a misplaced thousands separator; write it like 1,234.50."
                )
            }
            (MoneyError::Invalid(s), ZhCn) => {
                format!("{s} 不是有效的金额，请输入数字，例如 1234.50。")
            }
            (MoneyError::Invalid(s), En) => {
                format!("{s} is not a valid amount. Type a number such as 1234.50.")
            }
            (MoneyError::TooLarge | MoneyError::Overflow, ZhCn) => "金额过大。".to_owned(),
            (MoneyError::TooLarge | MoneyError::Overflow, En) => {
                "The amount is too large.".to_owned()
            }
        }
    }
}

impl Fen {
    /// No money.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan to fen; `None` if the result does not fit in `i64`.
    #[must_use]
    pub const fn from_yuan(yuan: i64) -> Option<Fen> {
        match yuan.checked_mul(FEN_PER_YUAN) {
            Some(fen) => Some(Fen(fen)),
            None => None,
        }
    }

    /// The raw count of fen.
    #[must_use]
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_add(self, other: Fen) -> Option<Fen> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    #[must_use]
    pub const fn checked_sub(self, other: Fen) -> Option<Fen> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// `self * factor` (e.g. unit price times quantity), or `None` on overflow.
    #[must_use]
    pub const fn checked_mul(self, factor: i64) -> Option<Fen> {
        match self.0.checked_mul(factor) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// `-self`, or `None` for `Fen(i64::MIN)`, which has no positive twin.
    #[must_use]
    pub const fn checked_neg(self) -> Option<Fen> {
        match self.0.checked_neg() {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// Whether the amount is below zero (a refund, a loss, a debt).
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The sum of all amounts, or `None` if the total does not fit in `i64`.
    ///
    /// The running total is kept in `i128`, so only the final result has to
    /// fit: a large sale followed by a large refund is summed correctly
    /// whatever the order of the items.
    #[must_use]
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(amounts: I) -> Option<Fen> {
        let mut total: i128 = 0;
        for amount in amounts {
            // i128 cannot realistically overflow (it would take 2^64 items),
            // but stay checked rather than assume.
            total = total.checked_add(i128::from(amount.0))?;
        }
        i64::try_from(total).ok().map(Fen)
    }

    /// `self * bps / 10_000`, rounded half away from zero (¥0.005 → ¥0.01,
    /// -¥0.005 → -¥0.01), as commercial rounding does.
    ///
    /// Computed in `i128`, so the product never overflows; `None` only if the
    /// result itself does not fit (possible when `bps` exceeds 100%).
    #[must_use]
    pub fn percent_of(self, bps: Bps) -> Option<Fen> {
        let product = i128::from(self.0) * i128::from(bps.0);
        let rounded = div_round_half_away(product, BPS_PER_WHOLE);
        i64::try_from(rounded).ok().map(Fen)
    }

    /// Parses what a seller or QA types: `1234`, `1234.5`, `1234.50`,
    /// `¥1,234.50`, `￥1234` (full-width yen), `-12.30`, `-¥1,234.50`, with
    /// surrounding whitespace.
    ///
    /// Grammar after trimming: an optional `-`, an optional `¥`/`￥` (which may
    /// be followed by spaces, and by the `-` if it did not come first), digits
    /// optionally grouped by commas in threes, then optionally `.` and one or
    /// two digits. A lone `.5` or `12.` is rejected: it is more likely a typo
    /// than an intended amount.
    ///
    /// # Errors
    ///
    /// [`MoneyError::Empty`], [`MoneyError::TooManyDecimals`],
    /// [`MoneyError::MisplacedComma`], [`MoneyError::Invalid`] or
    /// [`MoneyError::TooLarge`], as their names say.
    pub fn parse(input: &str) -> Result<Fen, MoneyError> {
        let trimmed = input.trim();
        let invalid = || MoneyError::Invalid(echo(trimmed));

        let (mut negative, rest) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let rest = match rest.strip_prefix(['¥', '￥']) {
            // Allow "¥ 12" and "¥-12" as typed on phones; "-¥-12" stays junk.
            Some(after_sign) => {
                let after_sign = after_sign.trim_start();
                match after_sign.strip_prefix('-') {
                    Some(r) if !negative => {
                        negative = true;
                        r
                    }
                    _ => after_sign,
                }
            }
            None => rest,
        };
        if rest.is_empty() {
            return Err(if trimmed.is_empty() || !negative {
                MoneyError::Empty
            } else {
                invalid()
            });
        }

        let (int_part, frac_part) = match rest.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (rest, None),
        };

        // Validate characters first, so that "1.2a3" reads as junk rather
        // than as "too many decimals".
        if !int_part.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            return Err(invalid());
        }
        let frac = match frac_part {
            None => 0,
            Some(f) => {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid());
                }
                if f.len() > 2 {
                    return Err(MoneyError::TooManyDecimals(echo(trimmed)));
                }
                let digits = digits_value(f).ok_or_else(invalid)?;
                // "1.5" means 50 fen, "1.05" means 5.
                if f.len() == 1 { digits * 10 } else { digits }
            }
        };

        let yuan = parse_grouped_integer(int_part).map_err(|e| match e {
            GroupError::Empty => invalid(),
            GroupError::Misplaced => MoneyError::MisplacedComma(echo(trimmed)),
            GroupError::TooLarge => MoneyError::TooLarge,
        })?;

        // Magnitude in i128, then sign: i64::MIN has no positive twin, so the
        // sign must be applied before narrowing.
        let magnitude = yuan
            .checked_mul(i128::from(FEN_PER_YUAN))
            .and_then(|v| v.checked_add(frac))
            .ok_or(MoneyError::TooLarge)?;
        let signed = if negative { -magnitude } else { magnitude };
        i64::try_from(signed)
            .map(Fen)
            .map_err(|_| MoneyError::TooLarge)
    }
}

impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Fen, MoneyError> {
        Fen::parse(s)
    }
}

impl fmt::Display for Fen {
    /// `¥1,234.50`, `-¥1,234.50`, `¥0.05`: the yen sign, thousands
    /// separators and always two decimals. Width and alignment flags apply
    /// to the whole text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // unsigned_abs: i64::MIN has no i64 magnitude.
        let magnitude = self.0.unsigned_abs();
        let yuan = magnitude / FEN_PER_YUAN.unsigned_abs();
        let fen = magnitude % FEN_PER_YUAN.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        let text = format!("{sign}¥{}.{fen:02}", group_thousands(yuan));
        f.pad(&text)
    }
}

impl Bps {
    /// 0%.
    pub const ZERO: Bps = Bps(0);

    /// 100%.
    pub const WHOLE: Bps = Bps(10_000);

    /// The raw count of basis points.
    #[must_use]
    pub const fn bps(self) -> i32 {
        self.0
    }

    /// The share `part / whole` in basis points, rounded half up (toward
    /// positive infinity): e.g. the mobile share of revenue.
    ///
    /// `None` when `whole` is zero (no revenue means no share, not 0%) or the
    /// ratio does not fit in `i32` (a part billions of times the whole). For
    /// `0 <= part <= whole` the result is always in `0..=10_000`.
    #[must_use]
    pub fn ratio(part: Fen, whole: Fen) -> Option<Bps> {
        if whole.0 == 0 {
            return None;
        }
        let mut num = i128::from(part.0) * BPS_PER_WHOLE;
        let mut den = i128::from(whole.0);
        if den < 0 {
            num = -num;
            den = -den;
        }
        // floor(num/den + 1/2) == floor((2*num + den) / (2*den)); i128 holds
        // 2 * 2^63 * 10^4 comfortably.
        let rounded = (2 * num + den).div_euclid(2 * den);
        i32::try_from(rounded).ok().map(Bps)
    }
}

impl fmt::Display for Bps {
    /// `21.35%`, `-0.05%`, `100.00%`: always two decimals. Width and
    /// alignment flags apply to the whole text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        let text = format!("{sign}{}.{:02}%", magnitude / 100, magnitude % 100);
        f.pad(&text)
    }
}

/// `n / d` rounded half away from zero; `d` must be positive.
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let quotient = n / d;
    let remainder = n % d;
    // Remainder has the sign of n (truncating division); compare magnitudes.
    if remainder.abs() * 2 >= d {
        quotient + n.signum()
    } else {
        quotient
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(mut n: u64) -> String {
    // Collect groups least significant first; at most 7 groups for u64.
    let mut groups = Vec::with_capacity(7);
    loop {
        groups.push(n % 1000);
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(groups.len() * 4);
    for (i, group) in groups.iter().rev().enumerate() {
        // Writing to a String cannot fail; the Result is only the fmt::Write
        // signature.
        let _ = if i == 0 {
            write!(out, "{group}")
        } else {
            write!(out, ",{group:03}")
        };
    }
    out
}

/// How the integer part of an amount is malformed.
enum GroupError {
    /// No digits at all.
    Empty,
    /// Commas present but not in groups of three after a group of 1..=3.
    Misplaced,
    /// More than fits in the amount's range.
    TooLarge,
}

/// Parses `1234` or `1,234` (already known to hold only digits and commas)
/// into its value, bounded so it can never overflow `i128`.
fn parse_grouped_integer(s: &str) -> Result<i128, GroupError> {
    if s.is_empty() {
        return Err(GroupError::Empty);
    }
    if s.contains(',') {
        let mut groups = s.split(',');
        let first = groups.next().unwrap_or_default();
        let first_ok = (1..=3).contains(&first.len());
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return Err(GroupError::Misplaced);
        }
    }
    // Leading zeros are harmless ("007"); skip them before counting digits so
    // they do not trip the length bound.
    let significant = s.trim_start_matches(['0', ',']);
    // i64::MAX fen is about 9.2e16 yuan: 17 digits. Anything with more
    // significant digits is too large, and the bound keeps i128 safe.
    if significant.bytes().filter(u8::is_ascii_digit).count() > 17 {
        return Err(GroupError::TooLarge);
    }
    let digits: String = significant.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Ok(0);
    }
    digits_value(&digits).ok_or(GroupError::TooLarge)
}

/// The value of a short string of ASCII digits; `None` if not all digits or
/// too long for `i128`.
fn digits_value(s: &str) -> Option<i128> {
    s.bytes().try_fold(0i128, |acc, b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(i128::from(b - b'0'))
    })
}

/// The input as quoted back in an error, cut to a readable length.
fn echo(input: &str) -> String {
    if input.chars().count() <= MAX_ECHO_CHARS {
        input.to_owned()
    } else {
        let mut cut: String = input.chars().take(MAX_ECHO_CHARS).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Result<Fen, MoneyError> {
        Fen::parse(s)
    }

    #[test]
    fn display_examples() {
        assert_eq!(Fen(123_450).to_string(), "¥1,234.50");
        assert_eq!(Fen(-123_450).to_string(), "-¥1,234.50");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(-5).to_string(), "-¥0.05");
        assert_eq!(Fen(0).to_string(), "¥0.00");
        assert_eq!(Fen(100).to_string(), "¥1.00");
        assert_eq!(Fen(99_999).to_string(), "¥999.99");
        assert_eq!(Fen(100_000).to_string(), "¥1,000.00");
        assert_eq!(Fen(169_900).to_string(), "¥1,699.00");
        assert_eq!(Fen(10_000_000_000).to_string(), "¥100,000,000.00");
        assert_eq!(Fen(i64::MAX).to_string(), "¥92,233,720,368,547,758.07");
        assert_eq!(Fen(i64::MIN).to_string(), "-¥92,233,720,368,547,758.08");
        assert_eq!(format!("{:>12}", Fen(150)), "       ¥1.50");
    }

    #[test]
    fn bps_display() {
        assert_eq!(Bps(2135).to_string(), "21.35%");
        assert_eq!(Bps(500).to_string(), "5.00%");
        assert_eq!(Bps(10_000).to_string(), "100.00%");
        assert_eq!(Bps(5).to_string(), "0.05%");
        assert_eq!(Bps(-5).to_string(), "-0.05%");
        assert_eq!(Bps(0).to_string(), "0.00%");
        assert_eq!(Bps(i32::MIN).to_string(), "-21474836.48%");
        assert_eq!(Bps(i32::MAX).to_string(), "21474836.47%");
    }

    #[test]
    fn parse_accepts_what_people_type() {
        assert_eq!(p("1234"), Ok(Fen(123_400)));
        assert_eq!(p("1234.5"), Ok(Fen(123_450)));
        assert_eq!(p("1234.50"), Ok(Fen(123_450)));
        assert_eq!(p("1234.05"), Ok(Fen(123_405)));
        assert_eq!(p("¥1,234.50"), Ok(Fen(123_450)));
        assert_eq!(p("￥1234"), Ok(Fen(123_400)));
        assert_eq!(p("-12.30"), Ok(Fen(-1230)));
        assert_eq!(p("-¥1,234.50"), Ok(Fen(-123_450)));
        assert_eq!(p("¥-1,234.50"), Ok(Fen(-123_450)));
        assert_eq!(p("¥ 12"), Ok(Fen(1200)));
        assert_eq!(p("  12.3 \t"), Ok(Fen(1230)));
        assert_eq!(p("\u{3000}12\u{3000}"), Ok(Fen(1200)));
        assert_eq!(p("0.05"), Ok(Fen(5)));
        assert_eq!(p("0"), Ok(Fen(0)));
        assert_eq!(p("-0"), Ok(Fen(0)));
        assert_eq!(p("007"), Ok(Fen(700)));
        assert_eq!(p("1,000,000"), Ok(Fen(100_000_000)));
        assert_eq!("¥2,699.00".parse::<Fen>(), Ok(Fen(269_900)));
    }

    #[test]
    fn parse_extremes() {
        assert_eq!(p("92233720368547758.07"), Ok(Fen(i64::MAX)));
        assert_eq!(p("-92233720368547758.08"), Ok(Fen(i64::MIN)));
        assert_eq!(p("92233720368547758.08"), Err(MoneyError::TooLarge));
        assert_eq!(p("-92233720368547758.09"), Err(MoneyError::TooLarge));
        assert_eq!(
            p("99999999999999999999999999999"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(p("000000000000000000000000000001"), Ok(Fen(100)));
    }

    #[test]
    fn parse_rejects_with_typed_errors() {
        assert_eq!(p(""), Err(MoneyError::Empty));
        assert_eq!(p("   "), Err(MoneyError::Empty));
        assert_eq!(p("¥"), Err(MoneyError::Empty));
        assert_eq!(p("-"), Err(MoneyError::Invalid("-".into())));
        assert_eq!(p("1.234"), Err(MoneyError::TooManyDecimals("1.234".into())));
        assert_eq!(p("1.230"), Err(MoneyError::TooManyDecimals("1.230".into())));
        assert_eq!(p("1,23"), Err(MoneyError::MisplacedComma("1,23".into())));
        assert_eq!(
            p("1234,567"),
            Err(MoneyError::MisplacedComma("1234,567".into()))
        );
        assert_eq!(p(",123"), Err(MoneyError::MisplacedComma(",123".into())));
        assert_eq!(
            p("1,,234"),
            Err(MoneyError::MisplacedComma("1,,234".into()))
        );
        assert_eq!(
            p("1,234,"),
            Err(MoneyError::MisplacedComma("1,234,".into()))
        );
        for junk in [
            "abc", "12a", "1.2a", "1.2.3", ".5", "12.", "--1", "-¥-1", "+1", "1 234", "1e5", "¥¥1",
            "1-", "NaN", "１２", "1.-2", "$12",
        ] {
            assert!(
                matches!(p(junk), Err(MoneyError::Invalid(_))),
                "{junk:?} gave {:?}",
                p(junk)
            );
        }
    }

    #[test]
    fn error_messages_read_plainly() {
        assert_eq!(
            MoneyError::TooManyDecimals("1.234".into()).to_string(),
            "amount has more than two decimal places: \"1.234\""
        );
        assert_eq!(MoneyError::TooLarge.to_string(), "amount is too large");
        assert_eq!(MoneyError::Overflow.to_string(), "overflow");
        let long = "x".repeat(1000);
        let Err(MoneyError::Invalid(echoed)) = p(&long) else {
            panic!("long junk must be invalid");
        };
        assert!(echoed.chars().count() <= MAX_ECHO_CHARS + 1);
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen::from_yuan(1699), Some(Fen(169_900)));
        assert_eq!(Fen::from_yuan(i64::MAX), None);
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(250).checked_mul(3), Some(Fen(750)));
        assert_eq!(Fen(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen(5).checked_neg(), Some(Fen(-5)));
        assert_eq!(Fen(i64::MIN).checked_neg(), None);
        assert!(Fen(-1).is_negative());
        assert!(!Fen::ZERO.is_negative());
        assert_eq!(Fen(42).fen(), 42);
        assert_eq!(Fen::checked_sum([Fen(1), Fen(2), Fen(3)]), Some(Fen(6)));
        assert_eq!(Fen::checked_sum(Vec::new()), Some(Fen::ZERO));
        assert_eq!(Fen::checked_sum([Fen(i64::MAX), Fen(1)]), None);
        // Intermediate overflow that cancels out is fine.
        assert_eq!(
            Fen::checked_sum([Fen(i64::MAX), Fen(10), Fen(-20)]),
            Some(Fen(i64::MAX - 10))
        );
    }

    #[test]
    fn percent_of_rounds_half_away_from_zero() {
        assert_eq!(Fen(10_000).percent_of(Bps(2135)), Some(Fen(2135)));
        assert_eq!(Fen(169_900).percent_of(Bps(500)), Some(Fen(8495)));
        // 1 fen * 50% = 0.5 fen -> 1 fen; negative mirrors it.
        assert_eq!(Fen(1).percent_of(Bps(5000)), Some(Fen(1)));
        assert_eq!(Fen(-1).percent_of(Bps(5000)), Some(Fen(-1)));
        assert_eq!(Fen(1).percent_of(Bps(4999)), Some(Fen(0)));
        assert_eq!(Fen(3).percent_of(Bps(-5000)), Some(Fen(-2)));
        assert_eq!(Fen(i64::MAX).percent_of(Bps::WHOLE), Some(Fen(i64::MAX)));
        assert_eq!(Fen(i64::MIN).percent_of(Bps::WHOLE), Some(Fen(i64::MIN)));
        assert_eq!(Fen(i64::MAX).percent_of(Bps(20_000)), None);
        assert_eq!(Fen(i64::MIN).percent_of(Bps(-10_000)), None);
        assert_eq!(Fen(i64::MIN).percent_of(Bps(i32::MIN)), None);
    }

    #[test]
    fn ratio_examples() {
        assert_eq!(Bps::ratio(Fen(21), Fen(100)), Some(Bps(2100)));
        assert_eq!(Bps::ratio(Fen(1), Fen(3)), Some(Bps(3333)));
        assert_eq!(Bps::ratio(Fen(2), Fen(3)), Some(Bps(6667)));
        assert_eq!(Bps::ratio(Fen(1), Fen(20_000)), Some(Bps(1))); // 0.5 bp rounds up
        assert_eq!(Bps::ratio(Fen(-1), Fen(20_000)), Some(Bps(0))); // -0.5 bp rounds up
        assert_eq!(Bps::ratio(Fen(5), Fen(0)), None);
        assert_eq!(Bps::ratio(Fen(0), Fen(7)), Some(Bps::ZERO));
        assert_eq!(Bps::ratio(Fen(7), Fen(7)), Some(Bps::WHOLE));
        assert_eq!(Bps::ratio(Fen(1), Fen(-4)), Some(Bps(-2500)));
        assert_eq!(Bps::ratio(Fen(i64::MIN), Fen(i64::MIN)), Some(Bps::WHOLE));
        assert_eq!(Bps::ratio(Fen(i64::MAX), Fen(1)), None);
        assert_eq!(Bps(2135).bps(), 2135);
    }

    #[test]
    fn serde_is_a_bare_integer() {
        assert_eq!(
            serde_json::to_string(&Fen(123_450)).ok(),
            Some("123450".into())
        );
        assert_eq!(serde_json::from_str::<Fen>("-5").ok(), Some(Fen(-5)));
        assert_eq!(serde_json::to_string(&Bps(2135)).ok(), Some("2135".into()));
    }

    proptest! {
        #[test]
        fn format_parse_round_trip(n in any::<i64>()) {
            let text = Fen(n).to_string();
            prop_assert_eq!(Fen::parse(&text), Ok(Fen(n)));
        }

        #[test]
        fn plain_decimal_round_trip(n in any::<i64>()) {
            // Without symbol or separators, as a CSV or a QA script writes it.
            let m = n.unsigned_abs();
            let sign = if n < 0 { "-" } else { "" };
            let text = format!("{sign}{}.{:02}", m / 100, m % 100);
            prop_assert_eq!(Fen::parse(&text), Ok(Fen(n)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Fen::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(s in "[-¥￥ 0-9,.]{0,30}") {
            if let Ok(fen) = Fen::parse(&s) {
                // Whatever is accepted formats back to something that parses
                // to the same amount.
                prop_assert_eq!(Fen::parse(&fen.to_string()), Ok(fen));
            }
        }

        #[test]
        fn checked_add_agrees_with_i128(a in any::<i64>(), b in any::<i64>()) {
            let exact = i128::from(a) + i128::from(b);
            let expected = i64::try_from(exact).ok().map(Fen);
            prop_assert_eq!(Fen(a).checked_add(Fen(b)), expected);
            let exact = i128::from(a) - i128::from(b);
            let expected = i64::try_from(exact).ok().map(Fen);
            prop_assert_eq!(Fen(a).checked_sub(Fen(b)), expected);
            let exact = i128::from(a) * i128::from(b);
            let expected = i64::try_from(exact).ok().map(Fen);
            prop_assert_eq!(Fen(a).checked_mul(b), expected);
        }

        #[test]
        fn checked_sum_agrees_with_i128(v in proptest::collection::vec(any::<i64>(), 0..8)) {
            let exact: i128 = v.iter().map(|&x| i128::from(x)).sum();
            let expected = i64::try_from(exact).ok().map(Fen);
            prop_assert_eq!(Fen::checked_sum(v.into_iter().map(Fen)), expected);
        }

        #[test]
        fn percent_of_bounds(a in any::<i64>(), bps in 0i32..=10_000) {
            let result = Fen(a).percent_of(Bps(bps));
            // Within 0..=100% the result always fits.
            let Some(Fen(r)) = result else {
                return Err(TestCaseError::fail("percent_of within 100% returned None"));
            };
            prop_assert!(r.unsigned_abs() <= a.unsigned_abs());
            prop_assert!(r == 0 || (r < 0) == (a < 0));
            // At most half a fen from the exact value.
            let error = i128::from(r) * 10_000 - i128::from(a) * i128::from(bps);
            prop_assert!(error.abs() <= 5_000);
        }

        #[test]
        fn percent_of_never_panics(a in any::<i64>(), bps in any::<i32>()) {
            if let Some(Fen(r)) = Fen(a).percent_of(Bps(bps)) {
                let error = i128::from(r) * 10_000 - i128::from(a) * i128::from(bps);
                prop_assert!(error.abs() <= 5_000);
            }
        }

        #[test]
        fn ratio_is_a_share(
            (part, whole) in (1i64..=i64::MAX).prop_flat_map(|w| (0..=w, Just(w)))
        ) {
            let Some(Bps(r)) = Bps::ratio(Fen(part), Fen(whole)) else {
                return Err(TestCaseError::fail("ratio of a share returned None"));
            };
            prop_assert!((0..=10_000).contains(&r));
            // Within half a basis point of the exact share.
            let error = i128::from(r) * i128::from(whole) - i128::from(part) * 10_000;
            prop_assert!(2 * error.abs() <= i128::from(whole));
        }

        #[test]
        fn ratio_of_small_shares(whole in 1i64..=1_000_000, part in 0i64..=1_000_000) {
            let part = part.min(whole);
            let r = Bps::ratio(Fen(part), Fen(whole)).map(Bps::bps);
            prop_assert!(r.is_some_and(|r| (0..=10_000).contains(&r)));
        }

        #[test]
        fn ratio_never_panics(part in any::<i64>(), whole in any::<i64>()) {
            match Bps::ratio(Fen(part), Fen(whole)) {
                None => prop_assert!(
                    whole == 0 || (i128::from(part) * 10_000 / i128::from(whole)).abs() >= i128::from(i32::MAX)
                ),
                Some(Bps(r)) => {
                    let error = i128::from(r) * i128::from(whole) - i128::from(part) * 10_000;
                    prop_assert!(2 * error.abs() <= i128::from(whole).abs());
                }
            }
        }
    }
}
