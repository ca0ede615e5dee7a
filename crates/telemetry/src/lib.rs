//! Logs and traces for both twins, set up once at process start by [`init`].
//!
//! - Logs: JSON lines (`tracing-subscriber`), filtered by `RUST_LOG` or the twin's default, written
//!   by the logging thread or a writer thread of their own ([`LogWriter`]). The shared router writes
//!   one line per completed request (target [`REQUEST_LOG_TARGET`]).
//! - Traces: only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Then spans of the `twinstack*` targets (the
//!   request span, one per store call) go to an OpenTelemetry layer whose batch processor exports them
//!   over OTLP HTTP/protobuf from its own thread, so exporting never blocks a request. W3C trace context
//!   (`traceparent`/`tracestate`) is the propagator; on Lambda X-Ray's header too, and trace ids are
//!   X-Ray-compatible (time-prefixed) so an ADOT collector can forward them to X-Ray.
//!   When the variable is unset there is no exporter, no OpenTelemetry layer, and [`is_tracing`] is
//!   `false`, which the router checks before doing any propagation work.

mod batch_writer;
mod json_lines;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::http::{HeaderMap, HeaderValue};
use opentelemetry::propagation::{Extractor, TextMapCompositePropagator};
use opentelemetry::trace::{SpanKind, TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, global};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    Config, IdGenerator, RandomIdGenerator, Sampler, SamplingDecision, SdkTracerProvider,
    ShouldSample,
};
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};
use tracing_subscriber::Layer;
use tracing_subscriber::Registry;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::filter::dynamic_filter_fn;
use tracing_subscriber::filter::{ParseError, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub use crate::json_lines::JsonLines;

use crate::batch_writer::{BatchWriter, FlushOnDrop};

/// The target of the one log line per completed request, so a filter can keep it alone
/// (`warn,twinstack::request=info`).
pub const REQUEST_LOG_TARGET: &str = "twinstack::request";

/// Both twins' log filter when `RUST_LOG` is unset: warnings, errors and the one line per request.
pub const DEFAULT_LOG_FILTER: &str = "warn,twinstack::request=info";

/// The log filter: `target=level` directives and a bare default level, comma-separated.
pub const LOG_FILTER_ENV: &str = "RUST_LOG";

/// Setting it turns tracing on; the OTLP exporter reads it (and the `OTEL_EXPORTER_OTLP_*` family).
pub const ENDPOINT_ENV: &str = "OTEL_EXPORTER_OTLP_ENDPOINT";
pub const SERVICE_NAME_ENV: &str = "OTEL_SERVICE_NAME";

static TRACING: AtomicBool = AtomicBool::new(false);

/// The sampler `OTEL_TRACES_SAMPLER`/`OTEL_TRACES_SAMPLER_ARG` configure (the SDK's own reading of
/// them), consulted by [`sample`] before a request span exists; the tracer provider itself samples
/// every span it is given.
static SAMPLER: OnceLock<Box<dyn ShouldSample>> = OnceLock::new();

/// Whether spans are exported, i.e. whether propagation is worth doing.
pub fn is_tracing() -> bool {
    TRACING.load(Ordering::Relaxed)
}

/// Whether a request whose caller's context is `parent` is traced: the head-sampling decision of
/// the configured sampler (parent-based by default: a caller's sampled flag is followed, a root is
/// sampled), made before the request span exists, so a request not sampled creates no span at all —
/// tracing spans cost the same whether or not the exporter would drop them. A root's decision is
/// made on a fresh random trace id, which for the ratio samplers is the same odds.
pub fn sample(parent: &Context) -> bool {
    let Some(sampler) = SAMPLER.get() else {
        return false;
    };
    let parent_span = parent.span();
    let parent_context = parent_span.span_context();
    let trace_id = if parent_context.is_valid() {
        parent_context.trace_id()
    } else {
        RandomIdGenerator::default().new_trace_id()
    };
    let result = sampler.should_sample(
        Some(parent),
        trace_id,
        "request",
        &SpanKind::Server,
        &[],
        &[],
    );
    !matches!(result.decision, SamplingDecision::Drop)
}

/// How a twin wants its telemetry.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// `service.name` unless `OTEL_SERVICE_NAME` says otherwise.
    pub service_name: &'static str,
    /// The log filter when `RUST_LOG` is unset.
    pub default_log_filter: &'static str,
    /// CloudWatch stamps every line itself.
    pub log_time: bool,
    pub log_writer: LogWriter,
    /// X-Ray propagation (`x-amzn-trace-id`) and X-Ray-compatible trace ids.
    pub xray: bool,
}

/// Which thread writes the log lines to stdout.
#[derive(Clone, Copy, Debug)]
pub enum LogWriter {
    /// The one that logs, before it goes on, so nothing is pending when an invocation ends: the
    /// Lambda, whose process is frozen between invocations.
    Inline,
    /// One of its own, in batches (see [`batch_writer`]): a request copies its line into a buffer
    /// and makes no system call. Lines still buffered are written when the last [`Telemetry`]
    /// clone is dropped.
    Background,
}

/// Keeps the tracer provider, when there is one, for flushing and shutdown, and the background log
/// writer, when there is one, alive.
#[derive(Clone, Debug, Default)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
    // Held for its drop, which writes what is still queued.
    _log_writer: Option<Arc<FlushOnDrop>>,
}

impl Telemetry {
    pub fn is_tracing(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports every finished span now (blocking the calling thread until the exporter answers).
    pub fn force_flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.force_flush()
        {
            tracing::warn!(%error, "flushing spans failed");
        }
    }

    /// Flushes and stops the exporter.
    pub fn shutdown(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(%error, "stopping the span exporter failed");
        }
    }
}

/// Installs the global subscriber: JSON logs, plus the OpenTelemetry layer when
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is set. An exporter that cannot be built is logged and tracing stays
/// off; the service runs either way.
pub fn init(options: Options) -> Telemetry {
    let requested = std::env::var(LOG_FILTER_ENV).ok();
    let (filter, rejected) = log_filter(requested.as_deref(), options.default_log_filter);
    let logs = tracing_subscriber::fmt::layer()
        .json()
        .event_format(JsonLines::new(options.log_time));
    let background = match options.log_writer {
        LogWriter::Inline => None,
        LogWriter::Background => BatchWriter::spawn(std::io::stdout(), "twinstack-log-writer")
            // Without a thread of its own, the one that logs writes.
            .inspect_err(|error| eprintln!("no log writer thread ({error}): writing inline"))
            .ok(),
    };
    let (logs, log_writer) = match background {
        Some((writer, guard)) => (logs.with_writer(writer).boxed(), Some(Arc::new(guard))),
        None => (logs.with_writer(std::io::stdout).boxed(), None),
    };
    let logs = logs.with_filter(filter);
    let telemetry = Telemetry {
        _log_writer: log_writer,
        ..install(options, logs)
    };
    if let Some(error) = rejected {
        tracing::warn!(%error, "RUST_LOG does not parse as target=level directives: using the default filter");
    }
    telemetry
}

/// `RUST_LOG` when set, else the twin's default. A value that does not parse gives the default and
/// the reason, to be logged once logging is up. `Targets` rather than `EnvFilter`: the same
/// `target=level` syntax without span and field matching, so no regex engine in either binary.
fn log_filter(requested: Option<&str>, default: &str) -> (Targets, Option<ParseError>) {
    let default = || default.parse().expect("a twin's default log filter parses");
    match requested.map(str::trim).filter(|value| !value.is_empty()) {
        None => (default(), None),
        Some(value) => match value.parse() {
            Ok(filter) => (filter, None),
            Err(error) => (default(), Some(error)),
        },
    }
}

/// The global subscriber: `logs`, and the OpenTelemetry layer when an endpoint is set.
fn install<L>(options: Options, logs: L) -> Telemetry
where
    L: Layer<Registry> + Send + Sync + 'static,
{
    let endpoint = std::env::var(ENDPOINT_ENV)
        .ok()
        .filter(|value| !value.trim().is_empty());
    let Some(endpoint) = endpoint else {
        tracing_subscriber::registry().with(logs).init();
        return Telemetry::default();
    };
    let provider = match tracer_provider(options) {
        Ok(provider) => provider,
        Err(error) => {
            tracing_subscriber::registry().with(logs).init();
            tracing::error!(%error, endpoint, "cannot build the OTLP exporter: tracing is off");
            return Telemetry::default();
        }
    };
    let tracer = provider.tracer("twinstack");
    let spans = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        // Attributes nobody asked for and their cost on every span or every poll: source location,
        // thread, target, busy/idle time (two clock readings per poll), and the OpenTelemetry
        // context made current on each enter (nothing here reads it: the router takes the
        // context from the span).
        .with_location(false)
        .with_threads(false)
        .with_target(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
        // A dynamic filter, so the per-layer filter is asked at every callsite hit: with a cacheable
        // one, a callsite both layers always want skips `enabled` and the layer can read a stale
        // per-layer decision left by an earlier `enabled` call on the thread, losing the span.
        // Callsites it can never want are ruled out once, at registration, so the rest of the
        // process (hyper's, sqlx's, tokio's spans and events) pays nothing per call for them.
        .with_filter(
            dynamic_filter_fn(|metadata, _| wanted_in_traces(metadata))
                .with_callsite_filter(|metadata| {
                    if wanted_in_traces(metadata) {
                        Interest::sometimes()
                    } else {
                        Interest::never()
                    }
                })
                .with_max_level_hint(LevelFilter::DEBUG),
        );
    if options.xray {
        global::set_text_map_propagator(TextMapCompositePropagator::new(vec![
            // Later propagators win: a W3C `traceparent` from the caller beats X-Ray's header.
            Box::new(opentelemetry_aws::trace::XrayPropagator::new()),
            Box::new(TraceContextPropagator::new()),
        ]));
    } else {
        global::set_text_map_propagator(TraceContextPropagator::new());
    }
    global::set_tracer_provider(provider.clone());
    tracing_subscriber::registry().with(logs).with(spans).init();
    TRACING.store(true, Ordering::Relaxed);
    tracing::info!(endpoint, "exporting traces over OTLP");
    Telemetry {
        provider: Some(provider),
        _log_writer: None,
    }
}

/// Our spans (request, store calls) at any level up to DEBUG; of events only warnings and errors,
/// which become span events. Everything else (the SDK, hyper, sqlx) stays out of the traces.
fn wanted_in_traces(metadata: &Metadata<'_>) -> bool {
    if metadata.is_span() {
        metadata.target().starts_with("twinstack") && *metadata.level() <= Level::DEBUG
    } else {
        *metadata.level() <= Level::WARN
    }
}

fn tracer_provider(options: Options) -> Result<SdkTracerProvider, String> {
    // The blocking HTTP client must not be built on an async runtime's thread.
    let exporter = std::thread::spawn(|| {
        opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build()
    })
    .join()
    .map_err(|_| "building the exporter panicked".to_owned())?
    .map_err(|error| error.to_string())?;
    let mut resource = Resource::builder();
    if std::env::var_os(SERVICE_NAME_ENV).is_none() {
        resource = resource.with_service_name(options.service_name);
    }
    // The configured sampler decides in `sample`, once per request; every span that then exists is
    // exported (a store call's span exists only inside a sampled request's).
    let _ = SAMPLER.set(Config::default().sampler);
    let builder = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_batch_exporter(exporter)
        .with_resource(resource.build());
    let builder = if options.xray {
        builder.with_id_generator(opentelemetry_aws::trace::XrayIdGenerator::default())
    } else {
        builder
    };
    Ok(builder.build())
}

/// The caller's trace context from request headers, by the global propagator: the parent of the
/// request span.
pub fn extract(headers: &HeaderMap) -> Context {
    global::get_text_map_propagator(|propagator| propagator.extract(&Headers(headers)))
}

/// `traceparent` (W3C, version 00) for the span of `cx`, if it has a valid one.
pub fn traceparent(cx: &Context) -> Option<HeaderValue> {
    let span = cx.span();
    let context = span.span_context();
    if !context.is_valid() {
        return None;
    }
    let value = format!(
        "00-{}-{}-{:02x}",
        context.trace_id(),
        context.span_id(),
        context.trace_flags().to_u8()
    );
    HeaderValue::try_from(value).ok()
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::propagation::TextMapPropagator;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    use super::*;

    #[test]
    fn the_default_filter_keeps_warnings_and_the_request_line_only() {
        let (filter, rejected) = log_filter(None, DEFAULT_LOG_FILTER);

        assert!(rejected.is_none());
        assert!(filter.would_enable(REQUEST_LOG_TARGET, &Level::INFO));
        assert!(!filter.would_enable("twinstack_http::request_id", &Level::INFO));
        assert!(filter.would_enable("sqlx::pool", &Level::WARN));
        assert!(!filter.would_enable(REQUEST_LOG_TARGET, &Level::DEBUG));
    }

    #[test]
    fn rust_log_replaces_the_default_and_an_unparsable_one_is_reported() {
        let (filter, rejected) = log_filter(Some("error"), DEFAULT_LOG_FILTER);
        assert!(rejected.is_none());
        assert!(!filter.would_enable(REQUEST_LOG_TARGET, &Level::INFO));

        let (filter, rejected) = log_filter(Some("twinstack=loud"), DEFAULT_LOG_FILTER);
        assert!(rejected.is_some());
        assert!(filter.would_enable(REQUEST_LOG_TARGET, &Level::INFO));
    }

    #[test]
    fn a_traceparent_round_trips_through_the_w3c_propagator() {
        let mut headers = HeaderMap::new();
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        headers.insert("traceparent", HeaderValue::from_static(incoming));

        let cx = TraceContextPropagator::new().extract(&Headers(&headers));

        assert_eq!(traceparent(&cx).unwrap(), incoming);
    }

    #[test]
    fn an_invalid_context_gives_no_traceparent() {
        let cx = Context::new().with_remote_span_context(SpanContext::new(
            TraceId::INVALID,
            SpanId::INVALID,
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        ));

        assert!(traceparent(&cx).is_none());
    }
}
