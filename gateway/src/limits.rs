//! Bounds on what clients can make the gateway do: concurrent sessions, and password guessing
//! (failed sign-ins per client address, with a growing wait).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

/// Failed sign-ins per client address. After `free` failures, each further attempt must wait,
/// twice as long each time (30 s, 1 min, 2 min … at most 15 min); a success or a quiet
/// quarter of an hour clears the record. The upstream server has its own protection; this one
/// keeps the gateway from being a fast lane for guessing.
#[derive(Debug)]
pub struct LoginThrottle {
    free: u32,
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// Most addresses remembered; the oldest records go first when full.
const MAX_TRACKED: usize = 100_000;

impl LoginThrottle {
    pub fn new(free: u32) -> Self {
        Self { free, failures: Mutex::default() }
    }

    /// Refuses a sign-in from `ip` that comes too soon after too many failures.
    pub fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        let failures = self.failures.lock().expect("throttle lock");
        let Some(record) = failures.get(&ip) else { return Ok(()) };
        let wait = self.wait_after(record.count);
        let waited = record.last.elapsed();
        if waited < wait {
            let left = (wait - waited).as_secs().max(1);
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!("Too many failed sign-ins from your address. Try again in {left} s."),
            ));
        }
        Ok(())
    }

    pub fn record(&self, ip: IpAddr, succeeded: bool) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if succeeded {
            failures.remove(&ip);
            return;
        }
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, f| f.last.elapsed() < LONGEST_WAIT);
        }
        let record = failures.entry(ip).or_insert(Failures { count: 0, last: Instant::now() });
        if record.last.elapsed() > LONGEST_WAIT {
            record.count = 0;
        }
        record.count += 1;
        record.last = Instant::now();
    }

    fn wait_after(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free).min(10);
        (FIRST_WAIT * 2u32.pow(doublings)).min(LONGEST_WAIT)
    }
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
    fn guessing_is_slowed_per_address_and_success_clears_it() {
        let throttle = LoginThrottle::new(3);
        let (guesser, other): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..3 {
            throttle.check(guesser).unwrap();
            throttle.record(guesser, false);
        }
        let err = throttle.check(guesser).unwrap_err();
        assert!(err.message.contains("Too many failed sign-ins"), "{err}");
        throttle.check(other).unwrap();
        assert_eq!(throttle.wait_after(3), FIRST_WAIT);
        assert_eq!(throttle.wait_after(4), FIRST_WAIT * 2);
        assert_eq!(throttle.wait_after(30), LONGEST_WAIT);
        throttle.record(guesser, true);
        throttle.check(guesser).unwrap();
    }
}
