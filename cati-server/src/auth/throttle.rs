//! The login throttle: exponential back-off after failed logins, which an outsider cannot turn
//! into a lock-out of someone else.
//!
//! Failures are counted three ways, each with its own allowance before waits begin:
//! - per client address and user name ([`Scope::Pair`], 5 failures): a person who mistyped,
//!   or a guesser working on one account from one place;
//! - per client address ([`Scope::Client`], 20 failures, any names): a guesser trying names;
//! - per user name ([`Scope::Name`], 20 failures, any addresses): guessers spread over many
//!   addresses.
//!
//! Past its allowance each further failure doubles the wait (30 s, 1 min, 2 min… up to 15 min),
//! and attempts during a wait are refused without checking the password (no hashing cost,
//! nothing counted). The last two scopes never stop a client that has already logged in
//! successfully as that user from that address: so failures sent from elsewhere cannot keep a
//! user out of their own account at their usual workstation, which is what a hard lock allowed.
//!
//! The state is in memory, per instance (several instances each count on their own, which
//! multiplies the allowances by their number), bounded to [`LoginPolicy::max_entries`] records:
//! when full, records whose failures are forgotten go first, then the oldest.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::client::ClientAddress;

/// The allowances and waits of the throttle.
#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    /// Failures of one user name from one address before waits begin.
    pub pair_allowance: u32,
    /// Failures from one address, any user names, before waits begin.
    pub client_allowance: u32,
    /// Failures on one user name, any addresses, before waits begin.
    pub name_allowance: u32,
    /// The first wait; each further failure doubles it.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
    /// Failures older than this (with no wait running) are forgotten.
    pub forget_after: Duration,
    /// How long a successful login keeps its address known for its user name.
    pub remember_success: Duration,
    /// Records kept at most (failure counts and known addresses, each).
    pub max_entries: usize,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            pair_allowance: 5,
            client_allowance: 20,
            name_allowance: 20,
            first_wait: Duration::from_secs(30),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: Duration::from_secs(60 * 60),
            remember_success: Duration::from_secs(30 * 24 * 60 * 60),
            max_entries: 100_000,
        }
    }
}

/// What failures are counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One user name from one address.
    Pair,
    /// One address, any user names.
    Client,
    /// One user name, any addresses.
    Name,
}

impl Scope {
    /// The French description, for the audit log.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Pair => "cet identifiant depuis cette adresse",
            Scope::Client => "cette adresse, tous identifiants",
            Scope::Name => "cet identifiant, toutes adresses",
        }
    }
}

/// A wait that has just begun, to record in the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// What the failures were counted against.
    pub scope: Scope,
    /// Failures counted so far.
    pub failures: u32,
    /// How long attempts are refused.
    pub wait: Duration,
}

/// The wait after `failures` failures with `allowance` free ones: none within the allowance,
/// then `first` doubled at each further failure, at most `max`.
pub fn wait_after(
    failures: u32,
    allowance: u32,
    first: Duration,
    max: Duration,
) -> Option<Duration> {
    let beyond = failures.checked_sub(allowance)?;
    let factor = 1u32.checked_shl(beyond).unwrap_or(u32::MAX);
    Some(first.saturating_mul(factor).min(max))
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(ClientAddress, String),
    Client(ClientAddress),
    Name(String),
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    last_failure: Instant,
    blocked_until: Option<Instant>,
}

#[derive(Default)]
struct State {
    records: HashMap<Key, Record>,
    /// When each (address, user name) last logged in successfully.
    known: HashMap<(ClientAddress, String), Instant>,
}

/// Failed logins counted per address, user name and both.
pub struct LoginThrottle {
    policy: LoginPolicy,
    state: Mutex<State>,
}

impl LoginThrottle {
    /// An empty throttle.
    pub fn new(policy: LoginPolicy) -> LoginThrottle {
        LoginThrottle {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long `client` must still wait before trying `username`; `None` when it may try now.
    pub fn wait(&self, client: ClientAddress, username: &str, now: Instant) -> Option<Duration> {
        let state = self.state();
        let known = self.is_known(&state, client, username, now);
        self.keys(client, username)
            .into_iter()
            .filter(|(scope, _)| *scope == Scope::Pair || !known)
            .filter_map(|(_, key)| state.records.get(&key)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max()
    }

    /// Counts a failed login; returns the waits this failure began.
    pub fn failed(&self, client: ClientAddress, username: &str, now: Instant) -> Vec<Backoff> {
        let policy = self.policy;
        let mut state = self.state();
        let mut begun = Vec::new();
        for (scope, key) in self.keys(client, username) {
            if !state.records.contains_key(&key) && state.records.len() >= policy.max_entries {
                prune_records(&mut state.records, &policy, now);
            }
            let record = state.records.entry(key).or_insert(Record {
                failures: 0,
                last_failure: now,
                blocked_until: None,
            });
            let waiting = record.blocked_until.is_some_and(|until| until > now);
            if !waiting && now.duration_since(record.last_failure) > policy.forget_after {
                record.failures = 0;
            }
            record.failures = record.failures.saturating_add(1);
            record.last_failure = now;
            let allowance = match scope {
                Scope::Pair => policy.pair_allowance,
                Scope::Client => policy.client_allowance,
                Scope::Name => policy.name_allowance,
            };
            if let Some(wait) = wait_after(
                record.failures,
                allowance,
                policy.first_wait,
                policy.max_wait,
            ) {
                record.blocked_until = Some(now + wait);
                begun.push(Backoff {
                    scope,
                    failures: record.failures,
                    wait,
                });
            }
        }
        begun
    }

    /// Forgets the failures of `username` from `client`, and remembers that this address
    /// logs in as this user.
    pub fn succeeded(&self, client: ClientAddress, username: &str, now: Instant) {
        let policy = self.policy;
        let mut state = self.state();
        state
            .records
            .remove(&Key::Pair(client, username.to_owned()));
        let pair = (client, username.to_owned());
        if !state.known.contains_key(&pair) && state.known.len() >= policy.max_entries {
            state
                .known
                .retain(|_, at| now.duration_since(*at) <= policy.remember_success);
            if state.known.len() >= policy.max_entries {
                let mut ages: Vec<Instant> = state.known.values().copied().collect();
                ages.sort_unstable();
                let cutoff = ages[ages.len() / 2];
                state.known.retain(|_, at| *at > cutoff);
            }
        }
        state.known.insert(pair, now);
    }

    /// Whether `client` has logged in successfully as `username` recently (its usual
    /// workstation).
    pub fn knows(&self, client: ClientAddress, username: &str, now: Instant) -> bool {
        let state = self.state();
        self.is_known(&state, client, username, now)
    }

    /// Records held, failure counts and known addresses together.
    pub fn len(&self) -> usize {
        let state = self.state();
        state.records.len() + state.known.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn is_known(&self, state: &State, client: ClientAddress, username: &str, now: Instant) -> bool {
        state
            .known
            .get(&(client, username.to_owned()))
            .is_some_and(|at| now.duration_since(*at) <= self.policy.remember_success)
    }

    fn keys(&self, client: ClientAddress, username: &str) -> [(Scope, Key); 3] {
        [
            (Scope::Pair, Key::Pair(client, username.to_owned())),
            (Scope::Client, Key::Client(client)),
            (Scope::Name, Key::Name(username.to_owned())),
        ]
    }
}

/// Makes room: drops the records whose failures are forgotten, then, if still full, the older
/// half (so that pruning happens once per many insertions, not at each).
fn prune_records(records: &mut HashMap<Key, Record>, policy: &LoginPolicy, now: Instant) {
    records.retain(|_, record| {
        record.blocked_until.is_some_and(|until| until > now)
            || now.duration_since(record.last_failure) <= policy.forget_after
    });
    if records.len() >= policy.max_entries {
        let mut ages: Vec<Instant> = records.values().map(|r| r.last_failure).collect();
        ages.sort_unstable();
        let cutoff = ages[ages.len() / 2];
        records.retain(|_, record| record.last_failure > cutoff);
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn client(address: IpAddr) -> ClientAddress {
        ClientAddress(Some(address))
    }

    fn at(start: Instant, seconds: u64) -> Instant {
        start + Duration::from_secs(seconds)
    }

    fn address(last: u8) -> ClientAddress {
        client(IpAddr::from([192, 0, 2, last]))
    }

    #[test]
    fn waits_double_past_the_allowance_up_to_the_maximum() {
        let first = Duration::from_secs(30);
        let max = Duration::from_secs(900);
        assert_eq!(wait_after(4, 5, first, max), None);
        assert_eq!(wait_after(5, 5, first, max), Some(first));
        assert_eq!(wait_after(6, 5, first, max), Some(Duration::from_secs(60)));
        assert_eq!(wait_after(9, 5, first, max), Some(Duration::from_secs(480)));
        assert_eq!(wait_after(10, 5, first, max), Some(max));
        assert_eq!(wait_after(u32::MAX, 5, first, max), Some(max));
    }

    #[test]
    fn a_mistyping_user_waits_after_five_failures_and_the_wait_ends() {
        let throttle = LoginThrottle::new(LoginPolicy::default());
        let start = Instant::now();
        for _ in 0..4 {
            assert!(throttle.failed(address(1), "enq", start).is_empty());
        }
        assert_eq!(throttle.wait(address(1), "enq", start), None);
        let begun = throttle.failed(address(1), "enq", start);
        assert_eq!(
            begun,
            vec![Backoff {
                scope: Scope::Pair,
                failures: 5,
                wait: Duration::from_secs(30)
            }]
        );
        assert_eq!(
            throttle.wait(address(1), "enq", at(start, 10)),
            Some(Duration::from_secs(20))
        );
        assert_eq!(throttle.wait(address(1), "enq", at(start, 31)), None);
        // Another address is not held back by this one's failures.
        assert_eq!(throttle.wait(address(2), "enq", start), None);
    }

    #[test]
    fn failures_from_elsewhere_never_keep_a_known_workstation_out() {
        let throttle = LoginThrottle::new(LoginPolicy::default());
        let start = Instant::now();
        throttle.succeeded(address(1), "admin", start);
        assert!(throttle.knows(address(1), "admin", start));
        assert!(!throttle.knows(address(2), "admin", start));
        // An outsider spread over many addresses tries the name again and again.
        for n in 0..200u32 {
            let outsider = client(IpAddr::from([198, 51, 100, (n % 250) as u8]));
            throttle.failed(outsider, "admin", at(start, u64::from(n)));
        }
        let later = at(start, 200);
        assert!(throttle.wait(address(9), "admin", later).is_some());
        assert_eq!(throttle.wait(address(1), "admin", later), None);
    }

    #[test]
    fn a_guesser_trying_names_from_one_address_is_held_back() {
        let throttle = LoginThrottle::new(LoginPolicy::default());
        let start = Instant::now();
        for n in 0..20 {
            throttle.failed(address(7), &format!("enqueteur{n}"), start);
        }
        assert!(throttle.wait(address(7), "enqueteur99", start).is_some());
    }

    #[test]
    fn old_failures_are_forgotten() {
        let throttle = LoginThrottle::new(LoginPolicy::default());
        let start = Instant::now();
        for _ in 0..4 {
            throttle.failed(address(1), "enq", start);
        }
        let begun = throttle.failed(address(1), "enq", at(start, 2 * 3600));
        assert!(begun.is_empty(), "{begun:?}");
    }

    #[test]
    fn the_state_stays_bounded_under_a_flood_of_names() {
        let policy = LoginPolicy {
            max_entries: 1000,
            ..LoginPolicy::default()
        };
        let throttle = LoginThrottle::new(policy);
        let start = Instant::now();
        for n in 0..20_000u32 {
            let from = client(IpAddr::from(n.to_be_bytes()));
            throttle.failed(from, &format!("inconnu{n}"), start);
            throttle.succeeded(from, &format!("connu{n}"), start);
        }
        assert!(throttle.len() <= 2 * 1000 + 3, "{}", throttle.len());
    }
}
