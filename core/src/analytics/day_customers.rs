//! The customers who paid on one business day: one row per day in `analytics_day_customers`,
//! a compact list of (customer, paid orders that day) sorted by customer id, rewritten whole
//! when a synced page touches the day.
//!
//! Why a list per day rather than a row per (day, customer): a page of 1,000 orders touches
//! one or two days, so it rewrites one or two rows, where a row per customer cost a B-tree
//! upsert per order (measured: those upserts were over half of what the rollups cost the
//! sync). Distinct customers over a range are the union of its days' lists.
//!
//! Encoding, per entry: the id's length (LEB128), its UTF-8 bytes, the count (LEB128, > 0).

use std::cmp::Ordering;

use super::AnalyticsError;
use crate::store::StoreError;

fn damaged(detail: &str) -> AnalyticsError {
    AnalyticsError::Store(StoreError::InvalidData {
        what: "analytics day customers",
        detail: detail.to_owned(),
    })
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn take_varint(bytes: &[u8], at: &mut usize) -> Result<u64, AnalyticsError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at).ok_or_else(|| damaged("cut short"))?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(damaged("a number is too long"))
}

/// The entries of a day's list, in customer order; a damaged list is an error, never a panic.
pub(crate) struct Entries<'b> {
    bytes: &'b [u8],
    at: usize,
}

/// Reads the list `bytes`.
pub(crate) fn entries(bytes: &[u8]) -> Entries<'_> {
    Entries { bytes, at: 0 }
}

impl<'b> Entries<'b> {
    fn read(&mut self) -> Result<(&'b str, i64), AnalyticsError> {
        let len = usize::try_from(take_varint(self.bytes, &mut self.at)?)
            .map_err(|_| damaged("an id is too long"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| damaged("cut short"))?;
        let id = std::str::from_utf8(&self.bytes[self.at..end])
            .map_err(|_| damaged("an id is not UTF-8"))?;
        self.at = end;
        let count = i64::try_from(take_varint(self.bytes, &mut self.at)?)
            .map_err(|_| damaged("a count is too large"))?;
        Ok((id, count))
    }
}

impl<'b> Iterator for Entries<'b> {
    type Item = Result<(&'b str, i64), AnalyticsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let item = self.read();
        if item.is_err() {
            // One error, then the end: nothing after a damaged entry can be trusted.
            self.at = self.bytes.len();
        }
        Some(item)
    }
}

fn push_entry(out: &mut Vec<u8>, id: &str, count: i64) {
    put_varint(out, id.len() as u64);
    out.extend_from_slice(id.as_bytes());
    put_varint(out, count.unsigned_abs());
}

/// What a page did to one day's list.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Applied<'a> {
    /// The new list (empty: the day has no paying customer left).
    pub list: Vec<u8>,
    /// Customers who had no paid order that day before and have one now.
    pub fresh: Vec<&'a str>,
    /// Customers whose last paid order of that day went away.
    pub gone: Vec<&'a str>,
}

/// Adds `changes` (customer, signed change of paid orders; sorted by customer, one entry
/// each) to the list `old`. A count that falls to zero or below leaves the list.
pub(crate) fn apply<'a>(
    old: &[u8],
    changes: &[(&'a str, i64)],
) -> Result<Applied<'a>, AnalyticsError> {
    let mut out = Applied {
        list: Vec::with_capacity(old.len() + changes.len() * 12),
        ..Applied::default()
    };
    let mut old = entries(old).peekable();
    let mut changes = changes.iter().peekable();
    loop {
        let order = match (old.peek(), changes.peek()) {
            (None, None) => break,
            (Some(Err(_)), _) => {
                return Err(match old.next() {
                    Some(Err(e)) => e,
                    _ => damaged("unreadable"),
                });
            }
            (Some(Ok((id, _))), Some((c, _))) => id.cmp(c),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                if let Some(Ok((id, count))) = old.next() {
                    push_entry(&mut out.list, id, count);
                }
            }
            Ordering::Greater => {
                if let Some(&(c, n)) = changes.next()
                    && n > 0
                {
                    push_entry(&mut out.list, c, n);
                    out.fresh.push(c);
                }
            }
            Ordering::Equal => {
                if let (Some(Ok((_, count))), Some(&(c, n))) = (old.next(), changes.next()) {
                    let now = count.checked_add(n).ok_or(AnalyticsError::Overflow)?;
                    if now > 0 {
                        push_entry(&mut out.list, c, now);
                    } else {
                        out.gone.push(c);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Whether the list `bytes` has `customer` (stops at the first id past it).
pub(crate) fn contains(bytes: &[u8], customer: &str) -> Result<bool, AnalyticsError> {
    for entry in entries(bytes) {
        let (id, _) = entry?;
        match id.cmp(customer) {
            Ordering::Less => {}
            Ordering::Equal => return Ok(true),
            Ordering::Greater => return Ok(false),
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn list(pairs: &[(&str, i64)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, n) in pairs {
            push_entry(&mut out, id, *n);
        }
        out
    }

    fn read(bytes: &[u8]) -> Vec<(String, i64)> {
        entries(bytes)
            .map(|e| e.map(|(id, n)| (id.to_owned(), n)))
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_page_adds_new_customers_counts_repeat_ones_and_drops_the_gone() {
        let old = list(&[("a", 1), ("b", 2), ("d", 1)]);
        let got = apply(&old, &[("a", -1), ("b", 1), ("c", 3), ("d", -1), ("e", -1)]).unwrap();
        assert_eq!(
            read(&got.list),
            vec![("b".to_owned(), 3), ("c".to_owned(), 3)]
        );
        assert_eq!(got.fresh, vec!["c"]);
        assert_eq!(got.gone, vec!["a", "d"]);
        assert!(contains(&got.list, "c").unwrap());
        assert!(!contains(&got.list, "a").unwrap());
        assert!(!contains(&got.list, "z").unwrap());
    }

    #[test]
    fn a_damaged_list_is_an_error_not_a_panic() {
        let good = list(&[("客户一", 300), ("c2", 1)]);
        let first = list(&[("客户一", 300)]).len();
        // Cut anywhere but between entries.
        for cut in (1..good.len()).filter(|&cut| cut != first) {
            assert!(apply(&good[..cut], &[("x", 1)]).is_err(), "cut at {cut}");
        }
        // A length beyond the data, a number of eleven bytes, bytes that are not UTF-8.
        for bad in [vec![9, b'a'], vec![0xff; 11], vec![2, 0xff, 0xfe, 1]] {
            assert!(apply(&bad, &[]).is_err());
            assert!(contains(&bad, "a").is_err());
        }
    }

    proptest! {
        /// Any sequence of pages gives the list a plain map of counts would.
        #[test]
        fn pages_agree_with_a_map_of_counts(
            pages in proptest::collection::vec(
                proptest::collection::btree_map("[a-e客]{1,3}", -2i64..4, 0..8), 1..8),
        ) {
            let mut model: BTreeMap<String, i64> = BTreeMap::new();
            let mut bytes = Vec::new();
            for page in &pages {
                let changes: Vec<(&str, i64)> = page
                    .iter()
                    .filter(|(_, n)| **n != 0)
                    .map(|(c, n)| (c.as_str(), *n))
                    .collect();
                let got = apply(&bytes, &changes).unwrap();
                for (c, n) in &changes {
                    let before = model.get(*c).copied().unwrap_or(0);
                    let after = before + n;
                    prop_assert_eq!(got.fresh.contains(c), before == 0 && after > 0);
                    prop_assert_eq!(got.gone.contains(c), before > 0 && after <= 0);
                    if after > 0 {
                        model.insert((*c).to_owned(), after);
                    } else {
                        model.remove(*c);
                    }
                }
                bytes = got.list;
                let expected: Vec<(String, i64)> = model.clone().into_iter().collect();
                prop_assert_eq!(read(&bytes), expected);
            }
        }
    }
}
