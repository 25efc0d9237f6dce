//! The checklist part of `sellerkit demo`: the demo shop's checklist after the first syncs
//! (partly done: the data already shows a name, products and orders), a manual task ticked
//! on the phone, then a coupon book issued on the server: the next sync pushes the tick and
//! brings the book, and "first coupon book" turns done by itself.

use std::sync::Arc;

use sellerkit_core::app::{App, SyncRun};
use sellerkit_core::checklist::{Checklist, ChecklistView, TaskStatus};
use sellerkit_core::domain::{CouponBook, CouponKind, CouponScope};
use sellerkit_core::locale::Language;
use sellerkit_core::money::Fen;
use sellerkit_core::sync::progress::NoProgress;
use sellerkit_core::sync::transport::{RetryMode, Transport};
use sellerkit_core::time::Clock;
use tokio_util::sync::CancellationToken;

use super::story::Story;

/// The manual task the demo ticks.
const TICKED: &str = "payment_setup";

/// What the checklist part showed, for the report.
#[derive(Debug, serde::Serialize)]
pub struct ChecklistDemo {
    /// Tasks of the tier done / in the tier, before.
    pub done_before: u32,
    /// Tasks of the tier done, after the sync.
    pub done_after: u32,
    /// Tasks of the tier.
    pub total: u32,
    /// The task ticked by hand, and whether the sync pushed and the server applied it.
    pub ticked: String,
    /// Mutations the sync pushed / the server applied.
    pub pushed: u64,
    /// Applied.
    pub applied: u64,
    /// Tasks that turned done from the synced data.
    pub became_done: Vec<String>,
    /// The next recommended task after the sync.
    pub next: Option<String>,
    /// Each task and its state after the sync (`id: state`).
    pub tasks: Vec<(String, String)>,
}

/// Runs the checklist part on the activated, synced phone.
pub async fn run(
    app: &App,
    transport: &Transport,
    clock: Arc<dyn Clock>,
    story: &Story,
    cancel: &CancellationToken,
) -> anyhow::Result<ChecklistDemo> {
    let checklist: Checklist = app.checklist();
    let before = checklist.view()?;
    story.say(
        &format!(
            "开店清单：同步的数据已完成 {} / {} 项任务；手动勾选「{TICKED}」",
            before.done, before.total
        ),
        &format!(
            "checklist: {} of {} tasks done from the synced data; ticking \"{TICKED}\" by hand",
            before.done, before.total
        ),
    );
    checklist.tick(TICKED)?;
    story.say(
        "店铺在服务器上发出第一批优惠券；同步",
        "the shop issues its first coupon book on the server; syncing",
    );
    let now = clock.now_ms();
    let book = CouponBook {
        id: "demo_checklist_book".into(),
        title: "新店开张 满99减10".into(),
        kind: CouponKind::SingleUse,
        value_fen: Some(Fen(1_000)),
        value_bps: None,
        max_uses: None,
        min_spend: Fen(9_900),
        valid_from_ms: now,
        valid_until_ms: now + 30 * 86_400_000,
        scope: CouponScope::All,
        issued_count: 0,
        version: 1,
        updated_ms: now,
    };
    let _: serde_json::Value = transport
        .post_json(
            &format!(
                "/dev/shops/{}/coupon-books",
                sellerkit_devserver::DEMO_SHOP_ID
            ),
            &serde_json::json!({ "books": [book] }),
            None,
            RetryMode::Idempotent,
            cancel,
        )
        .await?;
    let report = app.sync(&SyncRun::default(), &NoProgress, cancel).await?;
    let after = checklist.view()?;
    Ok(ChecklistDemo {
        done_before: before.done,
        done_after: after.done,
        total: after.total,
        ticked: TICKED.into(),
        pushed: report.pushed,
        applied: report.applied,
        became_done: became_done(&before, &after),
        next: after.next.clone(),
        tasks: after
            .tasks
            .iter()
            .map(|t| (t.id.clone(), t.status.as_str().to_owned()))
            .collect(),
    })
}

/// Tasks done in `after` that were not in `before`, other than by a tick.
fn became_done(before: &ChecklistView, after: &ChecklistView) -> Vec<String> {
    after
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Done && !t.manual)
        .filter(|t| {
            before
                .task(&t.id)
                .is_some_and(|b| b.status != TaskStatus::Done)
        })
        .map(|t| t.id.clone())
        .collect()
}

/// The checklist part of the demo's text report, in the seller's language.
pub fn render(c: &ChecklistDemo, language: Language) -> String {
    let became = if c.became_done.is_empty() {
        language.pick("无", "nothing").to_owned()
    } else {
        c.became_done.join(", ")
    };
    let next = c.next.as_deref().unwrap_or("-");
    language.pick(
        format!(
            "开店清单：同步的数据已完成 {} / {} 项任务；手动勾选「{}」并上传（上传 {}，接受 {}）；\
             同步带来一批优惠券，自动完成的任务：{became}；现已完成 {} / {}。下一项：{next}。\n",
            c.done_before, c.total, c.ticked, c.pushed, c.applied, c.done_after, c.total,
        ),
        format!(
            "Checklist: {} of {} tasks done from the synced data; \"{}\" ticked by hand, pushed \
             ({} pushed, {} applied); the sync brought a coupon book and {became} turned done by \
             itself: {} of {} done. Next: {next}.\n",
            c.done_before, c.total, c.ticked, c.pushed, c.applied, c.done_after, c.total,
        ),
    )
}
