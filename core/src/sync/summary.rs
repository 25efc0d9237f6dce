//! What a seller reads after a sync, in Simplified Chinese or English: one sentence every
//! shell shows as is, and the names of the kinds of data it moved.

use super::engine::SyncReport;
use crate::locale::Language;
use crate::protocol::EntityKind;

impl SyncReport {
    /// The sentence that ends a sync: how many updates came and changes went, and, when the
    /// server refused some of the seller's changes, that they wait in the conflicts (they
    /// are kept, never dropped, so the seller must be told).
    pub fn summary(&self, language: Language) -> String {
        let pulled = self.changes_pulled();
        let mut text = match (pulled, self.pushed) {
            (0, 0) => language
                .pick("同步完成，没有新内容。", "Sync done: nothing new.")
                .to_string(),
            (pulled, pushed) => language.pick(
                format!("同步完成：收到 {pulled} 项更新，上传 {pushed} 项更改。"),
                format!(
                    "Sync done: {pulled} {} received, {pushed} {} sent.",
                    plural(pulled, "update", "updates"),
                    plural(pushed, "change", "changes")
                ),
            ),
        };
        let refused = self.rejected + self.conflicts;
        if refused > 0 {
            text.push_str(&language.pick(
                format!("有 {refused} 项更改未被服务器接受，请查看冲突。"),
                format!(
                    " {refused} of your changes {} not accepted by the server: please look at the conflicts.",
                    plural(refused, "was", "were")
                ),
            ));
        }
        text
    }
}

/// The seller's name for a kind of synced data, from its wire spelling (`product`, ...);
/// an unknown spelling is shown as it is.
pub fn kind_label(kind: &str, language: Language) -> String {
    let Some(kind) = EntityKind::ALL.into_iter().find(|k| k.as_str() == kind) else {
        return kind.to_string();
    };
    let (zh, en) = match kind {
        EntityKind::ShopProfile => ("店铺资料", "shop profile"),
        EntityKind::Product => ("商品", "products"),
        EntityKind::Image => ("图片", "images"),
        EntityKind::Order => ("订单", "orders"),
        EntityKind::CouponBook => ("优惠券批次", "coupon books"),
        EntityKind::SigningKey => ("签名密钥", "signing keys"),
        EntityKind::Revocation => ("作废记录", "revocations"),
        EntityKind::Redemption => ("核销记录", "redemptions"),
        EntityKind::Dispute => ("争议", "disputes"),
        EntityKind::ChecklistDefinition => ("清单版本", "checklist versions"),
    };
    language.pick(zh, en).to_string()
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn the_summary_is_in_the_sellers_language_and_tells_of_refused_changes() {
        let mut report = SyncReport::default();
        assert_eq!(report.summary(Language::En), "Sync done: nothing new.");
        assert!(has_cjk(&report.summary(Language::ZhCn)));
        report.pulled.insert("order".into(), 40);
        report.deleted = 1;
        report.pushed = 1;
        assert_eq!(
            report.summary(Language::En),
            "Sync done: 41 updates received, 1 change sent."
        );
        assert_eq!(
            report.summary(Language::ZhCn),
            "同步完成：收到 41 项更新，上传 1 项更改。"
        );
        report.conflicts = 1;
        assert!(
            report
                .summary(Language::En)
                .contains("1 of your changes was not accepted")
        );
        assert!(
            report
                .summary(Language::ZhCn)
                .contains("1 项更改未被服务器接受")
        );
    }

    #[test]
    fn every_kind_has_a_name_in_both_languages() {
        for kind in EntityKind::ALL {
            let zh = kind_label(kind.as_str(), Language::ZhCn);
            let en = kind_label(kind.as_str(), Language::En);
            assert!(has_cjk(&zh), "{kind:?}: {zh}");
            assert!(!has_cjk(&en) && !en.contains('_'), "{kind:?}: {en}");
        }
        assert_eq!(kind_label("spaceship", Language::ZhCn), "spaceship");
    }
}
