//! cati's own reproducible shuffling: SplitMix64 seeded from the interview's seed and a key (a
//! variable name or `section:<id>`), then Fisher–Yates. Written here, not taken from a library,
//! so the order shown to a respondent can be recomputed from the seed by any later version.

/// SplitMix64 (Steele, Lea & Flood 2014), the generator used for every shuffle.
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator for `key` in the interview seeded `seed`: the state is `seed` XOR the 64-bit
    /// FNV-1a hash of the key's UTF-8 bytes.
    pub fn new(seed: u64, key: &str) -> SplitMix64 {
        SplitMix64 {
            state: seed ^ fnv1a(key.as_bytes()),
        }
    }

    /// The next 64-bit output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0), by the remainder of the next output.
    fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// The order (indices into `0..anchored.len()`) in which to show items: anchored items keep their
/// index, the others are shuffled among the remaining places by Fisher–Yates (for `i` from the
/// last free place down to the second, swap with a place `j = next % (i + 1)`).
pub fn order(seed: u64, key: &str, anchored: &[bool]) -> Vec<usize> {
    let mut free: Vec<usize> = (0..anchored.len()).filter(|&i| !anchored[i]).collect();
    let mut rng = SplitMix64::new(seed, key);
    for i in (1..free.len()).rev() {
        let j = rng.below(i + 1);
        free.swap(i, j);
    }
    let mut shuffled = free.into_iter();
    anchored
        .iter()
        .enumerate()
        .map(|(i, &a)| if a { i } else { shuffled.next().unwrap_or(i) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{SplitMix64, order};

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // Reference outputs of SplitMix64 with state 0 (key hash cancelled by XOR).
        let mut g = SplitMix64 { state: 0 };
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn same_seed_and_key_give_the_same_order_and_anchors_stay() {
        let anchored = [false, false, false, false, false, true];
        let a = order(42, "EQUIP", &anchored);
        assert_eq!(a, order(42, "EQUIP", &anchored));
        assert_eq!(a[5], 5);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4, 5]);
        let differs = (0..20u64).any(|s| order(s, "EQUIP", &anchored) != a);
        assert!(differs);
    }
}
