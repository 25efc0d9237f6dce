//! The store-setup checklist ("starter guide"): tasks from a versioned definition document,
//! done states computed from the shop's local data, manual ticks synced through the outbox.
//!
//! - [`definition`]: the document, parsed and validated (a bundled default, newer ones by sync);
//! - [`rules`]: the closed set of completion rules, evaluated on local data;
//! - [`evaluate`]: states, progress and the next task;
//! - `memo`: the lint's verdicts on unchanged texts, remembered between evaluations.
//!
//! [`Checklist`] is the service the shells call (the CLI and the FFI forward to it); the sync
//! hands each synced definition to [`accept_definition`]. The document format is specified in
//! `docs/checklist.md`.

pub mod definition;
pub mod evaluate;
mod memo;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use crate::domain::{ChecklistDefinition, DefinitionSource, TaskState, Tier};
use crate::store::{Db, NewMutation, RefusedDefinition, Store, StoreError};
use crate::time::Clock;

pub use definition::{Definition, DefinitionError, Text};
pub use evaluate::{ChecklistView, TaskStatus, TaskView};

/// Mutation kind of a manual tick or untick (payload `{"done": bool}`, entity: the task id).
pub const TICK_KIND: &str = "checklist_tick";

/// Why a tick or untick was refused (nothing was written), or the store failed.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    /// No task with this id in the definition in use.
    #[error("there is no checklist task {0:?}")]
    UnknownTask(String),
    /// The task is done automatically from the shop's data; it cannot be ticked by hand.
    #[error("task {task:?} is checked automatically ({rule}); it cannot be ticked by hand")]
    Automatic {
        /// The task.
        task: String,
        /// Its rule kind.
        rule: &'static str,
    },
    /// The task waits on other tasks.
    #[error("task {task:?} waits on {}: do those first", .waiting_on.join(", "))]
    Locked {
        /// The task.
        task: String,
        /// What it waits on.
        waiting_on: Vec<String>,
    },
    /// The task is not in the seller's tier.
    #[error("task {task:?} is part of the {tier} package, not of this shop's {shop_tier} package")]
    NotInTier {
        /// The task.
        task: String,
        /// The lowest tier that has it.
        tier: Tier,
        /// The shop's tier.
        shop_tier: Tier,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ChecklistError {
    /// A stable machine code: `unknown_task`, `automatic`, `locked`, `not_in_tier`, `store`.
    pub fn code(&self) -> &'static str {
        match self {
            ChecklistError::UnknownTask(_) => "unknown_task",
            ChecklistError::Automatic { .. } => "automatic",
            ChecklistError::Locked { .. } => "locked",
            ChecklistError::NotInTier { .. } => "not_in_tier",
            ChecklistError::Store(_) => "store",
        }
    }

    /// The reason in Simplified Chinese, for the seller.
    pub fn message_zh(&self) -> String {
        match self {
            ChecklistError::UnknownTask(id) => format!("没有这项任务：{id}"),
            ChecklistError::Automatic { task, .. } => {
                format!("任务 {task} 会根据店铺数据自动完成，不能手动勾选")
            }
            ChecklistError::Locked { task, waiting_on } => {
                format!("任务 {task} 需要先完成：{}", waiting_on.join("、"))
            }
            ChecklistError::NotInTier { task, tier, .. } => {
                format!("任务 {task} 属于{}服务包，您的服务包不包含", tier_zh(*tier))
            }
            ChecklistError::Store(e) => format!("数据库出错：{e}"),
        }
    }

    /// The reason in the seller's language.
    pub fn message(&self, english: bool) -> String {
        if english {
            self.to_string()
        } else {
            self.message_zh()
        }
    }
}

/// The tier's name in Chinese.
pub fn tier_zh(tier: Tier) -> &'static str {
    match tier {
        Tier::Basic => "基础版",
        Tier::Standard => "标准版",
        Tier::Premium => "高级版",
    }
}

/// What a tick or untick did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TickOutcome {
    /// The task.
    pub task_id: String,
    /// Its manual state now.
    pub done: bool,
    /// The outbox entry written, or `None` when the task already was in that state.
    pub mutation_id: Option<i64>,
}

/// The checklist of one database.
#[derive(Clone, Debug)]
pub struct Checklist {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
}

impl Checklist {
    /// The checklist over `store`, with the injected clock (tick times).
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Checklist {
        Checklist { store, clock }
    }

    /// The checklist as it stands now (one read snapshot).
    pub fn view(&self) -> Result<ChecklistView, ChecklistError> {
        self.store.read(view_in)
    }

    /// Definition documents refused lately, newest first.
    pub fn refusals(&self) -> Result<Vec<RefusedDefinition>, ChecklistError> {
        Ok(self.store.read(|db| db.checklist().refusals())?)
    }

    /// Ticks a manual task: its state and its `checklist_tick` outbox entry are written in one
    /// transaction. Refused, writing nothing, for an unknown, automatic, locked or
    /// not-in-tier task.
    pub fn tick(&self, task_id: &str) -> Result<TickOutcome, ChecklistError> {
        self.set(task_id, true)
    }

    /// Unticks a manual task (same rules as [`Checklist::tick`], except that a locked task
    /// may be unticked).
    pub fn untick(&self, task_id: &str) -> Result<TickOutcome, ChecklistError> {
        self.set(task_id, false)
    }

    fn set(&self, task_id: &str, done: bool) -> Result<TickOutcome, ChecklistError> {
        let now_ms = self.clock.now_ms();
        self.store.write(|db| {
            let view = view_in(db)?;
            let task = view
                .task(task_id)
                .ok_or_else(|| ChecklistError::UnknownTask(task_id.chars().take(80).collect()))?;
            match &task.status {
                TaskStatus::NotInTier { tier } => {
                    return Err(ChecklistError::NotInTier {
                        task: task.id.clone(),
                        tier: *tier,
                        shop_tier: view.tier,
                    });
                }
                _ if !task.manual => {
                    return Err(ChecklistError::Automatic {
                        task: task.id.clone(),
                        rule: task.rule,
                    });
                }
                TaskStatus::Locked { waiting_on } if done => {
                    return Err(ChecklistError::Locked {
                        task: task.id.clone(),
                        waiting_on: waiting_on.clone(),
                    });
                }
                _ => {}
            }
            let repo = db.checklist();
            let before = repo.task(task_id)?;
            if before.as_ref().is_some_and(|s| s.manual_done) == done {
                return Ok(TickOutcome {
                    task_id: task_id.to_owned(),
                    done,
                    mutation_id: None,
                });
            }
            repo.put_task(&TaskState {
                task_id: task_id.to_owned(),
                manual_done: done,
                completed_ms: done.then_some(now_ms),
                updated_ms: now_ms,
            })?;
            let payload = serde_json::json!({ "done": done }).to_string();
            let mutation_id = db.sync().enqueue(&NewMutation {
                kind: TICK_KIND,
                entity_id: task_id,
                base_version: None,
                payload: &payload,
                created_ms: now_ms,
            })?;
            Ok(TickOutcome {
                task_id: task_id.to_owned(),
                done,
                mutation_id: Some(mutation_id),
            })
        })
    }
}

/// The definition in use: the newest stored one the server sent, unless the bundled one is
/// newer (an app update), or the stored one no longer parses.
pub fn current_definition(
    db: &Db<'_>,
) -> Result<(std::borrow::Cow<'static, Definition>, DefinitionSource), StoreError> {
    use std::borrow::Cow;
    let bundled = Definition::bundled();
    if let Some(stored) = db.checklist().latest_definition()?
        && stored.version > bundled.version
    {
        match definition::parse(&stored.document) {
            Ok(def) => return Ok((Cow::Owned(def), DefinitionSource::Server)),
            Err(e) => {
                tracing::warn!(version = stored.version, error = %e,
                    "stored checklist definition no longer valid; using the bundled one");
            }
        }
    }
    Ok((Cow::Borrowed(bundled), DefinitionSource::Bundled))
}

/// The checklist evaluated inside the caller's transaction.
pub fn view_in(db: &Db<'_>) -> Result<ChecklistView, ChecklistError> {
    let (def, source) = current_definition(db)?;
    let facts = rules::Facts::new(db);
    let tier = facts.shop()?.map_or(Tier::Basic, |s| s.tier);
    let ticks: HashMap<String, TaskState> = db
        .checklist()
        .tasks()?
        .into_iter()
        .map(|t| (t.task_id.clone(), t))
        .collect();
    Ok(evaluate::evaluate(&def, source, tier, &facts, &ticks)?)
}

/// Takes a definition document that arrived by sync, inside the page's transaction: stored
/// if valid and newer than the one in use; otherwise refused with a logged and recorded
/// reason, the current one kept, and the page goes on (a bad document never blocks sync).
/// Returns the refusal, if any.
pub fn accept_definition(
    db: &Db<'_>,
    incoming: &ChecklistDefinition,
    now_ms: i64,
) -> Result<Option<DefinitionError>, StoreError> {
    match check_incoming(db, incoming) {
        Ok(Some(def)) => {
            db.checklist().put_definition(&ChecklistDefinition {
                version: def.version,
                source: DefinitionSource::Server,
                document: incoming.document.clone(),
                received_ms: now_ms,
            })?;
            tracing::info!(version = def.version, "checklist definition replaced");
            Ok(None)
        }
        // The same document again (a page applied twice): nothing to do.
        Ok(None) => Ok(None),
        Err(e) => {
            let current = current_definition(db)?.0.version;
            tracing::warn!(version = incoming.version, current, code = e.code(), reason = %e,
                "checklist definition refused; keeping the current one");
            db.checklist().record_refusal(&RefusedDefinition {
                version: Some(incoming.version),
                code: e.code().to_owned(),
                reason: e.to_string(),
                refused_ms: now_ms,
            })?;
            Ok(Some(e))
        }
    }
}

fn check_incoming(
    db: &Db<'_>,
    incoming: &ChecklistDefinition,
) -> Result<Option<Definition>, DefinitionError> {
    let def = definition::parse(&incoming.document)?;
    if def.version != incoming.version {
        return Err(DefinitionError::BadVersion(format!(
            "the document says {} but was sent as {}",
            def.version, incoming.version
        )));
    }
    let stored = db
        .checklist()
        .latest_definition()
        .map_err(|e| DefinitionError::Malformed(format!("cannot read the current one: {e}")))?;
    if let Some(s) = &stored
        && s.version == def.version
        && s.document == incoming.document
    {
        return Ok(None);
    }
    let current = Definition::bundled()
        .version
        .max(stored.map_or(0, |s| s.version));
    definition::check_newer(def.version, current)?;
    Ok(Some(def))
}

#[cfg(test)]
mod tests;
