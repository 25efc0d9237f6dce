//! A tiny deterministic PRNG (SplitMix64) for demo data: fast, integer-only, identical on every
//! platform. Not for secrets.

/// The SplitMix64 increment (2^64 / golden ratio).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a strong 64-bit mixer.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Independent random streams of one seed: each kind of value draws from its own stream, so
/// adding a draw in one place does not shift every other value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stream {
    Catalog = 1,
    Image = 2,
    Plan = 3,
    Order = 4,
    Popularity = 5,
    Extra = 6,
}

/// SplitMix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator for item `index` of `stream` under `seed`.
    pub(crate) fn derive(seed: u64, stream: Stream, index: u64) -> Rng {
        let s = mix(seed ^ mix((stream as u64).wrapping_mul(GOLDEN) ^ mix(index)));
        Rng(s)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.wrapping_add(self.below(span) as i64)
    }

    /// True with probability `bps` / 10,000.
    pub(crate) fn chance_bps(&mut self, bps: u32) -> bool {
        self.below(10_000) < u64::from(bps)
    }

    /// A uniformly chosen element; `items` must not be empty.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
