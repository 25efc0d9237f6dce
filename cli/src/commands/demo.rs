//! `sellerkit demo`: the product working end to end, on one machine.
//!
//! Starts the dev server in-process on 127.0.0.1 with a seeded demo shop, activates a fresh
//! database as a device, syncs it, lets new orders arrive on the server and syncs again;
//! then the coupon wallet ([`coupons`]): coupons issued, redeemed offline, a tampered and a
//! forged one refused, synced exactly once, and a dispute made by two phones. Reports what
//! the phone's database holds.

pub mod analytics;
pub mod checklist;
pub mod coupons;
pub mod storefront;
pub mod story;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use sellerkit_core::app::{Activation, App, SyncRun};
use sellerkit_core::checklist::tier_zh;
use sellerkit_core::locale::Language;
use sellerkit_core::sync::engine::SyncReport;
use sellerkit_core::sync::transport::{RetryMode, Transport};
use sellerkit_devserver::seed::SeedConfig;
use sellerkit_devserver::{ServerOptions, start};
use tokio_util::sync::CancellationToken;

use crate::Context;
use crate::commands::status::{StatusReport, render};
use crate::commands::sync::Bar;

/// Options of `sellerkit demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep everything the demo makes in DIR (DIR/sellerkit.db, DIR/media/, the server's
    /// DIR/devserver.db) for other commands to inspect; without it a temporary folder is
    /// used and deleted at the end.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Replace a demo already in DIR.
    #[arg(long, requires = "out")]
    force: bool,

    /// Orders in the demo shop's year of history.
    #[arg(long, default_value_t = SeedConfig::DEFAULT_ORDERS)]
    orders: u64,
}

#[derive(serde::Serialize)]
struct DemoReport<'a> {
    /// Folder holding what the demo made.
    dir: &'a Path,
    /// Whether the folder stays after the command.
    kept: bool,
    /// The dev server the demo ran (stopped at the end).
    server_url: &'a str,
    activation: &'a Activation,
    first_sync: &'a SyncReport,
    /// Orders added on the server while the phone was away.
    new_orders: u64,
    second_sync: &'a SyncReport,
    checklist: &'a checklist::ChecklistDemo,
    coupons: &'a coupons::CouponDemo,
    analytics: &'a analytics::DashboardDemo,
    #[serde(flatten)]
    status: StatusReport<'a>,
}

pub fn run(ctx: &Context, args: &DemoArgs) -> anyhow::Result<()> {
    let temp;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("sellerkit-demo-")
                .tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let db = dir.join("sellerkit.db");
    let server_db = dir.join("devserver.db");
    if db.exists() || server_db.exists() {
        if !args.force {
            bail!(
                "{}",
                ctx.language().pick(
                    format!(
                        "{} 里已有一个演示；加 --force 替换它，或换一个文件夹",
                        dir.display()
                    ),
                    format!(
                        "{} already holds a demo; pass --force to replace it or choose another folder",
                        dir.display()
                    ),
                )
            );
        }
        clear_demo(&dir)?;
    }
    let story = story::Story::new(ctx.language(), ctx.out.json);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    story.say(
        &format!(
            "在 127.0.0.1 启动开发服务器，带一个演示店铺（一年 {} 笔订单）",
            args.orders
        ),
        &format!(
            "starting the dev server on 127.0.0.1 with a demo shop ({} orders over a year)",
            args.orders
        ),
    );
    let now_ms = ctx.now_ms();
    let server = runtime.block_on(start(ServerOptions {
        seed: Some(SeedConfig {
            orders: args.orders,
            rng_seed: SeedConfig::DEFAULT_RNG_SEED,
            now_ms,
        }),
        ..ServerOptions::new(&server_db)
    }))?;
    let url = server.url().to_string();
    let code = server
        .activation_codes()
        .into_iter()
        .find(|c| c.shop_id == sellerkit_devserver::DEMO_SHOP_ID && c.tier.as_str() == "standard")
        .context("the dev server made no activation code for the demo shop")?
        .code;

    let mut config = ctx.app_config(&db, true, None)?;
    config.device_name = "SellerKit demo".into();
    // Without a CJK font file the demo only loses its preview pictures (said below).
    let font_problem = match crate::commands::storefront::font_paths(&[]) {
        Ok(paths) => {
            config.font_paths = paths;
            None
        }
        Err(e) => Some(e),
    };
    let app = App::open(config)?;
    // The dev server's own endpoints (`/dev/...`), with the app's transport settings.
    let transport = Arc::new(Transport::new(&url, app.transport_config().clone())?);
    let cancel = CancellationToken::new();
    let bar = Bar::new(!ctx.out.json, ctx.language());
    let (activation, first, second, new_orders, checklist_demo, coupon_demo) =
        runtime.block_on(async {
            story.say(
                &format!("用激活码 {code} 激活本设备"),
                &format!("activating this device with code {code}"),
            );
            let activation = app.activate(&url, &code, &cancel).await?;
            story.say(
                "第一次同步：整个店铺、图片和一年的订单",
                "first sync: the whole shop, its pictures and a year of orders",
            );
            let first = app.sync(&SyncRun::default(), &bar, &cancel).await?;
            let new_orders = 25;
            story.say(
                &format!("服务器上来了 {new_orders} 笔新订单"),
                &format!("{new_orders} new orders arrive on the server"),
            );
            let _: serde_json::Value = transport
                .post_json(
                    &format!("/dev/shops/{}/orders", sellerkit_devserver::DEMO_SHOP_ID),
                    &serde_json::json!({ "count": new_orders, "seed": now_ms }),
                    None,
                    RetryMode::Idempotent,
                    &cancel,
                )
                .await?;
            story.say(
                "第二次同步：只取变化的部分",
                "second sync: only what changed",
            );
            let second = app.sync(&SyncRun::default(), &bar, &cancel).await?;
            bar.clear();
            let checklist_demo =
                checklist::run(&app, &transport, ctx.clock(), &story, &cancel).await?;
            let coupon_demo = coupons::run(
                coupons::Phone {
                    app: &app,
                    transport: Arc::clone(&transport),
                    code: &code,
                    dir: &dir,
                    clock: ctx.clock(),
                },
                &story,
                &cancel,
            )
            .await?;
            anyhow::Ok((
                activation,
                first,
                second,
                new_orders,
                checklist_demo,
                coupon_demo,
            ))
        })?;
    drop(bar);
    runtime.block_on(server.shutdown())?;
    storefront::run(ctx, &app, &runtime, &dir, font_problem)?;

    let dashboard = analytics::run(&app, ctx.language().into(), &dir, args.out.is_some())?;
    let status = app.store().status()?;
    let activated = app.is_activated()?;
    let report = DemoReport {
        dir: &dir,
        kept: args.out.is_some(),
        server_url: &url,
        activation: &activation,
        first_sync: &first,
        new_orders,
        second_sync: &second,
        checklist: &checklist_demo,
        coupons: &coupon_demo,
        analytics: &dashboard,
        status: StatusReport {
            db: &db,
            activated,
            status: &status,
        },
    };
    let language = ctx.language();
    ctx.out.print(&report, |r| render_demo(r, language));
    Ok(())
}

fn render_demo(r: &DemoReport<'_>, language: Language) -> String {
    let (first, second) = (r.first_sync, r.second_sync);
    let first_orders = first.pulled.get("order").copied().unwrap_or(0);
    let (first_s, second_s) = (
        first.duration_ms as f64 / 1000.0,
        second.duration_ms as f64 / 1000.0,
    );
    let mut text = language.pick(
        format!(
            "SellerKit 演示：{}（{}）已从 {} 的开发服务器同步。\n\
             第一次同步：{} 项更新（{} 笔订单）和 {} 张图片，用时 {first_s:.1} 秒，网络传输 {} KB。\n\
             随后来了 {} 笔新订单；第二次同步收到 {} 项更新，用时 {second_s:.1} 秒。\n\n",
            r.activation.shop_name,
            tier_zh(r.activation.tier),
            r.server_url,
            first.changes_pulled(),
            first_orders,
            first.media_downloaded,
            first.wire_bytes / 1024,
            r.new_orders,
            second.changes_pulled(),
        ),
        format!(
            "SellerKit demo: {} ({} tier) synced from the dev server at {}.\n\
             First sync:  {} changes ({} orders) and {} pictures in {first_s:.1} s, {} KB on the wire.\n\
             Then {} new orders arrived; the second sync pulled {} changes in {second_s:.1} s.\n\n",
            r.activation.shop_name,
            r.activation.tier,
            r.server_url,
            first.changes_pulled(),
            first_orders,
            first.media_downloaded,
            first.wire_bytes / 1024,
            r.new_orders,
            second.changes_pulled(),
        ),
    );
    text.push_str(&checklist::render(r.checklist, language));
    text.push_str(&render_coupons(r.coupons, language));
    text.push('\n');
    text.push_str(&analytics::render_demo(r.analytics));
    text.push('\n');
    text.push_str(&render(r.status.db, r.status.status, language));
    text.push('\n');
    if r.kept {
        text.push_str(&language.pick(
            format!(
                "已保存在 {}。查看：sellerkit --db {} status\n",
                r.dir.display(),
                r.status.db.display()
            ),
            format!(
                "Kept in {}. Inspect it with: sellerkit --db {} status\n",
                r.dir.display(),
                r.status.db.display()
            ),
        ));
    } else {
        text.push_str(language.pick(
            "演示在一个临时文件夹里运行，现已删除；加 --out DIR 可以保留。\n",
            "The demo ran in a temporary folder, now deleted; pass --out DIR to keep it.\n",
        ));
    }
    text
}

fn render_coupons(c: &coupons::CouponDemo, language: Language) -> String {
    let redeemed = c
        .redeemed
        .iter()
        .map(|r| {
            language.pick(
                format!("{} 的订单减 {}", r.order_total, r.amount),
                format!("{} off {}", r.amount, r.order_total),
            )
        })
        .collect::<Vec<_>>()
        .join(language.pick("，", ", "));
    let mut text = language.pick(
        format!(
            "优惠券：服务器发出 {} 张「{}」；同步带来 {} 把签名密钥。\n\
             离线核销：{redeemed}。\n\
             离线拒绝：改了一个字符的（{}），面值改成 ¥99.00 的（{}），已用过的再用一次（{}）。\n\
             恢复联网：上传 {} 次核销，接受 {}；下一次同步上传 {}。\n",
            c.issued,
            c.book_title,
            c.keys_synced,
            c.tampered.reason,
            c.forged.reason,
            c.reused.reason,
            c.pushed,
            c.applied,
            c.pushed_again,
        ),
        format!(
            "Coupons: {} \"{}\" coupons issued on the server; the sync brought {} signing key(s).\n\
             Redeemed offline: {redeemed}.\n\
             Refused offline: one character changed ({}), value raised to ¥99.00 ({}), \
             a spent coupon again ({}).\n\
             Back online: {} redemption(s) pushed, {} applied; the next sync pushed {}.\n",
            c.issued,
            c.book_title,
            c.keys_synced,
            c.tampered.reason,
            c.forged.reason,
            c.reused.reason,
            c.pushed,
            c.applied,
            c.pushed_again,
        ),
    );
    match &c.dispute {
        Some(d) => text.push_str(&language.pick(
            format!(
                "两部手机都离线核销了 {}：服务器接受了第一部，第二部手机列出争议 {}：{}\n",
                d.coupon_id, d.id, d.message
            ),
            format!(
                "Two phones redeemed {} offline: the server kept the first, the second phone \
                 lists dispute {}: {}\n",
                d.coupon_id, d.id, d.message
            ),
        )),
        None => text.push_str(language.pick(
            "两部手机离线核销了同一张券：没有收到争议。\n",
            "Two phones redeemed one coupon offline: no dispute came back.\n",
        )),
    }
    text
}

/// Removes a previous demo's files from `dir` (databases, secrets, media).
fn clear_demo(dir: &Path) -> anyhow::Result<()> {
    for name in [
        "sellerkit.db",
        "sellerkit.db-wal",
        "sellerkit.db-shm",
        "sellerkit.db.secrets",
        "second-phone.db",
        "second-phone.db-wal",
        "second-phone.db-shm",
        "second-phone.db.secrets",
        "devserver.db",
        "devserver.db-wal",
        "devserver.db-shm",
    ] {
        let file = dir.join(name);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context(format!("cannot remove {}", file.display())),
        }
    }
    let media = dir.join("media");
    if media.is_dir() {
        std::fs::remove_dir_all(&media)
            .with_context(|| format!("cannot remove {}", media.display()))?;
    }
    Ok(())
}
