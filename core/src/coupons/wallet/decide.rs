//! The wallet's decision, apart from the database: [`load_facts`] reads what the phone
//! knows about a coupon in one place, and [`decide`] applies every rule to those facts, a
//! pure function tested without SQLite (`decide::tests`).

use std::collections::HashMap;

use super::{
    AmountProblem, CouponTerms, Purchase, ScopeCheck, Verdict, WalletError, check_offline,
    check_remaining, check_scope, check_window, discount, remaining, stored_value_amount,
};
use crate::coupons::{DecodedCoupon, Refusal};
use crate::domain::{CouponKind, CouponScope, RevocationTarget, SigningKey, WalletLimits};
use crate::money::Fen;
use crate::store::{CouponUsage, Db, StoreError, UnsyncedTotals};

/// What the database knows that bears on one coupon and one order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    /// The shop this phone belongs to, once synced.
    pub shop_id: Option<String>,
    /// The shop key the coupon names, if synced.
    pub key: Option<SigningKey>,
    /// Its redemptions so far (this device's and synced ones).
    pub usage: CouponUsage,
    /// Its book's title, if synced.
    pub book_title: Option<String>,
    /// The first of the coupon, its book and its key that is revoked.
    pub revoked: Option<RevocationTarget>,
    /// The category of each product of the order that the catalogue knows (read only for a
    /// category-scoped coupon).
    pub categories: HashMap<String, String>,
    /// This device's offline limits.
    pub limits: WalletLimits,
    /// What waits for the server.
    pub unsynced: UnsyncedTotals,
    /// End of the last successful sync.
    pub last_sync_ms: Option<i64>,
}

/// Reads the facts for `coupon` and `purchase` (one read transaction, or the redemption's
/// write transaction).
pub(crate) fn load_facts(
    db: &Db<'_>,
    coupon: &DecodedCoupon,
    purchase: &Purchase,
) -> Result<Facts, StoreError> {
    let claims = coupon.claims();
    let mut categories = HashMap::new();
    if matches!(claims.scope, CouponScope::Categories(_)) {
        for id in &purchase.product_ids {
            if let Some(p) = db.catalog().product(id)? {
                categories.insert(id.clone(), p.category);
            }
        }
    }
    Ok(Facts {
        shop_id: db.shop().shop_id()?,
        key: db.coupons().key(coupon.kid())?,
        usage: db.coupons().usage_of(&claims.coupon_id)?,
        book_title: db.coupons().book_title(&claims.book_id)?,
        revoked: db
            .coupons()
            .first_revoked(&claims.coupon_id, &claims.book_id, coupon.kid())?,
        categories,
        limits: db.coupons().limits()?,
        unsynced: db.coupons().unsynced_totals()?,
        last_sync_ms: db.sync().last_success_ms()?,
    })
}

/// A verdict and, when accepted with a known total, the amount to record.
pub(crate) struct Evaluation {
    pub(crate) verdict: Verdict,
    pub(crate) amount: Option<Fen>,
}

impl Evaluation {
    pub(crate) fn refused(refusal: Refusal, terms: Option<CouponTerms>) -> Evaluation {
        Evaluation {
            verdict: Verdict {
                refusal: Some(refusal),
                terms,
            },
            amount: None,
        }
    }
}

/// Every rule applied to `facts`, in the order a seller would want to hear about them.
/// Pure: no database, no clock but `now`.
pub(crate) fn decide(
    now: i64,
    coupon: &DecodedCoupon,
    facts: &Facts,
    purchase: &Purchase,
    asked: Option<Fen>,
) -> Result<Evaluation, WalletError> {
    let claims = coupon.claims();
    // The issuer is read before the signature is checked: only to refuse, with the clearer
    // reason (another shop's coupon names a key this phone has never seen).
    if let Some(shop_id) = &facts.shop_id
        && *shop_id != claims.issuer
    {
        return Ok(Evaluation::refused(Refusal::WrongShop, None));
    }
    let Some(key) = &facts.key else {
        return Ok(Evaluation::refused(
            Refusal::UnknownKey {
                kid: coupon.kid().to_string(),
            },
            None,
        ));
    };
    if let Err(refusal) = coupon.verify_signature(key) {
        return Ok(Evaluation::refused(refusal, None));
    }

    // From here on the claims are the shop's own word.
    let usage = facts.usage;
    let left = remaining(claims, usage);
    let mut terms = CouponTerms {
        coupon_id: claims.coupon_id.clone(),
        book_id: claims.book_id.clone(),
        book_title: facts.book_title.clone(),
        kid: coupon.kid().to_string(),
        kind: claims.kind,
        value: claims.value,
        min_spend: claims.min_spend,
        scope: claims.scope.clone(),
        issued_ms: claims.issued_ms,
        not_before_ms: claims.not_before_ms,
        expires_ms: claims.expires_ms,
        max_uses: claims.max_uses,
        uses: usage.uses,
        remaining_uses: left.uses,
        balance: left.balance,
        discount: None,
        scope_check: ScopeCheck::SellerConfirms,
    };
    if let Some(target) = facts.revoked {
        return Ok(Evaluation::refused(
            Refusal::Revoked { what: target },
            Some(terms),
        ));
    }
    if let Err(r) = check_window(now, claims.not_before_ms, claims.expires_ms) {
        return Ok(Evaluation::refused(r, Some(terms)));
    }
    if let Err(r) = check_remaining(left) {
        return Ok(Evaluation::refused(r, Some(terms)));
    }

    // The order.
    let mut granted = None;
    if let Some(total) = purchase.total {
        if total < claims.min_spend {
            return Ok(Evaluation::refused(
                Refusal::BelowMinSpend {
                    min_spend: claims.min_spend,
                },
                Some(terms),
            ));
        }
        let amount = match (claims.kind, left.balance) {
            (CouponKind::StoredValue, Some(balance)) => {
                match stored_value_amount(balance, total, asked) {
                    Ok(a) => a,
                    Err(AmountProblem::Refused(r)) => {
                        return Ok(Evaluation::refused(r, Some(terms)));
                    }
                    Err(AmountProblem::Invalid(detail)) => {
                        return Err(WalletError::InvalidInput {
                            what: "amount",
                            detail,
                        });
                    }
                }
            }
            _ => {
                let d = discount(claims, total).unwrap_or(Fen::ZERO);
                if asked.is_some_and(|a| a != d) {
                    return Err(WalletError::InvalidInput {
                        what: "amount",
                        detail: format!(
                            "only stored-value coupons take an amount; this one takes {d} off"
                        ),
                    });
                }
                d
            }
        };
        terms.discount = Some(amount);
        granted = Some(amount);
    } else if asked.is_some() {
        return Err(WalletError::InvalidInput {
            what: "amount",
            detail: "an amount needs the order total".into(),
        });
    }
    match check_scope(&claims.scope, &purchase.product_ids, |p| {
        facts.categories.get(p).cloned()
    }) {
        Ok(check) => terms.scope_check = check,
        Err(r) => return Ok(Evaluation::refused(r, Some(terms))),
    }

    // This device's exposure.
    if let Err(r) = check_offline(
        &facts.limits,
        facts.unsynced,
        facts.last_sync_ms,
        now,
        granted,
    ) {
        return Ok(Evaluation::refused(r, Some(terms)));
    }
    Ok(Evaluation {
        verdict: Verdict {
            refusal: None,
            terms: Some(terms),
        },
        amount: granted,
    })
}

#[cfg(test)]
mod tests;
