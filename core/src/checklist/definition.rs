//! The checklist definition document: parsing and validation.
//!
//! The document is data (JSON, `docs/checklist.md`): a default is bundled into the core and
//! the server may send a newer one. Everything a hostile or broken document could do wrong
//! is refused here with a typed reason, before it can replace the current one.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::rules::Rule;
use crate::domain::Tier;

/// Largest document accepted, in bytes: the bundled one is about 20 KB; 50 MB of JSON on a
/// 1 GB phone is refused before it is parsed.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Most tasks in a document.
pub const MAX_TASKS: usize = 200;
/// Most dependencies of one task.
pub const MAX_DEPENDENCIES: usize = 20;
/// Longest task id, in bytes.
pub const MAX_ID_LEN: usize = 64;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest help text, in characters.
pub const MAX_HELP_CHARS: usize = 2_000;
/// The document format this build reads (`"schema"` in the document).
pub const SCHEMA: u32 = 1;

/// The bundled default document.
pub const BUNDLED_JSON: &str = include_str!("default.json");

/// Why a definition document was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// Bigger than [`MAX_DOCUMENT_BYTES`].
    #[error("the document is {bytes} bytes; at most {max} are accepted")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The cap.
        max: usize,
    },
    /// Not JSON, or not the document's shape.
    #[error("the document is malformed: {0}")]
    Malformed(String),
    /// A `schema` this build does not read.
    #[error("schema {found} is not supported (this app reads schema {SCHEMA})")]
    UnsupportedSchema {
        /// What the document says.
        found: u32,
    },
    /// Version zero or negative, or different from the version it was delivered under.
    #[error("bad version: {0}")]
    BadVersion(String),
    /// Not newer than the definition in use.
    #[error("version {version} is not newer than the current version {current}")]
    NotNewer {
        /// The document's version.
        version: i64,
        /// The version in use.
        current: i64,
    },
    /// No tasks, or more than [`MAX_TASKS`].
    #[error("a document needs 1 to {MAX_TASKS} tasks, this one has {0}")]
    TaskCount(usize),
    /// An id that is empty, too long or not `[a-z0-9_]`.
    #[error("task id {0:?} must be 1 to {MAX_ID_LEN} lowercase letters, digits or '_'")]
    BadId(String),
    /// Two tasks with the same id.
    #[error("task id {0:?} is used twice")]
    DuplicateId(String),
    /// A rule whose `kind` this build does not know.
    #[error("task {task:?} has an unknown rule kind {kind:?}")]
    UnknownRuleKind {
        /// The task.
        task: String,
        /// The kind.
        kind: String,
    },
    /// A known rule kind with bad parameters.
    #[error("task {task:?} has a bad rule: {detail}")]
    BadRule {
        /// The task.
        task: String,
        /// What is wrong.
        detail: String,
    },
    /// A dependency on a task the document does not define.
    #[error("task {task:?} depends on unknown task {missing:?}")]
    UnknownDependency {
        /// The task.
        task: String,
        /// The unknown id.
        missing: String,
    },
    /// A dependency on a task of a higher tier: it could never unlock in the lower tier.
    #[error(
        "task {task:?} ({tier}) depends on {dependency:?}, which needs the {dependency_tier} tier"
    )]
    DependencyTier {
        /// The task.
        task: String,
        /// Its tier.
        tier: Tier,
        /// The dependency.
        dependency: String,
        /// The dependency's tier.
        dependency_tier: Tier,
    },
    /// Tasks that wait on each other: none could ever unlock.
    #[error("dependency cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A title or help text missing in one of the languages (or too long).
    #[error("task {task:?}: {field} in {language} is {problem}")]
    Translation {
        /// The task.
        task: String,
        /// `title` or `help`.
        field: &'static str,
        /// `zh-CN` or `en`.
        language: &'static str,
        /// `missing`, `blank` or `too long`.
        problem: &'static str,
    },
    /// A time estimate outside 1..=600 minutes.
    #[error("task {task:?}: minutes must be 1 to 600, not {minutes}")]
    BadEstimate {
        /// The task.
        task: String,
        /// The value.
        minutes: i64,
    },
}

impl DefinitionError {
    /// A stable machine code for the reason, e.g. `cycle`, `unknown_rule_kind`.
    pub fn code(&self) -> &'static str {
        match self {
            DefinitionError::TooLarge { .. } => "too_large",
            DefinitionError::Malformed(_) => "malformed",
            DefinitionError::UnsupportedSchema { .. } => "unsupported_schema",
            DefinitionError::BadVersion(_) => "bad_version",
            DefinitionError::NotNewer { .. } => "not_newer",
            DefinitionError::TaskCount(_) => "task_count",
            DefinitionError::BadId(_) => "bad_id",
            DefinitionError::DuplicateId(_) => "duplicate_id",
            DefinitionError::UnknownRuleKind { .. } => "unknown_rule_kind",
            DefinitionError::BadRule { .. } => "bad_rule",
            DefinitionError::UnknownDependency { .. } => "unknown_dependency",
            DefinitionError::DependencyTier { .. } => "dependency_tier",
            DefinitionError::Cycle(_) => "cycle",
            DefinitionError::Translation { .. } => "missing_translation",
            DefinitionError::BadEstimate { .. } => "bad_estimate",
        }
    }
}

/// A text in both languages the app speaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in English when `english`, else in Chinese.
    pub fn get(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh_cn }
    }
}

/// What a task is about; the screens group by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The shop's identity and basics.
    Setup,
    /// Fitness for phones.
    Mobile,
    /// Coupons and promotion.
    Marketing,
    /// Legal guidance (standard and premium tiers).
    Legal,
}

impl Category {
    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Setup => "setup",
            Category::Mobile => "mobile",
            Category::Marketing => "marketing",
            Category::Legal => "legal",
        }
    }
}

/// One task of the checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    /// Stable id (`[a-z0-9_]`), the key of ticks and of the `checklist_tick` mutation.
    pub id: String,
    /// What it is about.
    pub category: Category,
    /// The lowest tier that has it.
    pub min_tier: Tier,
    /// Tasks that must be done first.
    pub depends_on: Vec<String>,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    /// Title.
    pub title: Text,
    /// Concretely how to do it (for legal tasks: which rule it comes from).
    pub help: Text,
    /// When it counts as done.
    pub rule: Rule,
}

/// A parsed, validated definition document.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// The document's version; the highest wins.
    pub version: i64,
    /// Tasks in the recommended order.
    pub tasks: Vec<Task>,
}

impl Definition {
    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The bundled default (parsed once per process).
    pub fn bundled() -> &'static Definition {
        static BUNDLED: std::sync::OnceLock<Definition> = std::sync::OnceLock::new();
        // A test parses it; a broken bundled file cannot ship.
        BUNDLED
            .get_or_init(|| parse(BUNDLED_JSON).expect("the bundled checklist definition is valid"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    schema: u32,
    version: i64,
    tasks: Vec<RawTask>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    id: String,
    category: Category,
    min_tier: Tier,
    #[serde(default)]
    depends_on: Vec<String>,
    minutes: i64,
    title: RawText,
    help: RawText,
    rule: serde_json::Value,
}

#[derive(Deserialize)]
struct RawText {
    #[serde(rename = "zh-CN")]
    zh_cn: Option<String>,
    en: Option<String>,
}

/// Parses and validates a document: size, shape, ids, rules, translations, dependencies
/// and cycles. Does not compare versions (see [`check_newer`]).
pub fn parse(json: &str) -> Result<Definition, DefinitionError> {
    if json.len() > MAX_DOCUMENT_BYTES {
        return Err(DefinitionError::TooLarge {
            bytes: json.len(),
            max: MAX_DOCUMENT_BYTES,
        });
    }
    let raw: RawDocument =
        serde_json::from_str(json).map_err(|e| DefinitionError::Malformed(e.to_string()))?;
    if raw.schema != SCHEMA {
        return Err(DefinitionError::UnsupportedSchema { found: raw.schema });
    }
    if raw.version <= 0 {
        return Err(DefinitionError::BadVersion(format!(
            "{} (versions start at 1)",
            raw.version
        )));
    }
    if raw.tasks.is_empty() || raw.tasks.len() > MAX_TASKS {
        return Err(DefinitionError::TaskCount(raw.tasks.len()));
    }
    let mut seen = HashSet::new();
    let mut tasks = Vec::with_capacity(raw.tasks.len());
    for t in raw.tasks {
        if !valid_id(&t.id) {
            return Err(DefinitionError::BadId(t.id));
        }
        if !seen.insert(t.id.clone()) {
            return Err(DefinitionError::DuplicateId(t.id));
        }
        if !(1..=600).contains(&t.minutes) {
            return Err(DefinitionError::BadEstimate {
                task: t.id,
                minutes: t.minutes,
            });
        }
        if t.depends_on.len() > MAX_DEPENDENCIES {
            return Err(DefinitionError::BadRule {
                task: t.id,
                detail: format!("at most {MAX_DEPENDENCIES} dependencies"),
            });
        }
        let title = text(&t.id, "title", t.title, MAX_TITLE_CHARS)?;
        let help = text(&t.id, "help", t.help, MAX_HELP_CHARS)?;
        let rule = Rule::from_json(&t.id, &t.rule)?;
        tasks.push(Task {
            minutes: u32::try_from(t.minutes).unwrap_or(1),
            id: t.id,
            category: t.category,
            min_tier: t.min_tier,
            depends_on: t.depends_on,
            title,
            help,
            rule,
        });
    }
    check_dependencies(&tasks)?;
    Ok(Definition {
        version: raw.version,
        tasks,
    })
}

/// Refuses `candidate` unless it is newer than the version in use.
pub fn check_newer(candidate: i64, current: i64) -> Result<(), DefinitionError> {
    if candidate > current {
        Ok(())
    } else {
        Err(DefinitionError::NotNewer {
            version: candidate,
            current,
        })
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn text(
    task: &str,
    field: &'static str,
    raw: RawText,
    max: usize,
) -> Result<Text, DefinitionError> {
    let one = |value: Option<String>, language: &'static str| {
        let problem = match &value {
            None => Some("missing"),
            Some(v) if v.trim().is_empty() => Some("blank"),
            Some(v) if v.chars().count() > max => Some("too long"),
            Some(_) => None,
        };
        match problem {
            Some(problem) => Err(DefinitionError::Translation {
                task: task.to_owned(),
                field,
                language,
                problem,
            }),
            None => Ok(value.unwrap_or_default()),
        }
    };
    Ok(Text {
        zh_cn: one(raw.zh_cn, "zh-CN")?,
        en: one(raw.en, "en")?,
    })
}

fn tier_rank(t: Tier) -> u8 {
    match t {
        Tier::Basic => 0,
        Tier::Standard => 1,
        Tier::Premium => 2,
    }
}

/// Whether a shop of tier `shop` has tasks of tier `task`.
pub fn tier_includes(shop: Tier, task: Tier) -> bool {
    tier_rank(shop) >= tier_rank(task)
}

fn check_dependencies(tasks: &[Task]) -> Result<(), DefinitionError> {
    let by_id: HashMap<&str, &Task> = tasks.iter().map(|t| (t.id.as_str(), t)).collect();
    for t in tasks {
        for dep in &t.depends_on {
            let Some(d) = by_id.get(dep.as_str()) else {
                return Err(DefinitionError::UnknownDependency {
                    task: t.id.clone(),
                    missing: dep.clone(),
                });
            };
            if !tier_includes(t.min_tier, d.min_tier) {
                return Err(DefinitionError::DependencyTier {
                    task: t.id.clone(),
                    tier: t.min_tier,
                    dependency: dep.clone(),
                    dependency_tier: d.min_tier,
                });
            }
        }
    }
    // Depth-first search with colours; the path on the stack names the cycle found.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Closed,
    }
    let mut marks: BTreeMap<&str, Mark> =
        tasks.iter().map(|t| (t.id.as_str(), Mark::New)).collect();
    for start in tasks {
        if marks[start.id.as_str()] != Mark::New {
            continue;
        }
        // (task, index of the next dependency to visit)
        let mut stack: Vec<(&Task, usize)> = vec![(start, 0)];
        marks.insert(&start.id, Mark::Open);
        while let Some((task, next)) = stack.last_mut() {
            let task: &Task = task;
            if let Some(dep) = task.depends_on.get(*next) {
                *next += 1;
                match marks[dep.as_str()] {
                    Mark::New => {
                        marks.insert(dep, Mark::Open);
                        stack.push((by_id[dep.as_str()], 0));
                    }
                    Mark::Open => {
                        let from = stack.iter().position(|(t, _)| t.id == *dep).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(t, _)| t.id.clone()).collect();
                        cycle.push(dep.clone());
                        return Err(DefinitionError::Cycle(cycle));
                    }
                    Mark::Closed => {}
                }
            } else {
                marks.insert(&task.id, Mark::Closed);
                stack.pop();
            }
        }
    }
    Ok(())
}
