//! What every handler shares: the domain service and the process's readiness.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use twinstack_core::{Service, Store};

pub struct AppState<S> {
    pub service: Service<S>,
    pub readiness: Readiness,
}

impl<S: Store> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            service: self.service.clone(),
            readiness: self.readiness.clone(),
        }
    }
}

const STARTING: u8 = 0;
const READY: u8 = 1;
const DRAINING: u8 = 2;

/// Readiness for the load balancer: not ready until the store has been reached once, and not ready
/// again from the moment shutdown begins. A store lost later does not flip it: the API answers 503
/// itself, so every replica does not leave the load balancer at once.
#[derive(Clone, Debug, Default)]
pub struct Readiness(Arc<AtomicU8>);

impl Readiness {
    /// Ready from the start; for runtimes without a load balancer probe, such as Lambda.
    pub fn ready() -> Self {
        let readiness = Readiness::default();
        readiness.set_ready();
        readiness
    }

    /// Marks the store reached; has no effect once draining.
    pub fn set_ready(&self) {
        let _ = self
            .0
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    pub fn set_draining(&self) {
        self.0.store(DRAINING, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst) == READY
    }
}
