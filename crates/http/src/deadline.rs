//! The request timeout without a timer per request.
//!
//! tower's `TimeoutLayer` arms a tokio timer for each request: an entry put in the runtime's timer
//! wheel, under the wheel's one lock, when the request first waits, and taken out under it again
//! when the request finishes first, as almost every request does. Here a router has one clock
//! instead: a task that ticks [`TICKS_PER_TIMEOUT`] times per timeout and a ring of deadline
//! buckets, one per tick. A request that waits joins the bucket of the first tick at or after its
//! deadline (a list of its own, under that bucket's lock only); when that tick has passed, the
//! clock wakes the whole bucket at once and each of its requests answers 503 `unavailable`, as
//! tower's timeout did. A request answered at its first poll joins nothing.
//!
//! The price of sharing: a timeout fires up to one tick (1/32 of the timeout) late, never early.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;
use tokio::time::Instant;
use tower::{Layer, Service};

use crate::ApiError;

/// Ticks per timeout: how late a timeout may fire, as a share of it.
const TICKS_PER_TIMEOUT: u32 = 32;
/// Buckets in the ring: more than a deadline can be ahead of the last tick fired, so a bucket
/// being woken holds no request whose deadline is still to come (if the clock falls behind, such
/// a request finds its deadline not passed yet and waits again).
const BUCKETS: usize = 64;

/// Answers 503 `unavailable` for a request still running after `timeout`.
#[derive(Clone)]
pub(crate) struct DeadlineLayer {
    clock: Arc<Clock>,
}

impl DeadlineLayer {
    pub(crate) fn new(timeout: Duration) -> Self {
        let tick = (timeout / TICKS_PER_TIMEOUT).max(Duration::from_millis(1));
        Self {
            clock: Arc::new(Clock {
                origin: Instant::now(),
                tick_nanos: u64::try_from(tick.as_nanos()).unwrap_or(u64::MAX),
                timeout,
                fired: AtomicU64::new(0),
                buckets: std::array::from_fn(|_| Notify::new()),
                ticking: AtomicBool::new(false),
            }),
        }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Deadline<S> {
        Deadline {
            inner,
            clock: self.clock.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Deadline<S> {
    inner: S,
    clock: Arc<Clock>,
}

impl<S> Service<Request> for Deadline<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let deadline = self.clock.deadline();
        let response = self.inner.call(request);
        let clock = self.clock.clone();
        Box::pin(async move {
            tokio::select! {
                biased;
                response = response => response,
                () = clock.passed(deadline) => Ok(ApiError::Unavailable(None).into_response()),
            }
        })
    }
}

struct Clock {
    origin: Instant,
    tick_nanos: u64,
    timeout: Duration,
    /// Every tick up to this one has passed and its bucket has been woken.
    fired: AtomicU64,
    buckets: [Notify; BUCKETS],
    /// Whether a ticking task is running (it stops with its runtime, or when the clock is dropped).
    ticking: AtomicBool,
}

impl Clock {
    fn nanos_since_origin(&self, at: Instant) -> u64 {
        u64::try_from((at - self.origin).as_nanos()).unwrap_or(u64::MAX)
    }

    /// The first tick at or after `at`.
    fn tick_at_or_after(&self, at: Instant) -> u64 {
        self.nanos_since_origin(at).div_ceil(self.tick_nanos)
    }

    /// The last tick at or before `at`.
    fn tick_at_or_before(&self, at: Instant) -> u64 {
        self.nanos_since_origin(at) / self.tick_nanos
    }

    /// The tick a request starting now times out at; starts the ticking task if none runs.
    fn deadline(self: &Arc<Self>) -> u64 {
        if !self.ticking.load(Ordering::Relaxed) && !self.ticking.swap(true, Ordering::AcqRel) {
            tokio::spawn(tick(Arc::downgrade(self)));
        }
        self.tick_at_or_after(Instant::now() + self.timeout)
    }

    /// Resolves once tick `deadline` has passed.
    async fn passed(&self, deadline: u64) {
        let bucket = &self.buckets[bucket_of(deadline)];
        loop {
            let woken = bucket.notified();
            tokio::pin!(woken);
            // In the bucket before looking at the clock, so a tick between the two still wakes it.
            woken.as_mut().enable();
            if self.fired.load(Ordering::Acquire) >= deadline {
                return;
            }
            woken.await;
        }
    }
}

fn bucket_of(tick: u64) -> usize {
    usize::try_from(tick % BUCKETS as u64).expect("less than BUCKETS")
}

/// The ticking task: at each tick, the ticks passed are marked fired and their buckets woken.
async fn tick(clock: Weak<Clock>) {
    let _running = Running(clock.clone());
    loop {
        let next = match clock.upgrade() {
            Some(clock) => {
                let next = clock.fired.load(Ordering::Relaxed) + 1;
                clock.origin + Duration::from_nanos(next.saturating_mul(clock.tick_nanos))
            }
            None => return,
        };
        tokio::time::sleep_until(next).await;
        let Some(clock) = clock.upgrade() else {
            return;
        };
        let first = clock.fired.load(Ordering::Relaxed) + 1;
        let now = clock.tick_at_or_before(Instant::now());
        if now < first {
            continue;
        }
        clock.fired.store(now, Ordering::Release);
        for tick in first..=now.min(first + BUCKETS as u64 - 1) {
            clock.buckets[bucket_of(tick)].notify_waiters();
        }
    }
}

/// Marks the clock as not ticking when its task ends, dropped with its runtime included, so the
/// next request starts another.
struct Running(Weak<Clock>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(clock) = self.0.upgrade() {
            clock.ticking.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    const TIMEOUT: Duration = Duration::from_millis(200);

    fn app(layer: &DeadlineLayer) -> Router {
        Router::new()
            .route("/fast", get(|| async { "fast" }))
            .route(
                "/waits",
                get(|| async {
                    tokio::time::sleep(TIMEOUT / 4).await;
                    "waited"
                }),
            )
            .route("/never", get(std::future::pending::<()>))
            .layer(layer.clone())
    }

    async fn get_status(app: Router, path: &str) -> StatusCode {
        let request = Request::builder().uri(path).body(Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn a_request_still_running_at_its_deadline_answers_503_no_sooner() {
        let layer = DeadlineLayer::new(TIMEOUT);

        let started = Instant::now();
        let status = get_status(app(&layer), "/never").await;
        let elapsed = started.elapsed();

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(elapsed >= TIMEOUT, "{elapsed:?}");
        assert!(elapsed < TIMEOUT * 3, "{elapsed:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_answered_in_time_are_untouched_and_late_ones_each_answer_503() {
        let layer = DeadlineLayer::new(TIMEOUT);

        let mut requests = tokio::task::JoinSet::new();
        for path in ["/fast", "/waits", "/never"].repeat(20) {
            let app = app(&layer);
            requests.spawn(async move { (path, get_status(app, path).await) });
        }

        while let Some(answer) = requests.join_next().await {
            let (path, status) = answer.unwrap();
            let expected = match path {
                "/never" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::OK,
            };
            assert_eq!(status, expected, "{path}");
        }
    }

    #[test]
    fn the_clock_ticks_again_on_the_next_runtime() {
        let layer = DeadlineLayer::new(TIMEOUT);
        for _ in 0..2 {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();

            let status = runtime.block_on(get_status(app(&layer), "/never"));

            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        }
    }
}
