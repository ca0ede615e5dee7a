//! The JSON line of an event outside any span — the request line, warnings, errors — written
//! straight into the line buffer: the same object as `tracing-subscriber`'s JSON format,
//! `{"timestamp":…,"level":…,"fields":{…},"target":…}`, for a fraction of its cost. That format
//! builds a serde map through an I/O adaptor, formats the timestamp into a `String` of its own
//! and formats the message into another (`cargo bench -p twinstack-telemetry --bench log_line`
//! times both on the request line). Events inside a span, and records from the `log` crate, which
//! need the span list or normalising, still go through `tracing-subscriber`'s format.

use std::cell::RefCell;
use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::fmt::format::{Format, Json, Writer};
use tracing_subscriber::fmt::time::SystemTime as Clock;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The event format of both twins' log lines.
pub struct JsonLines {
    timestamps: bool,
    timed: Format<Json, Clock>,
    untimed: Format<Json, ()>,
}

impl JsonLines {
    /// `timestamps`: whether each line carries its time (CloudWatch stamps the Lambda's itself).
    pub fn new(timestamps: bool) -> Self {
        let format = tracing_subscriber::fmt::format().json();
        JsonLines {
            timestamps,
            untimed: format.clone().without_time(),
            timed: format,
        }
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if ctx.parent_span().is_some() || event.is_log() {
            return if self.timestamps {
                self.timed.format_event(ctx, writer, event)
            } else {
                self.untimed.format_event(ctx, writer, event)
            };
        }
        writer.write_char('{')?;
        if self.timestamps {
            writer.write_str("\"timestamp\":\"")?;
            write_timestamp(&mut writer, SystemTime::now())?;
            writer.write_str("\",")?;
        }
        let metadata = event.metadata();
        write!(writer, "\"level\":\"{}\",\"fields\":{{", metadata.level())?;
        let mut fields = Fields {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_str("},\"target\":")?;
        write_string(&mut writer, metadata.target())?;
        writer.write_str("}\n")
    }
}

/// Writes each field as a JSON member.
struct Fields<'a, 'w> {
    writer: &'a mut Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl Fields<'_, '_> {
    fn member(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'_>) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        self.result = (|| {
            if !std::mem::take(&mut self.first) {
                self.writer.write_char(',')?;
            }
            write_string(self.writer, field.name())?;
            self.writer.write_char(':')?;
            value(self.writer)
        })();
    }
}

impl Visit for Fields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.member(field, |writer| write_string(writer, value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, |writer| write!(writer, "{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, |writer| write!(writer, "{value}"));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, |writer| write!(writer, "{value}"));
    }

    /// Rust prints the shortest decimal that reads back as the same number, never in exponent
    /// form: always a JSON number. JSON has no NaN or infinity.
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.member(field, |writer| {
            if value.is_finite() {
                write!(writer, "{value}")
            } else {
                writer.write_str("null")
            }
        });
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.member(field, |writer| {
            writer.write_char('"')?;
            write!(Escaped(&mut *writer), "{value}")?;
            writer.write_char('"')
        });
    }

    /// The message (`format_args!`, whose `Debug` is its text) and `?value` fields.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.member(field, |writer| {
            writer.write_char('"')?;
            write!(Escaped(&mut *writer), "{value:?}")?;
            writer.write_char('"')
        });
    }
}

fn write_string(writer: &mut Writer<'_>, value: &str) -> fmt::Result {
    writer.write_char('"')?;
    Escaped(&mut *writer).write_str(value)?;
    writer.write_char('"')
}

/// Escapes what passes through for the inside of a JSON string, as `serde_json` does: quote,
/// backslash and control characters; everything else as it is.
struct Escaped<W>(W);

impl<W: Write> Write for Escaped<W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut clean_from = 0;
        for (at, byte) in text.bytes().enumerate() {
            let escape = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0x00..=0x1f => "",
                _ => continue,
            };
            self.0.write_str(&text[clean_from..at])?;
            if escape.is_empty() {
                write!(self.0, "\\u{byte:04x}")?;
            } else {
                self.0.write_str(escape)?;
            }
            clean_from = at + 1;
        }
        self.0.write_str(&text[clean_from..])
    }
}

/// RFC 3339 in UTC with microseconds, as `tracing-subscriber` writes it
/// (`2026-11-27T14:54:39.549424Z`). The date and time to the second are formatted once per second
/// per thread.
fn write_timestamp(writer: &mut Writer<'_>, now: SystemTime) -> fmt::Result {
    thread_local! {
        static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    SECOND.with_borrow_mut(|(formatted_second, text)| {
        if *formatted_second != seconds {
            let time = i64::try_from(seconds)
                .ok()
                .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
                .unwrap_or_default();
            text.clear();
            write!(text, "{}", time.format("%Y-%m-%dT%H:%M:%S"))?;
            *formatted_second = seconds;
        }
        write!(writer, "{text}.{:06}Z", since_epoch.subsec_micros())
    })
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use serde_json::{Value, json};
    use tracing_subscriber::fmt::MakeWriter;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    impl Lines {
        fn take(&self) -> Vec<String> {
            let bytes = std::mem::take(&mut *self.0.lock().unwrap());
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        }
    }

    /// The lines `log` writes with `tracing-subscriber`'s JSON format, then with ours.
    fn both_formats(timestamps: bool, log: impl Fn()) -> (Vec<String>, Vec<String>) {
        let theirs = Lines::default();
        let layer = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(theirs.clone());
        let subscriber = if timestamps {
            tracing_subscriber::registry().with(layer.boxed())
        } else {
            tracing_subscriber::registry().with(layer.without_time().boxed())
        };
        tracing::subscriber::with_default(subscriber, &log);

        let ours = Lines::default();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .json()
                .event_format(JsonLines::new(timestamps))
                .with_writer(ours.clone()),
        );
        tracing::subscriber::with_default(subscriber, &log);
        (theirs.take(), ours.take())
    }

    fn parsed(lines: &[String]) -> Vec<Value> {
        lines
            .iter()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    use tracing_subscriber::Layer;

    #[test]
    fn an_event_outside_spans_is_the_object_tracing_subscriber_writes() {
        let (theirs, ours) = both_formats(false, || {
            tracing::info!(
                target: "twinstack::request",
                request_id = "0af7651916cd43dd",
                status = 200u16,
                latency_ms = 0.125,
                delta = -3i64,
                cold_start = true,
                absent = None::<&str>,
                "request"
            );
            tracing::warn!(
                error = &io::Error::other("disk \"full\"") as &dyn std::error::Error,
                peer = ?("10.0.0.1", 5432),
                "pool\tlost a connection\n{}",
                '\u{1}'
            );
        });

        assert_eq!(ours, theirs, "byte for byte");
        assert_eq!(
            parsed(&ours)[0],
            json!({
                "level": "INFO",
                "fields": {
                    "message": "request",
                    "request_id": "0af7651916cd43dd",
                    "status": 200,
                    "latency_ms": 0.125,
                    "delta": -3,
                    "cold_start": true
                },
                "target": "twinstack::request"
            })
        );
    }

    #[test]
    fn events_inside_a_span_keep_the_span_list() {
        let (theirs, ours) = both_formats(false, || {
            let span = tracing::info_span!("request", route = "/api/users/{id}");
            let _entered = span.enter();
            tracing::info!(status = 200u16, "answered");
        });

        assert_eq!(ours, theirs);
        assert_eq!(parsed(&ours)[0]["span"]["route"], "/api/users/{id}");
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_microseconds() {
        let (_, ours) = both_formats(true, || tracing::info!("stamped"));

        let line = &parsed(&ours)[0];
        let stamp = line["timestamp"].as_str().unwrap();
        let stamped = chrono::DateTime::parse_from_rfc3339(stamp).unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let age_micros = i64::try_from(now.as_micros()).unwrap() - stamped.timestamp_micros();
        assert!(stamp.ends_with('Z') && stamp.len() == "2026-11-27T14:54:39.549424Z".len());
        assert!(
            (0..60_000_000).contains(&age_micros),
            "{stamp} is {age_micros} µs old"
        );
    }

    #[test]
    fn the_timestamp_of_a_known_instant() {
        let instant = UNIX_EPOCH + Duration::new(1_795_791_279, 549_424_999);
        let mut text = String::new();

        write_timestamp(&mut Writer::new(&mut text), instant).unwrap();
        write_timestamp(
            &mut Writer::new(&mut text),
            instant + Duration::from_secs(61),
        )
        .unwrap();

        assert_eq!(
            text,
            "2026-11-27T14:54:39.549424Z2026-11-27T14:55:40.549424Z"
        );
    }

    #[test]
    fn non_finite_numbers_are_null() {
        let (theirs, ours) = both_formats(false, || tracing::info!(ratio = f64::NAN, "odd"));

        assert_eq!(parsed(&ours)[0]["fields"]["ratio"], Value::Null);
        assert_eq!(parsed(&ours), parsed(&theirs));
    }
}
