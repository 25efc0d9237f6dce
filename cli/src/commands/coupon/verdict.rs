//! `sellerkit coupon verify` and `sellerkit coupon redeem`: the verdict, for people and
//! for scripts.

use std::fmt::Write as _;

use sellerkit_core::app::AppError;
use sellerkit_core::coupons::wallet::{CouponTerms, Purchase, Redeemed, Verdict, WalletError};
use sellerkit_core::coupons::{CouponValue, Refusal};
use sellerkit_core::domain::{CouponKind, CouponScope};
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use sellerkit_core::store::Store;
use sellerkit_core::time::{ShopZone, format_ms_rfc3339};

use super::open_wallet;
use crate::Context;
use crate::output::Refused;

/// The verdict as printed with `--json`. `reason` is `ok` or a stable refusal code.
#[derive(Debug, serde::Serialize)]
pub struct VerdictView {
    /// Whether the coupon may be (or was) redeemed.
    pub accepted: bool,
    /// `ok`, or why it is refused (`bad_signature`, `expired`, `used_up`, …).
    pub reason: &'static str,
    /// What to tell the seller, in English.
    pub message: String,
    /// The same in Simplified Chinese.
    pub message_zh: String,
    /// Technical detail of a refusal (what is malformed, which key id), for testers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The order total given, in fen.
    pub order_total: Option<Fen>,
    /// The coupon's terms and state, when it is genuine (also when it is refused for
    /// being expired, used up, …).
    pub coupon: Option<TermsView>,
    /// What `redeem` wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redemption: Option<RedemptionView>,
}

/// A coupon's terms, flattened for JSON; amounts in fen, times in UTC ms.
#[derive(Debug, serde::Serialize)]
pub struct TermsView {
    coupon_id: String,
    book_id: String,
    book_title: Option<String>,
    kid: String,
    kind: &'static str,
    value_fen: Option<Fen>,
    value_bps: Option<i32>,
    min_spend: Fen,
    scope: CouponScope,
    scope_check: &'static str,
    issued_ms: i64,
    not_before_ms: i64,
    expires_ms: i64,
    max_uses: Option<u32>,
    uses: u32,
    remaining_uses: Option<u32>,
    balance: Option<Fen>,
    discount: Option<Fen>,
}

impl From<&CouponTerms> for TermsView {
    fn from(t: &CouponTerms) -> Self {
        let (value_fen, value_bps) = match t.value {
            CouponValue::Amount(fen) => (Some(fen), None),
            CouponValue::Percent(bps) => (None, Some(bps.0)),
        };
        TermsView {
            coupon_id: t.coupon_id.clone(),
            book_id: t.book_id.clone(),
            book_title: t.book_title.clone(),
            kid: t.kid.clone(),
            kind: t.kind.as_str(),
            value_fen,
            value_bps,
            min_spend: t.min_spend,
            scope: t.scope.clone(),
            scope_check: t.scope_check.as_str(),
            issued_ms: t.issued_ms,
            not_before_ms: t.not_before_ms,
            expires_ms: t.expires_ms,
            max_uses: t.max_uses,
            uses: t.uses,
            remaining_uses: t.remaining_uses,
            balance: t.balance,
            discount: t.discount,
        }
    }
}

/// The redemption `redeem` recorded.
#[derive(Debug, serde::Serialize)]
pub struct RedemptionView {
    /// UUIDv7: the idempotency key on the server.
    id: String,
    /// Discount granted or stored value spent.
    amount: Fen,
    order_total: Fen,
    redeemed_ms: i64,
    /// `pending` until a sync brings the server's answer.
    state: &'static str,
    /// Its outbox entry.
    mutation_id: i64,
}

impl VerdictView {
    fn accepted(terms: &CouponTerms, total: Option<Fen>) -> VerdictView {
        let (message, message_zh) = match terms.discount {
            Some(d) if terms.kind == CouponKind::StoredValue => (
                format!("Genuine and valid: {d} of its balance can pay for this order."),
                format!("有效：可用余额支付本单 {d}。"),
            ),
            Some(d) => (
                format!("Genuine and valid: {d} off this order."),
                format!("有效：本单优惠 {d}。"),
            ),
            None => (
                "Genuine and valid. Give the order total to work out the discount.".to_owned(),
                "有效。输入订单金额以计算优惠。".to_owned(),
            ),
        };
        VerdictView {
            accepted: true,
            reason: "ok",
            message,
            message_zh,
            detail: None,
            order_total: total,
            coupon: Some(terms.into()),
            redemption: None,
        }
    }

    fn refused(refusal: &Refusal, terms: Option<&CouponTerms>, total: Option<Fen>) -> Self {
        let detail = match refusal {
            Refusal::Malformed { detail } => Some(detail.clone()),
            Refusal::UnsupportedAlgorithm { alg } => Some(format!("alg {alg}")),
            Refusal::UnknownKey { kid } => Some(format!("kid {kid:?}")),
            _ => None,
        };
        VerdictView {
            accepted: false,
            reason: refusal.code(),
            message: refusal.message_en(),
            message_zh: refusal.message_zh(),
            detail,
            order_total: total,
            coupon: terms.map(TermsView::from),
            redemption: None,
        }
    }

    fn of(verdict: &Verdict, total: Option<Fen>) -> Self {
        match (&verdict.refusal, &verdict.terms) {
            (None, Some(terms)) => VerdictView::accepted(terms, total),
            (Some(refusal), terms) => VerdictView::refused(refusal, terms.as_ref(), total),
            // An accepted verdict always has terms; say so plainly if one ever has not.
            (None, None) => VerdictView::refused(
                &Refusal::malformed("the wallet accepted a coupon without terms"),
                None,
                total,
            ),
        }
    }
}

/// `coupon verify`.
pub fn verify(
    ctx: &Context,
    text: &str,
    total: Option<Fen>,
    products: &[String],
) -> anyhow::Result<()> {
    let app = open_wallet(ctx)?;
    let purchase = Purchase {
        total,
        product_ids: products.to_vec(),
    };
    let verdict = app.verify_coupon(text, &purchase)?;
    let view = VerdictView::of(&verdict, total);
    print_verdict(ctx, app.store(), &view)
}

/// `coupon redeem`.
pub fn redeem(
    ctx: &Context,
    text: &str,
    total: Fen,
    amount: Option<Fen>,
    products: &[String],
) -> anyhow::Result<()> {
    let app = open_wallet(ctx)?;
    let purchase = Purchase {
        total: Some(total),
        product_ids: products.to_vec(),
    };
    let view = match app.redeem_coupon(text, &purchase, amount) {
        Ok(redeemed) => redeemed_view(&redeemed, total),
        Err(AppError::Wallet(WalletError::Refused(refusal))) => {
            // Show what the coupon is, when it is genuine: a read, nothing is written.
            let terms = app
                .verify_coupon(text, &purchase)
                .ok()
                .and_then(|v| v.terms);
            VerdictView::refused(&refusal, terms.as_ref(), Some(total))
        }
        Err(other) => return Err(other.into()),
    };
    print_verdict(ctx, app.store(), &view)
}

fn redeemed_view(r: &Redeemed, total: Fen) -> VerdictView {
    let red = &r.redemption;
    let mut view = VerdictView::accepted(&r.terms, Some(total));
    let (message, message_zh) = if r.terms.kind == CouponKind::StoredValue {
        (
            format!("Redeemed: {} paid from the coupon's balance.", red.amount),
            format!("已核销：余额支付 {}。", red.amount),
        )
    } else {
        (
            format!("Redeemed: {} off this order.", red.amount),
            format!("已核销：本单优惠 {}。", red.amount),
        )
    };
    view.message = message;
    view.message_zh = message_zh;
    view.redemption = Some(RedemptionView {
        id: red.id.clone(),
        amount: red.amount,
        order_total: red.order_total,
        redeemed_ms: red.redeemed_ms,
        state: red.state.as_str(),
        mutation_id: r.mutation_id,
    });
    view
}

fn print_verdict(ctx: &Context, store: &Store, view: &VerdictView) -> anyhow::Result<()> {
    let zone = shop_zone(store);
    let language = ctx.language();
    ctx.out.print(view, |v| render(v, &zone, language));
    if view.accepted {
        Ok(())
    } else {
        Err(Refused { code: view.reason }.into())
    }
}

/// The shop's time zone for showing times, or the default (Asia/Shanghai).
pub fn shop_zone(store: &Store) -> ShopZone {
    store
        .read(|db| db.shop().get())
        .ok()
        .flatten()
        .and_then(|shop| ShopZone::new(&shop.time_zone).ok())
        .unwrap_or_default()
}

/// A time in the shop's zone, or the raw milliseconds if it is out of range.
pub fn when(ms: i64, zone: &ShopZone) -> String {
    format_ms_rfc3339(ms, zone).unwrap_or_else(|_| format!("{ms} ms"))
}

/// The verdict for the seller, in their language (`--json` carries both messages).
fn render(v: &VerdictView, zone: &ShopZone, language: Language) -> String {
    let pick = |zh: &'static str, en: &'static str| language.pick(zh, en);
    let mut out = String::new();
    let message = language.pick(&v.message_zh, &v.message);
    if v.accepted {
        let _ = writeln!(out, "{}{message}", pick("可以使用  ", "ACCEPTED  "));
    } else {
        let _ = writeln!(
            out,
            "{}{message}  [{}]",
            pick("拒绝      ", "REFUSED   "),
            v.reason
        );
        if let Some(detail) = &v.detail {
            let _ = writeln!(out, "          ({detail})");
        }
    }
    if let Some(c) = &v.coupon {
        let value = match (c.value_fen, c.value_bps) {
            (Some(fen), _) if c.kind == "stored_value" => {
                language.pick(format!("储值 {fen}"), format!("{fen} stored value"))
            }
            (Some(fen), _) => language.pick(format!("减 {fen}"), format!("{fen} off")),
            (None, Some(bps)) => {
                let bps = sellerkit_core::money::Bps(bps);
                language.pick(format!("优惠 {bps}"), format!("{bps} off"))
            }
            (None, None) => String::new(),
        };
        let title = c.book_title.as_deref().unwrap_or(&c.book_id);
        let kind = match c.kind {
            "single_use" => pick("单次券", "single use"),
            "multi_use" => pick("多次券", "multi use"),
            "stored_value" => pick("储值券", "stored value"),
            other => other,
        };
        let _ = writeln!(
            out,
            "{}",
            language.pick(
                format!(
                    "券        {}（{title}）：{kind}，{value}，满 {} 可用",
                    c.coupon_id, c.min_spend
                ),
                format!(
                    "Coupon    {} of {title}: {kind}, {value}, minimum spend {}",
                    c.coupon_id, c.min_spend
                ),
            )
        );
        let left = match (c.remaining_uses, c.balance) {
            (_, Some(balance)) => {
                language.pick(format!("余额 {balance}"), format!("balance {balance}"))
            }
            (Some(n), None) => {
                language.pick(format!("还可使用 {n} 次"), format!("{n} use(s) left"))
            }
            (None, None) => String::new(),
        };
        let (from, to) = (when(c.not_before_ms, zone), when(c.expires_ms, zone));
        let _ = writeln!(
            out,
            "{}",
            language.pick(
                format!("有效期    {from} 至 {to}；{left}"),
                format!("Valid     {from} to {to}; {left}"),
            )
        );
        match &c.scope {
            CouponScope::All => {}
            CouponScope::Products(ids) => {
                let _ = writeln!(
                    out,
                    "{}{}",
                    pick("适用      商品 ", "Scope     products "),
                    ids.join(", ")
                );
            }
            CouponScope::Categories(ids) => {
                let _ = writeln!(
                    out,
                    "{}{}",
                    pick("适用      类目 ", "Scope     categories "),
                    ids.join(", ")
                );
            }
        }
        if c.scope_check == "seller_confirms" {
            let _ = writeln!(
                out,
                "{}",
                pick(
                    "          请确认订单中的商品在适用范围内（或加 --product ID）",
                    "          check the order's products are in scope (or pass --product ID)",
                )
            );
        }
    }
    if let Some(r) = &v.redemption {
        let _ = writeln!(
            out,
            "{}",
            language.pick(
                format!("已记录    核销 {}（{}），下次同步时上传", r.id, r.state),
                format!(
                    "Recorded  redemption {} ({}), sent at the next sync",
                    r.id, r.state
                ),
            )
        );
    }
    out
}
