//! Completion rules: a closed, typed set evaluated on the shop's local data.
//!
//! No rule names a task: a rule says what must be true of the data ("at least 10 published
//! products"), so a newer definition can reuse a kind with other parameters. Rules that judge
//! images and titles ask the storefront's lint, so each such judgement exists once.

use std::cell::OnceCell;

use serde::{Deserialize, Serialize};

use super::definition::DefinitionError;
use crate::domain::{ProductImage, ShopProfile};
use crate::store::{Db, StoreError};
use crate::storefront::lint;

/// A profile field a rule can require.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    /// The shop's name.
    Name,
    /// The announcement shown under the banner (the profile's `description`).
    Description,
}

/// A shop picture a rule can require.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopImage {
    /// The logo.
    Logo,
    /// The banner.
    Banner,
}

/// When a task counts as done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// A profile field is set (not blank).
    ProfileField {
        /// Which field.
        field: ProfileField,
    },
    /// The logo or banner is set, its metadata synced, and the lint finds it fit for phones.
    ShopImage {
        /// Which picture.
        image: ShopImage,
    },
    /// At least `min` products are published (`active`).
    PublishedProducts {
        /// How many.
        min: u32,
    },
    /// Of the published products, at least this share (basis points) have a main image the
    /// lint finds fit for phones; needs at least one published product.
    MainImagesMobileReady {
        /// Share in basis points (10000 = all).
        min_share_bps: u32,
    },
    /// Of the published products, at least this share (basis points) have a title within the
    /// marketplace's limits; needs at least one published product.
    TitlesWithinLimits {
        /// Share in basis points.
        min_share_bps: u32,
    },
    /// No published product's title or description, and not the shop's announcement, holds
    /// an absolute term the Advertising Law forbids; needs at least one published product.
    NoBannedTerms,
    /// At least one coupon book exists.
    CouponBookIssued,
    /// At least one order was received.
    FirstOrder,
    /// At least one order came from a phone.
    FirstMobileOrder,
    /// Ticked by the seller.
    Manual,
}

/// The known rule kinds, for error messages and the docs.
pub const RULE_KINDS: &[&str] = &[
    "profile_field",
    "shop_image",
    "published_products",
    "main_images_mobile_ready",
    "titles_within_limits",
    "no_banned_terms",
    "coupon_book_issued",
    "first_order",
    "first_mobile_order",
    "manual",
];

/// How far a counting rule has got, for "12 of 20" in the screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What is there.
    pub current: u64,
    /// What is needed.
    pub target: u64,
}

/// What a rule found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule holds.
    pub met: bool,
    /// For counting rules, how far.
    pub count: Option<Count>,
}

impl Finding {
    fn flag(met: bool) -> Finding {
        Finding { met, count: None }
    }

    fn count(current: u64, target: u64, met: bool) -> Finding {
        Finding {
            met,
            count: Some(Count { current, target }),
        }
    }
}

impl Rule {
    /// Reads a rule from its JSON object, with a reason naming the task on any problem.
    pub fn from_json(task: &str, value: &serde_json::Value) -> Result<Rule, DefinitionError> {
        let kind =
            value
                .get("kind")
                .and_then(|k| k.as_str())
                .ok_or_else(|| DefinitionError::BadRule {
                    task: task.to_owned(),
                    detail: "the rule needs a \"kind\" string".into(),
                })?;
        if !RULE_KINDS.contains(&kind) {
            return Err(DefinitionError::UnknownRuleKind {
                task: task.to_owned(),
                kind: kind.chars().take(64).collect(),
            });
        }
        let rule = Rule::deserialize(value).map_err(|e| DefinitionError::BadRule {
            task: task.to_owned(),
            detail: format!("{kind}: {e}"),
        })?;
        match rule {
            Rule::MainImagesMobileReady { min_share_bps }
            | Rule::TitlesWithinLimits { min_share_bps }
                if !(1..=10_000).contains(&min_share_bps) =>
            {
                Err(DefinitionError::BadRule {
                    task: task.to_owned(),
                    detail: format!("{kind}: min_share_bps must be 1 to 10000"),
                })
            }
            Rule::PublishedProducts { min: 0 } => Err(DefinitionError::BadRule {
                task: task.to_owned(),
                detail: "published_products: min must be at least 1".into(),
            }),
            rule => Ok(rule),
        }
    }

    /// Whether the seller ticks it by hand.
    pub fn is_manual(&self) -> bool {
        matches!(self, Rule::Manual)
    }

    /// The stable kind, as in the document.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::ProfileField { .. } => "profile_field",
            Rule::ShopImage { .. } => "shop_image",
            Rule::PublishedProducts { .. } => "published_products",
            Rule::MainImagesMobileReady { .. } => "main_images_mobile_ready",
            Rule::TitlesWithinLimits { .. } => "titles_within_limits",
            Rule::NoBannedTerms => "no_banned_terms",
            Rule::CouponBookIssued => "coupon_book_issued",
            Rule::FirstOrder => "first_order",
            Rule::FirstMobileOrder => "first_mobile_order",
            Rule::Manual => "manual",
        }
    }

    /// Evaluates an automatic rule on the facts (a manual rule is never met here: its state
    /// is the seller's tick).
    pub fn evaluate(&self, facts: &Facts<'_, '_>) -> Result<Finding, StoreError> {
        Ok(match self {
            Rule::ProfileField { field } => {
                let shop = facts.shop()?;
                let value = shop.map(|s| match field {
                    ProfileField::Name => s.name.as_str(),
                    ProfileField::Description => s.description.as_str(),
                });
                Finding::flag(value.is_some_and(|v| !v.trim().is_empty()))
            }
            Rule::ShopImage { image } => {
                let Some(shop) = facts.shop()? else {
                    return Ok(Finding::flag(false));
                };
                // The lint finds the picture by the profile's id among those given.
                let images: Vec<ProductImage> = [facts.logo()?, facts.banner()?]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect();
                let (missing, unfit) = match image {
                    ShopImage::Logo => (lint::Code::LogoMissing, lint::Code::LogoUnfit),
                    ShopImage::Banner => (lint::Code::BannerMissing, lint::Code::BannerUnfit),
                };
                let findings = lint::lint_shop(shop, &shop.description, &images);
                Finding::flag(
                    !findings
                        .iter()
                        .any(|f| f.code == missing || f.code == unfit),
                )
            }
            Rule::PublishedProducts { min } => {
                let active = facts.listings()?.active;
                Finding::count(active, u64::from(*min), active >= u64::from(*min))
            }
            Rule::MainImagesMobileReady { min_share_bps } => {
                let l = facts.listings()?;
                share(l.main_image_ready, l.active, *min_share_bps)
            }
            Rule::TitlesWithinLimits { min_share_bps } => {
                let l = facts.listings()?;
                share(l.title_within_limits, l.active, *min_share_bps)
            }
            Rule::NoBannedTerms => {
                let l = facts.listings()?;
                let shop_clean = facts
                    .shop()?
                    .is_none_or(|s| lint::banned_terms(&s.description).is_empty());
                let clean = l.active - l.with_banned_terms;
                Finding::count(
                    clean,
                    l.active,
                    l.active > 0 && l.with_banned_terms == 0 && shop_clean,
                )
            }
            Rule::CouponBookIssued => Finding::flag(facts.flag(Flag::CouponBook)?),
            Rule::FirstOrder => Finding::flag(facts.flag(Flag::AnyOrder)?),
            Rule::FirstMobileOrder => Finding::flag(facts.flag(Flag::MobileOrder)?),
            Rule::Manual => Finding::flag(false),
        })
    }
}

/// `part / whole >= bps / 10000`, in integers; an empty shop is not done.
fn share(part: u64, whole: u64, bps: u32) -> Finding {
    let needed = (whole * u64::from(bps)).div_ceil(10_000);
    Finding::count(
        part,
        needed.max(1),
        whole > 0 && part * 10_000 >= whole * u64::from(bps),
    )
}

/// What the listing rules need, from one pass over the published products.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListingFacts {
    /// Published products.
    pub active: u64,
    /// Of those, with a main image fit for phones.
    pub main_image_ready: u64,
    /// Of those, with a title within limits.
    pub title_within_limits: u64,
    /// Of those, with an absolute term in the title or description.
    pub with_banned_terms: u64,
}

#[derive(Clone, Copy)]
enum Flag {
    CouponBook,
    AnyOrder,
    MobileOrder,
}

/// The shop's data as the rules need it, each part read at most once and only if a rule
/// asks (a definition without listing rules never reads the products).
pub struct Facts<'d, 'c> {
    db: &'d Db<'c>,
    shop: OnceCell<Option<ShopProfile>>,
    logo: OnceCell<Option<ProductImage>>,
    banner: OnceCell<Option<ProductImage>>,
    listings: OnceCell<ListingFacts>,
    flags: [OnceCell<bool>; 3],
}

impl<'d, 'c> Facts<'d, 'c> {
    /// Facts read from `db` (inside the caller's transaction: one consistent snapshot).
    pub fn new(db: &'d Db<'c>) -> Facts<'d, 'c> {
        Facts {
            db,
            shop: OnceCell::new(),
            logo: OnceCell::new(),
            banner: OnceCell::new(),
            listings: OnceCell::new(),
            flags: Default::default(),
        }
    }

    /// The shop profile, if synced.
    pub fn shop(&self) -> Result<Option<&ShopProfile>, StoreError> {
        if self.shop.get().is_none() {
            let _ = self.shop.set(self.db.shop().get()?);
        }
        Ok(self.shop.get().and_then(Option::as_ref))
    }

    fn shop_image<'s>(
        &'s self,
        cell: &'s OnceCell<Option<ProductImage>>,
        id: impl Fn(&ShopProfile) -> Option<&String>,
    ) -> Result<Option<&'s ProductImage>, StoreError> {
        if cell.get().is_none() {
            let image = match self.shop()?.and_then(id) {
                Some(id) => self.db.catalog().image(id)?,
                None => None,
            };
            let _ = cell.set(image);
        }
        Ok(cell.get().and_then(Option::as_ref))
    }

    fn logo(&self) -> Result<Option<&ProductImage>, StoreError> {
        self.shop_image(&self.logo, |s| s.logo_image_id.as_ref())
    }

    fn banner(&self) -> Result<Option<&ProductImage>, StoreError> {
        self.shop_image(&self.banner, |s| s.banner_image_id.as_ref())
    }

    /// Counts over the published products.
    pub fn listings(&self) -> Result<ListingFacts, StoreError> {
        if let Some(l) = self.listings.get() {
            return Ok(*l);
        }
        let mut l = ListingFacts::default();
        let mut verdicts = super::memo::Verdicts::lock();
        self.db
            .checklist()
            .for_each_published_listing(|title, description, main| {
                l.active += 1;
                if main.is_some_and(lint::image_is_mobile_ready) {
                    l.main_image_ready += 1;
                }
                if verdicts.title_within_limits(title) {
                    l.title_within_limits += 1;
                }
                if !verdicts.no_banned_term(title) || !verdicts.no_banned_term(description) {
                    l.with_banned_terms += 1;
                }
            })?;
        let _ = self.listings.set(l);
        Ok(l)
    }

    fn flag(&self, which: Flag) -> Result<bool, StoreError> {
        let cell = &self.flags[which as usize];
        if let Some(v) = cell.get() {
            return Ok(*v);
        }
        let repo = self.db.checklist();
        let v = match which {
            Flag::CouponBook => repo.has_coupon_book()?,
            Flag::AnyOrder => repo.has_order()?,
            Flag::MobileOrder => repo.has_mobile_order()?,
        };
        let _ = cell.set(v);
        Ok(v)
    }
}
