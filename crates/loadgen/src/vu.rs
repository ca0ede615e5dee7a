//! One virtual user: its scenario's flow, step by step, with its own variables.
//!
//! Timing (no coordinated omission): the first request is due at the user's arrival time, each later one at
//! the previous response plus any `think`; latency counts from that due time, so a late start caused by the
//! load generator or a slow previous step shows up in the numbers instead of being hidden.
//!
//! Artillery's flow semantics (`lib/core/engine_http.ts`): `target + url` by plain concatenation; a `json` body
//! is sent with `content-type: application/json` unless the request sets one; a transport error ends the flow;
//! a non-2xx response does not, but its captures are still evaluated, and a failed strict capture ends the flow
//! (when one fails, none of that step's captures are set).

use std::sync::Arc;
use std::time::Duration;

use rand::seq::IndexedRandom;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::consumed_capacity::{self, Capacity};
use crate::live::{InFlight, Live};
use crate::script::{Capture, Flow, Request, Script, Step, Variable};
use crate::server_timing;
use crate::stats::{ErrorKind, Event, Outcome, Sample};
use crate::template::Vars;
use crate::ws_vu;

/// What every virtual user of a run shares.
pub struct Context {
    pub client: reqwest::Client,
    pub target: String,
    pub script: Script,
    pub timeout: Duration,
    /// The start of the run; samples carry their offset from it.
    pub epoch: Instant,
    pub events: UnboundedSender<Event>,
    pub live: Arc<Live>,
}

/// Runs scenario `scenario` for a user that arrived (was due) at `arrival` in phase `phase`.
pub async fn run(
    context: Arc<Context>,
    scenario: usize,
    phase: usize,
    arrival: Instant,
    slot: InFlight,
) {
    let vars = initial_vars(&context.script, &context.target);
    let completed = match &context.script.scenarios[scenario].flow {
        Flow::Http(steps) => run_http(&context, steps, vars, phase, arrival).await,
        Flow::Ws(flow) => ws_vu::run(&context, flow, vars, phase, arrival).await,
    };
    drop(slot);
    // The collector outlives every virtual user; a send can only fail once the run is being torn down.
    let _ = context.events.send(Event::VuFinished { completed });
}

/// An HTTP flow; `false` when an error or a failed capture cut it short.
async fn run_http(
    context: &Context,
    steps: &[Step],
    mut vars: Vars,
    phase: usize,
    arrival: Instant,
) -> bool {
    let mut due = arrival;
    for step in steps {
        match step {
            Step::Think(pause) => {
                due += *pause;
                tokio::time::sleep_until(due).await;
            }
            Step::Request(request) => {
                if !execute(context, request, &mut vars, phase, due).await {
                    return false;
                }
                due = Instant::now();
            }
        }
    }
    true
}

/// `config.variables` (one element of each list, drawn per user, like Artillery's `_.sample`) and `target`.
fn initial_vars(script: &Script, target: &str) -> Vars {
    let mut rng = rand::rng();
    let mut vars: Vars = script
        .variables
        .iter()
        .map(|(name, variable)| {
            let value = match variable {
                Variable::Fixed(value) => value.clone(),
                Variable::OneOf(values) => values.choose(&mut rng).cloned().unwrap_or(Value::Null),
            };
            (name.clone(), value)
        })
        .collect();
    vars.insert("target".into(), Value::String(target.to_owned()));
    vars
}

/// Sends one request and records it; `false` ends the flow.
async fn execute(
    context: &Context,
    request: &Request,
    vars: &mut Vars,
    phase: usize,
    due: Instant,
) -> bool {
    let answer = send(context, request, vars, due).await;
    // A transport error ends the flow; a failed strict capture too, but not a non-2xx status.
    let (failed, keep_going) = match &answer {
        Ok(answer) => (
            !answer.captured || !(200..300).contains(&answer.status),
            answer.captured,
        ),
        Err(_) => (true, false),
    };
    let (outcome, server_timing, consumed_capacity) = match answer {
        Ok(answer) => (
            Outcome::Response {
                status: answer.status,
                latency_us: answer.latency_us,
                capture_failed: !answer.captured,
            },
            answer.server_timing,
            answer.consumed_capacity,
        ),
        Err(kind) => (Outcome::Failed(kind), Vec::new(), None),
    };
    context.live.count_request(failed);
    let sample = Sample {
        name: request.name,
        phase,
        at_us: due.duration_since(context.epoch).as_micros() as u64,
        outcome,
        server_timing,
        consumed_capacity,
    };
    let _ = context.events.send(Event::Request(sample));
    keep_going
}

struct Answer {
    status: u16,
    latency_us: u64,
    server_timing: Vec<(String, f64)>,
    consumed_capacity: Option<Capacity>,
    /// Whether every strict capture found its value.
    captured: bool,
}

async fn send(
    context: &Context,
    request: &Request,
    vars: &mut Vars,
    due: Instant,
) -> Result<Answer, ErrorKind> {
    let url = format!("{}{}", context.target, request.url.render_string(vars));
    let mut builder = context
        .client
        .request(request.method.clone(), url)
        .timeout(context.timeout);
    for (name, template) in &request.headers {
        let value =
            HeaderValue::from_str(&template.render_string(vars)).map_err(|_| ErrorKind::Other)?;
        builder = builder.header(name, value);
    }
    if let Some(body) = request.json.as_ref().and_then(|json| json.render(vars)) {
        if !request.headers.iter().any(|(name, _)| name == CONTENT_TYPE) {
            builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        builder = builder.body(serde_json::to_vec(&body).expect("a JSON value serialises"));
    }
    let response = builder.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let server_timing = server_timing::parse(response.headers());
    let consumed_capacity = consumed_capacity::parse(response.headers());
    // The whole body, always: captures need it, and a drained body keeps the connection reusable.
    let body = response.bytes().await.map_err(classify)?;
    let latency_us = due.elapsed().as_micros() as u64;
    Ok(Answer {
        status,
        latency_us,
        server_timing,
        consumed_capacity,
        captured: capture(&request.captures, &body, vars),
    })
}

fn classify(error: reqwest::Error) -> ErrorKind {
    if error.is_timeout() {
        ErrorKind::Timeout
    } else if error.is_connect() {
        ErrorKind::Connect
    } else {
        ErrorKind::Other
    }
}

/// Applies `captures` to the response body; `false` when a strict one found nothing.
///
/// Artillery's `captureOrMatch`: a body that is not JSON, a path that selects nothing and an empty string
/// all count as "no value"; a non-strict capture then sets the variable to undefined.
fn capture(captures: &[Capture], body: &[u8], vars: &mut Vars) -> bool {
    if captures.is_empty() {
        return true;
    }
    let document: Option<Value> = serde_json::from_slice(body)
        .ok()
        .filter(|doc: &Value| doc.is_object() || doc.is_array());
    let found: Vec<(&Capture, Option<Value>)> = captures
        .iter()
        .map(|capture| {
            let value = document
                .as_ref()
                .and_then(|doc| capture.path.select(doc))
                .filter(|value| value.as_str() != Some(""))
                .cloned();
            (capture, value)
        })
        .collect();
    if found
        .iter()
        .any(|(capture, value)| capture.strict && value.is_none())
    {
        return false;
    }
    for (capture, value) in found {
        match value {
            Some(value) => vars.insert(capture.into.clone(), value),
            None => vars.remove(&capture.into),
        };
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonpath::JsonPath;
    use serde_json::json;

    fn capture_spec(expr: &str, into: &str, strict: bool) -> Capture {
        Capture {
            path: JsonPath::parse_capture(expr).unwrap(),
            into: into.into(),
            strict,
        }
    }

    #[test]
    fn a_capture_keeps_the_json_type_of_the_value() {
        let mut vars = Vars::new();
        let captures = [
            capture_spec("$.id", "userId", true),
            capture_spec("$.name", "name", true),
        ];
        assert!(capture(
            &captures,
            br#"{"id": 42, "name": "Ada"}"#,
            &mut vars
        ));
        assert_eq!(vars["userId"], json!(42));
        assert_eq!(vars["name"], json!("Ada"));
    }

    #[test]
    fn a_failed_strict_capture_sets_nothing_and_stops_the_flow() {
        let mut vars = Vars::new();
        let captures = [
            capture_spec("$.id", "id", true),
            capture_spec("$.missing", "other", true),
        ];
        assert!(!capture(&captures, br#"{"id": 1}"#, &mut vars));
        assert!(vars.is_empty());
        for body in [&br#"{"id": ""}"#[..], b"not json", b"42", b""] {
            assert!(!capture(&captures[..1], body, &mut vars), "{body:?}");
        }
    }

    #[test]
    fn a_failed_lenient_capture_leaves_the_variable_undefined() {
        let mut vars = Vars::from([("id".into(), json!(1))]);
        assert!(capture(
            &[capture_spec("$.id", "id", false)],
            b"{}",
            &mut vars
        ));
        assert!(!vars.contains_key("id"));
    }
}
