//! The checklist's state: each task done, ready, locked or not in the tier; the progress and
//! the next recommended task. Computed on read from the definition, the seller's ticks and the
//! local data, so it is current after every sync and every local edit.

use std::collections::HashMap;

use serde::Serialize;

use super::definition::{Category, Definition, Text, tier_includes};
use super::rules::{Count, Facts};
use crate::domain::{DefinitionSource, TaskState, Tier};
use crate::store::StoreError;

/// Where a task stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskStatus {
    /// Done (its rule holds, or the seller ticked it).
    Done,
    /// Can be done now.
    Ready,
    /// Waits on other tasks first.
    Locked {
        /// The ids of the tasks not done yet that it depends on.
        waiting_on: Vec<String>,
    },
    /// Not part of the seller's package.
    NotInTier {
        /// The lowest tier that has it.
        tier: Tier,
    },
}

impl TaskStatus {
    /// The stable spelling: `done`, `ready`, `locked`, `not_in_tier`.
    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Done => "done",
            TaskStatus::Ready => "ready",
            TaskStatus::Locked { .. } => "locked",
            TaskStatus::NotInTier { .. } => "not_in_tier",
        }
    }

    /// The state in words, in English when `english`, else in Chinese.
    pub fn label(&self, english: bool) -> String {
        match (self, english) {
            (TaskStatus::Done, true) => "done".into(),
            (TaskStatus::Done, false) => "已完成".into(),
            (TaskStatus::Ready, true) => "to do".into(),
            (TaskStatus::Ready, false) => "待完成".into(),
            (TaskStatus::Locked { waiting_on }, true) => {
                format!("locked: first {}", waiting_on.join(", "))
            }
            (TaskStatus::Locked { waiting_on }, false) => {
                format!("未解锁：先完成 {}", waiting_on.join("、"))
            }
            (TaskStatus::NotInTier { tier }, true) => format!("in the {tier} package"),
            (TaskStatus::NotInTier { tier }, false) => {
                format!("{}服务包才有", super::tier_zh(*tier))
            }
        }
    }
}

/// One task as the screens show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskView {
    /// Task id.
    pub id: String,
    /// Its category.
    pub category: Category,
    /// The lowest tier that has it.
    pub min_tier: Tier,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    /// Title in both languages.
    pub title: Text,
    /// How to do it, in both languages.
    pub help: Text,
    /// The rule's kind (`manual` for tasks the seller ticks).
    pub rule: &'static str,
    /// Whether the seller ticks it by hand.
    pub manual: bool,
    /// Where it stands.
    pub status: TaskStatus,
    /// For counting rules: how far ("150 of 200").
    pub count: Option<Count>,
    /// When a manual task was ticked, UTC ms.
    pub ticked_ms: Option<i64>,
}

/// The whole checklist.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChecklistView {
    /// Version of the definition in use.
    pub version: i64,
    /// Whether it is the bundled one or one the server sent.
    pub source: DefinitionSource,
    /// The shop's tier (basic until the shop profile is synced).
    pub tier: Tier,
    /// Every task, in the recommended order (tasks of higher tiers included, marked).
    pub tasks: Vec<TaskView>,
    /// Tasks of the tier that are done.
    pub done: u32,
    /// Tasks of the tier.
    pub total: u32,
    /// `done / total` in basis points.
    pub progress_bps: u32,
    /// The first ready task, in the recommended order.
    pub next: Option<String>,
    /// Minutes of the tier's tasks not done yet.
    pub remaining_minutes: u32,
}

impl ChecklistView {
    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&TaskView> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// Evaluates `def` for a shop of `tier` with the seller's `ticks`.
pub fn evaluate(
    def: &Definition,
    source: DefinitionSource,
    tier: Tier,
    facts: &Facts<'_, '_>,
    ticks: &HashMap<String, TaskState>,
) -> Result<ChecklistView, StoreError> {
    // First whether each task is done, then the states that depend on other tasks.
    let mut done: HashMap<&str, bool> = HashMap::with_capacity(def.tasks.len());
    let mut counts = Vec::with_capacity(def.tasks.len());
    for t in &def.tasks {
        let in_tier = tier_includes(tier, t.min_tier);
        let (is_done, count) = if !in_tier {
            (false, None)
        } else if t.rule.is_manual() {
            (ticks.get(&t.id).is_some_and(|s| s.manual_done), None)
        } else {
            let f = t.rule.evaluate(facts)?;
            (f.met, f.count)
        };
        done.insert(&t.id, is_done);
        counts.push(count);
    }
    let mut tasks = Vec::with_capacity(def.tasks.len());
    let (mut n_done, mut total, mut remaining) = (0u32, 0u32, 0u32);
    let mut next = None;
    for (t, count) in def.tasks.iter().zip(counts) {
        let status = if !tier_includes(tier, t.min_tier) {
            TaskStatus::NotInTier { tier: t.min_tier }
        } else if done[t.id.as_str()] {
            TaskStatus::Done
        } else {
            let waiting_on: Vec<String> = t
                .depends_on
                .iter()
                .filter(|d| !done.get(d.as_str()).copied().unwrap_or(false))
                .cloned()
                .collect();
            if waiting_on.is_empty() {
                TaskStatus::Ready
            } else {
                TaskStatus::Locked { waiting_on }
            }
        };
        if !matches!(status, TaskStatus::NotInTier { .. }) {
            total += 1;
            if status == TaskStatus::Done {
                n_done += 1;
            } else {
                remaining += t.minutes;
            }
        }
        if next.is_none() && status == TaskStatus::Ready {
            next = Some(t.id.clone());
        }
        let ticked_ms = ticks
            .get(&t.id)
            .filter(|s| s.manual_done && t.rule.is_manual())
            .and_then(|s| s.completed_ms);
        tasks.push(TaskView {
            id: t.id.clone(),
            category: t.category,
            min_tier: t.min_tier,
            minutes: t.minutes,
            title: t.title.clone(),
            help: t.help.clone(),
            rule: t.rule.kind(),
            manual: t.rule.is_manual(),
            status,
            count,
            ticked_ms,
        });
    }
    let progress_bps = if total == 0 {
        0
    } else {
        u32::try_from(u64::from(n_done) * 10_000 / u64::from(total)).unwrap_or(10_000)
    };
    Ok(ChecklistView {
        version: def.version,
        source,
        tier,
        tasks,
        done: n_done,
        total,
        progress_bps,
        next,
        remaining_minutes: remaining,
    })
}
