//! An Artillery YAML config, validated into what the runner executes.
//!
//! Parsing refuses, with the key's path, everything outside the subset documented in the crate docs that
//! would change the traffic; reporting-only plugins are accepted and leave a note in the results.

mod config;
mod document;
mod error;
mod flow;
mod values;
mod ws_flow;

use std::time::Duration;

use serde_json::Value;

use document::Document;
pub use error::ScriptError;

use crate::json_body::JsonBody;
use crate::jsonpath::JsonPath;
use crate::template::Template;

/// A validated config.
#[derive(Debug, Clone)]
pub struct Script {
    /// `config.target` as written: reported, never used (traffic goes only to `--target`).
    pub config_target: Option<String>,
    pub phases: Vec<PhaseSpec>,
    pub variables: Vec<(String, Variable)>,
    pub scenarios: Vec<Scenario>,
    /// Distinct request names, in order of first appearance; [`Request::name`] indexes it.
    pub request_names: Vec<String>,
    /// `config.http.timeout` (or `config.timeout`); Artillery's default is 10 s.
    pub request_timeout: Option<Duration>,
    /// What was accepted but does not act, for the results.
    pub notes: Vec<String>,
}

/// A phase as written (before `--time-scale` / `--rate-scale`).
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseSpec {
    pub name: Option<String>,
    pub duration_secs: f64,
    /// New virtual users per second.
    pub arrival_rate: f64,
    pub ramp_to: Option<f64>,
}

/// A `config.variables` entry: Artillery samples one element of a list per virtual user.
#[derive(Debug, Clone)]
pub enum Variable {
    Fixed(Value),
    OneOf(Vec<Value>),
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub weight: u32,
    pub flow: Flow,
}

/// A scenario's steps, by its `engine`.
#[derive(Debug, Clone)]
pub enum Flow {
    Http(Vec<Step>),
    Ws(WsFlow),
}

/// An `engine: ws` flow: one WebSocket per virtual user, opened before the first step and closed
/// after the last.
#[derive(Debug, Clone)]
pub struct WsFlow {
    /// `connect: "{{ target }}/path"`; without it the socket opens on `--target` itself.
    pub connect: Option<Template>,
    /// Index into [`Script::request_names`] under which connections are reported.
    pub connect_name: usize,
    pub steps: Vec<WsStep>,
}

#[derive(Debug, Clone)]
pub enum WsStep {
    /// A text frame; [`Script::request_names`]`[name]` is `send` and the payload as written.
    Send {
        name: usize,
        payload: Payload,
    },
    Think(Duration),
    Loop {
        count: u32,
        steps: Vec<WsStep>,
    },
}

/// What a `send` step writes: a string as rendered, any other value as JSON (Artillery's
/// `JSON.stringify` of the templated object).
#[derive(Debug, Clone)]
pub enum Payload {
    Text(Template),
    Json(JsonBody),
}

#[derive(Debug, Clone)]
pub enum Step {
    Request(Box<Request>),
    Think(Duration),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    /// A path (templated) appended to the target as is.
    pub url: Template,
    /// Index into [`Script::request_names`].
    pub name: usize,
    pub json: Option<JsonBody>,
    pub headers: Vec<(reqwest::header::HeaderName, Template)>,
    pub captures: Vec<Capture>,
}

/// `capture: {json: "$.id", as: userId}`.
#[derive(Debug, Clone)]
pub struct Capture {
    pub path: JsonPath,
    pub into: String,
    /// Artillery captures are strict by default: a failed one ends the virtual user's flow.
    pub strict: bool,
}

impl Script {
    /// Parses and validates a YAML config.
    pub fn parse(yaml: &str) -> Result<Self, ScriptError> {
        let document: Value = serde_norway::from_str(yaml)?;
        let document: Document =
            serde_path_to_error::deserialize(document).map_err(ScriptError::from_serde)?;
        let mut script = config::parse(document.config)?;
        let known_variables: Vec<&str> = script
            .variables
            .iter()
            .map(|(name, _)| name.as_str())
            .chain(["target"])
            .collect();
        let mut names = Vec::new();
        script.scenarios = flow::parse_scenarios(document.scenarios, &known_variables, &mut names)?;
        script.request_names = names;
        Ok(script)
    }

    /// The request timeout in force: the config's, or Artillery's default of 10 s.
    pub fn effective_timeout(&self) -> Duration {
        self.request_timeout.unwrap_or(Duration::from_secs(10))
    }
}
