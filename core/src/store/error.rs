//! Errors of the store, worded as what the seller or QA can do about them.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

use crate::locale::Language;

/// Why a database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file does not exist and was not to be created.
    #[error("no database at {}", path.display())]
    Missing {
        /// The file asked for.
        path: PathBuf,
    },
    /// The file is not an SQLite database at all.
    #[error("{} is not a SellerKit database: {detail}", path.display())]
    NotADatabase {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        detail: String,
    },
    /// An SQLite database of some other application; never touched.
    #[error("{} belongs to another application ({detail}); SellerKit leaves it alone", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What it looks like.
        detail: String,
    },
    /// A SellerKit database that SQLite finds damaged.
    #[error(
        "the database {} is damaged ({detail}); delete it and sync again to rebuild it",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's finding.
        detail: String,
    },
    /// Written by a newer build whose schema this one does not know.
    #[error(
        "the database {} was written by a newer SellerKit (schema {found}, this build knows up to {supported}); update the app",
        path.display()
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// The disk (or the database's size limit) is full; the transaction was rolled back.
    #[error("the disk is full while writing {}; free some space and try again (nothing was lost)", path.display())]
    DiskFull {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be read or written.
    #[error("cannot use {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A stored value that this build cannot interpret.
    #[error("unreadable {what} in the database: {detail}")]
    InvalidData {
        /// Which value.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// A value the caller gave that cannot be stored (e.g. an amount that overflows).
    #[error("cannot store {what}: {detail}")]
    InvalidInput {
        /// Which value.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// Any other SQLite failure.
    #[error("database error: {source}")]
    Sqlite {
        /// The file (empty when not known at the failure site).
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// A schema migration failed; the database stays at its previous version.
    #[error("schema upgrade of {} failed, the database is unchanged: {source}", path.display())]
    Migration {
        /// The file.
        path: PathBuf,
        /// The migration library's error.
        #[source]
        source: rusqlite_migration::Error,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Classifies an SQLite error so that damage and a full disk read as such.
    pub(crate) fn from_sqlite(path: &Path, source: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path,
                detail: source.to_string(),
            },
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
                path,
                detail: source.to_string(),
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            _ => match source {
                rusqlite::Error::FromSqlConversionFailure(_, _, ref inner) => {
                    StoreError::InvalidData {
                        what: "value",
                        detail: inner.to_string(),
                    }
                }
                source => StoreError::Sqlite { path, source },
            },
        }
    }

    /// Fills in the file name where the failure site did not know it.
    pub(crate) fn with_path(self, file: &Path) -> StoreError {
        use StoreError::*;
        let fill = |p: PathBuf| {
            if p.as_os_str().is_empty() {
                file.to_path_buf()
            } else {
                p
            }
        };
        match self {
            Missing { path } => Missing { path: fill(path) },
            NotADatabase { path, detail } => NotADatabase {
                path: fill(path),
                detail,
            },
            Foreign { path, detail } => Foreign {
                path: fill(path),
                detail,
            },
            Corrupt { path, detail } => Corrupt {
                path: fill(path),
                detail,
            },
            TooNew {
                path,
                found,
                supported,
            } => TooNew {
                path: fill(path),
                found,
                supported,
            },
            DiskFull { path } => DiskFull { path: fill(path) },
            Io { path, source } => Io {
                path: fill(path),
                source,
            },
            Sqlite { path, source } => StoreError::from_sqlite(&fill(path), source),
            Migration { path, source } => Migration {
                path: fill(path),
                source,
            },
            other @ (InvalidData { .. } | InvalidInput { .. }) => other,
        }
    }

    /// True when the database file itself is unusable (damaged, foreign, too new).
    pub fn is_unusable_file(&self) -> bool {
        matches!(
            self,
            StoreError::NotADatabase { .. }
                | StoreError::Foreign { .. }
                | StoreError::Corrupt { .. }
                | StoreError::TooNew { .. }
        )
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        StoreError::from_sqlite(Path::new(""), source)
    }
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(source: rusqlite_migration::Error) -> Self {
        match source {
            // A damaged file or a full disk is the real story, not "the migration failed".
            rusqlite_migration::Error::RusqliteError { err, .. }
                if matches!(
                    err.sqlite_error_code(),
                    Some(ErrorCode::DatabaseCorrupt | ErrorCode::DiskFull)
                ) =>
            {
                err.into()
            }
            source => StoreError::Migration {
                path: PathBuf::new(),
                source,
            },
        }
    }
}

impl StoreError {
    /// What to tell the seller, in `language`. SQLite's own wording stays in `Display`.
    pub fn message(&self, language: Language) -> String {
        use StoreError::*;
        match self {
            Missing { path } => match language {
                Language::ZhCn => format!("找不到数据库 {}。", path.display()),
                Language::En => format!("There is no database at {}.", path.display()),
            },
            // The file is named: on a QA laptop it says which of several databases.
            NotADatabase { path, .. } | Foreign { path, .. } => match language {
                Language::ZhCn => format!(
                    "{} 不是 SellerKit 的数据库，SellerKit 不会改动它。请选择其他文件。",
                    path.display()
                ),
                Language::En => format!(
                    "{} is not a SellerKit database; SellerKit leaves it alone. Choose another file.",
                    path.display()
                ),
            },
            Corrupt { path, .. } => match language {
                Language::ZhCn => format!(
                    "本机数据 {} 已损坏。请删除应用数据后重新同步，店铺数据会从服务器恢复。",
                    path.display()
                ),
                Language::En => format!(
                    "The data on this phone ({}) is damaged. Clear the app's data and sync again: the shop's data comes back from the server.",
                    path.display()
                ),
            },
            TooNew { path, .. } => match language {
                Language::ZhCn => format!(
                    "本机数据 {} 来自更新版本的应用，请先更新应用。",
                    path.display()
                ),
                Language::En => format!(
                    "The data on this phone ({}) was written by a newer version of the app. Update the app first.",
                    path.display()
                ),
            },
            DiskFull { .. } => language
                .pick(
                    "手机存储空间已满。请清理一些空间后重试，数据没有丢失。",
                    "The phone's storage is full. Free some space and try again; nothing was lost.",
                )
                .to_owned(),
            Io { source, .. } => match language {
                Language::ZhCn => format!("无法读写本机数据（{source}）。请重启应用后重试。"),
                Language::En => format!("Cannot read or write the data on this phone ({source}). Restart the app and try again."),
            },
            InvalidData { .. } | Sqlite { .. } => language
                .pick(
                    "本机数据读写出错。请重启应用后重试；问题持续时请联系客服。",
                    "Reading or writing the data on this phone failed. Restart the app and try again, and contact support if it goes on.",
                )
                .to_owned(),
            InvalidInput { what, detail } => match language {
                Language::ZhCn => format!("这个值无法保存（{what}：{detail}）。"),
                Language::En => format!("Cannot save {what}: {detail}"),
            },
            Migration { .. } => language
                .pick(
                    "升级本机数据失败，数据保持原样。请重启应用；问题持续时请联系客服。",
                    "Upgrading the data on this phone failed and it is unchanged. Restart the app, and contact support if it goes on.",
                )
                .to_owned(),
        }
    }
}
