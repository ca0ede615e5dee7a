//! A store's circuit breaker: once a call has found the store down, the calls after it are refused
//! at once (their 503 is immediate) instead of each waiting out a connect or acquire timeout, and
//! one caller at a time probes whether the store is back.
//!
//! - **Closed**: every call goes through. A call that finds the store down opens the breaker with
//!   its probe due at once: one failure may be one dead connection, which the next call finds out.
//! - **Open**: calls are refused until the probe is due; then one caller becomes the probe.
//! - **Probing**: the probe runs; everyone else is still refused. A probe that reaches the store
//!   closes the breaker, one that finds it down opens it for the cooldown, and one that ends
//!   without a verdict (its request was cancelled) leaves the probe to the next caller.
//!
//! Any call that reaches the store closes the breaker. Written here rather than taken from
//! `failsafe` or `recloser`: their half-open state lets every caller through, so during an outage
//! each of them would again wait out its timeout.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The breaker; cloning shares it.
#[derive(Clone, Debug)]
pub struct Breaker(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    cooldown: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Closed,
    Open { probe_at: Instant },
    Probing,
}

/// Leave to make one call; say how it went with [`Permit::reached`] or [`Permit::unreachable`].
#[derive(Debug)]
#[must_use = "a permit settles the breaker only through its verdict"]
pub struct Permit {
    breaker: Breaker,
    probe: bool,
    settled: bool,
}

/// A call refused because the store was found down moments ago.
#[derive(Debug, thiserror::Error)]
#[error("failing fast: the store was unreachable moments ago and is being probed")]
pub struct Refused;

impl Breaker {
    /// Closed; once tripped, a failed probe waits `cooldown` before the next.
    pub fn new(cooldown: Duration) -> Self {
        Breaker(Arc::new(Shared {
            state: Mutex::new(State::Closed),
            cooldown,
        }))
    }

    /// Leave to call the store, unless it was found down and is not due for a probe.
    pub fn admit(&self) -> Result<Permit, Refused> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Result<Permit, Refused> {
        let mut state = self.lock();
        let probe = match *state {
            State::Closed => false,
            State::Open { probe_at } if probe_at <= now => {
                *state = State::Probing;
                true
            }
            State::Open { .. } | State::Probing => return Err(Refused),
        };
        Ok(Permit {
            breaker: self.clone(),
            probe,
            settled: false,
        })
    }

    /// Whether calls go through without a probe.
    pub fn is_closed(&self) -> bool {
        *self.lock() == State::Closed
    }

    /// A poisoned lock still holds a valid state: every transition is one assignment.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Permit {
    /// Whether this call is the probe: the one call let through while the breaker is open.
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    /// The store answered (with data, or with an error of its own): it is up.
    pub fn reached(self) {
        self.settle(true, Instant::now());
    }

    /// The store could not be reached (refused, lost, timed out): it is down.
    pub fn unreachable(self) {
        self.settle(false, Instant::now());
    }

    fn settle(mut self, reached: bool, now: Instant) {
        self.settled = true;
        let mut state = self.breaker.lock();
        *state = match (*state, reached) {
            (_, true) => State::Closed,
            (_, false) if self.probe => State::Open {
                probe_at: now + self.breaker.0.cooldown,
            },
            (State::Closed, false) => State::Open { probe_at: now },
            (open_or_probing, false) => open_or_probing,
        };
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.probe && !self.settled {
            let mut state = self.breaker.lock();
            if *state == State::Probing {
                *state = State::Open {
                    probe_at: Instant::now(),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOLDOWN: Duration = Duration::from_millis(250);

    fn tripped(breaker: &Breaker) {
        breaker.admit().unwrap().unreachable();
    }

    #[test]
    fn a_closed_breaker_lets_every_call_through() {
        let breaker = Breaker::new(COOLDOWN);

        let first = breaker.admit().unwrap();
        let second = breaker.admit().unwrap();

        assert!(!first.is_probe() && !second.is_probe());
        assert!(breaker.is_closed());
    }

    #[test]
    fn a_failure_lets_the_next_call_probe_at_once_and_refuses_the_rest_meanwhile() {
        let breaker = Breaker::new(COOLDOWN);
        tripped(&breaker);

        let probe = breaker.admit().unwrap();
        let meanwhile = breaker.admit();

        assert!(probe.is_probe());
        assert!(meanwhile.is_err());
    }

    #[test]
    fn a_probe_that_reaches_the_store_closes_the_breaker() {
        let breaker = Breaker::new(COOLDOWN);
        tripped(&breaker);

        breaker.admit().unwrap().reached();

        assert!(breaker.is_closed());
        assert!(!breaker.admit().unwrap().is_probe());
    }

    #[test]
    fn a_failed_probe_refuses_calls_for_the_cooldown_then_admits_one_probe() {
        let breaker = Breaker::new(COOLDOWN);
        tripped(&breaker);
        let failed_at = Instant::now();
        breaker
            .admit_at(failed_at)
            .unwrap()
            .settle(false, failed_at);

        let during = breaker.admit_at(failed_at + COOLDOWN / 2);
        let after = breaker.admit_at(failed_at + COOLDOWN).unwrap();
        let beside = breaker.admit_at(failed_at + COOLDOWN);

        assert!(during.is_err());
        assert!(after.is_probe());
        assert!(beside.is_err(), "one probe at a time");
    }

    #[test]
    fn a_probe_dropped_without_a_verdict_leaves_the_probe_to_the_next_caller() {
        let breaker = Breaker::new(COOLDOWN);
        tripped(&breaker);

        drop(breaker.admit().unwrap());

        assert!(breaker.admit().unwrap().is_probe());
    }

    #[test]
    fn failures_of_calls_admitted_before_the_trip_do_not_postpone_the_probe() {
        let breaker = Breaker::new(COOLDOWN);
        let earlier = breaker.admit().unwrap();
        tripped(&breaker);

        earlier.unreachable();

        assert!(breaker.admit().unwrap().is_probe());
    }

    #[test]
    fn any_call_that_reaches_the_store_closes_the_breaker() {
        let breaker = Breaker::new(COOLDOWN);
        let earlier = breaker.admit().unwrap();
        tripped(&breaker);
        let probe = breaker.admit().unwrap();

        earlier.reached();
        drop(probe);

        assert!(breaker.is_closed());
    }
}
