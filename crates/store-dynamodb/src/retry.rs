//! Retries the SDK does not do: transactions that lose a race (`TransactionConflict`), writes
//! whose condition went stale because another request got there first, and batch items
//! DynamoDB left unprocessed. Jittered exponential backoff, so racing requests spread out.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use twinstack_core::StoreError;

/// How often and how long to back off.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    /// Attempts in all, the first included.
    pub(crate) attempts: u32,
    pub(crate) base: Duration,
    pub(crate) cap: Duration,
}

/// For races between requests: 10 attempts sleep at most about 2.1 s in all, well inside the
/// request timeout, and spread 100 writers racing for one user item over enough time for all
/// to commit.
pub(crate) const CONTENTION: Policy = Policy {
    attempts: 10,
    base: Duration::from_millis(10),
    cap: Duration::from_millis(500),
};

/// The delays between attempts under one [`Policy`].
pub(crate) struct Backoff {
    policy: Policy,
    retries: u32,
}

impl Backoff {
    pub(crate) fn new(policy: Policy) -> Self {
        Backoff { policy, retries: 0 }
    }

    /// The delay before the next attempt, or `None` once every attempt is spent.
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        if self.retries + 1 >= self.policy.attempts {
            return None;
        }
        let ceiling = ceiling(self.policy, self.retries);
        self.retries += 1;
        // "Equal jitter": at least half the ceiling, so retries keep backing off, plus a random
        // half, so racing requests do not retry in lockstep.
        let half = ceiling / 2;
        Some(half + rand::rng().random_range(Duration::ZERO..=half))
    }

    /// Sleeps before the next attempt; `Unavailable` naming `why` once attempts are spent.
    pub(crate) async fn wait(&mut self, why: &str) -> Result<(), StoreError> {
        match self.next_delay() {
            Some(delay) => {
                tokio::time::sleep(delay).await;
                Ok(())
            }
            None => Err(StoreError::Unavailable(
                format!("gave up after {} attempts: {why}", self.policy.attempts).into(),
            )),
        }
    }
}

/// `base * 2^retry`, at most `cap`.
fn ceiling(policy: Policy, retry: u32) -> Duration {
    policy
        .base
        .saturating_mul(2u32.saturating_pow(retry))
        .min(policy.cap)
}

/// What one attempt of a retried operation came to.
pub(crate) enum Attempt<T> {
    Done(T),
    /// Lost a race; says which, for the error when attempts run out.
    Again(&'static str),
}

/// Runs `attempt` until it is done, backing off under [`CONTENTION`] in between.
pub(crate) async fn until_done<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, StoreError>>,
{
    let mut backoff = Backoff::new(CONTENTION);
    loop {
        match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Again(why) => backoff.wait(why).await?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_base_up_to_the_cap_within_the_jitter() {
        let mut backoff = Backoff::new(CONTENTION);
        let mut delays = Vec::new();
        while let Some(delay) = backoff.next_delay() {
            delays.push(delay);
        }

        assert_eq!(delays.len(), 9, "10 attempts, 9 waits");
        for (retry, delay) in delays.iter().enumerate() {
            let ceiling = ceiling(CONTENTION, retry as u32);
            assert!(
                *delay >= ceiling / 2 && *delay <= ceiling,
                "{retry}: {delay:?}"
            );
        }
        assert_eq!(ceiling(CONTENTION, 0), Duration::from_millis(10));
        assert_eq!(ceiling(CONTENTION, 3), Duration::from_millis(80));
        assert_eq!(ceiling(CONTENTION, 8), Duration::from_millis(500));
        assert_eq!(ceiling(CONTENTION, 40), Duration::from_millis(500));
        assert!(delays.iter().sum::<Duration>() <= Duration::from_millis(2_130));
    }

    #[tokio::test(start_paused = true)]
    async fn until_done_retries_lost_races_and_gives_up_as_unavailable() {
        let mut calls = 0;
        let done = until_done(|| {
            calls += 1;
            let outcome = if calls < 3 {
                Attempt::Again("raced")
            } else {
                Attempt::Done(calls)
            };
            async move { Ok(outcome) }
        })
        .await;
        let never = until_done(|| async { Ok(Attempt::<()>::Again("raced")) }).await;

        assert_eq!(done.unwrap(), 3);
        let Err(StoreError::Unavailable(why)) = never else {
            panic!("not unavailable: {never:?}");
        };
        assert!(why.to_string().contains("raced"), "{why}");
    }
}
