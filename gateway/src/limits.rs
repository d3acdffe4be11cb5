//! Bounds on what clients can make the gateway do: concurrent sessions, and password guessing
//! (failed sign-ins per client address, with a growing wait).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::lock;
use std::time::{Duration, Instant};

use yubin_protocol::{ApiError, ErrorKind};

/// Counts open sessions; a [`SessionSlot`] frees its place when dropped.
#[derive(Debug, Default)]
pub struct SessionCounter {
    open: Arc<AtomicUsize>,
}

pub struct SessionSlot {
    open: Arc<AtomicUsize>,
}

impl SessionCounter {
    /// A place for one more session, unless `max` are open.
    pub fn try_open(&self, max: usize) -> Option<SessionSlot> {
        let mut current = self.open.load(Ordering::Relaxed);
        loop {
            if current >= max {
                return None;
            }
            match self.open.compare_exchange(current, current + 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(SessionSlot { open: self.open.clone() }),
                Err(now) => current = now,
            }
        }
    }

    /// Sessions open now.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Sessions not signed in yet, per client address: one client must not hold every place.
#[derive(Debug, Default)]
pub struct UnsignedSessions {
    by_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// A not-yet-signed-in session's place; dropped at the first sign-in or when the session ends.
#[derive(Debug)]
pub struct UnsignedSlot {
    by_client: Arc<Mutex<HashMap<IpAddr, usize>>>,
    client: IpAddr,
}

impl UnsignedSessions {
    /// A place for one more unsigned session from `client`, unless it has `max` already.
    pub fn try_open(&self, client: IpAddr, max: usize) -> Option<UnsignedSlot> {
        let mut by_client = lock(&self.by_client);
        let count = by_client.entry(client).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(UnsignedSlot { by_client: self.by_client.clone(), client })
    }

    /// Unsigned sessions open from `client` now.
    pub fn open(&self, client: IpAddr) -> usize {
        lock(&self.by_client).get(&client).copied().unwrap_or(0)
    }
}

impl Drop for UnsignedSlot {
    fn drop(&mut self) {
        let mut by_client = lock(&self.by_client);
        if let Some(count) = by_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                by_client.remove(&self.client);
            }
        }
    }
}

/// Failed sign-ins, counted per account and client address, and per client address alone.
/// After the free failures of either, each further attempt must wait, twice as long each time
/// (30 s, 1 min, 2 min … at most 15 min); a quiet quarter of an hour clears a record, and a
/// success clears its own account's record only — so signing in to one's own account does
/// not reset the guesses made at somebody else's.
///
/// An attempt is reserved before it reaches the server and counts as a failure until it is
/// known not to be one, so attempts sent at once cannot all slip in before the first result.
/// The upstream server has its own protection; this one keeps the gateway from being a fast
/// lane for guessing.
#[derive(Debug)]
pub struct LoginThrottle {
    free_per_account: u32,
    free_per_client: u32,
    records: Mutex<HashMap<ThrottleKey, Failures>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ThrottleKey {
    Client(IpAddr),
    Account(IpAddr, String),
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    /// Attempts reserved and not yet finished.
    pending: u32,
    last: Instant,
}

/// How a sign-in attempt ended, for the throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    WrongPassword,
    /// The server could not be asked (unreachable, refused): no guess was made.
    NotTried,
}

/// A reserved sign-in attempt; [`SignInAttempt::finish`] records how it went. Dropped
/// unfinished (the session ended under it), it is released as not tried.
pub struct SignInAttempt<'t> {
    throttle: &'t LoginThrottle,
    keys: [ThrottleKey; 2],
    finished: bool,
}

const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// Most records kept; the oldest go first when full.
const MAX_TRACKED: usize = 100_000;

impl LoginThrottle {
    pub fn new(free_per_account: u32, free_per_client: u32) -> Self {
        Self { free_per_account, free_per_client, records: Mutex::default() }
    }

    /// Reserves a sign-in to `account` (server and login name) from `client`, or refuses it
    /// when it comes too soon after too many failures.
    pub fn begin(&self, client: IpAddr, account: &str) -> Result<SignInAttempt<'_>, ApiError> {
        let keys = [ThrottleKey::Account(client, account.to_lowercase()), ThrottleKey::Client(client)];
        let mut records = lock(&self.records);
        for key in &keys {
            let Some(record) = records.get(key) else { continue };
            let wait = wait_after(record.count + record.pending, self.free(key));
            let waited = record.last.elapsed();
            if waited < wait {
                let left = (wait - waited).as_secs().max(1);
                return Err(ApiError::new(
                    ErrorKind::Refused,
                    format!("Too many failed sign-ins from your address. Try again in {left} s."),
                ));
            }
        }
        if records.len() >= MAX_TRACKED {
            records.retain(|_, r| r.pending > 0 || r.last.elapsed() < LONGEST_WAIT);
        }
        for key in &keys {
            let record = records.entry(key.clone()).or_insert(Failures { count: 0, pending: 0, last: Instant::now() });
            if record.pending == 0 && record.last.elapsed() > LONGEST_WAIT {
                record.count = 0;
            }
            record.pending += 1;
            record.last = Instant::now();
        }
        Ok(SignInAttempt { throttle: self, keys, finished: false })
    }

    fn free(&self, key: &ThrottleKey) -> u32 {
        match key {
            ThrottleKey::Client(_) => self.free_per_client,
            ThrottleKey::Account(..) => self.free_per_account,
        }
    }

    fn settle(&self, keys: &[ThrottleKey; 2], outcome: Outcome) {
        let mut records = lock(&self.records);
        for key in keys {
            let Some(record) = records.get_mut(key) else { continue };
            record.pending = record.pending.saturating_sub(1);
            match outcome {
                Outcome::WrongPassword => {
                    record.count += 1;
                    record.last = Instant::now();
                }
                Outcome::Succeeded if matches!(key, ThrottleKey::Account(..)) => record.count = 0,
                Outcome::Succeeded | Outcome::NotTried => {}
            }
            if record.count == 0 && record.pending == 0 {
                records.remove(key);
            }
        }
    }
}

impl SignInAttempt<'_> {
    pub fn finish(mut self, outcome: Outcome) {
        self.finished = true;
        self.throttle.settle(&self.keys, outcome);
    }
}

impl Drop for SignInAttempt<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.throttle.settle(&self.keys, Outcome::NotTried);
        }
    }
}

fn wait_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(10);
    (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_capped_and_freed() {
        let counter = SessionCounter::default();
        let a = counter.try_open(2).unwrap();
        let _b = counter.try_open(2).unwrap();
        assert!(counter.try_open(2).is_none());
        drop(a);
        assert!(counter.try_open(2).is_some());
    }

    #[test]
    fn unsigned_sessions_are_capped_per_client() {
        let unsigned = UnsignedSessions::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = unsigned.try_open(a, 2).unwrap();
        let _second = unsigned.try_open(a, 2).unwrap();
        assert!(unsigned.try_open(a, 2).is_none());
        assert!(unsigned.try_open(b, 2).is_some(), "other clients are not affected");
        drop(first);
        assert!(unsigned.try_open(a, 2).is_some());
    }

    const ALICE: &str = "demo:alice@example.test";
    const BOB: &str = "demo:bob@example.test";

    fn fail(throttle: &LoginThrottle, ip: IpAddr, account: &str) {
        throttle.begin(ip, account).unwrap().finish(Outcome::WrongPassword);
    }

    #[test]
    fn guessing_is_slowed_per_account_and_address() {
        let throttle = LoginThrottle::new(3, 10);
        let (guesser, other): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            fail(&throttle, guesser, ALICE);
        }
        let err = throttle.begin(guesser, ALICE).err().unwrap();
        assert!(err.message.contains("Too many failed sign-ins"), "{err}");
        throttle.begin(other, ALICE).unwrap().finish(Outcome::Succeeded);
        assert_eq!(wait_after(3, 3), FIRST_WAIT);
        assert_eq!(wait_after(4, 3), FIRST_WAIT * 2);
        assert_eq!(wait_after(30, 3), LONGEST_WAIT);
    }

    #[test]
    fn a_success_clears_only_its_own_account() {
        let throttle = LoginThrottle::new(3, 10);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            fail(&throttle, ip, BOB);
        }
        // Signing in to one's own account does not reset the guesses at Bob's.
        throttle.begin(ip, ALICE).unwrap().finish(Outcome::Succeeded);
        assert!(throttle.begin(ip, BOB).is_err());
        // The address as a whole is throttled too: many accounts, a few guesses each.
        let throttle = LoginThrottle::new(3, 4);
        for n in 0..4 {
            fail(&throttle, ip, &format!("demo:user{n}"));
        }
        assert!(throttle.begin(ip, "demo:user9").is_err(), "per-address limit");
    }

    #[test]
    fn attempts_in_flight_count_before_their_result() {
        let throttle = LoginThrottle::new(3, 10);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| throttle.begin(ip, ALICE).unwrap()).collect();
        assert!(throttle.begin(ip, ALICE).is_err(), "a fourth at once is refused");
        // Attempts that never reached a verdict are released.
        drop(held);
        assert!(throttle.begin(ip, ALICE).is_ok());
    }
}
