//! The decoded terms of a coupon and their CBOR form: a CWT claims set (RFC 8392) with one
//! private claim holding SellerKit's terms. `docs/coupon-format.md` is the normative text.

use ciborium::Value;
use coset::AsCborValue;
use coset::cwt::{ClaimsSet, Timestamp};

use super::Refusal;
use super::limits::{MAX_CBOR_DEPTH, MAX_ID_BYTES, MAX_SCOPE_IDS};
use crate::domain::{CouponKind, CouponScope};
use crate::money::{Bps, Fen};

/// CWT claim key of the private claim that holds the terms map: the first value of the
/// RFC 8392 "private use" range (below -65536).
pub const TERMS_CLAIM: i64 = -65537;

/// Keys of the terms map (small unsigned integers, so each costs one byte).
pub mod terms_key {
    /// Book id, text.
    pub const BOOK_ID: u64 = 1;
    /// Kind, unsigned: see [`super::kind_code`].
    pub const KIND: u64 = 2;
    /// Value in fen, unsigned, exclusive with [`PERCENT_BPS`].
    pub const AMOUNT_FEN: u64 = 3;
    /// Percentage off in basis points (1..=10000), exclusive with [`AMOUNT_FEN`].
    pub const PERCENT_BPS: u64 = 4;
    /// Maximum uses, unsigned; present exactly for multi-use coupons.
    pub const MAX_USES: u64 = 5;
    /// Minimum spend in fen, unsigned; absent means 0.
    pub const MIN_SPEND_FEN: u64 = 6;
    /// Product ids the coupon is limited to, array of text.
    pub const PRODUCTS: u64 = 7;
    /// Category ids the coupon is limited to, array of text.
    pub const CATEGORIES: u64 = 8;
}

/// The wire number of a coupon kind.
pub fn kind_code(kind: CouponKind) -> u64 {
    match kind {
        CouponKind::SingleUse => 1,
        CouponKind::MultiUse => 2,
        CouponKind::StoredValue => 3,
    }
}

fn kind_from_code(code: u64) -> Option<CouponKind> {
    match code {
        1 => Some(CouponKind::SingleUse),
        2 => Some(CouponKind::MultiUse),
        3 => Some(CouponKind::StoredValue),
        _ => None,
    }
}

/// What a coupon is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CouponValue {
    /// A fixed amount off, or for a stored-value coupon its initial balance.
    Amount(Fen),
    /// A percentage off the order (or the in-scope part of it).
    Percent(Bps),
}

/// The terms of a coupon as signed by the shop.
///
/// Times are UTC milliseconds in the API but whole seconds on the wire (CWT NumericDate):
/// issuing floors them to the second, so decoded times are multiples of 1000.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponClaims {
    /// The shop id (`iss`).
    pub issuer: String,
    /// The coupon's unique id (`cti`).
    pub coupon_id: String,
    /// When it was signed (`iat`), UTC ms.
    pub issued_ms: i64,
    /// Start of validity (`nbf`), UTC ms.
    pub not_before_ms: i64,
    /// End of validity, exclusive (`exp`), UTC ms.
    pub expires_ms: i64,
    /// The coupon book it belongs to.
    pub book_id: String,
    /// How it is spent.
    pub kind: CouponKind,
    /// What it is worth.
    pub value: CouponValue,
    /// Uses allowed, exactly for [`CouponKind::MultiUse`].
    pub max_uses: Option<u32>,
    /// Minimum order total.
    pub min_spend: Fen,
    /// Products it applies to.
    pub scope: CouponScope,
}

fn ms_to_seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

impl CouponClaims {
    /// Checks the terms against the format's rules, as the decoder will.
    ///
    /// # Errors
    /// [`Refusal::Malformed`] naming the first broken rule.
    pub fn check(&self) -> Result<(), Refusal> {
        check_id("iss", &self.issuer)?;
        check_id("cti", &self.coupon_id)?;
        check_id("book id", &self.book_id)?;
        let (iat, nbf, exp) = (
            ms_to_seconds(self.issued_ms),
            ms_to_seconds(self.not_before_ms),
            ms_to_seconds(self.expires_ms),
        );
        check_times(iat, nbf, exp)?;
        match self.value {
            CouponValue::Amount(fen) if fen.0 <= 0 => {
                return Err(Refusal::malformed("amount must be above 0 fen"));
            }
            CouponValue::Percent(bps) if !(1..=10_000).contains(&bps.0) => {
                return Err(Refusal::malformed("percent must be 1..=10000 bps"));
            }
            _ => {}
        }
        check_kind(self.kind, &self.value, self.max_uses)?;
        if self.min_spend.0 < 0 {
            return Err(Refusal::malformed("minimum spend is negative"));
        }
        match &self.scope {
            CouponScope::All => {}
            CouponScope::Products(ids) => check_ids("products", ids)?,
            CouponScope::Categories(ids) => check_ids("categories", ids)?,
        }
        Ok(())
    }

    /// The CWT claims set as CBOR bytes: the COSE payload.
    ///
    /// Does not check the terms (see [`CouponClaims::check`]); encoding itself cannot fail.
    pub fn to_payload(&self) -> Vec<u8> {
        use terms_key as k;
        let mut terms: Vec<(Value, Value)> = Vec::with_capacity(8);
        let mut put = |key: u64, v: Value| terms.push((Value::Integer(key.into()), v));
        put(k::BOOK_ID, Value::Text(self.book_id.clone()));
        put(k::KIND, Value::Integer(kind_code(self.kind).into()));
        match self.value {
            CouponValue::Amount(fen) => put(k::AMOUNT_FEN, Value::Integer(fen.0.into())),
            CouponValue::Percent(bps) => put(k::PERCENT_BPS, Value::Integer(bps.0.into())),
        }
        if let Some(uses) = self.max_uses {
            put(k::MAX_USES, Value::Integer(uses.into()));
        }
        if self.min_spend.0 != 0 {
            put(k::MIN_SPEND_FEN, Value::Integer(self.min_spend.0.into()));
        }
        let text_array =
            |ids: &[String]| Value::Array(ids.iter().cloned().map(Value::Text).collect());
        match &self.scope {
            CouponScope::All => {}
            CouponScope::Products(ids) => put(k::PRODUCTS, text_array(ids)),
            CouponScope::Categories(ids) => put(k::CATEGORIES, text_array(ids)),
        }
        // ClaimsSet writes iss, exp, nbf, iat, cti, then the private claim: ascending
        // key order of their encodings (RFC 8949 section 4.2.1), as the doc specifies.
        let set = ClaimsSet {
            issuer: Some(self.issuer.clone()),
            expiration_time: Some(Timestamp::WholeSeconds(ms_to_seconds(self.expires_ms))),
            not_before: Some(Timestamp::WholeSeconds(ms_to_seconds(self.not_before_ms))),
            issued_at: Some(Timestamp::WholeSeconds(ms_to_seconds(self.issued_ms))),
            cwt_id: Some(self.coupon_id.as_bytes().to_vec()),
            rest: vec![(
                coset::cwt::ClaimName::PrivateUse(TERMS_CLAIM),
                Value::Map(terms),
            )],
            ..ClaimsSet::default()
        };
        let mut out = Vec::with_capacity(160);
        // Writing plain values into a Vec cannot fail.
        if let Ok(value) = set.to_cbor_value() {
            let _ = ciborium::ser::into_writer(&value, &mut out);
        }
        out
    }

    /// Parses and checks the CWT claims set of a coupon.
    ///
    /// # Errors
    /// [`Refusal::Malformed`] for anything that is not exactly the documented layout.
    pub fn from_payload(payload: &[u8]) -> Result<Self, Refusal> {
        let value = read_cbor(payload, "payload")?;
        let set = ClaimsSet::from_cbor_value(value)
            .map_err(|e| Refusal::malformed(format!("claims: {e}")))?;
        if set.subject.is_some() || set.audience.is_some() {
            return Err(Refusal::malformed("unexpected claim sub or aud"));
        }
        let issuer = set
            .issuer
            .ok_or_else(|| Refusal::malformed("iss missing"))?;
        check_id("iss", &issuer)?;
        let cti = set
            .cwt_id
            .ok_or_else(|| Refusal::malformed("cti missing"))?;
        let coupon_id =
            String::from_utf8(cti).map_err(|_| Refusal::malformed("cti is not UTF-8"))?;
        check_id("cti", &coupon_id)?;
        let iat = whole_seconds("iat", set.issued_at)?;
        let nbf = whole_seconds("nbf", set.not_before)?;
        let exp = whole_seconds("exp", set.expiration_time)?;
        check_times(iat, nbf, exp)?;

        let mut rest = set.rest.into_iter();
        let terms = match (rest.next(), rest.next()) {
            (Some((coset::cwt::ClaimName::PrivateUse(TERMS_CLAIM), Value::Map(m))), None) => m,
            (Some((coset::cwt::ClaimName::PrivateUse(TERMS_CLAIM), _)), None) => {
                return Err(Refusal::malformed("terms claim is not a map"));
            }
            (None, _) => return Err(Refusal::malformed("terms claim missing")),
            _ => return Err(Refusal::malformed("unknown claim")),
        };
        let terms = Terms::parse(terms)?;
        let claims = CouponClaims {
            issuer,
            coupon_id,
            issued_ms: iat * 1000,
            not_before_ms: nbf * 1000,
            expires_ms: exp * 1000,
            book_id: terms.book_id,
            kind: terms.kind,
            value: terms.value,
            max_uses: terms.max_uses,
            min_spend: terms.min_spend,
            scope: terms.scope,
        };
        check_kind(claims.kind, &claims.value, claims.max_uses)?;
        Ok(claims)
    }
}

/// Reads one CBOR item that must fill `bytes` exactly, nesting at most [`MAX_CBOR_DEPTH`].
pub(crate) fn read_cbor(bytes: &[u8], what: &str) -> Result<Value, Refusal> {
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_CBOR_DEPTH)
        .map_err(|e| Refusal::malformed(format!("{what}: invalid CBOR: {e}")))?;
    if !rest.is_empty() {
        return Err(Refusal::malformed(format!(
            "{what}: bytes after the CBOR item"
        )));
    }
    Ok(value)
}

#[cfg(test)]
pub(crate) const MAX_CBOR_DEPTH_FOR_TESTS: usize = MAX_CBOR_DEPTH;

/// Largest NumericDate accepted: the year 9999, so that seconds * 1000 fits easily.
const MAX_SECONDS: i64 = 253_402_300_799;

fn whole_seconds(name: &str, t: Option<Timestamp>) -> Result<i64, Refusal> {
    match t {
        Some(Timestamp::WholeSeconds(s)) if (0..=MAX_SECONDS).contains(&s) => Ok(s),
        Some(Timestamp::WholeSeconds(_)) => Err(Refusal::malformed(format!("{name} out of range"))),
        Some(Timestamp::FractionalSeconds(_)) => {
            Err(Refusal::malformed(format!("{name} must be whole seconds")))
        }
        None => Err(Refusal::malformed(format!("{name} missing"))),
    }
}

fn check_times(iat: i64, nbf: i64, exp: i64) -> Result<(), Refusal> {
    for (name, s) in [("iat", iat), ("nbf", nbf), ("exp", exp)] {
        if !(0..=MAX_SECONDS).contains(&s) {
            return Err(Refusal::malformed(format!("{name} out of range")));
        }
    }
    if nbf >= exp {
        return Err(Refusal::malformed("nbf is not before exp"));
    }
    Ok(())
}

fn check_id(name: &str, id: &str) -> Result<(), Refusal> {
    if id.is_empty() || id.len() > MAX_ID_BYTES {
        return Err(Refusal::malformed(format!(
            "{name} must be 1..={MAX_ID_BYTES} bytes"
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(Refusal::malformed(format!("{name} has control characters")));
    }
    Ok(())
}

fn check_ids(name: &str, ids: &[String]) -> Result<(), Refusal> {
    if ids.is_empty() || ids.len() > MAX_SCOPE_IDS {
        return Err(Refusal::malformed(format!(
            "{name} scope must list 1..={MAX_SCOPE_IDS} ids"
        )));
    }
    ids.iter().try_for_each(|id| check_id(name, id))
}

fn check_kind(kind: CouponKind, value: &CouponValue, max_uses: Option<u32>) -> Result<(), Refusal> {
    match (kind, max_uses) {
        (CouponKind::MultiUse, Some(n)) if n >= 1 => {}
        (CouponKind::MultiUse, _) => {
            return Err(Refusal::malformed("multi-use coupon needs max uses >= 1"));
        }
        (_, Some(_)) => {
            return Err(Refusal::malformed("max uses only for multi-use coupons"));
        }
        (_, None) => {}
    }
    if kind == CouponKind::StoredValue && !matches!(value, CouponValue::Amount(_)) {
        return Err(Refusal::malformed("stored-value coupon needs an amount"));
    }
    Ok(())
}

/// The private terms map, parsed.
struct Terms {
    book_id: String,
    kind: CouponKind,
    value: CouponValue,
    max_uses: Option<u32>,
    min_spend: Fen,
    scope: CouponScope,
}

impl Terms {
    fn parse(map: Vec<(Value, Value)>) -> Result<Self, Refusal> {
        use terms_key as k;
        let mut seen = 0u16;
        let (mut book_id, mut kind, mut amount, mut percent) = (None, None, None, None);
        let (mut max_uses, mut min_spend, mut scope) = (None, Fen::ZERO, CouponScope::All);
        for (key, value) in map {
            let key = match key {
                Value::Integer(i) => u64::try_from(i).ok().filter(|k| (1..=8).contains(k)),
                _ => None,
            }
            .ok_or_else(|| Refusal::malformed("unknown key in terms"))?;
            let bit = 1u16 << key;
            if seen & bit != 0 {
                return Err(Refusal::malformed("duplicate key in terms"));
            }
            seen |= bit;
            match key {
                k::BOOK_ID => {
                    let id = text("book id", value)?;
                    check_id("book id", &id)?;
                    book_id = Some(id);
                }
                k::KIND => {
                    kind = Some(
                        kind_from_code(uint("kind", value, u64::MAX)?)
                            .ok_or_else(|| Refusal::malformed("unknown kind"))?,
                    );
                }
                k::AMOUNT_FEN => {
                    let fen = uint("amount", value, i64::MAX as u64)?;
                    if fen == 0 {
                        return Err(Refusal::malformed("amount must be above 0 fen"));
                    }
                    amount = Some(Fen(fen as i64));
                }
                k::PERCENT_BPS => {
                    let bps = uint("percent", value, 10_000)?;
                    if bps == 0 {
                        return Err(Refusal::malformed("percent must be 1..=10000 bps"));
                    }
                    percent = Some(Bps(bps as i32));
                }
                k::MAX_USES => max_uses = Some(uint("max uses", value, u32::MAX.into())? as u32),
                k::MIN_SPEND_FEN => {
                    min_spend = Fen(uint("min spend", value, i64::MAX as u64)? as i64)
                }
                k::PRODUCTS => scope = CouponScope::Products(text_array("products", value)?),
                k::CATEGORIES => scope = CouponScope::Categories(text_array("categories", value)?),
                _ => return Err(Refusal::malformed("unknown key in terms")),
            }
        }
        if seen & (1 << k::PRODUCTS) != 0 && seen & (1 << k::CATEGORIES) != 0 {
            return Err(Refusal::malformed("both products and categories scope"));
        }
        let value = match (amount, percent) {
            (Some(fen), None) => CouponValue::Amount(fen),
            (None, Some(bps)) => CouponValue::Percent(bps),
            (None, None) => return Err(Refusal::malformed("value missing")),
            (Some(_), Some(_)) => return Err(Refusal::malformed("both amount and percent")),
        };
        Ok(Terms {
            book_id: book_id.ok_or_else(|| Refusal::malformed("book id missing"))?,
            kind: kind.ok_or_else(|| Refusal::malformed("kind missing"))?,
            value,
            max_uses,
            min_spend,
            scope,
        })
    }
}

fn text(name: &str, value: Value) -> Result<String, Refusal> {
    match value {
        Value::Text(s) => Ok(s),
        _ => Err(Refusal::malformed(format!("{name} must be text"))),
    }
}

fn uint(name: &str, value: Value, max: u64) -> Result<u64, Refusal> {
    match value {
        Value::Integer(i) => u64::try_from(i)
            .ok()
            .filter(|v| *v <= max)
            .ok_or_else(|| Refusal::malformed(format!("{name} out of range"))),
        _ => Err(Refusal::malformed(format!(
            "{name} must be an unsigned integer"
        ))),
    }
}

fn text_array(name: &str, value: Value) -> Result<Vec<String>, Refusal> {
    let Value::Array(items) = value else {
        return Err(Refusal::malformed(format!("{name} must be an array")));
    };
    if items.is_empty() || items.len() > MAX_SCOPE_IDS {
        return Err(Refusal::malformed(format!(
            "{name} scope must list 1..={MAX_SCOPE_IDS} ids"
        )));
    }
    let ids = items
        .into_iter()
        .map(|v| text(name, v))
        .collect::<Result<Vec<_>, _>>()?;
    check_ids(name, &ids)?;
    Ok(ids)
}
