//! The wallet: verify a scanned coupon offline, redeem it, and keep what the server says.
//!
//! [`Wallet::verify`] answers "may I accept this coupon for this order?" from the phone's
//! database alone: the coupon's signature against the shop's synced keys, revocations, the
//! validity window (with [`CLOCK_TOLERANCE_MS`]), uses or balance left (from this device's
//! redemptions and those synced from other devices), minimum spend, scope, and the device's
//! offline limits. [`Wallet::redeem`] checks all of it again **inside** the write
//! transaction that records the redemption and its outbox entry, so nothing can slip in
//! between the check and the write, and a kill leaves both or neither. The sync engine
//! pushes the redemption; the server's answer (confirmed, disputed, rejected) and disputes
//! from other devices come back through sync. `docs/coupon-wallet.md` has the rules and the
//! reason codes.

mod answer;
mod decide;
mod offline;
mod terms;
#[cfg(test)]
mod tests;
mod validity;

use std::sync::Arc;

pub use answer::record_server_answer;
pub use offline::{check_offline, redeem_until_ms};
pub use terms::{
    AmountProblem, Remaining, ScopeCheck, check_remaining, check_scope, discount, remaining,
    stored_value_amount,
};
pub use validity::{CLOCK_TOLERANCE_MS, check_window};

use super::{CouponValue, DecodedCoupon, Refusal, decode};
use crate::domain::{
    CouponKind, CouponScope, Dispute, Redemption, RedemptionOrigin, RedemptionState, WalletLimits,
};
use crate::money::Fen;
use crate::protocol::RedemptionPayload;
use crate::store::{Db, Store, StoreError, UnsyncedTotals};
use crate::time::Clock;
use decide::Evaluation;

/// Why a wallet operation could not be carried out. A coupon that is refused is not an
/// error of [`Wallet::verify`] (its [`Verdict`] says so); [`Wallet::redeem`] returns
/// [`WalletError::Refused`].
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// The coupon is refused; nothing was written.
    #[error("{0}")]
    Refused(Refusal),
    /// The caller's input makes no sense (no order total, a negative amount, ...).
    #[error("invalid {what}: {detail}")]
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Why, in plain words.
        detail: String,
    },
    /// The database failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl WalletError {
    /// What to tell the seller, in `language` (a refusal in the words of
    /// [`Refusal::message_zh`] / [`Refusal::message_en`]).
    pub fn message(&self, language: crate::locale::Language) -> String {
        use crate::locale::Language::{En, ZhCn};
        match (self, language) {
            (WalletError::Refused(r), ZhCn) => r.message_zh(),
            (WalletError::Refused(r), En) => r.message_en(),
            // The detail is English for testers; the seller gets what to check.
            (WalletError::InvalidInput { .. }, ZhCn) => {
                "输入有误，请检查订单金额和核销金额。".to_owned()
            }
            (WalletError::InvalidInput { detail, .. }, En) => {
                format!("Check the order total and the amount: {detail}.")
            }
            (WalletError::Store(e), language) => e.message(language),
        }
    }
}

/// The order a coupon is presented for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purchase {
    /// The order total in fen; needed to redeem, optional to verify (then the minimum spend
    /// and the discount are not worked out).
    pub total: Option<Fen>,
    /// Products in the order, to check a limited scope. Empty: the scope is shown and the
    /// seller confirms it ([`ScopeCheck::SellerConfirms`]).
    pub product_ids: Vec<String>,
}

impl Purchase {
    /// An order of `total` with no product list.
    pub fn with_total(total: Fen) -> Purchase {
        Purchase {
            total: Some(total),
            product_ids: Vec::new(),
        }
    }
}

/// A verified coupon's terms and state, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CouponTerms {
    /// The coupon's `cti`.
    pub coupon_id: String,
    /// Its book.
    pub book_id: String,
    /// The book's title, once the book is synced.
    pub book_title: Option<String>,
    /// The key that signed it.
    pub kid: String,
    /// Single use, N uses or stored value.
    pub kind: CouponKind,
    /// Fixed amount (or the stored balance) or percentage.
    pub value: CouponValue,
    /// Minimum order total.
    pub min_spend: Fen,
    /// Products it applies to.
    pub scope: CouponScope,
    /// Issued at, UTC ms.
    pub issued_ms: i64,
    /// Start of validity, UTC ms.
    pub not_before_ms: i64,
    /// End of validity (exclusive), UTC ms.
    pub expires_ms: i64,
    /// Uses allowed, for N-use coupons.
    pub max_uses: Option<u32>,
    /// Redemptions so far that count (this device's and those synced from others).
    pub uses: u32,
    /// Uses left (single use, N uses).
    pub remaining_uses: Option<u32>,
    /// Balance left (stored value).
    pub balance: Option<Fen>,
    /// What the coupon takes off this order (or spends, for stored value), when the total
    /// is known.
    pub discount: Option<Fen>,
    /// How the scope was checked.
    pub scope_check: ScopeCheck,
}

/// The wallet's answer to a scanned coupon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Why it must not be accepted; `None` when it may be redeemed.
    pub refusal: Option<Refusal>,
    /// The terms, once the signature checked out (so a refused coupon that is genuine, e.g.
    /// expired or used up, still shows what it was). `None` for a coupon that is not
    /// genuine or not readable: its claims are not the shop's word.
    pub terms: Option<CouponTerms>,
}

impl Verdict {
    /// Whether the coupon may be redeemed.
    pub fn is_accepted(&self) -> bool {
        self.refusal.is_none()
    }

    /// `ok`, or the refusal's stable reason code.
    pub fn code(&self) -> &'static str {
        self.refusal.as_ref().map_or("ok", Refusal::code)
    }
}

/// A redemption written to the database and queued for the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redeemed {
    /// The redemption (state `pending` until the server answers).
    pub redemption: Redemption,
    /// Its outbox mutation id.
    pub mutation_id: i64,
    /// The coupon's terms after this redemption (uses and balance updated).
    pub terms: CouponTerms,
}

/// This device's offline allowance, for the wallet screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalletStatus {
    /// The limits in force.
    pub limits: WalletLimits,
    /// Redemptions waiting for the server.
    pub unsynced: UnsyncedTotals,
    /// End of the last successful sync, UTC ms.
    pub last_sync_ms: Option<i64>,
    /// Redeeming stops after this instant until the next sync, UTC ms.
    pub redeem_until_ms: Option<i64>,
}

/// Verifies and redeems coupons against one database.
#[derive(Clone, Debug)]
pub struct Wallet {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
}

impl Wallet {
    /// A wallet over `store`, reading "now" from `clock`.
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Wallet {
        Wallet { store, clock }
    }

    /// Checks a scanned coupon for `purchase` without writing anything.
    ///
    /// # Errors
    /// Only [`WalletError::Store`] and [`WalletError::InvalidInput`] (a negative total); a
    /// refused coupon is a [`Verdict`] with a refusal.
    pub fn verify(&self, text: &str, purchase: &Purchase) -> Result<Verdict, WalletError> {
        let decoded = decode(clean(text));
        let now = self.clock.now_ms();
        self.store
            .read(|db| evaluate(db, now, &decoded, purchase, None).map(|e| e.verdict))
    }

    /// Redeems a coupon for `purchase` (whose total is required) on the device
    /// `device_id` (the caller checked activation: `crate::app::App::redeem_coupon`). `amount` is the stored
    /// value to spend (default: as much as the balance and the total allow); other kinds
    /// take none, or exactly their discount.
    ///
    /// Every check of [`Wallet::verify`] runs again inside the write transaction that
    /// records the redemption (UUIDv7 id, state `pending`) and its outbox entry.
    ///
    /// # Errors
    /// [`WalletError::Refused`] with the reason, [`WalletError::InvalidInput`],
    /// [`WalletError::Store`]. Nothing is written then.
    pub fn redeem(
        &self,
        device_id: &str,
        text: &str,
        purchase: &Purchase,
        amount: Option<Fen>,
    ) -> Result<Redeemed, WalletError> {
        let Some(total) = purchase.total else {
            return Err(WalletError::InvalidInput {
                what: "order total",
                detail: "redeeming a coupon needs the order total".into(),
            });
        };
        let text = clean(text);
        let decoded = decode(text);
        let now = self.clock.now_ms();
        self.store.write(|db| {
            let Evaluation {
                verdict,
                amount: granted,
            } = evaluate(db, now, &decoded, purchase, amount)?;
            let (mut terms, granted) = match (verdict, granted) {
                (
                    Verdict {
                        refusal: None,
                        terms: Some(terms),
                    },
                    Some(granted),
                ) => (terms, granted),
                (
                    Verdict {
                        refusal: Some(r), ..
                    },
                    _,
                ) => return Err(WalletError::Refused(r)),
                _ => {
                    return Err(WalletError::InvalidInput {
                        what: "coupon",
                        detail: "the coupon's value could not be worked out".into(),
                    });
                }
            };
            let redemption = Redemption {
                id: uuid::Uuid::now_v7().to_string(),
                coupon_id: terms.coupon_id.clone(),
                book_id: terms.book_id.clone(),
                device_id: device_id.to_string(),
                order_total: total,
                amount: granted,
                redeemed_ms: now,
                origin: RedemptionOrigin::Local,
                state: RedemptionState::Pending,
            };
            let payload = RedemptionPayload {
                redemption_id: redemption.id.clone(),
                coupon_id: redemption.coupon_id.clone(),
                book_id: redemption.book_id.clone(),
                kid: terms.kid.clone(),
                order_total: total,
                amount: granted,
                redeemed_ms: now,
                coupon: text.to_string(),
            };
            let payload =
                serde_json::to_string(&payload).map_err(|e| StoreError::InvalidInput {
                    what: "redemption payload",
                    detail: e.to_string(),
                })?;
            let mutation_id = db
                .coupons()
                .record_local_redemption(&redemption, &payload)?;
            terms.uses = terms.uses.saturating_add(1);
            terms.remaining_uses = terms.remaining_uses.map(|u| u.saturating_sub(1));
            terms.balance = terms
                .balance
                .map(|b| b.checked_sub(granted).unwrap_or(Fen::ZERO));
            Ok(Redeemed {
                redemption,
                mutation_id,
                terms,
            })
        })
    }

    /// Redemptions known here (this device's and synced ones), newest first, at most
    /// `limit`.
    ///
    /// # Errors
    /// [`WalletError::Store`].
    pub fn redemptions(&self, limit: u32) -> Result<Vec<Redemption>, WalletError> {
        Ok(self
            .store
            .read(|db| db.coupons().recent_redemptions(limit))?)
    }

    /// Disputes from the server, newest first; dismissed ones only if asked.
    ///
    /// # Errors
    /// [`WalletError::Store`].
    pub fn disputes(&self, include_resolved: bool) -> Result<Vec<Dispute>, WalletError> {
        Ok(self
            .store
            .read(|db| db.coupons().disputes(include_resolved))?)
    }

    /// Marks a dispute as dealt with on this phone. Returns whether it was open.
    ///
    /// # Errors
    /// [`WalletError::Store`].
    pub fn resolve_dispute(&self, id: &str) -> Result<bool, WalletError> {
        let now = self.clock.now_ms();
        Ok(self
            .store
            .write(|db| db.coupons().resolve_dispute(id, now))?)
    }

    /// The offline limits in force.
    ///
    /// # Errors
    /// [`WalletError::Store`].
    pub fn limits(&self) -> Result<WalletLimits, WalletError> {
        Ok(self.store.read(|db| db.coupons().limits())?)
    }

    /// Changes the offline limits (persisted).
    ///
    /// # Errors
    /// [`WalletError::Store`] (also for a negative value cap).
    pub fn set_limits(&self, limits: &WalletLimits) -> Result<(), WalletError> {
        let now = self.clock.now_ms();
        Ok(self
            .store
            .write(|db| db.coupons().set_limits(limits, now))?)
    }

    /// Limits, what waits for the server, and until when redeeming is allowed.
    ///
    /// # Errors
    /// [`WalletError::Store`].
    pub fn status(&self) -> Result<WalletStatus, WalletError> {
        Ok(self.store.read(|db| {
            let limits = db.coupons().limits()?;
            let last_sync_ms = db.sync().state()?.last_success_ms;
            Ok::<_, StoreError>(WalletStatus {
                limits,
                unsynced: db.coupons().unsynced_totals()?,
                last_sync_ms,
                redeem_until_ms: redeem_until_ms(&limits, last_sync_ms),
            })
        })?)
    }
}

/// Scanners add line ends; Base45 has a space in its alphabet, so only leading blanks and
/// trailing line breaks are dropped.
fn clean(text: &str) -> &str {
    text.trim_start().trim_end_matches(['\r', '\n', '\t'])
}

/// Every rule, in the order a seller would want to hear about them: not genuine first, then
/// no longer valid, then not for this order, then this device's limits. Loads what the
/// database knows ([`decide::load_facts`]), then decides without it ([`decide::decide`]).
fn evaluate(
    db: &Db<'_>,
    now: i64,
    decoded: &Result<DecodedCoupon, Refusal>,
    purchase: &Purchase,
    asked: Option<Fen>,
) -> Result<Evaluation, WalletError> {
    if let Some(total) = purchase.total
        && total <= Fen::ZERO
    {
        return Err(WalletError::InvalidInput {
            what: "order total",
            detail: format!("the order total must be above ¥0.00, not {total}"),
        });
    }
    let coupon = match decoded {
        Ok(c) => c,
        Err(refusal) => return Ok(Evaluation::refused(refusal.clone(), None)),
    };
    let facts = decide::load_facts(db, coupon, purchase)?;
    decide::decide(now, coupon, &facts, purchase, asked)
}
