//! `sellerkit bench coupons`: how fast the wallet verifies and redeems, against the raw
//! Ed25519 verification rate of the same messages measured in the same run.
//!
//! The reference is `ed25519-dalek`'s strict verification of each coupon's exact COSE
//! `Sig_structure` and signature: the one cost no wallet can avoid. Then `coupon verify`
//! (text to verdict: Base45, zlib, CBOR, signature, revocations, uses, offline limits,
//! all read from the phone's SQLite database whose keys came by a real sync from the dev
//! server), and verify + redeem, each redemption its own durable transaction
//! (`synchronous=FULL`, as the store always runs) with its outbox entry.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use coset::TaggedCborSerializable as _;
use sellerkit_core::coupons::wallet::{Purchase, Wallet};
use sellerkit_core::coupons::{CouponClaims, CouponSigner, CouponValue, code};
use sellerkit_core::domain::{CouponKind, CouponScope, WalletLimits};
use sellerkit_core::money::Fen;
use sellerkit_core::store::Store;

use crate::Context;

/// Ratio of wallet verification to raw signature verification the issue asks for.
const VERIFY_GOAL: f64 = 0.5;
/// Median redeem latency the issue asks for, in ms.
const REDEEM_GOAL_MS: f64 = 2.0;
/// Each rate is measured for at least this long (repeating the coupons), for stable figures.
const MIN_MEASURE: Duration = Duration::from_millis(1_500);

#[derive(Debug, serde::Serialize)]
struct CouponBench {
    coupons: usize,
    raw_ed25519_verify_per_s: f64,
    decode_and_signature_per_s: f64,
    wallet_verify_per_s: f64,
    verify_vs_raw: f64,
    verify_goal: f64,
    redeem_per_s: f64,
    redeem_median_ms: f64,
    redeem_p95_ms: f64,
    redeem_max_ms: f64,
    redeem_goal_ms: f64,
    /// A redemption's own CPU time (this thread's on-CPU time over the loop, per coupon;
    /// Linux only): what is left of its latency once the disk's wait is taken out.
    redeem_cpu_ms: Option<f64>,
    /// Median of a one-row durable write through the same store: the disk's floor.
    durable_write_median_ms: f64,
    mean_coupon_chars: f64,
}

/// The coupons, the key that signed them, and the phone database they are checked against.
pub struct Fixture {
    /// The phone's database, activated and synced (keys, books).
    pub store: Arc<Store>,
    /// The phone's device id from activation (the wallet records it in each redemption).
    pub device_id: String,
    /// The shop's signer.
    pub signer: CouponSigner,
    /// Shop id (the coupons' issuer).
    pub shop_id: String,
    /// Book the coupons belong to.
    pub book_id: String,
    /// When the coupons are signed, UTC ms (within the key's validity).
    pub issued_ms: i64,
    /// Now, UTC ms, inside the coupons' validity.
    pub now_ms: i64,
}

/// Runs the benchmark over `count` coupons on `fixture` (prepared by the caller).
pub fn run(ctx: &Context, count: usize, fixture: Fixture) -> anyhow::Result<()> {
    if count == 0 {
        bail!("--count must be at least 1");
    }
    let progress = |msg: &str| {
        if !ctx.out.json {
            eprintln!("bench: {msg}");
        }
    };
    progress(&format!("issuing {count} single-use coupons"));
    let coupons: Vec<String> = (0..count)
        .map(|i| fixture.signer.issue(&claims(&fixture, i)))
        .collect();
    let mean_chars = coupons.iter().map(|c| c.len()).sum::<usize>() as f64 / coupons.len() as f64;

    // 1. The reference: the same Sig_structures and signatures, raw ed25519-dalek.
    progress("raw Ed25519 verification (reference)");
    let key = ed25519_dalek::VerifyingKey::from_bytes(&fixture.signer.public_key())
        .map_err(|_| anyhow::anyhow!("the bench key is not a valid Ed25519 key"))?;
    let messages: Vec<(Vec<u8>, ed25519_dalek::Signature)> = coupons
        .iter()
        .map(|text| {
            let cose = code::decode(text).map_err(|r| anyhow::anyhow!("{r}"))?;
            let sign1 = coset::CoseSign1::from_tagged_slice(&cose)
                .map_err(|e| anyhow::anyhow!("COSE: {e}"))?;
            let signature = ed25519_dalek::Signature::from_slice(&sign1.signature)
                .map_err(|_| anyhow::anyhow!("a bench coupon has no 64-byte signature"))?;
            Ok((sign1.tbs_data(b""), signature))
        })
        .collect::<anyhow::Result<_>>()?;
    let raw_rate = rate(messages.len(), |i| {
        let (tbs, sig) = &messages[i];
        key.verify_strict(tbs, sig).is_ok()
    })?;

    // 2. The format alone: text to claims, signature with the synced key.
    progress("decode + signature");
    let synced_key = fixture
        .store
        .read(|db| db.coupons().key(fixture.signer.kid()))?
        .context("the signing key did not reach the phone by sync")?;
    let format_rate = rate(coupons.len(), |i| {
        sellerkit_core::coupons::decode(&coupons[i])
            .and_then(|d| d.verify_signature(&synced_key))
            .is_ok()
    })?;

    // 3. The wallet's verify: everything, from the database.
    progress("wallet verify");
    let wallet = Wallet::new(
        Arc::clone(&fixture.store),
        Arc::new(sellerkit_core::time::FixedClock::new(fixture.now_ms)),
    );
    let purchase = Purchase::with_total(Fen(20_000));
    let mut failure = None;
    let verify_rate = rate(coupons.len(), |i| {
        match wallet.verify(&coupons[i], &purchase) {
            Ok(v) if v.is_accepted() => true,
            Ok(v) => {
                failure.get_or_insert(format!("refused: {}", v.code()));
                false
            }
            Err(e) => {
                failure.get_or_insert(e.to_string());
                false
            }
        }
    });
    let verify_rate = verify_rate.map_err(|e| match &failure {
        Some(f) => anyhow::anyhow!("{e}: {f}"),
        None => e,
    })?;

    // 4. Verify + redeem, one durable transaction each; every coupon once.
    progress(&format!("redeeming {count} coupons"));
    let mut latencies = Vec::with_capacity(coupons.len());
    let cpu_before = thread_cpu();
    let started = Instant::now();
    for text in &coupons {
        let t = Instant::now();
        wallet
            .redeem(&fixture.device_id, text, &purchase, None)
            .with_context(|| "a bench coupon was not redeemed")?;
        latencies.push(t.elapsed());
    }
    let redeem_rate = coupons.len() as f64 / started.elapsed().as_secs_f64();
    let redeem_cpu = cpu_before
        .zip(thread_cpu())
        .map(|(before, after)| after.saturating_sub(before).as_secs_f64() * 1000.0 / count as f64);
    latencies.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| ms(latencies[((latencies.len() - 1) as f64 * q).round() as usize]);

    // 5. The floor under any redemption: one durable one-row write (the offline limits'
    //    row) through the same store, same file, same fsync.
    progress("durable one-row writes (the disk's floor)");
    let limits = fixture.store.read(|db| db.coupons().limits())?;
    let mut floor = Vec::with_capacity(coupons.len().min(500));
    for i in 0..coupons.len().min(500) {
        // A new `updated_ms` each time: SQLite skips rewriting a byte-identical row.
        let at = fixture.now_ms + i as i64 + 1;
        let t = Instant::now();
        fixture
            .store
            .write(|db| db.coupons().set_limits(&limits, at))?;
        floor.push(t.elapsed());
    }
    floor.sort_unstable();
    let floor_median = ms(floor[floor.len() / 2]);

    let bench = CouponBench {
        coupons: count,
        raw_ed25519_verify_per_s: raw_rate,
        decode_and_signature_per_s: format_rate,
        wallet_verify_per_s: verify_rate,
        verify_vs_raw: verify_rate / raw_rate,
        verify_goal: VERIFY_GOAL,
        redeem_per_s: redeem_rate,
        redeem_median_ms: pick(0.5),
        redeem_p95_ms: pick(0.95),
        redeem_max_ms: latencies.last().map_or(0.0, |d| ms(*d)),
        redeem_goal_ms: REDEEM_GOAL_MS,
        redeem_cpu_ms: redeem_cpu,
        durable_write_median_ms: floor_median,
        mean_coupon_chars: mean_chars,
    };
    ctx.out.print(&bench, |b| {
        format!(
            "coupon benchmark: {} single-use coupons, {:.0} characters each on average\n\
             raw Ed25519 verify (same messages):   {:>9.0} /s   (reference)\n\
             decode + signature (format only):      {:>9.0} /s   = {:.2} x raw\n\
             coupon verify (wallet, from SQLite):   {:>9.0} /s   = {:.2} x raw (goal >= {})\n\
             verify + redeem (durable transaction): {:>9.0} /s\n\
             redeem latency: median {:.2} ms (goal < {} ms), p95 {:.2} ms, max {:.2} ms\n\
             redeem CPU time (its own work, without the disk's wait): {} per coupon\n\
             one-row durable write, same store (the disk's floor): median {:.2} ms\n",
            b.coupons,
            b.mean_coupon_chars,
            b.raw_ed25519_verify_per_s,
            b.decode_and_signature_per_s,
            b.decode_and_signature_per_s / b.raw_ed25519_verify_per_s,
            b.wallet_verify_per_s,
            b.verify_vs_raw,
            b.verify_goal,
            b.redeem_per_s,
            b.redeem_median_ms,
            b.redeem_goal_ms,
            b.redeem_p95_ms,
            b.redeem_max_ms,
            b.redeem_cpu_ms
                .map_or_else(|| "n/a (Linux only)".to_owned(), |c| format!("{c:.3} ms")),
            b.durable_write_median_ms,
        )
    });
    Ok(())
}

/// This thread's CPU time so far, from Linux's scheduler statistics (on-CPU nanoseconds,
/// kernel time included, waiting for the disk excluded); `None` elsewhere.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Terms of the `i`-th bench coupon: single use, ¥10 off orders from ¥100, all products.
fn claims(f: &Fixture, i: usize) -> CouponClaims {
    CouponClaims {
        issuer: f.shop_id.clone(),
        coupon_id: format!("bench-{i:06}"),
        issued_ms: f.issued_ms,
        not_before_ms: f.issued_ms - 3_600_000,
        expires_ms: f.now_ms + 30 * 86_400_000,
        book_id: f.book_id.clone(),
        kind: CouponKind::SingleUse,
        value: CouponValue::Amount(Fen(1_000)),
        max_uses: None,
        min_spend: Fen(10_000),
        scope: CouponScope::All,
    }
}

/// Calls `op(i)` over `0..n` repeatedly for at least [`MIN_MEASURE`]; calls per second.
/// Every call must succeed, or the figure would measure a shortcut.
fn rate(n: usize, mut op: impl FnMut(usize) -> bool) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut calls = 0usize;
    loop {
        for i in 0..n {
            if !op(i) {
                bail!("coupon {i} failed verification during the benchmark");
            }
        }
        calls += n;
        if started.elapsed() >= MIN_MEASURE {
            break;
        }
    }
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}

/// Lifts the offline limits so the benchmark's thousands of redemptions are not capped;
/// the cap itself is a count lookup measured with the rest.
pub fn unlimited(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let limits = WalletLimits {
        max_unsynced_count: u32::MAX,
        max_unsynced_value: Fen(i64::MAX / 4),
        max_offline_hours: 24 * 365,
    };
    store.write(|db| db.coupons().set_limits(&limits, now_ms))?;
    Ok(())
}

/// The phone side of the benchmark: the in-process dev server with a small demo shop, a
/// fresh database activated as a device of it and synced, the shop key on the phone.
pub fn prepare(
    runtime: &tokio::runtime::Runtime,
    dir: &Path,
    now_ms: i64,
) -> anyhow::Result<(Fixture, sellerkit_devserver::RunningServer)> {
    use sellerkit_core::app::{App, AppConfig, SyncRun};
    use sellerkit_core::sync::progress::NoProgress;
    use sellerkit_core::sync::secrets::FileSecretStore;
    use sellerkit_core::sync::transport::{RetryMode, Transport};
    use sellerkit_core::time::FixedClock;
    use sellerkit_devserver::seed::SeedConfig;
    use sellerkit_devserver::{DEMO_SHOP_ID, ServerOptions, start};
    use tokio_util::sync::CancellationToken;

    // The shop's key, supplied to the server as `--signing-key` would: the server signs
    // with it and syncs its public part; the bench issues its coupons with it locally
    // (issuing thousands through HTTP would measure the server, not the wallet).
    let probe = CouponSigner::generate("bench");
    let signer = CouponSigner::from_pkcs8_pem(
        sellerkit_devserver::keys::kid_for(&probe.public_key()),
        &probe.to_pkcs8_pem(),
    )?;
    let key_file = dir.join("shop-key.pem");
    std::fs::write(&key_file, signer.to_pkcs8_pem())?;
    let server = runtime.block_on(start(ServerOptions {
        seed: Some(SeedConfig {
            orders: 50,
            rng_seed: SeedConfig::DEFAULT_RNG_SEED,
            now_ms,
        }),
        signing_key: Some(key_file),
        ..ServerOptions::new(dir.join("server.db"))
    }))?;
    let code = server
        .activation_codes()
        .into_iter()
        .find(|c| c.shop_id == DEMO_SHOP_ID)
        .context("the seeded server has no demo shop")?
        .code;
    let phone_db = dir.join("phone.db");
    let mut config = AppConfig::new(
        &phone_db,
        Arc::new(FileSecretStore::beside_database(&phone_db)),
    );
    config.clock = Arc::new(FixedClock::new(now_ms));
    config.device_name = "bench".into();
    let app = App::open(config)?;
    let store = Arc::clone(app.store());
    let url = server.url().to_string();
    let book_id = "book-bench";
    runtime.block_on(async {
        let transport = Arc::new(Transport::new(&url, app.transport_config().clone())?);
        let cancel = CancellationToken::new();
        // The shop's first book makes the supplied key its signing key.
        let _: serde_json::Value = transport
            .post_json(
                &format!("/dev/shops/{DEMO_SHOP_ID}/coupons"),
                &serde_json::json!({"book_id": book_id, "title": "bench", "kind": "single_use",
                                    "value_fen": 1000, "min_spend": 10000, "count": 1}),
                None,
                RetryMode::OnlyIfNotSent,
                &cancel,
            )
            .await?;
        let no_media = SyncRun {
            download_media: false,
            page_limit: None,
        };
        app.activate(&url, &code, &cancel).await?;
        app.sync(&no_media, &NoProgress, &cancel).await?;
        anyhow::Ok(())
    })?;
    let key = store
        .read(|db| db.coupons().key(signer.kid()))?
        .context("the shop's signing key did not reach the phone by sync")?;
    unlimited(&store, now_ms)?;
    Ok((
        Fixture {
            device_id: app
                .activation()?
                .context("the bench phone is not activated after activating")?
                .device_id,
            store,
            signer,
            shop_id: DEMO_SHOP_ID.to_owned(),
            book_id: book_id.to_owned(),
            // Coupons are issued at the key's start; the wallet's clock is a minute later.
            issued_ms: key.not_before_ms,
            now_ms: key.not_before_ms + 60_000,
        },
        server,
    ))
}
