//! The store-setup checklist on [`SellerApp`]: the tasks with their states, progress and the
//! next task; manual ticks and unticks.
//!
//! Every rule lives in `sellerkit_core::checklist`; this module converts its values to
//! records, picks the words in the seller's language and maps refusals to
//! [`SellerKitError::ChecklistRefused`]. `docs/checklist.md` has the rules.

use sellerkit_core::checklist::definition::Category as CoreCategory;
use sellerkit_core::checklist::{ChecklistError, ChecklistView, TaskStatus, TaskView, TickOutcome};
use sellerkit_core::store::RefusedDefinition;

use crate::SellerKitError;
use crate::app::{SellerApp, Tier};
use crate::runtime::guarded;
use sellerkit_core::app::AppError;
use sellerkit_core::locale::Language;

/// What a task is about; screens group by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ChecklistCategory {
    /// The shop's identity and basics.
    Setup,
    /// Fitness for phones.
    Mobile,
    /// Coupons and promotion.
    Marketing,
    /// Legal guidance (standard and premium packages).
    Legal,
}

impl From<CoreCategory> for ChecklistCategory {
    fn from(c: CoreCategory) -> Self {
        match c {
            CoreCategory::Setup => ChecklistCategory::Setup,
            CoreCategory::Mobile => ChecklistCategory::Mobile,
            CoreCategory::Marketing => ChecklistCategory::Marketing,
            CoreCategory::Legal => ChecklistCategory::Legal,
        }
    }
}

/// Where a task stands.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ChecklistTaskState {
    /// Done (its rule holds, or the seller ticked it).
    Done,
    /// Can be done now.
    Ready,
    /// Waits on other tasks first.
    Locked {
        /// Ids of the tasks it waits on.
        waiting_on: Vec<String>,
    },
    /// Not part of the seller's package.
    NotInTier {
        /// The lowest package that has it.
        tier: Tier,
    },
}

impl From<TaskStatus> for ChecklistTaskState {
    fn from(s: TaskStatus) -> Self {
        match s {
            TaskStatus::Done => ChecklistTaskState::Done,
            TaskStatus::Ready => ChecklistTaskState::Ready,
            TaskStatus::Locked { waiting_on } => ChecklistTaskState::Locked { waiting_on },
            TaskStatus::NotInTier { tier } => ChecklistTaskState::NotInTier { tier: tier.into() },
        }
    }
}

/// One task, worded in the seller's language.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistTask {
    /// Stable task id (for `tickChecklistTask`).
    pub id: String,
    /// What it is about.
    pub category: ChecklistCategory,
    /// The lowest package that has it.
    pub min_tier: Tier,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    /// Title.
    pub title: String,
    /// How to do it (for legal tasks: the rule it comes from).
    pub help: String,
    /// The state in words, e.g. "to do", "locked: first shop_name".
    pub state_label: String,
    /// Where it stands.
    pub state: ChecklistTaskState,
    /// Whether the seller ticks it (otherwise it follows the shop's data).
    pub manual: bool,
    /// The rule's kind, e.g. `main_images_mobile_ready`, `manual`.
    pub rule: String,
    /// For counting rules, how many are there ("150" of ...).
    pub count_current: Option<u64>,
    /// For counting rules, how many are needed.
    pub count_target: Option<u64>,
    /// When a manual task was ticked, UTC ms.
    pub ticked_ms: Option<i64>,
}

/// The whole checklist.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistOverview {
    /// Version of the definition in use.
    pub version: i64,
    /// Whether the definition came from the server (else the one bundled in the app).
    pub from_server: bool,
    /// The shop's package (basic until the first sync).
    pub tier: Tier,
    /// Every task in the recommended order, higher packages' tasks included (marked).
    pub tasks: Vec<ChecklistTask>,
    /// Tasks of the package done.
    pub done: u32,
    /// Tasks of the package.
    pub total: u32,
    /// `done / total` in basis points (10000 = all).
    pub progress_bps: u32,
    /// The next recommended task's id.
    pub next_task_id: Option<String>,
    /// Minutes of the package's tasks not done yet.
    pub remaining_minutes: u32,
}

/// What a tick or untick did.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistTick {
    /// The task.
    pub task_id: String,
    /// Its manual state now.
    pub done: bool,
    /// The outbox entry written for the next sync, or `None` when nothing changed.
    pub mutation_id: Option<i64>,
}

/// A definition document from the server that the phone refused.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RefusedChecklistDefinition {
    /// The version it claimed.
    pub version: Option<i64>,
    /// Stable reason code, e.g. `cycle`, `not_newer`.
    pub code: String,
    /// The reason (English: it is for support and bug reports).
    pub reason: String,
    /// When it was refused, UTC ms.
    pub refused_ms: i64,
}

fn task(t: TaskView, english: bool) -> ChecklistTask {
    ChecklistTask {
        title: t.title.get(english).to_owned(),
        help: t.help.get(english).to_owned(),
        state_label: t.status.label(english),
        id: t.id,
        category: t.category.into(),
        min_tier: t.min_tier.into(),
        minutes: t.minutes,
        state: t.status.into(),
        manual: t.manual,
        rule: t.rule.to_owned(),
        count_current: t.count.map(|c| c.current),
        count_target: t.count.map(|c| c.target),
        ticked_ms: t.ticked_ms,
    }
}

fn overview(v: ChecklistView, english: bool) -> ChecklistOverview {
    ChecklistOverview {
        version: v.version,
        from_server: v.source == sellerkit_core::domain::DefinitionSource::Server,
        tier: v.tier.into(),
        tasks: v.tasks.into_iter().map(|t| task(t, english)).collect(),
        done: v.done,
        total: v.total,
        progress_bps: v.progress_bps,
        next_task_id: v.next,
        remaining_minutes: v.remaining_minutes,
    }
}

fn tick(o: TickOutcome) -> ChecklistTick {
    ChecklistTick {
        task_id: o.task_id,
        done: o.done,
        mutation_id: o.mutation_id,
    }
}

impl SellerKitError {
    /// The checklist's errors; a refusal's reason is worded in the seller's `language`.
    pub(crate) fn from_checklist(err: ChecklistError, language: Language) -> SellerKitError {
        match err {
            ChecklistError::Store(e) => SellerKitError::from_app(AppError::Store(e), language),
            refusal => {
                tracing::info!(code = refusal.code(), %refusal, "checklist tick refused");
                SellerKitError::ChecklistRefused {
                    code: refusal.code().to_owned(),
                    reason: refusal.message(language == Language::En),
                }
            }
        }
    }
}

#[uniffi::export]
impl SellerApp {
    /// The store-setup checklist as it stands now: each task's state from the shop's synced
    /// data and the seller's ticks, progress and the next task, in the seller's language.
    /// A quick local read.
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn checklist(&self) -> Result<ChecklistOverview, SellerKitError> {
        guarded(self.app().language(), || {
            let english = self.app().language() == Language::En;
            let view = self
                .checklist_service()
                .view()
                .map_err(|e| SellerKitError::from_checklist(e, self.app().language()))?;
            Ok(overview(view, english))
        })
    }

    /// Ticks a manual task: its state and its outbox entry for the next sync are written in
    /// one transaction.
    ///
    /// # Errors
    /// `ChecklistRefused` (nothing written) with `code` `unknown_task`, `automatic` (the task
    /// follows the shop's data), `locked` (do its dependencies first) or `not_in_tier`;
    /// `Storage` when the database fails.
    pub fn tick_checklist_task(&self, task_id: String) -> Result<ChecklistTick, SellerKitError> {
        guarded(self.app().language(), || {
            self.checklist_service()
                .tick(&task_id)
                .map(tick)
                .map_err(|e| SellerKitError::from_checklist(e, self.app().language()))
        })
    }

    /// Unticks a manual task (as `tickChecklistTask`; a locked task may be unticked).
    ///
    /// # Errors
    /// As `tickChecklistTask`, except `locked`.
    pub fn untick_checklist_task(&self, task_id: String) -> Result<ChecklistTick, SellerKitError> {
        guarded(self.app().language(), || {
            self.checklist_service()
                .untick(&task_id)
                .map(tick)
                .map_err(|e| SellerKitError::from_checklist(e, self.app().language()))
        })
    }

    /// Definition documents from the server this phone refused lately, newest first, with
    /// the reason (for support screens).
    ///
    /// # Errors
    /// `Storage` when the database fails.
    pub fn refused_checklist_definitions(
        &self,
    ) -> Result<Vec<RefusedChecklistDefinition>, SellerKitError> {
        guarded(self.app().language(), || {
            let refused = self
                .checklist_service()
                .refusals()
                .map_err(|e| SellerKitError::from_checklist(e, self.app().language()))?;
            Ok(refused
                .into_iter()
                .map(|r: RefusedDefinition| RefusedChecklistDefinition {
                    version: r.version,
                    code: r.code,
                    reason: r.reason,
                    refused_ms: r.refused_ms,
                })
                .collect())
        })
    }
}
