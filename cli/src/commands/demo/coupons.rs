//! The coupon part of `sellerkit demo`: the shop issues coupons on the dev server, the
//! phone syncs its keys, redeems offline, refuses a tampered and a forged coupon, syncs
//! (each redemption reaches the server once), and a second phone redeeming the same
//! single-use coupon offline ends in a dispute.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use coset::TaggedCborSerializable as _;
use sellerkit_core::app::{App, SyncRun};
use sellerkit_core::coupons::wallet::{Purchase, WalletError};
use sellerkit_core::coupons::{CouponClaims, CouponValue, code};
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use sellerkit_core::sync::progress::NoProgress;
use sellerkit_core::sync::secrets::FileSecretStore;
use sellerkit_core::sync::transport::{RetryMode, Transport};
use sellerkit_core::time::Clock;
use tokio_util::sync::CancellationToken;

use super::story::Story;

/// What the coupon part showed, for the report.
#[derive(Debug, serde::Serialize)]
pub struct CouponDemo {
    /// The book issued, its title and how many coupons.
    pub book_title: String,
    /// Coupons issued.
    pub issued: usize,
    /// Signing keys on the phone after the sync.
    pub keys_synced: u64,
    /// Redeemed offline: (coupon id, order total, amount off).
    pub redeemed: Vec<DemoRedemption>,
    /// A coupon with one character changed.
    pub tampered: DemoRefusal,
    /// A coupon whose value was raised and re-encoded, signature kept.
    pub forged: DemoRefusal,
    /// The same coupon offered again after it was spent.
    pub reused: DemoRefusal,
    /// Redemptions the next sync pushed, and how many the server applied.
    pub pushed: u64,
    /// Applied by the server.
    pub applied: u64,
    /// What the sync after that pushed (0: nothing twice).
    pub pushed_again: u64,
    /// The dispute made by two phones redeeming one single-use coupon offline.
    pub dispute: Option<DemoDispute>,
}

/// One offline redemption.
#[derive(Debug, serde::Serialize)]
pub struct DemoRedemption {
    /// The coupon's `cti`.
    pub coupon_id: String,
    /// The order total.
    pub order_total: Fen,
    /// Discount granted.
    pub amount: Fen,
}

/// A refusal shown by the demo.
#[derive(Debug, serde::Serialize)]
pub struct DemoRefusal {
    /// Stable reason code.
    pub reason: String,
    /// The seller's message.
    pub message: String,
}

/// The dispute, as the second phone lists it.
#[derive(Debug, serde::Serialize)]
pub struct DemoDispute {
    /// The coupon redeemed twice.
    pub coupon_id: String,
    /// Server id of the dispute.
    pub id: String,
    /// What the server says happened.
    pub message: String,
    /// Mutations the first phone had applied and the second phone got as conflicts.
    pub first_applied: u64,
    /// Conflicts the second phone's sync got back.
    pub second_conflicts: u64,
}

/// The phone and server the rest of the demo already set up.
pub struct Phone<'a> {
    /// The phone's core service (activated).
    pub app: &'a App,
    /// The transport to the dev server (for its `/dev/` endpoints).
    pub transport: Arc<Transport>,
    /// The demo shop's reusable activation code, for the second phone.
    pub code: &'a str,
    /// Folder for the second phone's database.
    pub dir: &'a Path,
    /// The demo's clock.
    pub clock: Arc<dyn Clock>,
}

/// Runs the coupon part; `story` narrates on stderr.
pub async fn run(
    phone: Phone<'_>,
    story: &Story,
    cancel: &CancellationToken,
) -> anyhow::Result<CouponDemo> {
    let shop = sellerkit_devserver::DEMO_SHOP_ID;
    let title = "满100减10";
    story.say(
        &format!("店铺发出 6 张单次券「{title}」（满 ¥100.00 减 ¥10.00）"),
        &format!(
            "the shop issues 6 single-use coupons \"{title}\" (¥10.00 off orders from ¥100.00)"
        ),
    );
    let issued: serde_json::Value = phone
        .transport
        .post_json(
            &format!("/dev/shops/{shop}/coupons"),
            // Valid around the demo's clock (which `--now` may set far from the server's).
            &serde_json::json!({
                "title": title, "kind": "single_use", "value_fen": 1000,
                "min_spend": 10000, "count": 6,
                "valid_from_ms": phone.clock.now_ms() - 86_400_000,
                "valid_until_ms": phone.clock.now_ms() + 30 * 86_400_000
            }),
            None,
            RetryMode::OnlyIfNotSent,
            cancel,
        )
        .await
        .context("the dev server did not issue the coupons")?;
    let texts: Vec<String> = issued["coupons"]
        .as_array()
        .context("the dev server's answer has no coupons")?
        .iter()
        .filter_map(|c| c["text"].as_str().map(str::to_owned))
        .collect();
    if texts.len() != 6 {
        bail!("the dev server issued {} coupons, not 6", texts.len());
    }

    story.say(
        "同步：店铺的签名密钥、券批次和作废记录到达手机",
        "sync: the shop's signing key, the book and revocations reach the phone",
    );
    let report = phone
        .app
        .sync(&SyncRun::default(), &NoProgress, cancel)
        .await?;
    let keys_synced = report.pulled.get("signing_key").copied().unwrap_or(0);

    story.say(
        "从这里开始离线：三位顾客用券付款",
        "offline from here: three customers pay with coupons",
    );
    let wallet = phone.app;
    let mut redeemed = Vec::new();
    for (text, total) in texts[..3].iter().zip([12_800, 25_000, 10_000]) {
        let r = wallet.redeem_coupon(text, &Purchase::with_total(Fen(total)), None)?;
        story.say(
            &format!(
                "  已核销 {}：{} 的订单减 {}",
                r.redemption.coupon_id, r.redemption.order_total, r.redemption.amount
            ),
            &format!(
                "  redeemed {}: {} off an order of {}",
                r.redemption.coupon_id, r.redemption.amount, r.redemption.order_total
            ),
        );
        redeemed.push(DemoRedemption {
            coupon_id: r.redemption.coupon_id,
            order_total: r.redemption.order_total,
            amount: r.redemption.amount,
        });
    }

    let purchase = Purchase::with_total(Fen(12_000));
    let language = story.language();
    let tampered = refusal(wallet, &flip_one_char(&texts[3]), &purchase, language)?;
    story.say(
        &format!(
            "  改了一个字符的券：拒绝，{} [{}]",
            tampered.message, tampered.reason
        ),
        &format!(
            "  a coupon with one character changed: refused, {} [{}]",
            tampered.message, tampered.reason
        ),
    );
    let forged = refusal(
        wallet,
        &raise_value(&texts[3], Fen(9_900))?,
        &purchase,
        language,
    )?;
    story.say(
        &format!(
            "  同一张券重新编码成减 ¥99.00：拒绝，{} [{}]",
            forged.message, forged.reason
        ),
        &format!(
            "  the same coupon re-encoded at ¥99.00 off: refused, {} [{}]",
            forged.message, forged.reason
        ),
    );
    let reused = refusal(wallet, &texts[0], &purchase, language)?;
    story.say(
        &format!(
            "  第一张券再用一次：拒绝，{} [{}]",
            reused.message, reused.reason
        ),
        &format!(
            "  the first coupon offered again: refused, {} [{}]",
            reused.message, reused.reason
        ),
    );

    story.say(
        "恢复联网：同步上传核销记录",
        "back online: sync pushes the redemptions",
    );
    let pushed = phone
        .app
        .sync(&SyncRun::default(), &NoProgress, cancel)
        .await?;
    let again = phone
        .app
        .sync(&SyncRun::default(), &NoProgress, cancel)
        .await?;
    story.say(
        &format!(
            "  上传 {}，接受 {}；下一次同步上传 {}",
            pushed.pushed, pushed.applied, again.pushed
        ),
        &format!(
            "  pushed {}, applied {}; the next sync pushed {}",
            pushed.pushed, pushed.applied, again.pushed
        ),
    );

    story.say(
        "两部手机都离线，核销同一张单次券",
        "two phones, both offline, redeem the same single-use coupon",
    );
    let dispute = two_phones(&phone, wallet, &texts[4], story, cancel).await?;

    Ok(CouponDemo {
        book_title: title.to_owned(),
        issued: texts.len(),
        keys_synced,
        redeemed,
        tampered,
        forged,
        reused,
        pushed: pushed.pushed,
        applied: pushed.applied,
        pushed_again: again.pushed,
        dispute,
    })
}

async fn two_phones(
    phone: &Phone<'_>,
    wallet: &App,
    text: &str,
    story: &Story,
    cancel: &CancellationToken,
) -> anyhow::Result<Option<DemoDispute>> {
    let db = phone.dir.join("second-phone.db");
    let mut config =
        sellerkit_core::app::AppConfig::new(&db, Arc::new(FileSecretStore::beside_database(&db)));
    config.clock = Arc::clone(&phone.clock);
    config.language = phone.app.language();
    config.device_name = "SellerKit demo, second phone".into();
    config.extra_root_ca_pem = phone.app.transport_config().extra_root_certs_pem.clone();
    let second = App::open(config)?;
    let no_media = SyncRun {
        download_media: false,
        page_limit: None,
    };
    second
        .activate(phone.transport.base_url(), phone.code, cancel)
        .await?;
    second.sync(&no_media, &NoProgress, cancel).await?;
    let second_wallet = &second;

    let purchase = Purchase::with_total(Fen(15_000));
    let a = wallet.redeem_coupon(text, &purchase, None)?;
    let b = second_wallet.redeem_coupon(text, &purchase, None)?;
    story.say(
        &format!(
            "  两部手机都离线接受了 {}（各减 {} 和 {}）",
            a.redemption.coupon_id, a.redemption.amount, b.redemption.amount
        ),
        &format!(
            "  both accepted {} offline ({} and {} off)",
            a.redemption.coupon_id, a.redemption.amount, b.redemption.amount
        ),
    );
    let first = phone
        .app
        .sync(&SyncRun::default(), &NoProgress, cancel)
        .await?;
    let late = second.sync(&no_media, &NoProgress, cancel).await?;
    let disputes = second_wallet.coupon_disputes(false)?;
    let dispute = disputes
        .into_iter()
        .find(|d| d.coupon_id == a.redemption.coupon_id);
    match &dispute {
        Some(d) => story.say(
            &format!("  第一部手机的同步被接受，第二部的成了争议：{}", d.message),
            &format!(
                "  the first phone's sync was applied, the second's came back as a dispute: {}",
                d.message
            ),
        ),
        None => story.say(
            "  第二部手机的同步没有带来争议（不应如此）",
            "  the second phone's sync brought no dispute (unexpected)",
        ),
    }
    Ok(dispute.map(|d| DemoDispute {
        coupon_id: d.coupon_id,
        id: d.id,
        message: d.message,
        first_applied: first.applied,
        second_conflicts: late.conflicts,
    }))
}

/// The wallet's refusal of `text` in the seller's language, or an error if it was accepted
/// (the demo would lie).
fn refusal(
    wallet: &App,
    text: &str,
    purchase: &Purchase,
    language: Language,
) -> anyhow::Result<DemoRefusal> {
    let verdict = wallet.verify_coupon(text, purchase)?;
    match verdict.refusal {
        Some(r) => Ok(DemoRefusal {
            reason: r.code().to_owned(),
            message: language.pick(r.message_zh(), r.message_en()),
        }),
        None => Err(WalletError::InvalidInput {
            what: "demo coupon",
            detail: "a tampered coupon was accepted".into(),
        }
        .into()),
    }
}

/// The coupon text with one Base45 character in the middle replaced by another.
pub fn flip_one_char(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// A forgery: the coupon's value raised to `value` and re-encoded, the shop's signature
/// kept (what someone without the shop's key can do).
pub fn raise_value(text: &str, value: Fen) -> anyhow::Result<String> {
    let cose = code::decode(text).map_err(|r| anyhow::anyhow!("{r}"))?;
    let mut sign1 =
        coset::CoseSign1::from_tagged_slice(&cose).map_err(|e| anyhow::anyhow!("COSE: {e}"))?;
    let payload = sign1.payload.as_deref().context("no payload")?;
    let mut claims = CouponClaims::from_payload(payload).map_err(|r| anyhow::anyhow!("{r}"))?;
    claims.value = CouponValue::Amount(value);
    sign1.payload = Some(claims.to_payload());
    let bytes = sign1
        .to_tagged_vec()
        .map_err(|e| anyhow::anyhow!("COSE: {e}"))?;
    Ok(code::encode(&bytes))
}
