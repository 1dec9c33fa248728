//! Session workloads (spec `huawei-workspace.md`, "The workload: sessions"): each arrival is a
//! session that holds one slot of one server from its start to its end.
//!
//! - Lengths come from one ChaCha8 generator seeded with the scenario's seed, one draw per
//!   arrival in arrival order. Model choice: rejected arrivals draw too, so that two policies
//!   replayed on one trace and seed see the same sessions (common random numbers).
//! - Placement packs: a session goes to the in-service server with the most sessions that still
//!   has a free slot, ties to the lowest server number; none free: rejected, no retry.
//! - A server left with no session starts its idle clock at the end time of its last session; a
//!   server that joins empty starts it when it joins; a placed session stops it.
//!
//! Session ends wait on a calendar: one list per step (the first step whose start is at or after
//! the end), in a ring reused as the steps go by, so that ending or placing a session costs O(1)
//! and no step allocates. Ends beyond the ring's reach wait in a heap, soonest first. Within a
//! step, ends come off the calendar in no particular order; that changes nothing, since every
//! count is a sum and an emptied server's idle clock starts at the latest end of its sessions,
//! which each server keeps.
//!
//! An end finds its server by a handle the server holds while in service, whose entry gives its
//! position; positions move only when servers are released, which rewrites them. Placement keeps
//! where the next session goes (the target) and the server after it in packing order (the
//! runner-up): each placement, end, join or release changes one server's count or the servers
//! themselves, and the two are updated by comparing that server with them, or forgotten when
//! that cannot tell; only then does a pass over the servers find them again. A packed group
//! fills its target nearly every placement, so the runner-up is what saves the pass. Groups of
//! at most 64 servers of at most 64 slots (the usual ones) pack by masks instead: one word per
//! session count with a bit for each free server with that count, and a word of the counts
//! that have any; the target is the lowest bit of the highest count, and a placement or an end
//! moves one bit, so no pass is ever needed (the runner-up was forgotten about once in three
//! placements on the shipped week).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};

use crate::error::BuildError;

/// The distribution of session lengths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionLength {
    kind: LengthKind,
    /// The mean, seconds: how far ahead the calendar of ends reaches is a multiple of it.
    mean_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum LengthKind {
    Fixed(u64),
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
}

fn check_mean(mean_s: f64) -> Result<(), BuildError> {
    if mean_s.is_finite() && mean_s > 0.0 {
        Ok(())
    } else {
        Err(BuildError::Field {
            field: "sessions.mean_s",
            expected: "a finite number of seconds greater than 0".into(),
            got: mean_s.to_string(),
        })
    }
}

impl SessionLength {
    /// Every session lasts max(1, ceil(mean_s)) seconds.
    pub fn fixed(mean_s: f64) -> Result<Self, BuildError> {
        check_mean(mean_s)?;
        Ok(Self {
            kind: LengthKind::Fixed((mean_s.ceil() as u64).max(1)),
            mean_s,
        })
    }

    /// Exponential lengths with mean `mean_s`.
    pub fn exponential(mean_s: f64) -> Result<Self, BuildError> {
        check_mean(mean_s)?;
        let exp = Exp::new(1.0 / mean_s).map_err(|_| BuildError::Field {
            field: "sessions.mean_s",
            expected: "a mean whose rate 1/mean_s is finite".into(),
            got: mean_s.to_string(),
        })?;
        Ok(Self {
            kind: LengthKind::Exponential(exp),
            mean_s,
        })
    }

    /// Log-normal lengths with mean `mean_s`: mu = ln(mean_s) − sigma²/2.
    pub fn lognormal(mean_s: f64, sigma: f64) -> Result<Self, BuildError> {
        check_mean(mean_s)?;
        let invalid_sigma = || BuildError::Field {
            field: "sessions.sigma",
            expected: "a finite number greater than 0".into(),
            got: sigma.to_string(),
        };
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(invalid_sigma());
        }
        let mu = mean_s.ln() - sigma * sigma / 2.0;
        let lognormal = LogNormal::new(mu, sigma).map_err(|_| invalid_sigma())?;
        Ok(Self {
            kind: LengthKind::LogNormal(lognormal),
            mean_s,
        })
    }

    /// One length in whole seconds: max(1, ceil(x)).
    fn draw(&self, rng: &mut ChaCha8Rng) -> u64 {
        let seconds = match self.kind {
            LengthKind::Fixed(seconds) => return seconds,
            LengthKind::Exponential(exp) => exp.sample(rng),
            LengthKind::LogNormal(lognormal) => lognormal.sample(rng),
        };
        // Saturating float-to-int conversion: an absurd draw lasts "forever", not wraps.
        (seconds.ceil() as u64).max(1)
    }
}

/// How sessions are drawn for a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionConfig {
    /// Lengths of sessions.
    pub length: SessionLength,
    /// Seed of the generator of lengths.
    pub seed: u64,
}

/// The lengths of a run's sessions, one per arrival in arrival order, whatever becomes of it;
/// so they depend on the trace and the [`SessionConfig`] alone, never on the policy.
#[derive(Debug, Clone)]
pub(crate) struct SessionDraws {
    length: SessionLength,
    rng: ChaCha8Rng,
}

impl SessionDraws {
    pub(crate) fn new(config: SessionConfig) -> Self {
        Self {
            length: config.length,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
        }
    }

    /// The next arrival's length, seconds.
    pub(crate) fn next_length(&mut self) -> u64 {
        self.length.draw(&mut self.rng)
    }
}

/// When a session ends: its end, seconds (saturating: a session that would end past u64's end
/// never ends, as drawn), and the first step starting at or after it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SessionEnd {
    end_s: u64,
    step: u64,
}

impl SessionEnd {
    /// The end of a session of `length_s` starting at `t_s`, in steps of `step_s`.
    pub(crate) fn new(t_s: u64, length_s: u64, step_s: u64) -> Self {
        let end_s = t_s.saturating_add(length_s);
        Self {
            end_s,
            step: end_s.div_ceil(step_s),
        }
    }
}

/// One in-service server of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    /// Creation order, from 0, never reused.
    pub number: u32,
    /// Added by scaling (releasable), not one of the base servers.
    pub scaled_out: bool,
    /// Sessions it holds now.
    pub sessions: u32,
    /// When its idle clock started, while it holds no session.
    pub idle_since_s: Option<u64>,
    /// The latest end of its sessions ended so far: the ends of one step come off the calendar
    /// in any order, and the clock of a server they empty starts at the latest.
    last_end_s: u64,
    /// Its entry in the group's `positions`, which it holds while in service.
    handle: u32,
}

impl Server {
    /// Whether it is a scaled-out server with no session, idle for at least `min_idle_s` at
    /// `t_s`.
    pub fn is_releasable(&self, t_s: u64, min_idle_s: u64) -> bool {
        self.scaled_out
            && self.sessions == 0
            && self
                .idle_since_s
                .is_some_and(|since_s| t_s.saturating_sub(since_s) >= min_idle_s)
    }
}

/// The in-service servers of a group and the sessions on them.
#[derive(Debug, Clone)]
pub struct ServerGroup {
    slots_per_server: u32,
    /// In service, in creation order: the base servers, never released, first.
    servers: Vec<Server>,
    base_servers: u32,
    next_number: u32,
    step_s: u64,
    /// The calendar of ends: entry `step % len` heads the list, in `endings`, of the sessions
    /// whose end step (the first step starting at or after the end) is `step`, for the steps
    /// from `next_step` on, `len` (a power of two) of them.
    calendar: Vec<u32>,
    /// The first step whose ends have not been taken off the calendar, and its start.
    next_step: u64,
    next_step_s: u64,
    /// The calendar's entries, and the head of the list of those free for reuse.
    endings: Vec<Ending>,
    free: u32,
    /// Ends past the calendar's reach, as `end_s << 32 | server handle`, soonest first.
    far: BinaryHeap<Reverse<u128>>,
    /// Each in-service server's position in `servers`, by its handle: a session's end finds
    /// its server in one load. Positions move only when servers are released, which rewrites
    /// them; a released server holds no session, so its handle is free to reuse.
    positions: Vec<u32>,
    free_handles: Vec<u32>,
    /// Where the next session goes, as a pass over the servers in packing order (more
    /// sessions first, then lower position) would find it: a position, [`NO_SERVER`] (every
    /// server full), or [`UNKNOWN_TARGET`] (pass again). A pass is O(servers), and a packed
    /// group fills its target nearly every placement, so the runner-up (the first free server
    /// after the target in that order, or none) is kept too, and takes over when the target
    /// fills. Between passes only one server's count changes at a time, and a server whose
    /// count changed is compared with these two; what cannot be known that way becomes unknown.
    target: u32,
    runner_up: u32,
    /// Packing by masks, used instead of the target and runner-up while every position and
    /// every free count fits a word's bits (at most [`MASK_BITS`] servers of at most
    /// [`MASK_BITS`] slots): entry `c` has bit `p` set when the server at position `p` has `c`
    /// sessions and a free slot, and `free_counts` bit `c` when entry `c` has any. The next
    /// session goes to the lowest position of the highest count, in a few instructions and
    /// never a pass; a placement or an end moves one bit. Groups too large for it use the
    /// target and runner-up.
    masked: bool,
    free_counts: u64,
    free_by_count: [u64; MASK_BITS as usize],
    active: u32,
    /// Scaled-out servers in service, kept so that each evaluation need not count them.
    scaled_out: u32,
    /// Those of them with no session: while there are none, none can be released.
    idle_scaled_out: u32,
    draws: SessionDraws,
}

/// One session on the calendar.
#[derive(Debug, Clone, Copy)]
struct Ending {
    end_s: u64,
    /// Its server's handle.
    handle: u32,
    /// The next entry of its list, or [`NO_ENDING`].
    next: u32,
}

const NO_ENDING: u32 = u32::MAX;
/// Positions and counts a word of [`ServerGroup`]'s packing masks holds.
const MASK_BITS: u32 = u64::BITS;
const NO_SERVER: u32 = u32::MAX;
const UNKNOWN_TARGET: u32 = u32::MAX - 1;

impl crate::autoscaler::ServerView for ServerGroup {
    fn slots_per_server(&self) -> u32 {
        self.slots_per_server
    }

    fn active_sessions(&self) -> u32 {
        self.active
    }

    fn scaled_out_in_service(&self) -> u32 {
        ServerGroup::scaled_out_in_service(self)
    }

    fn releasable(&self, t_s: u64, min_idle_s: u64) -> u32 {
        self.release_outlook(t_s, min_idle_s).releasable
    }
}

/// What [`ServerGroup::release_outlook`] finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReleaseOutlook {
    /// The servers releasable now.
    pub(crate) releasable: u32,
    /// The earliest time another of the idle scaled-out servers becomes releasable, if it
    /// stays idle (`u64::MAX`: none).
    pub(crate) next_s: u64,
}

impl ServerGroup {
    /// A group of `base_servers` in service at t = 0, idle since 0, which can grow to
    /// `max_servers`, stepping every `step_s`; buffers are sized for that so that steps allocate
    /// nothing.
    pub(crate) fn new(
        slots_per_server: u32,
        base_servers: u32,
        max_servers: u32,
        step_s: u64,
        config: SessionConfig,
    ) -> Self {
        let mut servers = Vec::with_capacity(max_servers as usize);
        servers.extend((0..base_servers).map(|number| Server {
            number,
            scaled_out: false,
            sessions: 0,
            idle_since_s: Some(0),
            last_end_s: 0,
            handle: number,
        }));
        let mut positions = Vec::with_capacity(max_servers as usize);
        positions.extend(0..base_servers);
        // Eight means ahead: the ends of nearly every session, whatever the distribution (all
        // of a fixed length's), fall within the calendar; the rest wait in the heap.
        let reach_steps = (8.0 * config.length.mean_s / step_s as f64).ceil() as usize + 2;
        let calendar_len = reach_steps.clamp(8, 4096).next_power_of_two();
        let masked = (1..=MASK_BITS).contains(&slots_per_server) && max_servers <= MASK_BITS;
        let mut group = Self {
            slots_per_server,
            servers,
            base_servers,
            next_number: base_servers,
            step_s,
            calendar: vec![NO_ENDING; calendar_len],
            next_step: 0,
            next_step_s: 0,
            endings: Vec::with_capacity(max_servers as usize * slots_per_server as usize),
            free: NO_ENDING,
            far: BinaryHeap::new(),
            positions,
            free_handles: Vec::with_capacity(max_servers as usize),
            target: UNKNOWN_TARGET,
            runner_up: UNKNOWN_TARGET,
            masked,
            free_counts: 0,
            free_by_count: [0; MASK_BITS as usize],
            active: 0,
            scaled_out: 0,
            idle_scaled_out: 0,
            draws: SessionDraws::new(config),
        };
        group.rebuild_masks();
        group
    }

    /// The packing masks from the servers' counts, after positions moved (or at the start).
    fn rebuild_masks(&mut self) {
        if !self.masked {
            return;
        }
        // No count reaches the slots: only the entries below them are ever set.
        self.free_by_count[..self.slots_per_server as usize].fill(0);
        self.free_counts = 0;
        for (position, server) in (0u32..).zip(&self.servers) {
            if server.sessions < self.slots_per_server {
                self.free_by_count[server.sessions as usize] |= 1 << position;
                self.free_counts |= 1 << server.sessions;
            }
        }
    }

    /// Marks the server at `position` free with `count` sessions in the packing masks.
    #[inline(always)]
    fn mask_in(&mut self, count: u32, position: u32) {
        self.free_by_count[(count % MASK_BITS) as usize] |= 1 << (position % MASK_BITS);
        self.free_counts |= 1 << (count % MASK_BITS);
    }

    /// Takes the server at `position`, free with `count` sessions, out of the packing masks.
    #[inline(always)]
    fn mask_out(&mut self, count: u32, position: u32) {
        let word = &mut self.free_by_count[(count % MASK_BITS) as usize];
        *word &= !(1 << (position % MASK_BITS));
        self.free_counts &= !(u64::from(*word == 0) << (count % MASK_BITS));
    }

    /// Slots of one server.
    pub fn slots_per_server(&self) -> u32 {
        self.slots_per_server
    }

    /// Sessions active now.
    pub fn active_sessions(&self) -> u32 {
        self.active
    }

    /// The in-service servers, in creation order.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// Scaled-out servers in service.
    pub fn scaled_out_in_service(&self) -> u32 {
        self.scaled_out
    }

    /// Scaled-out servers in service with no session: none, and none can be released.
    pub(crate) fn idle_scaled_out(&self) -> u32 {
        self.idle_scaled_out
    }

    /// Sessions with end ≤ `t_s` end; a server left empty is idle from its last session's end.
    /// `t_s` is the start of a step, at or after the last one given.
    #[inline(always)]
    pub(crate) fn end_sessions(&mut self, t_s: u64) {
        debug_assert!(t_s.is_multiple_of(self.step_s));
        let mask = self.calendar.len() - 1;
        while self.next_step_s <= t_s {
            let slot = &mut self.calendar[self.next_step as usize & mask];
            let mut entry = std::mem::replace(slot, NO_ENDING);
            while entry != NO_ENDING {
                let Ending {
                    end_s,
                    handle,
                    next,
                } = self.endings[entry as usize];
                self.endings[entry as usize].next = self.free;
                self.free = entry;
                self.end_one(end_s, handle);
                entry = next;
            }
            self.next_step += 1;
            self.next_step_s += self.step_s;
        }
        if self
            .far
            .peek()
            .is_some_and(|&Reverse(end)| (end >> 32) as u64 <= t_s)
        {
            self.end_far_sessions(t_s);
        }
    }

    /// The ends of the heap due by `t_s`: few sessions outlast the calendar's reach.
    #[cold]
    #[inline(never)]
    fn end_far_sessions(&mut self, t_s: u64) {
        while let Some(&Reverse(end)) = self.far.peek() {
            let (end_s, handle) = ((end >> 32) as u64, end as u32);
            if end_s > t_s {
                break;
            }
            self.far.pop();
            self.end_one(end_s, handle);
        }
    }

    #[inline(always)]
    fn end_one(&mut self, end_s: u64, handle: u32) {
        self.active -= 1;
        let position = self.positions[handle as usize];
        let server = &mut self.servers[position as usize];
        server.sessions -= 1;
        server.last_end_s = server.last_end_s.max(end_s);
        let sessions = server.sessions;
        if sessions == 0 {
            server.idle_since_s = Some(server.last_end_s);
            self.idle_scaled_out += u32::from(server.scaled_out);
        }
        if self.masked {
            if sessions + 1 < self.slots_per_server {
                self.mask_out(sessions + 1, position);
            }
            self.mask_in(sessions, position);
            return;
        }
        match (self.target, self.runner_up) {
            (UNKNOWN_TARGET, _) => {}
            (NO_SERVER, _) => (self.target, self.runner_up) = (position, NO_SERVER),
            (target, runner_up) if target == position => {
                // The target lost a session: the runner-up may now come first.
                if runner_up == UNKNOWN_TARGET {
                    self.target = UNKNOWN_TARGET;
                } else if runner_up != NO_SERVER && self.beats(runner_up, position) {
                    (self.target, self.runner_up) = (runner_up, UNKNOWN_TARGET);
                }
            }
            (_, runner_up) if runner_up == position => self.runner_up = UNKNOWN_TARGET,
            (target, runner_up) => {
                if self.beats(position, target) {
                    // The target came first of all the others, this one aside.
                    (self.target, self.runner_up) = (position, target);
                } else if runner_up == NO_SERVER
                    || (runner_up != UNKNOWN_TARGET && self.beats(position, runner_up))
                {
                    self.runner_up = position;
                }
            }
        }
    }

    /// Whether the free server at `position` comes before the one at `other` in packing order.
    fn beats(&self, position: u32, other: u32) -> bool {
        let sessions = self.servers[position as usize].sessions;
        let theirs = self.servers[other as usize].sessions;
        sessions > theirs || (sessions == theirs && position < other)
    }

    /// `count` new scaled-out servers join at `t_s`, idle from then.
    pub(crate) fn join(&mut self, count: u32, t_s: u64) {
        // Those who join come last in packing order, in the order they join.
        let first = self.servers.len() as u32;
        if self.masked && first + count > MASK_BITS {
            // More servers than the group was built for: the target and runner-up from here,
            // found by a pass (packing by masks leaves them unknown anyway).
            self.masked = false;
            (self.target, self.runner_up) = (UNKNOWN_TARGET, UNKNOWN_TARGET);
        }
        if self.masked {
            for position in first..first + count {
                self.mask_in(0, position);
            }
        }
        if count > 0 && self.target == NO_SERVER {
            self.target = first;
            self.runner_up = if count > 1 { first + 1 } else { NO_SERVER };
        } else if count > 0 && self.target != UNKNOWN_TARGET && self.runner_up == NO_SERVER {
            self.runner_up = first;
        }
        for _ in 0..count {
            let handle = self.free_handles.pop().unwrap_or_else(|| {
                self.positions.push(0);
                (self.positions.len() - 1) as u32
            });
            self.positions[handle as usize] = self.servers.len() as u32;
            self.servers.push(Server {
                number: self.next_number,
                scaled_out: true,
                sessions: 0,
                idle_since_s: Some(t_s),
                last_end_s: 0,
                handle,
            });
            self.next_number += 1;
        }
        self.scaled_out += count;
        self.idle_scaled_out += count;
    }

    /// Places `starts` sessions starting at `t_s`, one by one; returns how many found a slot.
    pub(crate) fn place(&mut self, starts: u32, t_s: u64) -> u32 {
        let mut placed = 0;
        for _ in 0..starts {
            let length_s = self.draws.next_length();
            placed += u32::from(self.place_one(length_s, t_s));
        }
        placed
    }

    /// Places one session of `length_s` starting at `t_s`, already drawn; returns whether it
    /// found a slot.
    pub(crate) fn place_one(&mut self, length_s: u64, t_s: u64) -> bool {
        self.place_ending(SessionEnd::new(t_s, length_s, self.step_s))
    }

    /// Places one session ending at `end`; returns whether it found a slot. Sweep kernels find
    /// a step's ends once for all their runs and hand them here, in the order
    /// [`ServerGroup::place`] would have drawn their lengths.
    #[inline(always)]
    pub(crate) fn place_ending(&mut self, end: SessionEnd) -> bool {
        let slots = self.slots_per_server;
        let handle = if self.masked {
            if self.free_counts == 0 {
                return false;
            }
            // The highest count with a free server, and its lowest position.
            let count = MASK_BITS - 1 - self.free_counts.leading_zeros();
            let position = self.free_by_count[count as usize].trailing_zeros();
            self.mask_out(count, position);
            if count + 1 < slots {
                self.mask_in(count + 1, position);
            }
            let server = &mut self.servers[position as usize];
            self.idle_scaled_out -= u32::from(server.scaled_out && server.sessions == 0);
            server.sessions += 1;
            server.idle_since_s = None;
            server.handle
        } else {
            if self.target == UNKNOWN_TARGET {
                (self.target, self.runner_up) = self.first_two_free();
            }
            if self.target == NO_SERVER {
                return false;
            }
            let server = &mut self.servers[self.target as usize];
            if server.sessions == 0 {
                self.idle_scaled_out -= u32::from(server.scaled_out);
            }
            server.sessions += 1;
            server.idle_since_s = None;
            let handle = server.handle;
            // Still free, it has more sessions than any other free server; full, the runner-up
            // comes first.
            if server.sessions == slots {
                self.target = self.runner_up;
                self.runner_up = if self.target == NO_SERVER {
                    NO_SERVER
                } else {
                    UNKNOWN_TARGET
                };
            }
            handle
        };
        // A session never ends before the next step to be taken off the calendar.
        let end_step = end.step.max(self.next_step);
        if end_step - self.next_step < self.calendar.len() as u64 && self.free != NO_ENDING {
            let entry = self.free;
            let mask = self.calendar.len() - 1;
            let slot = &mut self.calendar[end_step as usize & mask];
            let ending = &mut self.endings[entry as usize];
            self.free = ending.next;
            *ending = Ending {
                end_s: end.end_s,
                handle,
                next: *slot,
            };
            *slot = entry;
        } else {
            self.add_ending(end.end_s, end_step, handle);
        }
        self.active += 1;
        true
    }

    /// The calendar entry of an end when no free one is at hand, or the heap's.
    #[cold]
    #[inline(never)]
    fn add_ending(&mut self, end_s: u64, end_step: u64, handle: u32) {
        if end_step - self.next_step >= self.calendar.len() as u64 {
            self.far
                .push(Reverse(u128::from(end_s) << 32 | u128::from(handle)));
            return;
        }
        let mask = self.calendar.len() - 1;
        let slot = &mut self.calendar[end_step as usize & mask];
        self.endings.push(Ending {
            end_s,
            handle,
            next: *slot,
        });
        *slot = (self.endings.len() - 1) as u32;
    }

    /// The positions of the first two servers with a free slot in packing order (the fullest
    /// first, ties to the lowest number), [`NO_SERVER`] for none; a session short of full is
    /// the fullest there can be.
    #[inline(never)]
    fn first_two_free(&self) -> (u32, u32) {
        let slots = self.slots_per_server;
        // Keys: sessions + 1 for a free server, 0 for a full one, which no key 0 precedes.
        let (mut first, mut first_key) = (NO_SERVER, 0);
        let (mut second, mut second_key) = (NO_SERVER, 0);
        for (idx, server) in (0u32..).zip(&self.servers) {
            let sessions = server.sessions;
            let key = if sessions < slots { sessions + 1 } else { 0 };
            if key > first_key {
                (second, second_key) = (first, first_key);
                (first, first_key) = (idx, key);
            } else if key > second_key {
                (second, second_key) = (idx, key);
            }
            if second_key == slots {
                break;
            }
        }
        (first, second)
    }

    /// How many servers are releasable at `t_s` (see [`Server::is_releasable`]), and when the
    /// next of the others idle now would be.
    pub(crate) fn release_outlook(&self, t_s: u64, min_idle_s: u64) -> ReleaseOutlook {
        let mut outlook = ReleaseOutlook {
            releasable: 0,
            next_s: u64::MAX,
        };
        let mut look_at = |server: &Server| {
            if server.is_releasable(t_s, min_idle_s) {
                outlook.releasable += 1;
            } else if let (true, 0, Some(since_s)) =
                (server.scaled_out, server.sessions, server.idle_since_s)
            {
                outlook.next_s = outlook.next_s.min(since_s.saturating_add(min_idle_s));
            }
        };
        if self.idle_scaled_out == 0 {
        } else if self.masked {
            // The servers with no session are the bits of the masks' count 0; the scaled-out
            // ones come after the base servers.
            let scaled_out = u64::MAX.checked_shl(self.base_servers).unwrap_or(0);
            let mut idle_scaled_out = self.free_by_count[0] & scaled_out;
            while idle_scaled_out != 0 {
                look_at(&self.servers[idle_scaled_out.trailing_zeros() as usize]);
                idle_scaled_out &= idle_scaled_out - 1;
            }
        } else {
            self.servers.iter().for_each(look_at);
        }
        outlook
    }

    /// Releases every releasable server (see [`Server::is_releasable`]); returns how many.
    pub(crate) fn release_idle(&mut self, t_s: u64, min_idle_s: u64) -> u32 {
        let before = self.servers.len();
        let free_handles = &mut self.free_handles;
        self.servers.retain(|s| {
            let releasable = s.is_releasable(t_s, min_idle_s);
            if releasable {
                free_handles.push(s.handle);
            }
            !releasable
        });
        let released = (before - self.servers.len()) as u32;
        if released > 0 {
            // The base servers, first and never released, keep their positions.
            let base = self.base_servers as usize;
            for (position, server) in (self.base_servers..).zip(&self.servers[base..]) {
                self.positions[server.handle as usize] = position;
            }
            (self.target, self.runner_up) = (UNKNOWN_TARGET, UNKNOWN_TARGET);
            self.rebuild_masks();
        }
        // Only idle scaled-out servers are releasable.
        self.scaled_out -= released;
        self.idle_scaled_out -= released;
        released
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(slots: u32, base: u32, length: SessionLength) -> ServerGroup {
        ServerGroup::new(slots, base, base + 4, 10, SessionConfig { length, seed: 7 })
    }

    #[test]
    fn packing_fills_the_fullest_server_first_and_ties_go_to_the_lowest_number() {
        // Slots 4, servers 0 and 1 with 1 and 3 sessions: the next session goes to server 1,
        // the one after to server 0, the only one with a free slot (spec "Packing").
        let mut group = group(4, 2, SessionLength::fixed(1000.0).unwrap());
        group.servers[0].sessions = 1;
        group.servers[1].sessions = 3;
        // Counts set by hand: the packing masks learn them as after a release.
        group.rebuild_masks();
        assert_eq!(group.place(1, 0), 1);
        assert_eq!(
            (group.servers[0].sessions, group.servers[1].sessions),
            (1, 4)
        );
        assert_eq!(group.place(1, 0), 1);
        assert_eq!(
            (group.servers[0].sessions, group.servers[1].sessions),
            (2, 4)
        );
        // Two empty servers: the lowest number takes the session.
        let mut fresh = super::tests::group(4, 2, SessionLength::fixed(10.0).unwrap());
        fresh.place(1, 0);
        assert_eq!(
            (fresh.servers[0].sessions, fresh.servers[1].sessions),
            (1, 0)
        );
    }

    #[test]
    fn sessions_end_and_start_the_idle_clock_at_their_end_time() {
        let mut group = group(2, 1, SessionLength::fixed(90.0).unwrap());
        assert_eq!(group.place(2, 0), 2);
        assert_eq!(group.place(1, 0), 0, "no free slot: rejected");
        group.end_sessions(60);
        assert_eq!(group.active_sessions(), 2);
        group.end_sessions(120);
        assert_eq!(group.active_sessions(), 0);
        assert_eq!(group.servers[0].idle_since_s, Some(90));
    }

    #[test]
    fn only_scaled_out_servers_idle_long_enough_are_released() {
        let mut group = group(2, 1, SessionLength::fixed(30.0).unwrap());
        group.join(2, 100);
        group.place(1, 100); // goes to server 0, the lowest number
        group.place(2, 100); // fills server 0, then server 1
        group.end_sessions(130);
        // Server 1 idle since 130, server 2 since 100; base server 0 never goes.
        assert_eq!(group.release_idle(300, 180), 1);
        assert_eq!(
            group.servers.iter().map(|s| s.number).collect::<Vec<_>>(),
            [0, 1]
        );
        assert_eq!(group.release_idle(310, 180), 1);
        assert_eq!(group.servers.len(), 1);
    }

    #[test]
    fn lengths_are_seeded_and_their_means_match_within_sampling_error() {
        // 20,000 draws with mean 600 s: the standard error of the mean is 600/sqrt(20,000)
        // ≈ 4.2 s for the exponential (sd = mean) and ~ 5.4 s for this lognormal (sd =
        // mean × sqrt(e^{sigma²} − 1) ≈ 1.31 × mean at sigma = 1); 5 standard errors is a
        // bound a correct sampler misses once in millions. The ceil adds 0.5 s on average.
        let draws = 20_000;
        for (length, bound) in [
            (SessionLength::exponential(600.0).unwrap(), 5.0 * 4.25),
            (SessionLength::lognormal(600.0, 1.0).unwrap(), 5.0 * 5.6),
        ] {
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            let total: u64 = (0..draws).map(|_| length.draw(&mut rng)).sum();
            let mean = total as f64 / draws as f64;
            assert!((mean - 600.5).abs() < bound, "mean {mean}");
            let mut again = ChaCha8Rng::seed_from_u64(1);
            let first_again = length.draw(&mut again);
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            assert_eq!(length.draw(&mut rng), first_again);
        }
        assert_eq!(
            SessionLength::fixed(240.2)
                .unwrap()
                .draw(&mut ChaCha8Rng::seed_from_u64(0)),
            241
        );
        assert!(SessionLength::lognormal(600.0, 0.0).is_err());
        assert!(SessionLength::exponential(-1.0).is_err());
    }

    /// The group as it was before the calendar: every end in one heap, taken off in
    /// `(end_s, number)` order, each server's clock started by the end that empties it.
    struct HeapGroup {
        slots: u32,
        servers: Vec<(u32, bool, u32, Option<u64>)>,
        next_number: u32,
        ends: BinaryHeap<Reverse<(u64, u32)>>,
    }

    impl HeapGroup {
        fn end_sessions(&mut self, t_s: u64) {
            while let Some(&Reverse((end_s, number))) = self.ends.peek() {
                if end_s > t_s {
                    break;
                }
                self.ends.pop();
                if let Some(server) = self.servers.iter_mut().find(|s| s.0 == number) {
                    server.2 -= 1;
                    if server.2 == 0 {
                        server.3 = Some(end_s);
                    }
                }
            }
        }

        fn place_one(&mut self, length_s: u64, t_s: u64) -> bool {
            let slots = self.slots;
            let Some(server) = self
                .servers
                .iter_mut()
                .filter(|s| s.2 < slots)
                .rev()
                .max_by_key(|s| s.2)
            else {
                return false;
            };
            server.2 += 1;
            server.3 = None;
            self.ends
                .push(Reverse((t_s.saturating_add(length_s), server.0)));
            true
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The calendar of ends (ring and heap) and the packing (masks, or target and
        /// runner-up) leave every server as the single heap and a pass did, step after step:
        /// sessions, idle clocks, releases. Groups of up to 64 servers of up to 64 slots pack
        /// by masks; a group told fewer servers than join it packs by masks until it outgrows
        /// them.
        #[test]
        fn the_calendar_of_ends_changes_nothing(
            slots in prop_oneof![4 => 1u32..5, 1 => Just(64), 1 => Just(65)],
            base in 1u32..4,
            extra in prop_oneof![Just(40u32), Just(70)],
            understated in any::<bool>(),
            step_s in prop_oneof![Just(1u64), Just(30), Just(60)],
            mean_s in prop_oneof![Just(0.5f64), 1.0f64..600.0],
            steps in prop::collection::vec(
                (
                    prop::collection::vec(
                        prop_oneof![
                            4 => 1u64..200,
                            2 => 1u64..5000,
                            1 => Just(u64::MAX - 3),
                            1 => any::<u64>(),
                        ],
                        0..6,
                    ),
                    prop_oneof![3 => Just(0u32), 1 => 1u32..4],
                    prop_oneof![Just(None), (0u64..400).prop_map(Some)],
                ),
                1..120,
            ),
        ) {
            let length = SessionLength::fixed(mean_s).unwrap();
            let most = if understated { base } else { base + extra };
            let mut group = ServerGroup::new(slots, base, most, step_s, SessionConfig { length, seed: 1 });
            let mut reference = HeapGroup {
                slots,
                servers: (0..base).map(|n| (n, false, 0, Some(0))).collect(),
                next_number: base,
                ends: BinaryHeap::new(),
            };
            for (k, (lengths, joins, release)) in (0u64..).zip(steps) {
                let t_s = k * step_s;
                group.end_sessions(t_s);
                reference.end_sessions(t_s);
                if group.servers.len() + (joins as usize) <= (base + extra) as usize {
                    group.join(joins, t_s);
                    for _ in 0..joins {
                        reference.servers.push((reference.next_number, true, 0, Some(t_s)));
                        reference.next_number += 1;
                    }
                }
                for length_s in lengths {
                    prop_assert_eq!(group.place_one(length_s, t_s), reference.place_one(length_s, t_s));
                }
                if let Some(min_idle_s) = release {
                    let end_s = t_s + step_s;
                    let releasable = crate::autoscaler::ServerView::releasable(&group, end_s, min_idle_s);
                    let released = group.release_idle(end_s, min_idle_s);
                    prop_assert_eq!(releasable, released);
                    let before = reference.servers.len();
                    reference.servers.retain(|s| {
                        !(s.1 && s.2 == 0 && s.3.is_some_and(|since| end_s.saturating_sub(since) >= min_idle_s))
                    });
                    prop_assert_eq!(released as usize, before - reference.servers.len());
                }
                let servers: Vec<_> = group
                    .servers
                    .iter()
                    .map(|s| (s.number, s.scaled_out, s.sessions, s.idle_since_s))
                    .collect();
                prop_assert_eq!(&servers, &reference.servers);
                prop_assert_eq!(group.active_sessions(), reference.servers.iter().map(|s| s.2).sum::<u32>());
                prop_assert_eq!(group.scaled_out_in_service(), reference.servers.iter().filter(|s| s.1).count() as u32);
                prop_assert_eq!(
                    group.idle_scaled_out(),
                    reference.servers.iter().filter(|s| s.1 && s.2 == 0).count() as u32
                );
            }
        }
    }
}
