//! Applying pulled changes to the database: an upsert or delete per change, one transaction
//! per page together with its cursor.

use std::collections::{BTreeMap, HashMap};

use crate::analytics::AnalyticsError;
use crate::analytics::rollup::PageRollup;
use crate::domain::Order;
use crate::protocol::{Change, ChangesPage, EntityKind, Tombstone};
use crate::store::{Db, Store, StoreError};

/// What applying one page did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Upserts per kind.
    pub upserted: BTreeMap<EntityKind, u64>,
    /// Deletions applied.
    pub deleted: u64,
}

/// Applies `page` and stores its cursor, all in one transaction: a kill at any point keeps
/// both or neither. The commit does not wait for the disk ([`Store::write_refetchable`]): a
/// power cut can only lose whole pages with their cursor, which are pulled again.
///
/// The analytics rollups move in the same transaction: the page's orders are aggregated
/// into one delta (old contributions out, new ones in), written once per page.
pub fn apply_page(store: &Store, page: &ChangesPage) -> Result<Applied, StoreError> {
    store.write_refetchable(|db| {
        let order_ids = page.changes.iter().filter_map(|c| match c {
            Change::Order(o) => Some(o.id.as_str()),
            Change::Deleted(t) if t.kind == EntityKind::Order => Some(t.id.as_str()),
            _ => None,
        });
        let rollup = PageRollup::begin(db, order_ids).map_err(rollup_error)?;
        let mut applied = Applied::default();
        for change in &page.changes {
            apply_change(db, change)?;
            match change {
                Change::Deleted(_) => applied.deleted += 1,
                other => *applied.upserted.entry(other.entity_kind()).or_default() += 1,
            }
        }
        // The last change of an order in the page is its state after the page.
        let mut last: HashMap<&str, Option<&Order>> = HashMap::new();
        for change in &page.changes {
            match change {
                Change::Order(o) => {
                    last.insert(o.id.as_str(), Some(o));
                }
                Change::Deleted(t) if t.kind == EntityKind::Order => {
                    last.insert(t.id.as_str(), None);
                }
                _ => {}
            }
        }
        // The page carried the shop's profile: its zone may have moved.
        let profile_changed = applied.upserted.contains_key(&EntityKind::ShopProfile);
        rollup
            .finish(db, |id| last.get(id).copied().flatten(), profile_changed)
            .map_err(rollup_error)?;
        db.sync().set_cursor(&page.next_cursor)?;
        Ok(applied)
    })
}

/// [`apply_page`] without the analytics rollups: what the benchmark compares the rollups'
/// cost with. Not for product code (the dashboard would fall behind).
#[doc(hidden)]
pub fn apply_page_without_analytics(
    store: &Store,
    page: &ChangesPage,
) -> Result<Applied, StoreError> {
    store.write_refetchable(|db| {
        let mut applied = Applied::default();
        for change in &page.changes {
            apply_change(db, change)?;
            match change {
                Change::Deleted(_) => applied.deleted += 1,
                other => *applied.upserted.entry(other.entity_kind()).or_default() += 1,
            }
        }
        db.sync().set_cursor(&page.next_cursor)?;
        Ok(applied)
    })
}

fn rollup_error(e: AnalyticsError) -> StoreError {
    match e {
        AnalyticsError::Store(e) => e,
        other => StoreError::InvalidData {
            what: "analytics rollup",
            detail: other.to_string(),
        },
    }
}

/// Why a pulled change cannot be stored, as what it is and the detail, or `None` when it
/// is sound. The sync checks every change of a page with this before writing any, so a
/// damaged feed is refused as the server's fault (not as the phone's storage failing on a
/// table constraint) and the page is not applied.
pub fn change_problem(change: &Change) -> Option<(&'static str, String)> {
    match change {
        // Business days are cut in this zone: an unknown one is refused, not guessed.
        Change::ShopProfile(shop) => crate::time::ShopZone::new(&shop.time_zone)
            .err()
            .map(|e| ("shop profile", e.to_string())),
        Change::Product(p) => p.problem().map(|d| ("product", d)),
        Change::Image(img) => img.problem().map(|d| ("image", d)),
        // Zero or negative totals, refunds beyond the total: the figures never see them.
        Change::Order(o) => o.problem().map(|d| ("order", d)),
        Change::CouponBook(b) => b.problem().map(|d| ("coupon book", d)),
        Change::Redemption(r) => r.problem().map(|d| ("redemption", d)),
        Change::SigningKey(_)
        | Change::Revocation(_)
        | Change::Dispute(_)
        | Change::ChecklistDefinition(_)
        | Change::Deleted(_) => None,
    }
}

/// Applies one change; upserts and deletes by id, so applying it twice equals once. A
/// change with a [`change_problem`] is refused with the whole page.
fn apply_change(db: &Db<'_>, change: &Change) -> Result<(), StoreError> {
    if let Some((what, detail)) = change_problem(change) {
        return Err(StoreError::InvalidInput { what, detail });
    }
    write_change(db, change)
}

/// Writes one change as it is: the database's constraints are the last line.
fn write_change(db: &Db<'_>, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::ShopProfile(shop) => db.shop().put(shop),
        Change::Product(p) => db.catalog().put_product(p),
        Change::Image(img) => {
            // The server's metadata never carries a local path: keep ours when unchanged.
            let mut img = img.clone();
            img.local_path = None;
            db.catalog().put_image(&img)
        }
        Change::Order(o) => db.orders().put(o),
        Change::CouponBook(b) => db.coupons().put_book(b),
        Change::SigningKey(k) => db.coupons().put_key(k),
        Change::Revocation(r) => db.coupons().put_revocation(r),
        // A redemption made here comes back confirmed under the same id: no duplicate.
        Change::Redemption(r) => db.coupons().put_server_redemption(r),
        Change::Dispute(d) => {
            db.coupons().put_dispute(d)?;
            // The push answer normally told us already; this covers an answer that was lost.
            db.coupons().mark_disputed(&d.refused.redemption_id)?;
            Ok(())
        }
        // A bad or older document is refused (logged, recorded) and the page goes on: one
        // broken document must not stop the shop's sync. The server's publication time
        // stands in for "now": applying a page reads no clock.
        Change::ChecklistDefinition(d) => {
            crate::checklist::accept_definition(db, d, d.received_ms).map(|_| ())
        }
        Change::Deleted(t) => delete(db, t).map(|_| ()),
    }
}

fn delete(db: &Db<'_>, t: &Tombstone) -> Result<bool, StoreError> {
    match t.kind {
        // The shop itself is never deleted under a device; ignore rather than fail the page.
        EntityKind::ShopProfile => Ok(false),
        EntityKind::Product => db.catalog().delete_product(&t.id),
        EntityKind::Image => db.catalog().delete_image(&t.id),
        EntityKind::Order => db.orders().delete(&t.id),
        EntityKind::CouponBook => db.coupons().delete_book(&t.id),
        EntityKind::SigningKey => db.coupons().delete_key(&t.id),
        EntityKind::Revocation => db.coupons().delete_revocation(&t.id),
        EntityKind::Redemption => db.coupons().delete_redemption(&t.id),
        EntityKind::Dispute => db.coupons().delete_dispute(&t.id),
        EntityKind::ChecklistDefinition => match t.id.parse::<i64>() {
            Ok(version) => db.checklist().delete_definition(version),
            Err(_) => Err(StoreError::InvalidInput {
                what: "checklist definition tombstone",
                detail: format!("{:?} is not a version number", t.id),
            }),
        },
    }
}

/// The digest of everything the database holds, comparable with the server's
/// `GET /dev/shops/{id}/digest`.
pub fn local_digest(store: &Store) -> Result<super::digest::ShopDigest, StoreError> {
    use super::digest::DigestBuilder;
    use crate::store::CouponRecord;
    store.read(|db| {
        let mut digest = DigestBuilder::new();
        if let Some(shop) = db.shop().get()? {
            digest.add(&Change::ShopProfile(shop));
        }
        let mut after: Option<String> = None;
        loop {
            let page = db.catalog().products_page(after.as_deref(), 1000)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for p in page {
                digest.add(&Change::Product(p));
            }
        }
        db.catalog()
            .for_each_image(|img| digest.add(&Change::Image(img)))?;
        db.orders()
            .for_each_with_lines(|o| digest.add(&Change::Order(o)))?;
        db.coupons().for_each_record(|rec| {
            let change = match rec {
                CouponRecord::Book(b) => Change::CouponBook(b),
                CouponRecord::Key(k) => Change::SigningKey(k),
                CouponRecord::Revocation(r) => Change::Revocation(r),
                // The server keeps only redemptions it accepted: one it refused (disputed,
                // rejected) is this phone's record alone.
                CouponRecord::Redemption(r) if !r.counts() => return,
                CouponRecord::Redemption(r) => Change::Redemption(r),
                CouponRecord::Dispute(d) => Change::Dispute(d),
            };
            digest.add(&change);
        })?;
        for d in db.checklist().definitions()? {
            // Bundled documents are not the server's; only synced ones are compared.
            if d.source == crate::domain::DefinitionSource::Server {
                digest.add(&Change::ChecklistDefinition(d));
            }
        }
        Ok(digest.finish())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        Channel, CouponBook, CouponKind, CouponScope, Dispute, DisputeKind, DisputedUse, ImageRole,
        Order, OrderStatus, Product, ProductImage, ProductStatus, Redemption, RedemptionOrigin,
        RedemptionState, RefusedRedemption,
    };
    use crate::money::Fen;

    fn product(id: &str, version: i64) -> Change {
        Change::Product(Product {
            id: id.into(),
            title: format!("title {version}"),
            description: String::new(),
            category: "tea".into(),
            price: Fen(100),
            stock: 1,
            status: ProductStatus::Active,
            version,
            updated_ms: version,
            featured: false,
            mobile_description: String::new(),
            gallery: Vec::new(),
        })
    }

    fn order(id: &str) -> Change {
        Change::Order(Order {
            id: id.into(),
            channel: Channel::Mobile,
            status: OrderStatus::Paid,
            customer_id: "c".into(),
            created_ms: 1,
            paid_ms: Some(2),
            refunded_ms: None,
            subtotal: Fen(100),
            discount: Fen::ZERO,
            total: Fen(100),
            refund: Fen::ZERO,
            coupon_id: None,
            lines: vec![],
            updated_ms: 2,
        })
    }

    fn page(changes: Vec<Change>, cursor: &str) -> ChangesPage {
        ChangesPage {
            changes,
            next_cursor: cursor.into(),
            has_more: false,
            remaining: None,
        }
    }

    #[test]
    fn a_page_applied_twice_equals_once_and_moves_the_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        let p = page(vec![product("p1", 1), order("o1"), product("p1", 2)], "3");
        let first = apply_page(&store, &p).unwrap();
        assert_eq!(first.upserted[&EntityKind::Product], 2);
        let digest_once = local_digest(&store).unwrap();
        apply_page(&store, &p).unwrap();
        assert_eq!(local_digest(&store).unwrap(), digest_once);
        let status = store.status().unwrap();
        assert_eq!(status.counts.products, 1);
        assert_eq!(status.counts.orders, 1);
        assert_eq!(status.sync.cursor.as_deref(), Some("3"));
        let title = store
            .read(|db| db.catalog().product("p1"))
            .unwrap()
            .unwrap()
            .title;
        assert_eq!(title, "title 2");

        let tomb = page(
            vec![Change::Deleted(Tombstone {
                kind: EntityKind::Product,
                id: "p1".into(),
            })],
            "4",
        );
        assert_eq!(apply_page(&store, &tomb).unwrap().deleted, 1);
        assert_eq!(store.status().unwrap().counts.products, 0);
    }

    #[test]
    fn a_bad_change_rolls_back_the_whole_page_and_its_cursor() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        let mut bad = match product("p2", 1) {
            Change::Product(p) => p,
            _ => unreachable!(),
        };
        bad.price = Fen(-5); // violates the products CHECK
        let p = page(vec![product("p1", 1), Change::Product(bad)], "9");
        assert!(apply_page(&store, &p).is_err());
        let status = store.status().unwrap();
        assert_eq!(status.counts.products, 0);
        assert_eq!(status.sync.cursor, None);
    }

    #[test]
    fn every_change_a_table_check_refuses_is_named_before_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        let Change::Product(mut negative_price) = product("p1", 1) else {
            unreachable!()
        };
        negative_price.price = Fen(-5);
        let image = |role: ImageRole, product_id: Option<&str>| {
            Change::Image(ProductImage {
                id: "img1".into(),
                product_id: product_id.map(str::to_string),
                role,
                position: 0,
                width: None,
                height: None,
                byte_len: None,
                mime: None,
                sha256: None,
                local_path: None,
                updated_ms: 1,
            })
        };
        let book = |value_fen: Option<i64>, value_bps: Option<i32>, max_uses: Option<i64>| {
            Change::CouponBook(CouponBook {
                id: "b1".into(),
                title: "t".into(),
                kind: CouponKind::MultiUse,
                value_fen: value_fen.map(Fen),
                value_bps,
                max_uses,
                min_spend: Fen::ZERO,
                valid_from_ms: 1,
                valid_until_ms: 2,
                scope: CouponScope::All,
                issued_count: 1,
                version: 1,
                updated_ms: 1,
            })
        };
        let mut negative_use =
            redemption("r1", RedemptionOrigin::Server, RedemptionState::Confirmed);
        negative_use.amount = Fen(-1);
        let damaged = [
            Change::Product(negative_price),
            image(ImageRole::Product, None),
            image(ImageRole::Logo, Some("p1")),
            book(Some(100), Some(500), Some(2)),
            book(None, None, Some(2)),
            book(None, Some(10_001), Some(2)),
            book(Some(100), None, Some(0)),
            Change::Redemption(negative_use),
        ];
        // The product that image names exists, so only the image's own fault can refuse it.
        store
            .write(|db| write_change(db, &product("p1", 1)))
            .unwrap();
        for change in &damaged {
            // The database refuses it on its own (so the case is real) ...
            assert!(
                store.write(|db| write_change(db, change)).is_err(),
                "the database took {change:?}"
            );
            // ... and the sync names it first, so it is reported as the server's fault.
            assert!(change_problem(change).is_some(), "not caught: {change:?}");
        }
        for sound in [
            product("p2", 1),
            image(ImageRole::Product, Some("p1")),
            image(ImageRole::Logo, None),
            book(Some(100), None, None),
            book(None, Some(10_000), Some(1)),
            order("o1"),
        ] {
            assert_eq!(change_problem(&sound), None, "{sound:?}");
        }
    }

    fn redemption(id: &str, origin: RedemptionOrigin, state: RedemptionState) -> Redemption {
        Redemption {
            id: id.into(),
            coupon_id: "cti-1".into(),
            book_id: "b1".into(),
            device_id: "dev-a".into(),
            order_total: Fen(5_000),
            amount: Fen(500),
            redeemed_ms: 10,
            origin,
            state,
        }
    }

    fn dispute(refused: &str) -> Dispute {
        Dispute {
            id: format!("dsp-{refused}"),
            coupon_id: "cti-1".into(),
            book_id: "b1".into(),
            kind: DisputeKind::DoubleUse,
            accepted: vec![DisputedUse {
                redemption_id: "r-other".into(),
                device_id: "dev-b".into(),
                amount: Fen(500),
                redeemed_ms: 9,
            }],
            refused: RefusedRedemption {
                redemption_id: refused.into(),
                device_id: "dev-a".into(),
                amount: Fen(500),
                order_total: Fen(5_000),
                redeemed_ms: 10,
            },
            detected_ms: 20,
            message: "redeemed on another device first".into(),
            resolved_ms: None,
        }
    }

    #[test]
    fn a_local_redemption_coming_back_is_confirmed_not_duplicated_and_disputes_mark_ours() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("db")).unwrap();
        let mine = redemption("r-mine", RedemptionOrigin::Local, RedemptionState::Pending);
        let lost = redemption("r-lost", RedemptionOrigin::Local, RedemptionState::Pending);
        store
            .write(|db| {
                db.coupons().insert_redemption(&mine)?;
                db.coupons().insert_redemption(&lost)
            })
            .unwrap();
        let server_copy = redemption(
            "r-mine",
            RedemptionOrigin::Server,
            RedemptionState::Confirmed,
        );
        let other = redemption(
            "r-other",
            RedemptionOrigin::Server,
            RedemptionState::Confirmed,
        );
        let p = page(
            vec![
                Change::Redemption(server_copy),
                Change::Redemption(other.clone()),
                Change::Dispute(dispute("r-lost")),
            ],
            "5",
        );
        apply_page(&store, &p).unwrap();
        apply_page(&store, &p).unwrap();
        store
            .read(|db| -> Result<(), StoreError> {
                let all = db.coupons().redemptions_of("cti-1")?;
                assert_eq!(all.len(), 3, "{all:?}");
                let mine = db.coupons().redemption("r-mine")?.unwrap();
                assert_eq!(mine.state, RedemptionState::Confirmed);
                assert_eq!(mine.origin, RedemptionOrigin::Local);
                assert_eq!(db.coupons().redemption("r-other")?, Some(other.clone()));
                let lost = db.coupons().redemption("r-lost")?.unwrap();
                assert_eq!(lost.state, RedemptionState::Disputed);
                assert_eq!(db.coupons().disputes(false)?, vec![dispute("r-lost")]);
                Ok(())
            })
            .unwrap();
        // The digest holds what the server holds: two accepted redemptions and the dispute.
        let digest = local_digest(&store).unwrap();
        assert_eq!(digest.counts["redemption"], 2);
        assert_eq!(digest.counts["dispute"], 1);
        // A dismissal on the phone is local bookkeeping: the digest does not change.
        store
            .write(|db| db.coupons().resolve_dispute("dsp-r-lost", 30))
            .unwrap();
        assert_eq!(local_digest(&store).unwrap(), digest);
        let tomb = page(
            vec![Change::Deleted(Tombstone {
                kind: EntityKind::Dispute,
                id: "dsp-r-lost".into(),
            })],
            "6",
        );
        apply_page(&store, &tomb).unwrap();
        assert!(
            store
                .read(|db| db.coupons().disputes(true))
                .unwrap()
                .is_empty()
        );
    }
}
