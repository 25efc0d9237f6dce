//! `sellerkit checklist [tick ID | untick ID]`: the store-setup checklist from the desktop.
//!
//! Every rule lives in the core's `checklist`; this module opens the database, calls it and
//! prints. Text is in the seller's language (`--lang`, else `LC_ALL`/`LANG`: English for `en*`,
//! otherwise Chinese); `--json` carries both.

use sellerkit_core::checklist::{Checklist, ChecklistView, TaskStatus, TickOutcome};
use sellerkit_core::locale::Language;
use sellerkit_core::store::RefusedDefinition;

use crate::Context;

/// Options of `sellerkit checklist`.
#[derive(Debug, clap::Args)]
pub struct ChecklistArgs {
    #[command(subcommand)]
    what: Option<ChecklistCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum ChecklistCommand {
    /// Mark a manual task as done (synced at the next `sellerkit sync`).
    Tick {
        /// The task id, e.g. payment_setup.
        id: String,
    },
    /// Mark a manual task as not done.
    Untick {
        /// The task id.
        id: String,
    },
}

#[derive(serde::Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    view: &'a ChecklistView,
    refused_definitions: &'a [RefusedDefinition],
}

#[derive(serde::Serialize)]
struct TickReport<'a> {
    #[serde(flatten)]
    outcome: &'a TickOutcome,
    #[serde(skip)]
    english: bool,
}

pub fn run(ctx: &Context, args: &ChecklistArgs) -> anyhow::Result<()> {
    // Inspecting or ticking never creates a database.
    let app = ctx.open_app(false, None)?;
    let checklist: Checklist = app.checklist();
    let english = ctx.language() == Language::En;
    match &args.what {
        None => {
            let view = checklist.view()?;
            let refused = checklist.refusals()?;
            let report = Report {
                view: &view,
                refused_definitions: &refused,
            };
            ctx.out
                .print(&report, |r| render(r.view, r.refused_definitions, english));
            Ok(())
        }
        Some(ChecklistCommand::Tick { id }) => tick(ctx, checklist.tick(id), english),
        Some(ChecklistCommand::Untick { id }) => tick(ctx, checklist.untick(id), english),
    }
}

fn tick(
    ctx: &Context,
    result: Result<TickOutcome, sellerkit_core::checklist::ChecklistError>,
    english: bool,
) -> anyhow::Result<()> {
    let outcome = result.map_err(|e| anyhow::anyhow!("{} [{}]", e.message(english), e.code()))?;
    ctx.out.print(
        &TickReport {
            outcome: &outcome,
            english,
        },
        |r| {
            let o = r.outcome;
            match (o.done, o.mutation_id.is_some(), r.english) {
                (true, true, true) => {
                    format!("{}: ticked; it syncs with the next sync.\n", o.task_id)
                }
                (false, true, true) => {
                    format!("{}: unticked; it syncs with the next sync.\n", o.task_id)
                }
                (true, false, true) => format!("{}: already ticked; nothing changed.\n", o.task_id),
                (false, false, true) => {
                    format!("{}: was not ticked; nothing changed.\n", o.task_id)
                }
                (true, true, false) => format!("{}：已勾选，下次同步时上传。\n", o.task_id),
                (false, true, false) => format!("{}：已取消勾选，下次同步时上传。\n", o.task_id),
                (true, false, false) => format!("{}：已经勾选过，没有变化。\n", o.task_id),
                (false, false, false) => format!("{}：本来就没有勾选，没有变化。\n", o.task_id),
            }
        },
    );
    Ok(())
}

/// English when the locale says so, else Chinese (the sellers are in China).
fn render(view: &ChecklistView, refused: &[RefusedDefinition], english: bool) -> String {
    let pct = view.progress_bps / 100;
    let mut text = if english {
        format!(
            "Store-setup checklist ({} package, definition v{} {}): {} of {} done ({pct}%), about {} minutes left.\n",
            view.tier, view.version, view.source, view.done, view.total, view.remaining_minutes
        )
    } else {
        format!(
            "开店清单（{}，清单第 {} 版）：已完成 {}/{}（{pct}%），还需约 {} 分钟。\n",
            sellerkit_core::checklist::tier_zh(view.tier),
            view.version,
            view.done,
            view.total,
            view.remaining_minutes
        )
    };
    if let Some(next) = view.next.as_deref().and_then(|id| view.task(id)) {
        text.push_str(&format!(
            "{} {} ({}): {}\n",
            if english { "Next:" } else { "下一步：" },
            next.title.get(english),
            next.id,
            next.help.get(english)
        ));
    }
    text.push('\n');
    for t in &view.tasks {
        let mark = match t.status {
            TaskStatus::Done => "[x]",
            TaskStatus::Ready => "[ ]",
            TaskStatus::Locked { .. } => "[.]",
            TaskStatus::NotInTier { .. } => "[-]",
        };
        let count = t
            .count
            .map(|c| format!(" {}/{}", c.current, c.target))
            .unwrap_or_default();
        text.push_str(&format!(
            "{mark} {:<20} {}  ({}{count}{})\n",
            t.id,
            t.title.get(english),
            t.status.label(english),
            if t.manual {
                if english {
                    ", tick by hand"
                } else {
                    "，手动勾选"
                }
            } else {
                ""
            }
        ));
    }
    for r in refused.iter().take(3) {
        text.push_str(&if english {
            format!(
                "Refused definition v{}: {}\n",
                r.version.unwrap_or(0),
                r.reason
            )
        } else {
            format!("已拒绝清单第 {} 版：{}\n", r.version.unwrap_or(0), r.reason)
        });
    }
    text
}
