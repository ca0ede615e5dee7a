//! `Server-Timing: app;dur=X, db;dur=Y` on every response, from both twins, so a load test can split
//! each request's time between the application and its store without access to either runtime.
//!
//! `app` is the request's time in the router once routed: extractors, the handler, serialisation, and
//! the error, timeout, 404 and 405 answers too (the same duration the metrics and the log line report,
//! see [`crate::observe`]). `db` is the time spent inside [`Store`] calls,
//! summed, and 0 when the request made none. Both are milliseconds with three decimals (whole
//! microseconds; the header's `dur` is a decimal number of milliseconds).
//!
//! It lives here, in the one router, rather than in each twin, so both measure the same thing the same
//! way. The time comes from [`TimedStore`], a decorator the router puts around whichever store it is
//! given, adding into a task-local that [`crate::observe`] scopes around the request. A task-local is set each
//! time the scoped future is polled, whichever task polls it, and axum runs the handler inside the
//! middleware's future (the timeout wraps it, nothing spawns it); only work spawned onto another task
//! would escape, and the service spawns none. Store calls run one after another, so their sum is time
//! the request actually spent waiting on the store.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use axum::http::header::HeaderName;
use axum::http::{HeaderMap, HeaderValue};
use tracing::{Instrument, Span};
use twinstack_core::{
    CreateOrderOutcome, IdempotencyKey, IdempotencyRecord, NewUser, Order, OrderId, OrderStatus,
    Product, Sku, Store, StoreError, Timestamp, UpdateUser, User, UserId,
};

/// Not among the `http` crate's named headers.
pub const HEADER: HeaderName = HeaderName::from_static("server-timing");

tokio::task_local! {
    static DB_TIME: Cell<Duration>;
}

/// Runs `request` (the rest of the stack) with a fresh store-time accumulator: its response and the
/// time its store calls took.
pub(crate) async fn scope<F: Future>(request: F) -> (F::Output, Duration) {
    DB_TIME
        .scope(Cell::new(Duration::ZERO), async move {
            let response = request.await;
            (response, DB_TIME.with(Cell::get))
        })
        .await
}

/// The header, from the request's whole time (`app`) and its store time (`db`).
pub(crate) fn insert(headers: &mut HeaderMap, app: Duration, db: Duration) {
    let mut value = String::with_capacity(48);
    value.push_str("app;dur=");
    push_millis(&mut value, app);
    value.push_str(", db;dur=");
    push_millis(&mut value, db);
    let value = HeaderValue::try_from(value).expect("digits and punctuation are a valid header");
    headers.insert(HEADER, value);
}

/// `duration` in milliseconds with three decimals (whole microseconds), from integers: the float
/// formatter costs more than the rest of the header.
fn push_millis(out: &mut String, duration: Duration) {
    let micros = duration.as_micros();
    out.push_str(itoa::Buffer::new().format(micros / 1000));
    out.push('.');
    let fraction = 1000 + micros % 1000;
    out.push_str(&itoa::Buffer::new().format(fraction)[1..]);
}

/// A [`Store`] that adds the time of each call to the request's `db` time.
#[derive(Clone, Debug)]
pub struct TimedStore<S>(pub S);

/// Also the store-call span (DEBUG, so only the trace exporter, when on, usually wants it; disabled it
/// costs a check of the callsite's interest): OpenTelemetry client span with `db.system` (and its newer
/// name `db.system.name`) from the store and `db.operation.name`, the [`Store`] method. With tracing
/// on, only inside a request span: a request the sampler left out has none, and its store calls
/// must not start traces of their own.
async fn timed<F: Future>(system: &'static str, operation: &'static str, call: F) -> F::Output {
    let span = if twinstack_telemetry::is_tracing() && Span::current().is_none() {
        Span::none()
    } else {
        tracing::debug_span!(
            "store",
            otel.name = operation,
            otel.kind = "client",
            db.system = system,
            db.system.name = system,
            db.operation.name = operation,
        )
    };
    let started = Instant::now();
    let output = call.instrument(span).await;
    // Outside a request (nothing scoped) there is nothing to add to, which is fine.
    let _ = DB_TIME.try_with(|db| db.set(db.get() + started.elapsed()));
    output
}

impl<S: Store> Store for TimedStore<S> {
    const DB_SYSTEM: &'static str = S::DB_SYSTEM;

    fn list_products(&self) -> impl Future<Output = Result<Vec<Product>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "list_products",
            Box::pin(self.0.list_products()),
        )
    }

    fn get_product(
        &self,
        sku: &Sku,
    ) -> impl Future<Output = Result<Option<Product>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "get_product",
            Box::pin(self.0.get_product(sku)),
        )
    }

    fn products_by_sku(
        &self,
        skus: &[Sku],
    ) -> impl Future<Output = Result<Vec<Product>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "products_by_sku",
            Box::pin(self.0.products_by_sku(skus)),
        )
    }

    fn create_user(&self, user: &NewUser) -> impl Future<Output = Result<User, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "create_user",
            Box::pin(self.0.create_user(user)),
        )
    }

    fn get_user(
        &self,
        id: UserId,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send {
        timed(S::DB_SYSTEM, "get_user", Box::pin(self.0.get_user(id)))
    }

    fn update_user(
        &self,
        id: UserId,
        changes: &UpdateUser,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "update_user",
            Box::pin(self.0.update_user(id, changes, now)),
        )
    }

    fn delete_user(&self, id: UserId) -> impl Future<Output = Result<bool, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "delete_user",
            Box::pin(self.0.delete_user(id)),
        )
    }

    fn find_idempotency(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "find_idempotency",
            Box::pin(self.0.find_idempotency(key, now)),
        )
    }

    fn create_order(
        &self,
        order: &Order,
        record: Option<&IdempotencyRecord>,
    ) -> impl Future<Output = Result<CreateOrderOutcome, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "create_order",
            Box::pin(self.0.create_order(order, record)),
        )
    }

    fn get_order(
        &self,
        id: OrderId,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send {
        timed(S::DB_SYSTEM, "get_order", Box::pin(self.0.get_order(id)))
    }

    fn list_orders(
        &self,
        user_id: UserId,
        after: Option<OrderId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Order>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "list_orders",
            Box::pin(self.0.list_orders(user_id, after, limit)),
        )
    }

    fn set_order_status(
        &self,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<Order>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "set_order_status",
            Box::pin(self.0.set_order_status(id, from, to, now)),
        )
    }

    fn orders_of_user(
        &self,
        user_id: UserId,
    ) -> impl Future<Output = Result<Option<Vec<Order>>, StoreError>> + Send {
        timed(
            S::DB_SYSTEM,
            "orders_of_user",
            Box::pin(self.0.orders_of_user(user_id)),
        )
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::extract::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    /// `(app, db)` in ms from a response of `router` wrapped in the middleware.
    async fn timings(router: Router, path: &str) -> (f64, f64) {
        let app = router.layer(axum::middleware::from_fn_with_state(
            crate::metrics::RequestMetrics::default(),
            crate::observe::layer,
        ));
        let request = Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let value = response.headers()[HEADER].to_str().unwrap().to_owned();
        let (app, db) = value.split_once(", ").expect("two metrics");
        let dur = |metric: &str, name: &str| -> f64 {
            let number = metric
                .strip_prefix(name)
                .unwrap()
                .strip_prefix(";dur=")
                .unwrap();
            assert_eq!(number.split('.').nth(1).map(str::len), Some(3), "{value}");
            number.parse().unwrap()
        };
        (dur(app, "app"), dur(db, "db"))
    }

    #[tokio::test]
    async fn timed_calls_add_up_into_db_and_app_covers_them() {
        let slow_store_calls = Router::new().route(
            "/",
            get(|| async {
                for _ in 0..2 {
                    timed(
                        "test",
                        "sleep",
                        tokio::time::sleep(Duration::from_millis(5)),
                    )
                    .await;
                }
            }),
        );

        let (app, db) = timings(slow_store_calls, "/").await;

        assert!(db >= 10.0, "{db}");
        assert!(app >= db, "{app} < {db}");
    }

    #[tokio::test]
    async fn a_request_without_store_calls_and_a_404_report_zero_db() {
        let (_, db) = timings(Router::new().route("/", get(|| async {})), "/nowhere").await;

        assert_eq!(db, 0.0);
    }

    #[test]
    fn durations_are_milliseconds_with_three_decimals() {
        let mut headers = HeaderMap::new();

        insert(
            &mut headers,
            Duration::from_nanos(12_345_678_901),
            Duration::from_micros(7),
        );

        assert_eq!(headers[HEADER], "app;dur=12345.678, db;dur=0.007");
    }

    #[tokio::test]
    async fn a_call_outside_any_request_is_simply_not_counted() {
        assert_eq!(timed("test", "seven", async { 7 }).await, 7);
    }
}
