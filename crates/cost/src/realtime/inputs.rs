//! What the real-time model runs on: the traffic per connection (flags), and the capacity figures a
//! benchmark measures — read from a results file's `realtime` section when present, else named
//! assumptions. Every [`Figure`] says which it is.
//!
//! Fields read from `realtime` (at any depth, camelCase or snake_case; each optional):
//! `memoryPerConnectionKb` (or `…Kib`, as `twinstack bench` writes it, or `…Bytes`): the server's
//! RSS per idle connection;
//! `deliveriesPerCpuSecond`: frames the server delivered per CPU-second of its process;
//! `lambdaInvocationsPerDelivery`: invocations of the realtime function per delivered frame;
//! `frameBytes`: the mean order frame's size; `lambdaBilledMs`: the mean billed duration of one
//! invocation of the realtime function.

use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::RealtimeCostError;

/// Assumed: each connection hears one order event a minute.
pub const DELIVERIES_PER_MINUTE: f64 = 1.0;
/// Assumed: a client pings once a minute, well inside API Gateway's 10-minute idle timeout.
pub const PINGS_PER_MINUTE: f64 = 1.0;

/// A figure and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub origin: String,
}

impl Figure {
    fn assumed(value: f64, why: &str) -> Figure {
        Figure {
            value,
            origin: format!("assumed: {why}"),
        }
    }

    /// A traffic figure from its flag: assumed at the default, given otherwise.
    pub fn traffic(value: f64, default: f64, flag: &str) -> Figure {
        if value == default {
            Figure::assumed(value, &format!("the default of {flag}"))
        } else {
            Figure {
                value,
                origin: format!("given: {flag}"),
            }
        }
    }

    pub fn measured(&self) -> bool {
        self.origin.starts_with("measured")
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.value, self.origin)
    }
}

/// Everything per connection and per delivery the model needs.
#[derive(Clone, Debug, PartialEq)]
pub struct RealtimeInputs {
    pub deliveries_per_minute: Figure,
    pub pings_per_minute: Figure,
    pub subscriptions_per_connection: Figure,
    pub session_minutes: Figure,
    pub frame_bytes: Figure,
    pub lambda_invocations_per_delivery: Figure,
    pub lambda_billed_ms: Figure,
    pub memory_per_connection_kb: Figure,
    pub deliveries_per_cpu_second: Figure,
}

impl RealtimeInputs {
    /// Nothing measured: every capacity figure is a named assumption.
    pub fn assumed() -> RealtimeInputs {
        RealtimeInputs {
            deliveries_per_minute: Figure::assumed(
                DELIVERIES_PER_MINUTE,
                "one order event a minute per connection",
            ),
            pings_per_minute: Figure::assumed(PINGS_PER_MINUTE, "one ping a minute per connection"),
            subscriptions_per_connection: Figure::assumed(1.0, "a client follows one user"),
            session_minutes: Figure::assumed(
                120.0,
                "API Gateway closes every connection after 2 hours, and the client reconnects",
            ),
            frame_bytes: Figure::assumed(
                1_000.0,
                "an order frame with a few items is about 1 KB: one 32 KB message unit",
            ),
            lambda_invocations_per_delivery: Figure::assumed(
                1.0,
                "each order write's stream batch holds that one write, delivered to one subscriber",
            ),
            lambda_billed_ms: Figure::assumed(
                10.0,
                "a route or stream invocation at 128 MB: one or two DynamoDB calls and a post",
            ),
            memory_per_connection_kb: Figure::assumed(
                15.0,
                "issue 12's target for an idle connection's RSS on the server, not a measurement",
            ),
            deliveries_per_cpu_second: Figure::assumed(
                20_000.0,
                "a stand-in: one serialised frame copied to each subscriber's queue, a few tens of µs per delivery",
            ),
        }
    }

    /// The assumptions, with whatever the results file's `realtime` section measured in place.
    pub fn from_results_file(path: &Path) -> Result<RealtimeInputs, RealtimeCostError> {
        let failed = |reason: String| RealtimeCostError::Results {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
        let results: Value = serde_json::from_str(&text).map_err(|e| failed(e.to_string()))?;
        let shown = path.display().to_string();
        let mut inputs = RealtimeInputs::assumed();
        let Some(realtime) = results.get("realtime") else {
            return Ok(inputs);
        };
        let measured = |names: &[&str], scale: f64| {
            names.iter().find_map(|name| {
                let value = find(realtime, name)?.as_f64()? * scale;
                (value.is_finite() && value > 0.0).then(|| Figure {
                    value,
                    origin: format!("measured: {shown}, realtime.{name}"),
                })
            })
        };
        let take = |figure: &mut Figure, names: &[&str], scale: f64| {
            if let Some(found) = measured(names, scale) {
                *figure = found;
            }
        };
        take(
            &mut inputs.memory_per_connection_kb,
            &["memoryPerConnectionKb", "memory_per_connection_kb"],
            1.0,
        );
        take(
            &mut inputs.memory_per_connection_kb,
            &["memoryPerConnectionKib", "memory_per_connection_kib"],
            1.024,
        );
        take(
            &mut inputs.memory_per_connection_kb,
            &["memoryPerConnectionBytes", "memory_per_connection_bytes"],
            1.0 / 1024.0,
        );
        take(
            &mut inputs.deliveries_per_cpu_second,
            &["deliveriesPerCpuSecond", "deliveries_per_cpu_second"],
            1.0,
        );
        take(
            &mut inputs.lambda_invocations_per_delivery,
            &[
                "lambdaInvocationsPerDelivery",
                "lambda_invocations_per_delivery",
            ],
            1.0,
        );
        take(&mut inputs.frame_bytes, &["frameBytes", "frame_bytes"], 1.0);
        take(
            &mut inputs.lambda_billed_ms,
            &["lambdaBilledMs", "lambda_billed_ms"],
            1.0,
        );
        Ok(inputs)
    }

    /// Every figure, named, for the report.
    pub fn named(&self) -> [(&'static str, &Figure); 9] {
        [
            (
                "order events delivered per connection a minute",
                &self.deliveries_per_minute,
            ),
            ("pings per connection a minute", &self.pings_per_minute),
            (
                "subscriptions per connection",
                &self.subscriptions_per_connection,
            ),
            ("minutes a connection lasts", &self.session_minutes),
            ("bytes per order frame", &self.frame_bytes),
            (
                "realtime Lambda invocations per delivered frame",
                &self.lambda_invocations_per_delivery,
            ),
            (
                "billed ms per realtime Lambda invocation",
                &self.lambda_billed_ms,
            ),
            (
                "server RSS per connection, KB",
                &self.memory_per_connection_kb,
            ),
            (
                "deliveries per CPU-second of the server",
                &self.deliveries_per_cpu_second,
            ),
        ]
    }

    pub fn check(&self) -> Result<(), RealtimeCostError> {
        // A feed nobody pings, or that carries no events, is still a feed; nothing else may be 0.
        let may_be_zero = [&self.deliveries_per_minute, &self.pings_per_minute];
        for (name, figure) in self.named() {
            let zero_allowed = may_be_zero.iter().any(|f| std::ptr::eq(*f, figure));
            let ok = figure.value.is_finite()
                && (figure.value > 0.0 || zero_allowed && figure.value == 0.0);
            if !ok {
                return Err(RealtimeCostError::Inputs(format!(
                    "{name} must be a positive number, got {}",
                    figure.value
                )));
            }
        }
        Ok(())
    }
}

/// The first value under key `name` in `value`, depth first.
fn find<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        // A twin that has no such figure writes null (the serverless twin's RSS per connection).
        Value::Object(map) => map
            .get(name)
            .filter(|found| !found.is_null())
            .or_else(|| map.values().find_map(|child| find(child, name))),
        Value::Array(items) => items.iter().find_map(|child| find(child, name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results_file(json: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "twinstack-realtime-inputs-{}-{}.json",
            std::process::id(),
            json.len()
        ));
        std::fs::write(&path, json).unwrap();
        path
    }

    #[test]
    fn measured_figures_replace_the_assumptions_wherever_the_section_nests_them() {
        let path = results_file(
            r#"{"realtime": {"kubernetes": {"memoryPerConnectionBytes": 12288, "deliveriesPerCpuSecond": 51000},
                             "serverless": {"lambdaInvocationsPerDelivery": 0.25}}}"#,
        );

        let inputs = RealtimeInputs::from_results_file(&path).unwrap();

        assert_eq!(inputs.memory_per_connection_kb.value, 12.0);
        assert!(inputs.memory_per_connection_kb.measured());
        assert_eq!(inputs.deliveries_per_cpu_second.value, 51_000.0);
        assert_eq!(inputs.lambda_invocations_per_delivery.value, 0.25);
        assert!(
            !inputs.frame_bytes.measured(),
            "not in the file: still assumed"
        );
        assert!(inputs.frame_bytes.origin.starts_with("assumed"));
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn the_figures_twinstack_bench_writes_are_read_from_the_twin_that_has_them() {
        // The shape of `twinstack bench`'s `realtime` section: one entry per twin, null where a
        // twin has no such figure.
        let path = results_file(
            r#"{"realtime": {"twins": [
                {"twin": "kubernetes", "memoryPerConnectionKib": 14.0, "lambdaInvocationsPerDelivery": null},
                {"twin": "serverless", "memoryPerConnectionKib": null, "lambdaInvocationsPerDelivery": 1.5}]}}"#,
        );

        let inputs = RealtimeInputs::from_results_file(&path).unwrap();

        assert!((inputs.memory_per_connection_kb.value - 14.336).abs() < 1e-9);
        assert!(inputs.memory_per_connection_kb.measured());
        assert_eq!(inputs.lambda_invocations_per_delivery.value, 1.5);
        assert!(inputs.lambda_invocations_per_delivery.measured());
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_results_file_without_a_realtime_section_leaves_every_assumption() {
        let path = results_file(r#"{"version": 1, "cost_inputs": {"version": 1}}"#);

        let inputs = RealtimeInputs::from_results_file(&path).unwrap();

        assert_eq!(inputs, RealtimeInputs::assumed());
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_missing_or_broken_results_file_is_named_in_the_error() {
        let missing = Path::new("/nonexistent/results.json");
        let broken = results_file("{ not json");

        let error = RealtimeInputs::from_results_file(missing).unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/results.json"),
            "{error}"
        );
        let error = RealtimeInputs::from_results_file(&broken).unwrap_err();
        assert!(
            error.to_string().contains(&broken.display().to_string()),
            "{error}"
        );
        std::fs::remove_file(broken).unwrap();
    }

    #[test]
    fn nonsense_figures_are_refused_with_their_names() {
        let mut inputs = RealtimeInputs::assumed();
        inputs.session_minutes.value = 0.0;

        let error = inputs.check().unwrap_err();
        assert!(
            error.to_string().contains("minutes a connection lasts"),
            "{error}"
        );
    }
}
