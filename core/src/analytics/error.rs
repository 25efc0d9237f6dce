//! Why a dashboard could not be computed.

use jiff::civil::Date;

use crate::store::StoreError;
use crate::time::TimeError;

/// Why a dashboard could not be computed. Each has a message in English and Chinese.
#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    /// The range is not one of the known names nor `FROM..TO`.
    #[error(
        "unknown range {0:?}: use today, yesterday, 7d, 30d, 90d, 365d, month, last-month or FROM..TO (YYYY-MM-DD..YYYY-MM-DD)"
    )]
    UnknownRange(String),
    /// A custom range ends before it starts.
    #[error("the range ends ({to}) before it starts ({from})")]
    EndBeforeStart {
        /// First day asked for.
        from: Date,
        /// Last day asked for.
        to: Date,
    },
    /// A custom range is longer than the dashboard compares.
    #[error("the range is {days} days long; at most {max} days can be shown")]
    RangeTooLong {
        /// Days asked for.
        days: i64,
        /// The longest range.
        max: i64,
    },
    /// A date or zone could not be computed (unknown zone, a date beyond the calendar).
    #[error(transparent)]
    Time(#[from] TimeError),
    /// The database could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sum does not fit in 64 bits: the data is damaged.
    #[error("a total is too large to add up: the order data looks damaged")]
    Overflow,
}

impl From<rusqlite::Error> for AnalyticsError {
    fn from(e: rusqlite::Error) -> Self {
        AnalyticsError::Store(StoreError::from(e))
    }
}

impl AnalyticsError {
    /// The message in English, for the seller.
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The message in Chinese (zh-CN), for the seller.
    pub fn message_zh(&self) -> String {
        match self {
            AnalyticsError::UnknownRange(text) => format!(
                "无法识别的时间范围 {text:?}：请用 today、yesterday、7d、30d、90d、365d、month、last-month 或 起始日..结束日（YYYY-MM-DD..YYYY-MM-DD）"
            ),
            AnalyticsError::EndBeforeStart { from, to } => {
                format!("结束日期（{to}）早于开始日期（{from}）")
            }
            AnalyticsError::RangeTooLong { days, max } => {
                format!("时间范围有 {days} 天，最多只能显示 {max} 天")
            }
            AnalyticsError::Time(TimeError::UnknownZone { name, .. }) => {
                format!("未知的时区 {name:?}：请使用 IANA 时区名，例如 Asia/Shanghai")
            }
            AnalyticsError::Time(_) => "日期超出可计算的范围".to_owned(),
            AnalyticsError::Store(e) => format!("无法读取本地数据库：{e}"),
            AnalyticsError::Overflow => "合计金额过大，订单数据可能已损坏".to_owned(),
        }
    }
}
