//! [`AppError`]: every failure of the core service, with one stable [`ErrorCode`].

use std::path::PathBuf;

use crate::coupons::wallet::WalletError;
use crate::locale::Language;
use crate::money::MoneyError;
use crate::store::StoreError;
use crate::storefront::StorefrontError;
use crate::storefront::media::MediaError;
use crate::storefront::preview::PreviewError;
use crate::sync::SyncError;
use crate::time::TimeError;

/// Why a call of [`App`](super::App) failed.
///
/// `Display` is English, for logs and bug reports; what a seller reads comes from
/// [`AppError::message`] in the seller's language. [`AppError::code`] is the stable machine
/// code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The database names no device, or the secret store holds no token for it: the one
    /// meaning of "not activated" (`app::activation`).
    #[error("this device is not activated; activate it with the code from your service package")]
    NotActivated,
    /// Found on this phone, not refused by a server: the database already holds another
    /// shop, and the activation code belongs to a different one.
    #[error(
        "this database holds shop {held} but the code belongs to shop {offered}; use another database"
    )]
    OtherShop {
        /// The shop the database holds.
        held: String,
        /// The shop the code activates.
        offered: String,
    },
    /// What the shell passed in is not acceptable (an empty database path, ...).
    #[error("invalid {what}: {detail}")]
    InvalidInput {
        /// Which input.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// The platform's secret store (Keystore, Keychain, the desktop file) failed.
    #[error("the secure storage failed: {detail}")]
    SecretStore {
        /// The platform's detail.
        detail: String,
    },
    /// The lock file that keeps syncs of one database apart could not be used.
    #[error("cannot use the sync lock {}: {detail}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// A background task of the core stopped unexpectedly (a bug).
    #[error("a SellerKit task failed: {detail}")]
    Internal {
        /// What happened.
        detail: String,
    },
    /// A sync or activation step failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The coupon wallet refused or failed.
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// A time computation or an unknown time zone.
    #[error(transparent)]
    Time(#[from] TimeError),
    /// An amount that cannot be read or computed.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// A storefront call (lint, preview, edit, conflict) refused or failed.
    #[error(transparent)]
    Storefront(#[from] StorefrontError),
}

/// The stable machine codes of [`AppError`]: a closed set, for `--json` output, logs and
/// the shells (which get them as an enum). Never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Activate first (or again).
    NotActivated,
    /// The server no longer accepts this device's token: activate again.
    ActivateAgain,
    /// The database holds another shop than the activation code's.
    OtherShop,
    /// The server URL is refused (not HTTPS, unparsable).
    BadServerUrl,
    /// No connection after the retries.
    Network,
    /// No answer in time after the retries.
    Timeout,
    /// The server's certificate is not trusted.
    Tls,
    /// The server refused the request; its own code says why.
    Refused,
    /// The server kept failing (5xx, 429).
    ServerTrouble,
    /// The server's answer broke the protocol.
    MalformedResponse,
    /// The server's answer was too large.
    ResponseTooLarge,
    /// The operation was cancelled.
    Cancelled,
    /// The database failed.
    Storage,
    /// The secret store failed.
    SecretStore,
    /// Saving a file failed.
    Io,
    /// The input is not acceptable.
    InvalidInput,
    /// A coupon was refused (its [`Refusal`](crate::coupons::Refusal) code says why).
    CouponRefused,
    /// A bug inside SellerKit.
    Internal,
}

impl ErrorCode {
    /// The code as text: `not_activated`, `network`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotActivated => "not_activated",
            ErrorCode::ActivateAgain => "activate_again",
            ErrorCode::OtherShop => "other_shop",
            ErrorCode::BadServerUrl => "bad_server_url",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Tls => "tls",
            ErrorCode::Refused => "refused",
            ErrorCode::ServerTrouble => "server_trouble",
            ErrorCode::MalformedResponse => "malformed_response",
            ErrorCode::ResponseTooLarge => "response_too_large",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Storage => "storage",
            ErrorCode::SecretStore => "secret_store",
            ErrorCode::Io => "io",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::CouponRefused => "coupon_refused",
            ErrorCode::Internal => "internal",
        }
    }

    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 18] = [
        ErrorCode::NotActivated,
        ErrorCode::ActivateAgain,
        ErrorCode::OtherShop,
        ErrorCode::BadServerUrl,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::Tls,
        ErrorCode::Refused,
        ErrorCode::ServerTrouble,
        ErrorCode::MalformedResponse,
        ErrorCode::ResponseTooLarge,
        ErrorCode::Cancelled,
        ErrorCode::Storage,
        ErrorCode::SecretStore,
        ErrorCode::Io,
        ErrorCode::InvalidInput,
        ErrorCode::CouponRefused,
        ErrorCode::Internal,
    ];
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AppError {
    /// The stable machine code.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::NotActivated => ErrorCode::NotActivated,
            AppError::OtherShop { .. } => ErrorCode::OtherShop,
            AppError::InvalidInput { .. } => ErrorCode::InvalidInput,
            AppError::SecretStore { .. } => ErrorCode::SecretStore,
            AppError::Lock { .. } => ErrorCode::Io,
            AppError::Internal { .. } => ErrorCode::Internal,
            AppError::Sync(e) => match e {
                SyncError::ActivateAgain { .. } => ErrorCode::ActivateAgain,
                SyncError::BadServerUrl { .. } => ErrorCode::BadServerUrl,
                SyncError::Network { .. } => ErrorCode::Network,
                SyncError::Timeout => ErrorCode::Timeout,
                SyncError::Tls { .. } => ErrorCode::Tls,
                SyncError::Refused { .. } => ErrorCode::Refused,
                SyncError::ServerTrouble { .. } => ErrorCode::ServerTrouble,
                SyncError::MalformedResponse { .. } => ErrorCode::MalformedResponse,
                SyncError::ResponseTooLarge { .. } => ErrorCode::ResponseTooLarge,
                SyncError::Cancelled => ErrorCode::Cancelled,
                SyncError::Store(e) => store_code(e),
                SyncError::Io { .. } => ErrorCode::Io,
            },
            AppError::Store(e) => store_code(e),
            AppError::Wallet(e) => match e {
                WalletError::Refused(_) => ErrorCode::CouponRefused,
                WalletError::InvalidInput { .. } => ErrorCode::InvalidInput,
                WalletError::Store(e) => store_code(e),
            },
            AppError::Time(_) | AppError::Money(_) => ErrorCode::InvalidInput,
            AppError::Storefront(e) => match e {
                StorefrontError::Store(e) => store_code(e),
                StorefrontError::NoShop => ErrorCode::NotActivated,
                StorefrontError::NoProduct(_)
                | StorefrontError::NoConflict(_)
                | StorefrontError::NoPhoto(_)
                | StorefrontError::Invalid { .. } => ErrorCode::InvalidInput,
                StorefrontError::Photo(MediaError::Io { .. }) => ErrorCode::Io,
                StorefrontError::Photo(_) => ErrorCode::InvalidInput,
                StorefrontError::Preview(e) => match e {
                    PreviewError::NoFont | PreviewError::BadFont => ErrorCode::InvalidInput,
                    PreviewError::FontFile { .. } => ErrorCode::Io,
                    PreviewError::Encode { .. } => ErrorCode::Internal,
                },
            },
        }
    }

    /// The server's own error code when the server refused the request
    /// (`invalid_activation_code`, ...), or the refused coupon's reason code.
    pub fn detail_code(&self) -> Option<&str> {
        match self {
            AppError::Sync(SyncError::Refused { code, .. }) => Some(code),
            AppError::Wallet(WalletError::Refused(r)) => Some(r.code()),
            _ => None,
        }
    }

    /// What to tell the seller, in `language`: what happened and what to do.
    pub fn message(&self, language: Language) -> String {
        match self {
            AppError::NotActivated => language
                .pick(
                    "本设备尚未激活。请用服务包中的激活码激活（activate）。",
                    "This device is not activated yet. Activate it with the code from your service package.",
                )
                .to_owned(),
            AppError::OtherShop { held, offered } => match language {
                Language::ZhCn => format!(
                    "本机数据属于店铺 {held}，而这个激活码属于店铺 {offered}。请使用另一个数据库，或使用本店的激活码。"
                ),
                Language::En => format!(
                    "The data on this phone belongs to shop {held}, but this code belongs to shop {offered}. Use another database, or a code of this shop."
                ),
            },
            AppError::InvalidInput { detail, .. } => match language {
                Language::ZhCn => format!("输入有误：{detail}"),
                Language::En => format!("Invalid input: {detail}"),
            },
            // The platform's detail (an exception's message) helps support; it is kept.
            AppError::SecretStore { detail } => match language {
                Language::ZhCn => format!("手机的安全存储出错（{detail}）。请解锁手机后重试。"),
                Language::En => format!("The phone's secure storage failed ({detail}). Unlock the phone and try again."),
            },
            AppError::Lock { .. } => language
                .pick(
                    "无法开始同步：本机数据暂时无法锁定。请重启应用后重试。",
                    "Cannot start the sync: the data on this phone cannot be locked. Restart the app and try again.",
                )
                .to_owned(),
            AppError::Internal { .. } => language
                .pick(
                    "SellerKit 出现意外错误。请重启应用；问题持续时请联系客服。",
                    "SellerKit failed unexpectedly. Restart the app, and contact support if it goes on.",
                )
                .to_owned(),
            AppError::Sync(e) => e.message(language),
            AppError::Store(e) => e.message(language),
            AppError::Wallet(e) => e.message(language),
            AppError::Time(e) => e.message(language),
            AppError::Money(e) => e.message(language),
            AppError::Storefront(e) => storefront_message(e, language),
        }
    }

    /// Whether the operation was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.code() == ErrorCode::Cancelled
    }
}

/// What to tell the seller about a photo that cannot be used, in `language`.
fn photo_message(e: &MediaError, language: Language) -> String {
    let zh = language == Language::ZhCn;
    match e {
        MediaError::NotAnImage => {
            if zh {
                "这个文件不是图片。请选择 JPEG、PNG、WebP 或 GIF 照片。".to_owned()
            } else {
                "This file is not a picture. Choose a JPEG, PNG, WebP or GIF photo.".to_owned()
            }
        }
        MediaError::Unsupported { format } => {
            if zh {
                format!("不支持这种图片格式（{format}）。请选择 JPEG、PNG、WebP 或 GIF 照片。")
            } else {
                format!(
                    "This picture format ({format}) is not supported. Choose a JPEG, PNG, WebP or GIF photo."
                )
            }
        }
        MediaError::TooLarge { detail } => {
            if zh {
                format!("图片太大（{detail}）。请选择小一些的照片。")
            } else {
                format!("The picture is too large ({detail}). Choose a smaller photo.")
            }
        }
        MediaError::Corrupt { detail } => {
            if zh {
                format!("图片已损坏（{detail}）。请重新拍摄或选择另一张。")
            } else {
                format!("The picture is damaged ({detail}). Take it again or choose another.")
            }
        }
        MediaError::Convert { detail } => {
            if zh {
                format!("无法转换这张图片（{detail}）。请选择另一张。")
            } else {
                format!("This picture could not be converted ({detail}). Choose another.")
            }
        }
        MediaError::Io { path, detail } => {
            if zh {
                format!("无法读写文件 {path}（{detail}）。请检查存储空间后重试。")
            } else {
                format!(
                    "Cannot read or write {path} ({detail}). Check the free space and try again."
                )
            }
        }
    }
}

/// What to tell the seller about a storefront failure, in `language`.
fn storefront_message(e: &StorefrontError, language: Language) -> String {
    let zh = language == Language::ZhCn;
    match e {
        StorefrontError::Store(e) => e.message(language),
        StorefrontError::Invalid { message, .. } => {
            if zh {
                message.zh.clone()
            } else {
                message.en.clone()
            }
        }
        StorefrontError::NoShop => language
            .pick(
                "还没有店铺资料。请先激活本设备并同步一次。",
                "There is no shop on this phone yet. Activate the device and sync first.",
            )
            .to_owned(),
        StorefrontError::NoProduct(id) => match language {
            Language::ZhCn => format!("找不到商品 {id}，它可能已被删除。请同步后重试。"),
            Language::En => {
                format!("Product {id} is not on this phone; it may have been deleted. Sync and try again.")
            }
        },
        StorefrontError::NoPhoto(id) => match language {
            Language::ZhCn => format!("没有可放在这里的图片 {id}。请先添加这张照片。"),
            Language::En => format!("There is no picture {id} to place here. Add the photo first."),
        },
        StorefrontError::Photo(m) => photo_message(m, language),
        StorefrontError::NoConflict(id) => match language {
            Language::ZhCn => format!("冲突 #{id} 已经处理过或不存在。请刷新列表。"),
            Language::En => {
                format!("Conflict #{id} is already settled or does not exist. Refresh the list.")
            }
        },
        StorefrontError::Preview(p) => match p {
            PreviewError::NoFont => language
                .pick(
                    "预览需要字体文件，但应用没有设置字体（font_path）。请更新应用或联系客服。",
                    "The preview needs a font file, but the app sets none (font_path). Update the app or contact support.",
                )
                .to_owned(),
            PreviewError::FontFile { path, detail } => match language {
                Language::ZhCn => format!("无法读取字体文件 {path}（{detail}）。请重新安装应用。"),
                Language::En => {
                    format!("Cannot read the font file {path} ({detail}). Reinstall the app.")
                }
            },
            PreviewError::BadFont => language
                .pick(
                    "字体文件无法使用（不是 TrueType/OpenType 字体）。请重新安装应用。",
                    "The font file cannot be used (not a TrueType/OpenType font). Reinstall the app.",
                )
                .to_owned(),
            PreviewError::Encode { .. } => language
                .pick(
                    "预览图片生成失败。请重试。",
                    "The preview picture could not be made. Try again.",
                )
                .to_owned(),
        },
    }
}

/// A value the caller gave that cannot be stored is the caller's input, not a failing disk.
fn store_code(e: &StoreError) -> ErrorCode {
    match e {
        StoreError::InvalidInput { .. } => ErrorCode::InvalidInput,
        _ => ErrorCode::Storage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_snake_case() {
        let mut seen: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_')
            );
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }

    #[test]
    fn a_locally_found_other_shop_is_not_a_server_refusal() {
        let e = AppError::OtherShop {
            held: "a".into(),
            offered: "b".into(),
        };
        assert_eq!(e.code(), ErrorCode::OtherShop);
        assert_eq!(e.detail_code(), None);
        assert!(e.message(Language::En).contains("belongs to shop b"));
        assert!(e.message(Language::ZhCn).contains("属于店铺 b"));
    }

    /// Every error a seller can meet has words in both languages, and the Chinese ones
    /// are Chinese (not an English sentence passed through).
    #[test]
    fn every_error_reads_in_chinese_and_english() {
        use crate::coupons::Refusal;
        let errors = vec![
            AppError::NotActivated,
            AppError::OtherShop {
                held: "a".into(),
                offered: "b".into(),
            },
            AppError::InvalidInput {
                what: "x",
                detail: "y".into(),
            },
            AppError::SecretStore {
                detail: "locked".into(),
            },
            AppError::Lock {
                path: "/x".into(),
                detail: "y".into(),
            },
            AppError::Internal { detail: "x".into() },
            SyncError::ActivateAgain {
                message: "revoked".into(),
            }
            .into(),
            SyncError::BadServerUrl {
                url: "ftp://x".into(),
                reason: "no".into(),
            }
            .into(),
            SyncError::Network {
                detail: "reset".into(),
            }
            .into(),
            SyncError::Timeout.into(),
            SyncError::Tls { detail: "x".into() }.into(),
            SyncError::Refused {
                status: 400,
                code: "invalid_request".into(),
                message: "bad".into(),
            }
            .into(),
            SyncError::ServerTrouble { status: 503 }.into(),
            SyncError::MalformedResponse { detail: "x".into() }.into(),
            SyncError::ResponseTooLarge { limit: 1 }.into(),
            SyncError::Cancelled.into(),
            SyncError::Io {
                what: "image".into(),
                detail: "x".into(),
            }
            .into(),
            StoreError::DiskFull { path: "/x".into() }.into(),
            StoreError::Corrupt {
                path: "/x".into(),
                detail: "x".into(),
            }
            .into(),
            StoreError::TooNew {
                path: "/x".into(),
                found: 9,
                supported: 6,
            }
            .into(),
            WalletError::Refused(Refusal::Expired).into(),
            MoneyError::Invalid("abc".into()).into(),
            TimeError::InvalidDate("2026-13-01".into()).into(),
            StorefrontError::NoShop.into(),
            StorefrontError::NoProduct("p1".into()).into(),
            StorefrontError::NoConflict(3).into(),
            StorefrontError::Preview(PreviewError::NoFont).into(),
            StorefrontError::Preview(PreviewError::BadFont).into(),
            StorefrontError::Preview(PreviewError::FontFile {
                path: "/x.ttf".into(),
                detail: "gone".into(),
            })
            .into(),
            StorefrontError::Preview(PreviewError::Encode { detail: "x".into() }).into(),
        ];
        let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for e in &errors {
            let zh = e.message(Language::ZhCn);
            let en = e.message(Language::En);
            assert!(han(&zh), "{:?}: no Chinese in {zh:?}", e.code());
            assert!(!han(&en), "{:?}: Chinese in the English {en:?}", e.code());
            assert_ne!(zh, en);
        }
        // Every code is reachable from some error above, but `io` and `coupon_refused`.
        let codes: std::collections::HashSet<ErrorCode> =
            errors.iter().map(AppError::code).collect();
        assert!(codes.len() >= 17, "{codes:?}");
    }
}
