//! Errors of sync, worded for the seller: what happened and what to do.

use crate::locale::Language;
use crate::store::StoreError;

/// Why a sync step failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server no longer accepts the device's token.
    #[error("the server no longer accepts this device ({message}); activate it again")]
    ActivateAgain {
        /// The server's explanation.
        message: String,
    },
    /// The server URL is not acceptable (not HTTPS, unparsable).
    #[error("refusing server URL {url:?}: {reason}")]
    BadServerUrl {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The network failed (no connection, reset, DNS) after all retries.
    #[error("cannot reach the server ({detail}); check the network and try again")]
    Network {
        /// Transport detail.
        detail: String,
    },
    /// A request took too long after all retries.
    #[error("the server did not answer in time; try again on a better network")]
    Timeout,
    /// The server's certificate was not trusted.
    #[error("the server's certificate is not trusted ({detail}); the connection was refused")]
    Tls {
        /// Verifier detail.
        detail: String,
    },
    /// The server answered with an error that retrying will not fix.
    #[error("the server refused the request ({status} {code}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Error code from the body (`invalid_request`, `forbidden`, ...), or `unknown`.
        code: String,
        /// Message from the body.
        message: String,
    },
    /// The server kept failing (5xx, 429) until the retries ran out.
    #[error("the server is having trouble ({status}); try again later")]
    ServerTrouble {
        /// Last HTTP status.
        status: u16,
    },
    /// The answer was not what the protocol promises: invalid JSON, wrong types, cut short.
    #[error("the server sent a malformed answer ({detail}); nothing was applied")]
    MalformedResponse {
        /// What was wrong.
        detail: String,
    },
    /// The answer was larger than the client accepts.
    #[error("the server's answer is larger than {limit} bytes; nothing was applied")]
    ResponseTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The sync was cancelled; what was committed stays.
    #[error("sync cancelled")]
    Cancelled,
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing a downloaded file failed.
    #[error("cannot save {what}: {detail}")]
    Io {
        /// What was being saved.
        what: String,
        /// OS detail.
        detail: String,
    },
}

impl SyncError {
    /// A stable machine-readable code, for `--json` output and the FFI.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::ActivateAgain { .. } => "activate_again",
            SyncError::BadServerUrl { .. } => "bad_server_url",
            SyncError::Network { .. } => "network",
            SyncError::Timeout => "timeout",
            SyncError::Tls { .. } => "tls",
            SyncError::Refused { .. } => "refused",
            SyncError::ServerTrouble { .. } => "server_trouble",
            SyncError::MalformedResponse { .. } => "malformed_response",
            SyncError::ResponseTooLarge { .. } => "response_too_large",
            SyncError::Cancelled => "cancelled",
            SyncError::Store(_) => "storage",
            SyncError::Io { .. } => "io",
        }
    }
}

impl SyncError {
    /// What to tell the seller, in `language`: what happened and what to do. Technical
    /// details (HTTP status, OS errors) stay in `Display`, for logs.
    pub fn message(&self, language: Language) -> String {
        match self {
            SyncError::ActivateAgain { .. } => language
                .pick(
                    "服务器已不再接受本设备，请用服务包中的激活码重新激活。",
                    "The server no longer accepts this device. Activate it again with the code from your service package.",
                )
                .to_owned(),
            SyncError::BadServerUrl { url, .. } => match language {
                Language::ZhCn => format!("服务器地址 {url} 不可用：请使用 https:// 开头的地址。"),
                Language::En => format!("The server address {url} cannot be used: use an address starting with https://."),
            },
            SyncError::Network { .. } => language
                .pick(
                    "无法连接服务器。请检查网络后重试。",
                    "Cannot reach the server. Check the network and try again.",
                )
                .to_owned(),
            SyncError::Timeout => language
                .pick(
                    "服务器没有及时响应。请在网络较好时重试。",
                    "The server did not answer in time. Try again on a better network.",
                )
                .to_owned(),
            SyncError::Tls { .. } => language
                .pick(
                    "服务器的证书不受信任，连接已被拒绝。请检查手机的日期时间，或联系客服。",
                    "The server's certificate is not trusted, so the connection was refused. Check the phone's date and time, or contact support.",
                )
                .to_owned(),
            SyncError::Refused { message, .. } => match language {
                Language::ZhCn => format!("服务器拒绝了请求：{message}"),
                Language::En => format!("The server refused the request: {message}"),
            },
            SyncError::ServerTrouble { .. } => language
                .pick(
                    "服务器暂时出现问题，请稍后再试。",
                    "The server is having trouble. Try again later.",
                )
                .to_owned(),
            SyncError::MalformedResponse { .. } | SyncError::ResponseTooLarge { .. } => language
                .pick(
                    "服务器返回的数据有误，本次未写入任何内容。请稍后再试；问题持续时请联系客服。",
                    "The server sent a faulty answer; nothing was saved from it. Try again later, and contact support if it goes on.",
                )
                .to_owned(),
            SyncError::Cancelled => language
                .pick("同步已取消，已保存的内容不会丢失。", "Sync cancelled. What was already saved stays.")
                .to_owned(),
            SyncError::Store(e) => e.message(language),
            SyncError::Io { what, .. } => match language {
                Language::ZhCn => format!("无法保存 {what}。请检查手机存储空间后重试。"),
                Language::En => format!("Cannot save {what}. Check the phone's free storage and try again."),
            },
        }
    }
}
