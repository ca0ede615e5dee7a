//! The supported subset of an Artillery config, as serde reads it: a key outside it is refused by
//! name (`deny_unknown_fields`), with its path, before anything runs.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::values::{HeaderText, Number, OneOrMany, Seconds, WholeNumber};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub config: ConfigEntry,
    pub scenarios: Vec<ScenarioEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigEntry {
    pub target: Option<String>,
    pub phases: Vec<PhaseEntry>,
    pub variables: Option<Map<String, Value>>,
    /// By name; the values configure reporting this load generator does its own way.
    pub plugins: Option<Map<String, Value>>,
    pub http: Option<HttpEntry>,
    pub timeout: Option<Number>,
    /// Thresholds: noted, not checked.
    pub ensure: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PhaseEntry {
    pub duration: Seconds,
    pub arrival_rate: Number,
    pub ramp_to: Option<Number>,
    pub name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpEntry {
    pub timeout: Option<Number>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEntry {
    pub name: Option<String>,
    pub weight: Option<WholeNumber>,
    /// `http` (the default) or `ws`; the flow's steps are read by the engine's rules.
    pub engine: Option<String>,
    pub flow: Vec<Value>,
}

/// An HTTP flow step: exactly one of these keys (checked after reading, to say so).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepEntry {
    pub get: Option<RequestEntry>,
    pub post: Option<RequestEntry>,
    pub put: Option<RequestEntry>,
    pub patch: Option<RequestEntry>,
    pub delete: Option<RequestEntry>,
    pub think: Option<Seconds>,
}

/// A WebSocket flow step (`engine: ws`): exactly one of `connect`, `send`, `think`, `loop`;
/// `count` goes with `loop`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsStepEntry {
    /// A URL string; Artillery's mapping form (`target`, `headers`, `subprotocols`, `function`)
    /// is refused key by key after reading.
    pub connect: Option<Value>,
    /// A string, or a value sent as JSON.
    pub send: Option<Value>,
    pub think: Option<Seconds>,
    #[serde(rename = "loop")]
    pub repeat: Option<Vec<Value>>,
    pub count: Option<WholeNumber>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestEntry {
    pub url: String,
    pub name: Option<String>,
    pub json: Option<Value>,
    pub headers: Option<Map<String, Value>>,
    pub capture: Option<OneOrMany<CaptureEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureEntry {
    pub json: String,
    #[serde(rename = "as")]
    pub into: String,
    pub strict: Option<bool>,
}

/// A header's value, read where its name is known so an error can name both.
pub fn header_text(value: Value) -> Result<HeaderText, serde_json::Error> {
    HeaderText::deserialize(value)
}
