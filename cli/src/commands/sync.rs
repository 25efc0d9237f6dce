//! `sellerkit sync`: push local changes, pull the shop, fetch images; with a progress bar.

use std::future::Future;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sellerkit_core::app::{AppError, SyncRun};
use sellerkit_core::locale::Language;
use sellerkit_core::sync::apply::local_digest;
use sellerkit_core::sync::digest::ShopDigest;
use sellerkit_core::sync::engine::SyncReport;
use sellerkit_core::sync::progress::{SyncListener, SyncPhase, SyncProgress};
use sellerkit_core::sync::summary::kind_label;
use tokio_util::sync::CancellationToken;

use crate::Context;

/// Options of `sellerkit sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Do not download images.
    #[arg(long)]
    no_media: bool,
    /// Changes per page (the server caps it at 5000).
    #[arg(long, default_value_t = sellerkit_core::protocol::DEFAULT_PAGE_LIMIT)]
    page_limit: u32,
    /// Also print the content digest of the local data (compare with the server's).
    #[arg(long)]
    digest: bool,
    /// Also trust this CA certificate (PEM).
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<std::path::PathBuf>,
}

#[derive(serde::Serialize)]
struct SyncSummary {
    #[serde(flatten)]
    report: SyncReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<ShopDigest>,
    /// This process's peak resident memory (Linux), for the memory benchmark.
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_rss_kb: Option<u64>,
}

/// Peak resident set size of this process (`VmHWM`), where /proc tells it.
pub(crate) fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub fn run(ctx: &Context, args: &SyncArgs) -> anyhow::Result<()> {
    let app = ctx.open_app(false, args.ca_cert.as_deref())?;
    let run = SyncRun {
        download_media: !args.no_media,
        page_limit: Some(args.page_limit),
    };
    let bar = Bar::new(!ctx.out.json, ctx.language());
    let report = run_cancellable(|cancel| {
        let app = &app;
        let bar = &bar;
        let run = &run;
        async move { app.sync(run, bar, &cancel).await }
    })?;
    let digest = if args.digest {
        Some(local_digest(app.store())?)
    } else {
        None
    };
    let summary = SyncSummary {
        report,
        digest,
        peak_rss_kb: peak_rss_kb(),
    };
    let language = ctx.language();
    ctx.out
        .print(&summary, |s| render(&s.report, s.digest.as_ref(), language));
    Ok(())
}

/// The summary sentence (the core's words), then the details QA reads, labelled in the
/// seller's language.
fn render(r: &SyncReport, digest: Option<&ShopDigest>, language: Language) -> String {
    let pick = |zh: &'static str, en: &'static str| language.pick(zh, en);
    let pulled = if r.pulled.is_empty() {
        pick("无", "nothing new").to_string()
    } else {
        r.pulled
            .iter()
            .map(|(k, n)| format!("{n} {}", kind_label(k, language)))
            .collect::<Vec<_>>()
            .join(pick("，", ", "))
    };
    let deleted = if r.deleted > 0 {
        language.pick(
            format!("，删除 {} 项", r.deleted),
            format!(", {} deleted", r.deleted),
        )
    } else {
        String::new()
    };
    let mut text = format!(
        "{}
",
        r.summary(language)
    );
    let seconds = r.duration_ms as f64 / 1000.0;
    let lines = language.pick(
        [
            format!("  用时：  {seconds:.1} 秒"),
            format!("  下载：  {pulled}{deleted}"),
            format!(
                "  上传：  {} 项（接受 {}，拒绝 {}，冲突 {}）",
                r.pushed, r.applied, r.rejected, r.conflicts
            ),
            format!(
                "  图片：  下载 {} 张（{} 字节）",
                r.media_downloaded, r.media_bytes
            ),
            format!(
                "  网络：  {} 次请求，重试 {} 次，接收 {} 字节",
                r.requests, r.retries, r.wire_bytes
            ),
        ],
        [
            format!("  took:    {seconds:.1} s"),
            format!("  pulled:  {pulled}{deleted}"),
            format!(
                "  pushed:  {} ({} applied, {} rejected, {} conflicts)",
                r.pushed, r.applied, r.rejected, r.conflicts
            ),
            format!(
                "  images:  {} downloaded ({} bytes)",
                r.media_downloaded, r.media_bytes
            ),
            format!(
                "  network: {} requests, {} retries, {} bytes received",
                r.requests, r.retries, r.wire_bytes
            ),
        ],
    );
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    // The cursor and digest are protocol values: shown as they are in both languages.
    text.push_str(&format!(
        "  {} {}\n",
        pick("游标：  ", "cursor: "),
        r.cursor.as_deref().unwrap_or("-")
    ));
    if r.rejected + r.conflicts > 0 {
        text.push_str(pick(
            "  未被接受的更改见 `sellerkit status` 中的冲突。\n",
            "  Some changes were not accepted: see `sellerkit status` for open conflicts.\n",
        ));
    }
    if let Some(d) = digest {
        text.push_str(&format!(
            "  {} {} {:?}\n",
            pick("摘要：  ", "digest: "),
            d.checksum,
            d.counts
        ));
    }
    text
}

/// Runs `work` on a fresh runtime; Ctrl-C cancels it (what was committed stays).
pub fn run_cancellable<T, F, Fut>(work: F) -> anyhow::Result<T>
where
    F: FnOnce(CancellationToken) -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    let cancel = CancellationToken::new();
    Ok(runtime.block_on(async {
        let on_signal = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        work(cancel).await
    })?)
}

/// The terminal progress bar of a sync (hidden when stderr is not a terminal or with --json).
pub struct Bar {
    bar: ProgressBar,
    phase: Mutex<Option<SyncPhase>>,
    language: Language,
}

impl Bar {
    /// A bar on stderr, or a hidden one.
    pub fn new(visible: bool, language: Language) -> Bar {
        let bar = ProgressBar::with_draw_target(
            None,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        Bar {
            bar,
            phase: Mutex::new(None),
            language,
        }
    }

    /// Takes the bar off the terminal (before other lines are printed).
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl SyncListener for Bar {
    fn on_waiting(&self) {
        // On stderr even with --json: stdout stays the JSON, and a person or a script's log
        // learns why the command takes long.
        eprintln!(
            "{}",
            self.language.pick(
                "本数据库正在另一个同步或激活中，等待其完成……（Ctrl-C 取消）",
                "Another sync or activation of this database is running; waiting for it... (Ctrl-C cancels)",
            )
        );
    }

    fn on_progress(&self, p: SyncProgress) {
        let mut phase = self.phase.lock().unwrap_or_else(|e| e.into_inner());
        if *phase != Some(p.phase) {
            *phase = Some(p.phase);
            let label = match p.phase {
                SyncPhase::Push => self.language.pick("上传", "pushing"),
                SyncPhase::Pull => self.language.pick("下载", "pulling"),
                SyncPhase::Media => self.language.pick("图片", "images "),
            };
            let style = if p.total.is_some() {
                ProgressStyle::with_template(&format!(
                    "{label} [{{bar:30}}] {{pos}}/{{len}} {{per_sec}} eta {{eta}}"
                ))
            } else {
                ProgressStyle::with_template(&format!("{label} {{spinner}} {{pos}} {{per_sec}}"))
            };
            if let Ok(style) = style {
                self.bar.set_style(style.progress_chars("=> "));
            }
            self.bar.reset();
        }
        if let Some(total) = p.total {
            self.bar.set_length(total);
        }
        self.bar.set_position(p.done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
