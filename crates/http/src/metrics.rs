//! Request metrics, recorded the same way for both twins through the [`metrics`] facade: whichever
//! recorder the twin installs turns them into its own format (Prometheus on the server, CloudWatch
//! Embedded Metric Format lines on the Lambda). With no recorder installed every call is a no-op.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | [`REQUESTS_TOTAL`] `http_server_requests_total` | counter | `route`, `method`, `status` |
//! | [`REQUEST_DURATION_SECONDS`] `http_server_request_duration_seconds` | histogram ([`DURATION_BUCKETS`]) | `route`, `method`, `status` |
//! | [`REQUESTS_IN_FLIGHT`] `http_server_requests_in_flight` | gauge | none |
//!
//! `route` is the route's pattern (axum's `MatchedPath`, such as `/api/users/{id}`), never the raw
//! path, so ids cannot explode the number of series; a request no route matched is
//! [`UNMATCHED_ROUTE`]. `method` is the request's method if HTTP defines it, else [`OTHER_METHOD`].
//! `status` is the numeric code. These names are a contract: the dashboards and
//! the cost model (every distinct label combination is a CloudWatch custom metric) build on them.
//!
//! [`crate::observe`] records them, so the duration covers the error, timeout, 404 and 405 answers
//! too, and is the one `Server-Timing`'s `app` reports.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use metrics::{Counter, Gauge, Histogram};

pub const REQUESTS_TOTAL: &str = "http_server_requests_total";
pub const REQUEST_DURATION_SECONDS: &str = "http_server_request_duration_seconds";
pub const REQUESTS_IN_FLIGHT: &str = "http_server_requests_in_flight";
/// The `route` of a request that matched no route (the 404 fallback).
pub const UNMATCHED_ROUTE: &str = "unmatched";
/// The `method` of a request whose method is not one of HTTP's own.
pub const OTHER_METHOD: &str = "_OTHER";

/// Histogram buckets in seconds: from 100 µs, so sub-millisecond handlers (health, cached reads on a
/// warm pool) fall in buckets of their own instead of all landing in the first one.
pub const DURATION_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Registers the help text and units with the installed recorder; call it right after installing one.
pub fn describe() {
    metrics::describe_counter!(
        REQUESTS_TOTAL,
        metrics::Unit::Count,
        "HTTP requests answered, by route pattern, method and status"
    );
    metrics::describe_histogram!(
        REQUEST_DURATION_SECONDS,
        metrics::Unit::Seconds,
        "Time from the request entering the router to its response, by route pattern, method and status"
    );
    metrics::describe_gauge!(
        REQUESTS_IN_FLIGHT,
        metrics::Unit::Count,
        "HTTP requests being handled now"
    );
}

/// The request metrics' handles, registered with the recorder once per (route, method, status)
/// and kept: a request then costs one map lookup, where registering builds the labels and looks
/// the series up in the recorder for each metric. One per router; the handles belong to the
/// recorder installed when the router first saw the series.
#[derive(Clone, Default)]
pub(crate) struct RequestMetrics(Arc<Handles>);

#[derive(Default)]
struct Handles {
    /// Route pattern, then (method, status).
    series: RwLock<HashMap<String, SeriesOfRoute>>,
    in_flight: OnceLock<Gauge>,
}

type SeriesOfRoute = HashMap<(&'static str, u16), Series>;

#[derive(Clone)]
struct Series {
    requests: Counter,
    duration: Histogram,
}

impl Series {
    fn record(&self, elapsed: Duration) {
        self.requests.increment(1);
        self.duration.record(elapsed.as_secs_f64());
    }
}

impl RequestMetrics {
    /// Counts and times one answered request.
    pub(crate) fn record(
        &self,
        route: &str,
        method: &Method,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let method = method_label(method);
        let status = status.as_u16();
        {
            let known = self.0.series.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(series) = known
                .get(route)
                .and_then(|by_method| by_method.get(&(method, status)))
            {
                series.record(elapsed);
                return;
            }
        }
        self.register(route, method, status).record(elapsed);
    }

    fn register(&self, route: &str, method: &'static str, status: u16) -> Series {
        // Label order is the EMF dimension order: route, method, status.
        let labels = [
            ("route", route.to_owned()),
            ("method", method.to_owned()),
            ("status", status.to_string()),
        ];
        let series = Series {
            requests: metrics::counter!(REQUESTS_TOTAL, &labels),
            duration: metrics::histogram!(REQUEST_DURATION_SECONDS, &labels),
        };
        self.0
            .series
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(route.to_owned())
            .or_default()
            .insert((method, status), series.clone());
        series
    }

    /// Counts a request in flight until the returned guard is dropped.
    pub(crate) fn in_flight(&self) -> InFlight<'_> {
        let gauge = self
            .0
            .in_flight
            .get_or_init(|| metrics::gauge!(REQUESTS_IN_FLIGHT));
        gauge.increment(1.0);
        InFlight(gauge)
    }
}

/// Counts and times an answer given outside the router, to an event a twin could not turn into a
/// request at all: route [`UNMATCHED_ROUTE`], method [`OTHER_METHOD`] (there is no request to take
/// either from). Rare, so its series are looked up each time rather than kept.
pub fn record_unrouted(status: StatusCode, elapsed: Duration) {
    let labels = [
        ("route", UNMATCHED_ROUTE.to_owned()),
        ("method", OTHER_METHOD.to_owned()),
        ("status", status.as_u16().to_string()),
    ];
    Series {
        requests: metrics::counter!(REQUESTS_TOTAL, &labels),
        duration: metrics::histogram!(REQUEST_DURATION_SECONDS, &labels),
    }
    .record(elapsed);
}

/// The `method` label: the method when it is one of HTTP's own, else [`OTHER_METHOD`], so made-up
/// methods cannot add series (OpenTelemetry's rule for `http.request.method`).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    KNOWN
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or(OTHER_METHOD)
}

/// Keeps a request counted in flight until dropped, so a request whose client went away (its
/// future dropped mid-way) leaves the gauge too.
pub(crate) struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::routing::get;
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    use tower::ServiceExt;

    use super::*;

    type Recorded = Vec<(String, Vec<(String, String)>, DebugValue)>;

    /// Every metric recorded while `requests` (method, path) went through a router with one route,
    /// `/users/{id}`.
    fn record(requests: &[(&str, &str)]) -> Recorded {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        let app = Router::new()
            .route("/users/{id}", get(|| async { "user" }))
            .layer(axum::middleware::from_fn_with_state(
                RequestMetrics::default(),
                crate::observe::layer,
            ));
        // A recorder local to this thread (the global one is not this test's to set), and a runtime
        // on this thread to drive the requests under it.
        metrics::with_local_recorder(&recorder, || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            for (method, path) in requests {
                let request = Request::builder()
                    .method(*method)
                    .uri(*path)
                    .body(Body::empty())
                    .unwrap();
                runtime.block_on(app.clone().oneshot(request)).unwrap();
            }
        });
        snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let labels = key
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect();
                (key.name().to_owned(), labels, value)
            })
            .collect()
    }

    fn find<'a>(
        recorded: &'a Recorded,
        name: &str,
        labels: &[(&str, &str)],
    ) -> Option<&'a DebugValue> {
        let labels: Vec<(String, String)> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        recorded
            .iter()
            .find(|(n, l, _)| n == name && *l == labels)
            .map(|(_, _, value)| value)
    }

    #[test]
    fn requests_are_counted_by_route_pattern_and_unmatched_ones_apart() {
        let recorded = record(&[
            ("GET", "/users/17"),
            ("GET", "/users/18"),
            ("GET", "/nowhere/19"),
        ]);

        let user = [
            ("route", "/users/{id}"),
            ("method", "GET"),
            ("status", "200"),
        ];
        let unmatched = [
            ("route", UNMATCHED_ROUTE),
            ("method", "GET"),
            ("status", "404"),
        ];
        assert_eq!(
            find(&recorded, REQUESTS_TOTAL, &user),
            Some(&DebugValue::Counter(2))
        );
        assert_eq!(
            find(&recorded, REQUESTS_TOTAL, &unmatched),
            Some(&DebugValue::Counter(1))
        );
        assert!(matches!(
            find(&recorded, REQUEST_DURATION_SECONDS, &user),
            Some(DebugValue::Histogram(values)) if values.len() == 2
        ));
        assert!(
            recorded
                .iter()
                .all(|(_, labels, _)| labels.iter().all(|(_, v)| !v.contains("1"))),
            "no raw path in any label: {recorded:?}"
        );
    }

    #[test]
    fn the_in_flight_gauge_returns_to_zero() {
        let recorded = record(&[("GET", "/users/1"), ("GET", "/nowhere")]);

        assert_eq!(
            find(&recorded, REQUESTS_IN_FLIGHT, &[]),
            Some(&DebugValue::Gauge(0.0.into()))
        );
    }

    #[test]
    fn made_up_methods_share_one_series() {
        let recorded = record(&[
            ("BREW", "/users/1"),
            ("WHEN", "/users/2"),
            ("DELETE", "/users/3"),
        ]);

        let other = [
            ("route", "/users/{id}"),
            ("method", OTHER_METHOD),
            ("status", "405"),
        ];
        let delete = [
            ("route", "/users/{id}"),
            ("method", "DELETE"),
            ("status", "405"),
        ];
        assert_eq!(
            find(&recorded, REQUESTS_TOTAL, &other),
            Some(&DebugValue::Counter(2))
        );
        assert_eq!(
            find(&recorded, REQUESTS_TOTAL, &delete),
            Some(&DebugValue::Counter(1))
        );
    }
}
