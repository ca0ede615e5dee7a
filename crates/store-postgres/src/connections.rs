//! The store's connections: sqlx `PgConnection`s in a deadpool pool, because sqlx's own pool pings
//! every connection it takes back, a second round trip per query. Here a returned connection is
//! checked without the network: it is reused unless its operation did not run to its end. A
//! future dropped mid-query (a request timeout) leaves the wire protocol in an unknown state, which
//! is why sqlx pings; such a connection is closed instead.
//!
//! A breaker ([`twinstack_breaker`]) sits in front of the pool: once a call has found the database
//! out of reach, the calls after it answer `Unavailable` at once, while one call at a time probes
//! with a single connection attempt, so a down database costs each request microseconds rather
//! than the acquire timeout.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, Object, Pool, PoolError, RecycleError, RecycleResult};
use sqlx::{ConnectOptions, PgConnection, PgPool};
use twinstack_breaker::{Breaker, Permit};
use twinstack_core::StoreError;

use crate::error::{classify, is_outage};

pub use deadpool::Status as PoolStatus;

/// Takes an idle connection from the sqlx pool or else opens one with its connect options, in one
/// attempt (sqlx's own acquire retries a refused connection until its timeout; here the breaker
/// decides when to try again), detached from it; they keep its idle timeout and maximum lifetime.
#[derive(Debug)]
pub(crate) struct Opener {
    source: PgPool,
    idle_timeout: Option<Duration>,
    max_lifetime: Option<Duration>,
}

/// A pooled connection and whether an operation on it has started and not finished.
#[derive(Debug)]
pub(crate) struct Tracked {
    connection: PgConnection,
    in_flight: bool,
}

impl managed::Manager for Opener {
    type Type = Tracked;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Tracked, sqlx::Error> {
        let connection = match self.source.try_acquire() {
            Some(idle) => idle.detach(),
            None => self.source.connect_options().connect().await?,
        };
        Ok(Tracked {
            connection,
            in_flight: false,
        })
    }

    async fn recycle(
        &self,
        tracked: &mut Tracked,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if tracked.in_flight {
            return Err(RecycleError::message("its last operation was cancelled"));
        }
        if self
            .idle_timeout
            .is_some_and(|idle| metrics.last_used() >= idle)
            || self.max_lifetime.is_some_and(|max| metrics.age() >= max)
        {
            return Err(RecycleError::message("idle or open for too long"));
        }
        Ok(())
    }
}

/// The pool and its breaker. Cloning shares them.
#[derive(Clone, Debug)]
pub(crate) struct Connections {
    pool: Pool<Opener>,
    breaker: Breaker,
}

/// How long a failed probe keeps every call refused: a probe is one connection attempt, so
/// probing often is cheap, and the database is back in use within this of its return.
const PROBE_INTERVAL: Duration = Duration::from_millis(200);

impl Connections {
    /// As many connections as `source` allows, waited for (and each connected within) as long as
    /// it waits.
    pub(crate) fn new(source: PgPool) -> Self {
        let options = source.options();
        let max_size = options.get_max_connections() as usize;
        let wait = options.get_acquire_timeout();
        let opener = Opener {
            idle_timeout: options.get_idle_timeout(),
            max_lifetime: options.get_max_lifetime(),
            source,
        };
        let pool = Pool::builder(opener)
            .max_size(max_size)
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .runtime(Runtime::Tokio1)
            .build()
            .expect("a pool with a runtime for its timeouts builds");
        Connections {
            pool,
            breaker: Breaker::new(PROBE_INTERVAL),
        }
    }

    /// A connection for one operation, or `Unavailable` at once while the breaker is open; see
    /// [`Lease::finish`].
    pub(crate) async fn lease(&self) -> Result<Lease<'_>, StoreError> {
        let permit = self
            .breaker
            .admit()
            .map_err(|refused| StoreError::Unavailable(Box::new(refused)))?;
        match self.pool.get().await {
            Ok(mut object) => {
                object.in_flight = true;
                Ok(Lease {
                    object,
                    permit,
                    connections: self,
                })
            }
            Err(error) => {
                let error = match error {
                    PoolError::Backend(error) => classify(error),
                    PoolError::Timeout(_) | PoolError::Closed => {
                        StoreError::Unavailable(Box::new(error))
                    }
                    other => StoreError::Internal(Box::new(other)),
                };
                self.judge(permit, &error);
                Err(error)
            }
        }
    }

    /// Tells the breaker whether the database was reached. A probe that failed may have failed on
    /// an idle connection that died with the database: the idle ones go, so the next probe opens
    /// a new connection rather than trying the next dead one.
    fn judge(&self, permit: Permit, error: &StoreError) {
        if !is_outage(error) {
            permit.reached();
            return;
        }
        if permit.is_probe() {
            self.pool.retain(|_, _| false);
        }
        permit.unreachable();
    }

    pub(crate) fn status(&self) -> PoolStatus {
        self.pool.status()
    }

    /// Closes the idle connections and refuses new leases.
    pub(crate) fn close(&self) {
        self.pool.close();
    }
}

/// A leased connection. Dropped without [`Lease::finish`] (the operation's future was dropped), it
/// goes back marked in flight and the pool closes it instead of lending it again.
pub(crate) struct Lease<'a> {
    object: Object<Opener>,
    permit: Permit,
    connections: &'a Connections,
}

impl Lease<'_> {
    /// Ends the operation that returned `outcome` and tells the breaker how it went. Success and
    /// domain errors leave the connection ready for the next query; any other failure (connection
    /// lost, timeout, a row the domain rejects) closes it.
    pub(crate) fn finish<T>(self, outcome: Result<T, StoreError>) -> Result<T, StoreError> {
        let Lease {
            mut object,
            permit,
            connections,
        } = self;
        match &outcome {
            Ok(_)
            | Err(StoreError::EmailTaken | StoreError::UserNotFound | StoreError::UserHasOrders) => {
                object.in_flight = false;
            }
            Err(StoreError::Unavailable(_) | StoreError::Internal(_)) => {
                drop(Object::take(object));
            }
        }
        match &outcome {
            Ok(_) => permit.reached(),
            Err(error) => connections.judge(permit, error),
        }
        outcome
    }
}

impl Deref for Lease<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.object.connection
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.object.connection
    }
}

#[cfg(test)]
mod tests {
    use sqlx::postgres::PgPoolOptions;

    use super::*;

    /// One connection at most, so every lease gets the same one unless it was closed.
    fn one_connection() -> Connections {
        let url = twinstack_local_stack::shared().url();
        Connections::new(
            PgPoolOptions::new()
                .max_connections(1)
                .connect_lazy(url)
                .unwrap(),
        )
    }

    async fn backend_pid(connections: &Connections) -> i32 {
        let mut lease = connections.lease().await.unwrap();
        let pid = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *lease)
            .await
            .map_err(classify);
        lease.finish(pid).unwrap()
    }

    #[tokio::test]
    async fn a_finished_operation_leaves_its_connection_for_the_next() {
        let connections = one_connection();
        let first = backend_pid(&connections).await;

        let second = backend_pid(&connections).await;

        assert_eq!(first, second);
    }

    #[tokio::test]
    async fn a_connection_whose_query_was_cancelled_is_not_lent_again() {
        // Arrange
        let connections = one_connection();
        let before = backend_pid(&connections).await;

        // Act: the query is on the wire when its future is dropped.
        let cancelled = tokio::time::timeout(Duration::from_millis(200), async {
            let mut lease = connections.lease().await.unwrap();
            let slept = sqlx::query("SELECT pg_sleep(30)")
                .execute(&mut *lease)
                .await
                .map_err(classify);
            lease.finish(slept)
        })
        .await;
        let after = backend_pid(&connections).await;

        // Assert
        assert!(cancelled.is_err(), "the sleep was not cancelled");
        assert_ne!(before, after, "the cancelled connection was lent again");
        assert_eq!(connections.status().size, 1);
    }

    #[tokio::test]
    async fn a_connection_that_failed_is_closed_and_replaced() {
        let connections = one_connection();
        let before = backend_pid(&connections).await;
        let mut lease = connections.lease().await.unwrap();
        let failed = sqlx::query("SELECT pg_terminate_backend(pg_backend_pid())")
            .execute(&mut *lease)
            .await
            .map_err(classify);

        assert!(lease.finish(failed).is_err());
        assert_ne!(backend_pid(&connections).await, before);
    }
}
