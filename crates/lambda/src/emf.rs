//! The serverless twin's metrics: a [`metrics::Recorder`] that writes CloudWatch Embedded Metric
//! Format (EMF) lines to stdout, which Lambda sends to CloudWatch Logs, where they become metrics.
//! No `PutMetricData` call, no client, no I/O at init, nothing buffered across invocations.
//!
//! The shared router records each request through the `metrics` facade (see
//! `twinstack_http::metrics`); when it records the request's duration, right after the response is
//! produced, this writes one line for the request:
//!
//! ```json
//! {"_aws":{"Timestamp":1795756381123,"CloudWatchMetrics":[{"Namespace":"twinstack",
//!   "Dimensions":[["route","method","status"]],
//!   "Metrics":[{"Name":"http_server_requests_total","Unit":"Count"},
//!              {"Name":"http_server_request_duration_seconds","Unit":"Seconds"}]}]},
//!  "route":"/api/users/{id}","method":"GET","status":"200",
//!  "http_server_requests_total":1,"http_server_request_duration_seconds":0.00042}
//! ```
//!
//! and, before the first request line of a process (the invocation that paid the cold start), one
//! `lambda_cold_starts_total` (Count, 1) line with the dimension `function` = `AWS_LAMBDA_FUNCTION_NAME`.
//!
//! The counter increment and the in-flight gauge are not written: the request line already counts
//! the request (value 1, summed by CloudWatch), and an execution environment serves one request at
//! a time (Lambda's own `ConcurrentExecutions` is the in-flight figure).
//!
//! Cost: every distinct combination of dimension values is a CloudWatch custom metric, billed per
//! month. Here that is one per (route, method, status) seen, for each of the two request metrics,
//! plus one per function for cold starts; routes are patterns, so the count stays small, and the
//! cost model (`twinstack cost`, `custom_metrics`) counts them.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use metrics::{Counter, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata, SharedString, Unit};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use twinstack_http::metrics::{REQUEST_DURATION_SECONDS, REQUESTS_TOTAL};

pub const NAMESPACE: &str = "twinstack";
pub const COLD_STARTS: &str = "lambda_cold_starts_total";
/// Where Lambda puts the function's name.
pub const FUNCTION_NAME_ENV: &str = "AWS_LAMBDA_FUNCTION_NAME";

/// Installs the EMF recorder for this process, writing to stdout. Reads the environment only.
pub fn install() -> Result<(), &'static str> {
    let function =
        std::env::var(FUNCTION_NAME_ENV).unwrap_or_else(|_| env!("CARGO_PKG_NAME").to_owned());
    metrics::set_global_recorder(EmfRecorder::stdout(function))
        .map_err(|_| "a metrics recorder is already installed")
}

/// Writes one EMF document per line.
pub struct EmfRecorder {
    inner: Arc<Inner>,
}

type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

struct Inner {
    function: String,
    cold_start_written: AtomicBool,
    /// Takes one whole line, newline included, in one write, so lines never interleave.
    sink: Sink,
}

impl EmfRecorder {
    pub fn stdout(function: impl Into<String>) -> Self {
        Self::with_sink(function, |line| {
            // Stdout is line-buffered: the line is out when this returns. A closed stdout loses
            // metrics, never the request.
            let _ = std::io::stdout().lock().write_all(line);
        })
    }

    /// Lines go to `sink` instead of stdout (tests).
    pub fn with_sink(
        function: impl Into<String>,
        sink: impl Fn(&[u8]) + Send + Sync + 'static,
    ) -> Self {
        EmfRecorder {
            inner: Arc::new(Inner {
                function: function.into(),
                cold_start_written: AtomicBool::new(false),
                sink: Box::new(sink),
            }),
        }
    }
}

impl Inner {
    fn write(&self, document: &Document<'_>) {
        let mut line = serde_json::to_vec(document).expect("an EMF document serialises");
        line.push(b'\n');
        (self.sink)(&line);
    }

    fn request(&self, labels: &[(String, String)], seconds: f64) {
        if !self.cold_start_written.swap(true, Ordering::Relaxed) {
            self.write(&Document {
                timestamp: now_millis(),
                dimensions: &[("function".to_owned(), self.function.clone())],
                metrics: &[(COLD_STARTS, "Count", MetricValue::Count(1))],
            });
        }
        self.write(&Document {
            timestamp: now_millis(),
            dimensions: labels,
            metrics: &[
                (REQUESTS_TOTAL, "Count", MetricValue::Count(1)),
                (
                    REQUEST_DURATION_SECONDS,
                    "Seconds",
                    MetricValue::Seconds(seconds),
                ),
            ],
        });
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

#[derive(Clone, Copy, Serialize)]
#[serde(untagged)]
enum MetricValue {
    Count(u64),
    Seconds(f64),
}

/// One EMF document: `_aws` naming the dimensions and metrics, which are top-level members.
/// Serialised straight from borrowed parts, one per request, without a `serde_json::Value` tree.
struct Document<'a> {
    timestamp: u64,
    dimensions: &'a [(String, String)],
    /// Name, unit, value.
    metrics: &'a [(&'static str, &'static str, MetricValue)],
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map =
            serializer.serialize_map(Some(1 + self.dimensions.len() + self.metrics.len()))?;
        map.serialize_entry("_aws", &Aws { document: self })?;
        for (key, value) in self.dimensions {
            map.serialize_entry(key, value)?;
        }
        for (name, _, value) in self.metrics {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// `_aws`: `{"Timestamp", "CloudWatchMetrics": [{"Namespace", "Dimensions": [[keys]], "Metrics"}]}`.
struct Aws<'a> {
    document: &'a Document<'a>,
}

impl Serialize for Aws<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Directive<'a> {
            namespace: &'static str,
            dimensions: [Vec<&'a str>; 1],
            metrics: Vec<Definition>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Definition {
            name: &'static str,
            unit: &'static str,
        }
        let document = self.document;
        let directive = Directive {
            namespace: NAMESPACE,
            dimensions: [document
                .dimensions
                .iter()
                .map(|(key, _)| key.as_str())
                .collect()],
            metrics: document
                .metrics
                .iter()
                .map(|&(name, unit, _)| Definition { name, unit })
                .collect(),
        };
        let mut aws = serializer.serialize_map(Some(2))?;
        aws.serialize_entry("Timestamp", &document.timestamp)?;
        aws.serialize_entry("CloudWatchMetrics", &[directive])?;
        aws.end()
    }
}

/// The request-duration histogram of one label set: each sample is one request.
struct RequestLine {
    inner: Arc<Inner>,
    labels: Vec<(String, String)>,
}

impl HistogramFn for RequestLine {
    fn record(&self, seconds: f64) {
        self.inner.request(&self.labels, seconds);
    }
}

impl metrics::Recorder for EmfRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    /// Counted by the request line instead.
    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }

    /// One request at a time per execution environment: nothing to report.
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        if key.name() != REQUEST_DURATION_SECONDS {
            return Histogram::noop();
        }
        Histogram::from_arc(Arc::new(RequestLine {
            inner: self.inner.clone(),
            labels: key
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::{Value, json};

    use super::*;

    fn recorder() -> (EmfRecorder, Arc<Mutex<Vec<u8>>>) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        let recorder = EmfRecorder::with_sink("twinstack-fn", move |line| {
            sink.lock().unwrap().extend_from_slice(line);
        });
        (recorder, out)
    }

    fn lines(out: &Mutex<Vec<u8>>) -> Vec<Value> {
        String::from_utf8(out.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn request(route: &str, status: &str, seconds: f64) {
        let labels = [
            ("route", route.to_owned()),
            ("method", "GET".to_owned()),
            ("status", status.to_owned()),
        ];
        metrics::counter!(REQUESTS_TOTAL, &labels).increment(1);
        metrics::histogram!(REQUEST_DURATION_SECONDS, &labels).record(seconds);
        metrics::gauge!("http_server_requests_in_flight").set(0.0);
    }

    #[test]
    fn each_request_is_one_line_after_a_single_cold_start_line() {
        let (recorder, out) = recorder();

        metrics::with_local_recorder(&recorder, || {
            request("/api/users/{id}", "200", 0.0004);
            request("unmatched", "404", 0.0001);
        });

        let lines = lines(&out);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(
            lines[0]["_aws"]["CloudWatchMetrics"][0],
            json!({"Namespace": "twinstack", "Dimensions": [["function"]],
                   "Metrics": [{"Name": "lambda_cold_starts_total", "Unit": "Count"}]})
        );
        assert_eq!(lines[0]["function"], "twinstack-fn");
        assert_eq!(lines[0]["lambda_cold_starts_total"], 1);
        assert_eq!(
            lines[1]["_aws"]["CloudWatchMetrics"][0],
            json!({"Namespace": "twinstack", "Dimensions": [["route", "method", "status"]],
                   "Metrics": [{"Name": "http_server_requests_total", "Unit": "Count"},
                               {"Name": "http_server_request_duration_seconds", "Unit": "Seconds"}]})
        );
        assert_eq!(lines[1]["route"], "/api/users/{id}");
        assert_eq!(lines[1]["method"], "GET");
        assert_eq!(lines[1]["status"], "200");
        assert_eq!(lines[1]["http_server_requests_total"], 1);
        assert_eq!(lines[1]["http_server_request_duration_seconds"], 0.0004);
        assert!(lines[1]["_aws"]["Timestamp"].is_u64());
        assert_eq!(lines[2]["route"], "unmatched");
        assert_eq!(lines[2]["status"], "404");
    }
}
