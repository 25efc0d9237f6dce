//! What a verified coupon grants: uses or balance left, the discount on an order, and
//! whether the order's products are in its scope. Pure functions, shared with the dev
//! server, which checks a pushed redemption's amount with the same arithmetic.

use crate::coupons::{CouponClaims, CouponValue, Refusal};
use crate::domain::{CouponKind, CouponScope};
use crate::money::Fen;
use crate::store::CouponUsage;

/// How the coupon's scope was checked against the purchase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeCheck {
    /// The coupon applies to every product of the shop.
    AllProducts,
    /// At least one of the purchase's products is in scope.
    Covered,
    /// The coupon is limited to some products or categories and the caller named none: the
    /// seller checks the scope shown with the terms before redeeming.
    SellerConfirms,
}

impl ScopeCheck {
    /// Stable spelling for JSON and the FFI.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeCheck::AllProducts => "all_products",
            ScopeCheck::Covered => "covered",
            ScopeCheck::SellerConfirms => "seller_confirms",
        }
    }
}

/// Uses or balance left on a coupon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remaining {
    /// Uses left (single use and N uses).
    pub uses: Option<u32>,
    /// Balance left (stored value).
    pub balance: Option<Fen>,
}

/// What is left of a coupon after `usage`.
pub fn remaining(claims: &CouponClaims, usage: CouponUsage) -> Remaining {
    match claims.kind {
        CouponKind::SingleUse => Remaining {
            uses: Some(1u32.saturating_sub(usage.uses)),
            balance: None,
        },
        CouponKind::MultiUse => Remaining {
            uses: Some(claims.max_uses.unwrap_or(1).saturating_sub(usage.uses)),
            balance: None,
        },
        CouponKind::StoredValue => {
            let value = match claims.value {
                CouponValue::Amount(v) => v,
                CouponValue::Percent(_) => Fen::ZERO, // refused by the decoder
            };
            let left = value.checked_sub(usage.spent).unwrap_or(Fen::ZERO);
            Remaining {
                uses: None,
                balance: Some(left.max(Fen::ZERO)),
            }
        }
    }
}

/// Refuses a coupon with nothing left: no uses, or a zero balance.
///
/// # Errors
/// [`Refusal::UsedUp`].
pub fn check_remaining(left: Remaining) -> Result<(), Refusal> {
    if left.uses == Some(0) || left.balance.is_some_and(|b| b <= Fen::ZERO) {
        return Err(Refusal::UsedUp);
    }
    Ok(())
}

/// The discount a fixed-amount or percentage coupon grants on `total`: a fixed amount capped
/// at the total; a percentage of the total rounded half up to the fen (commercial rounding,
/// [`Fen::percent_of`]), never above the total. `None` for stored value, whose amount the
/// seller chooses (see [`stored_value_amount`]).
pub fn discount(claims: &CouponClaims, total: Fen) -> Option<Fen> {
    if claims.kind == CouponKind::StoredValue {
        return None;
    }
    let total = total.max(Fen::ZERO);
    Some(match claims.value {
        CouponValue::Amount(v) => v.min(total),
        CouponValue::Percent(bps) => total.percent_of(bps).unwrap_or(total).min(total),
    })
}

/// Why an amount asked of a stored-value coupon cannot be spent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AmountProblem {
    /// Not a sensible amount (zero, negative, above the order total): the caller's mistake.
    Invalid(String),
    /// More than the balance: the coupon's limit.
    Refused(Refusal),
}

/// The stored value to spend on an order of `total`: `asked`, or by default as much as the
/// balance and the total allow.
///
/// # Errors
/// [`AmountProblem::Invalid`] for an amount of 0 or less or above the total;
/// [`AmountProblem::Refused`] with [`Refusal::InsufficientBalance`] above the balance.
pub fn stored_value_amount(
    balance: Fen,
    total: Fen,
    asked: Option<Fen>,
) -> Result<Fen, AmountProblem> {
    let amount = match asked {
        None => balance.min(total),
        Some(a) if a <= Fen::ZERO => {
            return Err(AmountProblem::Invalid(
                "the amount to spend must be above 0".into(),
            ));
        }
        Some(a) if a > total => {
            return Err(AmountProblem::Invalid(format!(
                "the amount to spend ({a}) is more than the order total ({total})"
            )));
        }
        Some(a) => a,
    };
    if amount > balance {
        return Err(AmountProblem::Refused(Refusal::InsufficientBalance {
            balance,
        }));
    }
    Ok(amount)
}

/// Checks the purchase's products against the scope. `category_of` finds a product's
/// category in the local catalog (`None` when the product is unknown there, which is then
/// not in a category scope).
///
/// # Errors
/// [`Refusal::OutOfScope`] when products are named and none is in scope.
pub fn check_scope(
    scope: &CouponScope,
    product_ids: &[String],
    mut category_of: impl FnMut(&str) -> Option<String>,
) -> Result<ScopeCheck, Refusal> {
    let covered = match scope {
        CouponScope::All => return Ok(ScopeCheck::AllProducts),
        _ if product_ids.is_empty() => return Ok(ScopeCheck::SellerConfirms),
        CouponScope::Products(ids) => product_ids.iter().any(|p| ids.contains(p)),
        CouponScope::Categories(cats) => product_ids
            .iter()
            .any(|p| category_of(p).is_some_and(|c| cats.contains(&c))),
    };
    if covered {
        Ok(ScopeCheck::Covered)
    } else {
        Err(Refusal::OutOfScope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Bps;

    fn claims(kind: CouponKind, value: CouponValue, max_uses: Option<u32>) -> CouponClaims {
        CouponClaims {
            issuer: "shop".into(),
            coupon_id: "c".into(),
            issued_ms: 0,
            not_before_ms: 0,
            expires_ms: 1_000,
            book_id: "b".into(),
            kind,
            value,
            max_uses,
            min_spend: Fen::ZERO,
            scope: CouponScope::All,
        }
    }

    fn used(uses: u32, spent: i64) -> CouponUsage {
        CouponUsage {
            uses,
            spent: Fen(spent),
        }
    }

    #[test]
    fn fixed_amounts_cap_at_the_total_and_percentages_round_half_up() {
        let fixed = claims(CouponKind::SingleUse, CouponValue::Amount(Fen(1_000)), None);
        assert_eq!(discount(&fixed, Fen(5_000)), Some(Fen(1_000)));
        assert_eq!(discount(&fixed, Fen(600)), Some(Fen(600)));
        let pct = |bps| claims(CouponKind::SingleUse, CouponValue::Percent(Bps(bps)), None);
        // ¥123.45 at 15% = ¥18.5175 → ¥18.52; 10 fen at 25% = 2.5 fen → 3 fen.
        assert_eq!(discount(&pct(1_500), Fen(12_345)), Some(Fen(1_852)));
        assert_eq!(discount(&pct(2_500), Fen(10)), Some(Fen(3)));
        assert_eq!(discount(&pct(2_499), Fen(10)), Some(Fen(2)));
        assert_eq!(discount(&pct(10_000), Fen(777)), Some(Fen(777)));
        assert_eq!(discount(&pct(1), Fen(1)), Some(Fen(0)));
        let stored = claims(CouponKind::StoredValue, CouponValue::Amount(Fen(5)), None);
        assert_eq!(discount(&stored, Fen(100)), None);
    }

    #[test]
    fn remaining_uses_and_balance() {
        let single = claims(CouponKind::SingleUse, CouponValue::Amount(Fen(1)), None);
        assert_eq!(remaining(&single, used(0, 0)).uses, Some(1));
        assert_eq!(
            check_remaining(remaining(&single, used(1, 1))),
            Err(Refusal::UsedUp)
        );
        let multi = claims(CouponKind::MultiUse, CouponValue::Amount(Fen(1)), Some(3));
        assert_eq!(remaining(&multi, used(2, 2)).uses, Some(1));
        assert!(check_remaining(remaining(&multi, used(2, 2))).is_ok());
        assert_eq!(
            check_remaining(remaining(&multi, used(5, 5))),
            Err(Refusal::UsedUp)
        );
        let stored = claims(
            CouponKind::StoredValue,
            CouponValue::Amount(Fen(5_000)),
            None,
        );
        assert_eq!(remaining(&stored, used(2, 4_000)).balance, Some(Fen(1_000)));
        assert_eq!(remaining(&stored, used(9, 9_000)).balance, Some(Fen(0)));
        assert_eq!(
            check_remaining(remaining(&stored, used(2, 5_000))),
            Err(Refusal::UsedUp)
        );
    }

    #[test]
    fn stored_value_amounts() {
        assert_eq!(
            stored_value_amount(Fen(3_000), Fen(5_000), None),
            Ok(Fen(3_000))
        );
        assert_eq!(
            stored_value_amount(Fen(3_000), Fen(2_000), None),
            Ok(Fen(2_000))
        );
        assert_eq!(
            stored_value_amount(Fen(3_000), Fen(5_000), Some(Fen(3_000))),
            Ok(Fen(3_000))
        );
        assert_eq!(
            stored_value_amount(Fen(3_000), Fen(5_000), Some(Fen(3_001))),
            Err(AmountProblem::Refused(Refusal::InsufficientBalance {
                balance: Fen(3_000)
            }))
        );
        assert!(matches!(
            stored_value_amount(Fen(3_000), Fen(5_000), Some(Fen(0))),
            Err(AmountProblem::Invalid(_))
        ));
        assert!(matches!(
            stored_value_amount(Fen(9_000), Fen(5_000), Some(Fen(5_001))),
            Err(AmountProblem::Invalid(_))
        ));
    }

    #[test]
    fn scope_by_product_and_category() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cat = |p: &str| (p == "p-tea").then(|| "tea".to_string());
        let products = CouponScope::Products(ids(&["p1", "p2"]));
        assert_eq!(
            check_scope(&products, &ids(&["p9", "p2"]), cat),
            Ok(ScopeCheck::Covered)
        );
        assert_eq!(
            check_scope(&products, &ids(&["p9"]), cat),
            Err(Refusal::OutOfScope)
        );
        assert_eq!(
            check_scope(&products, &[], cat),
            Ok(ScopeCheck::SellerConfirms)
        );
        let cats = CouponScope::Categories(ids(&["tea"]));
        assert_eq!(
            check_scope(&cats, &ids(&["p-tea"]), cat),
            Ok(ScopeCheck::Covered)
        );
        assert_eq!(
            check_scope(&cats, &ids(&["p-unknown"]), cat),
            Err(Refusal::OutOfScope)
        );
        assert_eq!(
            check_scope(&CouponScope::All, &ids(&["x"]), cat),
            Ok(ScopeCheck::AllProducts)
        );
    }
}
