//! Counters read while the run is going: the `--max-in-flight` cap and the progress bar.
//! Relaxed atomics: they steer a cap and a display, nothing is ordered by them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Live {
    in_flight: AtomicU64,
    requests: AtomicU64,
    errors: AtomicU64,
}

/// Held by a running virtual user; dropping it (finished or aborted) frees its slot.
pub struct InFlight(Arc<Live>);

impl Live {
    /// Takes a slot for one virtual user.
    pub fn enter(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    pub fn count_request(&self, failed: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}
