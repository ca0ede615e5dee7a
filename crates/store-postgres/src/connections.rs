//! The store's connections: sqlx `PgConnection`s in a deadpool pool, because sqlx's own pool pings
//! every connection it takes back, a second round trip per query. Here a returned connection is
//! checked without the network: it is reused unless its operation did not run to its end. A
//! future dropped mid-query (a request timeout) leaves the wire protocol in an unknown state, which
//! is why sqlx pings; such a connection is closed instead.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, Object, Pool, PoolError, RecycleError, RecycleResult};
use sqlx::{PgConnection, PgPool};
use twinstack_core::StoreError;

use crate::error::classify;

pub use deadpool::Status as PoolStatus;

/// Opens connections through the sqlx pool, with its connect options, retries and acquire timeout,
/// and detaches them from it; they keep the sqlx pool's idle timeout and maximum lifetime here.
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
        let connection = self.source.acquire().await?.detach();
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

/// The pool. Cloning shares it.
#[derive(Clone, Debug)]
pub(crate) struct Connections(Pool<Opener>);

impl Connections {
    /// As many connections as `source` allows, waited for as long as it waits.
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
            .runtime(Runtime::Tokio1)
            .build()
            .expect("a pool with a runtime for its wait timeout builds");
        Connections(pool)
    }

    /// A connection for one operation; see [`Lease::finish`].
    pub(crate) async fn lease(&self) -> Result<Lease, StoreError> {
        let mut object = self.0.get().await.map_err(|error| match error {
            PoolError::Backend(error) => classify(error),
            PoolError::Timeout(_) | PoolError::Closed => StoreError::Unavailable(Box::new(error)),
            other => StoreError::Internal(Box::new(other)),
        })?;
        object.in_flight = true;
        Ok(Lease(object))
    }

    pub(crate) fn status(&self) -> PoolStatus {
        self.0.status()
    }

    /// Closes the idle connections and refuses new leases.
    pub(crate) fn close(&self) {
        self.0.close();
    }
}

/// A leased connection. Dropped without [`Lease::finish`] (the operation's future was dropped), it
/// goes back marked in flight and the pool closes it instead of lending it again.
pub(crate) struct Lease(Object<Opener>);

impl Lease {
    /// Ends the operation that returned `outcome`. Success and domain errors leave the connection
    /// ready for the next query; any other failure (connection lost, timeout, a row the domain
    /// rejects) closes it.
    pub(crate) fn finish<T>(mut self, outcome: Result<T, StoreError>) -> Result<T, StoreError> {
        match outcome {
            Ok(_)
            | Err(StoreError::EmailTaken | StoreError::UserNotFound | StoreError::UserHasOrders) => {
                self.0.in_flight = false;
            }
            Err(StoreError::Unavailable(_) | StoreError::Internal(_)) => {
                drop(Object::take(self.0));
            }
        }
        outcome
    }
}

impl Deref for Lease {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.0.connection
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.0.connection
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
