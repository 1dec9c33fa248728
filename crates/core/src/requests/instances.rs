//! The instances of a request-level run: their slots, the routing among them, their numbers,
//! and the drain of those leaving (docs/semantics/requests.md, sections 4 and 5).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A set of small numbers with the lowest, the highest and the r-th member found in a few word
/// operations: a bit per number, and a summary bit per word that is not zero.
#[derive(Debug, Clone, Default)]
struct NumberSet {
    words: Vec<u64>,
    summary: Vec<u64>,
    len: usize,
}

impl NumberSet {
    fn grow_to(&mut self, numbers: usize) {
        let words = numbers.div_ceil(64);
        if words > self.words.len() {
            self.words.resize(words, 0);
            self.summary.resize(words.div_ceil(64), 0);
        }
    }

    fn insert(&mut self, number: usize) {
        let (word, bit) = (number / 64, number % 64);
        if self.words[word] & (1 << bit) == 0 {
            self.words[word] |= 1 << bit;
            self.summary[word / 64] |= 1 << (word % 64);
            self.len += 1;
        }
    }

    fn remove(&mut self, number: usize) {
        let (word, bit) = (number / 64, number % 64);
        if self.words[word] & (1 << bit) != 0 {
            self.words[word] &= !(1 << bit);
            if self.words[word] == 0 {
                self.summary[word / 64] &= !(1 << (word % 64));
            }
            self.len -= 1;
        }
    }

    fn first(&self) -> Option<usize> {
        let (top, bits) = self
            .summary
            .iter()
            .enumerate()
            .find(|(_, bits)| **bits != 0)?;
        let word = top * 64 + bits.trailing_zeros() as usize;
        Some(word * 64 + self.words[word].trailing_zeros() as usize)
    }

    fn last(&self) -> Option<usize> {
        let (top, bits) = self
            .summary
            .iter()
            .enumerate()
            .rev()
            .find(|(_, bits)| **bits != 0)?;
        let word = top * 64 + 63 - bits.leading_zeros() as usize;
        Some(word * 64 + 63 - self.words[word].leading_zeros() as usize)
    }

    /// The member with `rank` smaller members; `rank < len`.
    fn nth(&self, mut rank: usize) -> Option<usize> {
        for (index, &word) in self.words.iter().enumerate() {
            let ones = word.count_ones() as usize;
            if rank < ones {
                let mut bits = word;
                for _ in 0..rank {
                    bits &= bits - 1;
                }
                return Some(index * 64 + bits.trailing_zeros() as usize);
            }
            rank -= ones;
        }
        None
    }
}

/// What a number is used for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Unused,
    InService,
    Draining,
}

/// How requests may be routed among instances with a free slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Routing {
    /// The fewest outstanding requests, ties to the lowest number (SageMaker's
    /// `LEAST_OUTSTANDING_REQUESTS`).
    #[default]
    LeastOutstanding,
    /// Uniformly at random (SageMaker's `RANDOM`).
    Random,
    /// The most outstanding requests among instances with a free slot, ties to the lowest
    /// number: fill one before the next, as Huawei Workspace places sessions
    /// (spec/huawei-workspace.md, "Packing"), so that the others stay idle and can be released.
    Packing,
}

/// Instances in service and draining, and their slots.
#[derive(Debug, Clone)]
pub(crate) struct Instances {
    concurrency: u32,
    routing: Routing,
    role: Vec<Role>,
    outstanding: Vec<u32>,
    /// When each instance last became idle (joined, or finished its last request), ns.
    idle_since_ns: Vec<u64>,
    /// For each count c below `concurrency`, the in-service instances with c outstanding (full
    /// ones are in none: only a scale-in looks for them, and it scans).
    by_outstanding: Vec<NumberSet>,
    /// Random routing only: the in-service instances with a free slot, to draw among.
    with_free_slot: NumberSet,
    /// In-service instances with a free slot.
    free_instances: u32,
    unused: NumberSet,
    in_service: u32,
    draining: u32,
    /// Requests on in-service instances' slots.
    busy_in_service: u64,
    /// Lowest count that may have an in-service member below `concurrency`.
    lowest_hint: usize,
}

impl Instances {
    /// Numbers reserved up front, so a run that stays within them never grows a buffer.
    pub(crate) fn new(concurrency: u32, routing: Routing, reserve: usize) -> Self {
        let mut instances = Self {
            concurrency,
            routing,
            role: Vec::new(),
            outstanding: Vec::new(),
            idle_since_ns: Vec::new(),
            by_outstanding: vec![NumberSet::default(); concurrency as usize],
            with_free_slot: NumberSet::default(),
            free_instances: 0,
            unused: NumberSet::default(),
            in_service: 0,
            draining: 0,
            busy_in_service: 0,
            lowest_hint: 0,
        };
        instances.grow_to(reserve.max(1));
        instances
    }

    fn grow_to(&mut self, numbers: usize) {
        let old = self.role.len();
        if numbers <= old {
            return;
        }
        // Doubling keeps growth rare (only a pile of draining instances outgrows the reserve).
        let numbers = numbers.max(old * 2);
        self.role.resize(numbers, Role::Unused);
        self.outstanding.resize(numbers, 0);
        self.idle_since_ns.resize(numbers, 0);
        for set in &mut self.by_outstanding {
            set.grow_to(numbers);
        }
        self.with_free_slot.grow_to(numbers);
        self.unused.grow_to(numbers);
        for number in old..numbers {
            self.unused.insert(number);
        }
    }

    pub(crate) fn in_service(&self) -> u32 {
        self.in_service
    }

    pub(crate) fn draining(&self) -> u32 {
        self.draining
    }

    pub(crate) fn busy_in_service(&self) -> u64 {
        self.busy_in_service
    }

    /// Adds an instance in service at `now_ns` under the lowest unused number.
    pub(crate) fn join(&mut self, now_ns: u64) {
        if self.unused.len == 0 {
            self.grow_to(self.role.len() + 1);
        }
        let Some(number) = self.unused.first() else {
            return;
        };
        self.unused.remove(number);
        self.role[number] = Role::InService;
        self.outstanding[number] = 0;
        self.idle_since_ns[number] = now_ns;
        self.by_outstanding[0].insert(number);
        self.mark_free(number);
        self.lowest_hint = 0;
        self.in_service += 1;
    }

    /// Takes one instance out of service: idle ones first, the highest number first, then the
    /// fewest outstanding, ties to the highest number. Returns whether it drains (was busy).
    pub(crate) fn leave(&mut self) -> bool {
        let with_free_slot = (0..self.concurrency as usize)
            .find_map(|count| self.by_outstanding[count].last().map(|n| (count, n)));
        let (count, number) = match with_free_slot {
            Some(found) => found,
            None => {
                let full = (0..self.role.len())
                    .rev()
                    .find(|&number| self.role[number] == Role::InService);
                match full {
                    Some(number) => (self.concurrency as usize, number),
                    None => return false,
                }
            }
        };
        if count < self.concurrency as usize {
            self.by_outstanding[count].remove(number);
            self.mark_full(number);
        }
        self.in_service -= 1;
        if count == 0 {
            self.role[number] = Role::Unused;
            self.unused.insert(number);
            false
        } else {
            self.role[number] = Role::Draining;
            self.busy_in_service -= u64::from(self.outstanding[number]);
            self.draining += 1;
            true
        }
    }

    /// In-service instances numbered from `first`, idle since `idle_by_ns` or earlier.
    fn idle_from(&self, first: u32, idle_by_ns: u64) -> impl Iterator<Item = usize> + '_ {
        (first as usize..self.role.len()).filter(move |&number| {
            self.role[number] == Role::InService
                && self.outstanding[number] == 0
                && self.idle_since_ns[number] <= idle_by_ns
        })
    }

    /// In-service instances numbered from `first` (a server group's scaled-out servers, its
    /// base ones holding the numbers below).
    pub(crate) fn in_service_from(&self, first: u32) -> u32 {
        (first as usize..self.role.len())
            .filter(|&number| self.role[number] == Role::InService)
            .count() as u32
    }

    /// In-service instances numbered from `first`, holding nothing since `idle_by_ns`.
    pub(crate) fn idle_count(&self, first: u32, idle_by_ns: u64) -> u32 {
        self.idle_from(first, idle_by_ns).count() as u32
    }

    /// Takes out of service every instance [`Instances::idle_count`] counts; returns how many.
    pub(crate) fn release_idle(&mut self, first: u32, idle_by_ns: u64) -> u32 {
        let released: Vec<usize> = self.idle_from(first, idle_by_ns).collect();
        for &number in &released {
            self.by_outstanding[0].remove(number);
            self.mark_full(number);
            self.role[number] = Role::Unused;
            self.unused.insert(number);
            self.in_service -= 1;
        }
        released.len() as u32
    }

    fn mark_free(&mut self, number: usize) {
        self.free_instances += 1;
        if self.routing == Routing::Random {
            self.with_free_slot.insert(number);
        }
    }

    fn mark_full(&mut self, number: usize) {
        self.free_instances -= 1;
        if self.routing == Routing::Random {
            self.with_free_slot.remove(number);
        }
    }

    /// The instance the routing sends the next request to, if one has a free slot.
    pub(crate) fn route(&mut self, rng: &mut ChaCha8Rng) -> Option<u32> {
        match self.routing {
            Routing::LeastOutstanding => {
                let top = self.concurrency as usize;
                while self.lowest_hint < top {
                    if let Some(number) = self.by_outstanding[self.lowest_hint].first() {
                        return Some(number as u32);
                    }
                    self.lowest_hint += 1;
                }
                None
            }
            Routing::Packing => (0..self.concurrency as usize)
                .rev()
                .find_map(|count| self.by_outstanding[count].first())
                .map(|number| number as u32),
            Routing::Random => {
                let free = self.free_instances as usize;
                if free == 0 {
                    return None;
                }
                // One draw per dispatch, even with one candidate (requests.md, section 5).
                let rank = rng.random_range(0..free);
                self.with_free_slot.nth(rank).map(|number| number as u32)
            }
        }
    }

    /// Whether some in-service instance has a free slot.
    pub(crate) fn has_free_slot(&self) -> bool {
        self.free_instances > 0
    }

    /// A request starts on `number`'s slot.
    pub(crate) fn take_slot(&mut self, number: u32) {
        let number = number as usize;
        let count = self.outstanding[number] as usize;
        self.outstanding[number] += 1;
        self.by_outstanding[count].remove(number);
        if count + 1 < self.concurrency as usize {
            self.by_outstanding[count + 1].insert(number);
        } else {
            self.mark_full(number);
        }
        self.busy_in_service += 1;
    }

    /// A request on `number` completes at `now_ns`. Returns whether the instance is in service
    /// (its slot can take the queue's head).
    pub(crate) fn free_slot(&mut self, number: u32, now_ns: u64) -> bool {
        let number = number as usize;
        let count = self.outstanding[number] as usize;
        self.outstanding[number] -= 1;
        if count == 1 {
            self.idle_since_ns[number] = now_ns;
        }
        match self.role[number] {
            Role::InService => {
                if count < self.concurrency as usize {
                    self.by_outstanding[count].remove(number);
                } else {
                    self.mark_free(number);
                }
                self.by_outstanding[count - 1].insert(number);
                self.lowest_hint = self.lowest_hint.min(count - 1);
                self.busy_in_service -= 1;
                true
            }
            Role::Draining => {
                if count == 1 {
                    self.role[number] = Role::Unused;
                    self.unused.insert(number);
                    self.draining -= 1;
                }
                false
            }
            Role::Unused => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn least_outstanding_spreads_then_stacks_with_ties_to_the_lowest_number() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut instances = Instances::new(2, Routing::LeastOutstanding, 1);
        for _ in 0..3 {
            instances.join(0);
        }
        // 0, 1, 2 take one each, then 0 again: the fewest outstanding, lowest number first.
        let mut order = Vec::new();
        for _ in 0..6 {
            let number = instances.route(&mut rng).unwrap();
            instances.take_slot(number);
            order.push(number);
        }
        assert_eq!(order, [0, 1, 2, 0, 1, 2]);
        assert_eq!(instances.route(&mut rng), None);
        assert!(instances.free_slot(1, 0));
        assert_eq!(instances.route(&mut rng), Some(1));
    }

    #[test]
    fn scale_in_takes_idle_highest_first_then_drains_the_least_busy() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut instances = Instances::new(2, Routing::LeastOutstanding, 4);
        for _ in 0..4 {
            instances.join(0);
        }
        // Busy: 0 with 2, 1 with 1; idle: 2, 3.
        for number in [0, 0, 1] {
            instances.take_slot(number);
        }
        let _ = instances.route(&mut rng);
        assert!(!instances.leave()); // 3, idle
        assert!(!instances.leave()); // 2, idle
        assert!(instances.leave()); // 1, one outstanding: drains
        assert_eq!((instances.in_service(), instances.draining()), (1, 1));
        assert_eq!(instances.busy_in_service(), 2);
        // Its completion ends the drain and frees number 1 for the next to join.
        assert!(!instances.free_slot(1, 0));
        assert_eq!(instances.draining(), 0);
        instances.join(0);
        let first_free = instances.route(&mut rng);
        assert_eq!(first_free, Some(1));
    }

    #[test]
    fn the_number_set_finds_first_last_and_nth_across_words() {
        let mut set = NumberSet::default();
        set.grow_to(5000);
        for number in [3, 64, 4095, 4999] {
            set.insert(number);
        }
        assert_eq!((set.first(), set.last()), (Some(3), Some(4999)));
        assert_eq!(set.nth(2), Some(4095));
        set.remove(3);
        assert_eq!(set.first(), Some(64));
        assert_eq!(set.nth(3), None);
    }
}
