//! `scenarios:` and their HTTP flows: requests, captures and think steps (`engine: ws` flows are
//! read by [`super::ws_flow`]).
//!
//! Every template must read a variable that exists at that point of the flow (from `config.variables`,
//! `target`, or a capture of an earlier step), so a typo fails at load time instead of sending `undefined`.

use reqwest::Method;
use reqwest::header::HeaderName;
use serde_json::{Map, Value};

use super::document::{CaptureEntry, RequestEntry, ScenarioEntry, StepEntry, header_text};
use super::error::ScriptError;
use super::values::OneOrMany;
use super::{Capture, Flow, Request, Scenario, Step, ws_flow};
use crate::json_body::JsonBody;
use crate::jsonpath::JsonPath;
use crate::template::Template;

const STEP_KINDS: &str = "get, post, put, patch, delete, think";
const ENGINES: &str = "http (the default), ws";

pub fn parse_scenarios(
    scenarios: Vec<ScenarioEntry>,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<Vec<Scenario>, ScriptError> {
    let parsed = scenarios
        .into_iter()
        .enumerate()
        .map(|(index, scenario)| parse_scenario(index, scenario, known_variables, names))
        .collect::<Result<Vec<_>, _>>()?;
    if parsed.is_empty() {
        return Err(ScriptError::invalid("scenarios", "no scenarios"));
    }
    if parsed.iter().all(|s| s.weight == 0) {
        return Err(ScriptError::invalid(
            "scenarios",
            "every scenario has weight 0, so none can be picked",
        ));
    }
    Ok(parsed)
}

fn parse_scenario(
    index: usize,
    scenario: ScenarioEntry,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<Scenario, ScriptError> {
    let at = format!("scenarios[{index}]");
    if scenario.flow.is_empty() {
        return Err(ScriptError::invalid(&at, "`flow` is empty"));
    }
    let flow = match scenario.engine.as_deref() {
        None | Some("http") => {
            Flow::Http(parse_http_flow(scenario.flow, &at, known_variables, names)?)
        }
        Some("ws") => Flow::Ws(ws_flow::parse(scenario.flow, &at, known_variables, names)?),
        Some(other) => {
            return Err(ScriptError::Unsupported {
                at: format!("{at}.engine"),
                key: other.to_owned(),
                supported: format!("the engines {ENGINES}"),
            });
        }
    };
    Ok(Scenario {
        name: scenario.name.unwrap_or_else(|| index.to_string()),
        // Artillery: an absent weight is 1, otherwise parseInt of the value.
        weight: scenario.weight.map_or(1, |weight| weight.0),
        flow,
    })
}

fn parse_http_flow(
    flow: Vec<Value>,
    at: &str,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<Vec<Step>, ScriptError> {
    let mut in_scope: Vec<String> = known_variables.iter().map(|v| (*v).to_owned()).collect();
    flow.into_iter()
        .enumerate()
        .map(|(step_index, step)| {
            let step_at = format!("{at}.flow[{step_index}]");
            let step: StepEntry = serde_path_to_error::deserialize(step)
                .map_err(|error| ScriptError::from_serde_under(&step_at, error))?;
            parse_step(step, &step_at, &mut in_scope, names)
        })
        .collect()
}

fn parse_step(
    step: StepEntry,
    at: &str,
    in_scope: &mut Vec<String>,
    names: &mut Vec<String>,
) -> Result<Step, ScriptError> {
    let StepEntry {
        get,
        post,
        put,
        patch,
        delete,
        think,
    } = step;
    let requests = [
        ("get", Method::GET, get),
        ("post", Method::POST, post),
        ("put", Method::PUT, put),
        ("patch", Method::PATCH, patch),
        ("delete", Method::DELETE, delete),
    ];
    let present =
        requests.iter().filter(|(_, _, r)| r.is_some()).count() + usize::from(think.is_some());
    if present != 1 {
        return Err(ScriptError::invalid(
            at,
            format!("a flow step has exactly one of: {STEP_KINDS}"),
        ));
    }
    if let Some(think) = think {
        return Ok(Step::Think(std::time::Duration::from_secs_f64(think.0)));
    }
    let (key, method, request) = requests
        .into_iter()
        .find_map(|(key, method, request)| request.map(|request| (key, method, request)))
        .expect("exactly one kind is present");
    parse_request(method, request, &format!("{at}.{key}"), in_scope, names)
        .map(|request| Step::Request(Box::new(request)))
}

fn parse_request(
    method: Method,
    request: RequestEntry,
    at: &str,
    in_scope: &mut Vec<String>,
    names: &mut Vec<String>,
) -> Result<Request, ScriptError> {
    let url_at = format!("{at}.url");
    if !request.url.starts_with('/') {
        return Err(ScriptError::invalid(
            &url_at,
            "only paths (starting with `/`) are supported: they are appended to --target, and traffic never \
             goes anywhere else",
        ));
    }
    let url = Template::parse(&request.url).map_err(|why| ScriptError::invalid(&url_at, why))?;
    check_scope(&url_at, url.variables(), in_scope)?;
    let name = match request.name {
        Some(name) if name.contains("{{") => {
            return Err(ScriptError::invalid(
                &format!("{at}.name"),
                "templated names are not supported: names key the per-request statistics",
            ));
        }
        Some(name) => name,
        // Unnamed requests are reported under the URL as written, so a templated URL stays one entry.
        None => format!("{method} {}", url.raw()),
    };
    let json = request
        .json
        .map(|json| {
            let json_at = format!("{at}.json");
            let body =
                JsonBody::compile(&json).map_err(|why| ScriptError::invalid(&json_at, why))?;
            check_scope(
                &json_at,
                body.templates().into_iter().flat_map(Template::variables),
                in_scope,
            )?;
            Ok::<_, ScriptError>(body)
        })
        .transpose()?;
    let headers = parse_headers(request.headers.unwrap_or_default(), at, in_scope)?;
    let captures = match request.capture {
        None => Vec::new(),
        Some(OneOrMany::One(capture)) => vec![parse_capture(capture, &format!("{at}.capture"))?],
        Some(OneOrMany::Many(captures)) => captures
            .into_iter()
            .enumerate()
            .map(|(index, capture)| parse_capture(capture, &format!("{at}.capture[{index}]")))
            .collect::<Result<_, _>>()?,
    };
    in_scope.extend(captures.iter().map(|c| c.into.clone()));
    let name = intern(names, name);
    Ok(Request {
        method,
        url,
        name,
        json,
        headers,
        captures,
    })
}

fn parse_headers(
    headers: Map<String, Value>,
    at: &str,
    in_scope: &[String],
) -> Result<Vec<(HeaderName, Template)>, ScriptError> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let header_at = format!("{at}.headers.{name}");
            let invalid = |why: String| ScriptError::invalid(&header_at, why);
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid("not a valid header name".into()))?;
            let text = header_text(value).map_err(|error| invalid(error.to_string()))?;
            let template = Template::parse(&text.0).map_err(invalid)?;
            check_scope(&header_at, template.variables(), in_scope)?;
            Ok((header, template))
        })
        .collect()
}

fn parse_capture(capture: CaptureEntry, at: &str) -> Result<Capture, ScriptError> {
    let path = JsonPath::parse_capture(&capture.json)
        .map_err(|why| ScriptError::invalid(&format!("{at}.json"), why))?;
    Ok(Capture {
        path,
        into: capture.into,
        // Artillery captures are strict unless told otherwise.
        strict: capture.strict.unwrap_or(true),
    })
}

pub(super) fn check_scope<'v>(
    at: &str,
    variables: impl IntoIterator<Item = &'v str>,
    in_scope: &[String],
) -> Result<(), ScriptError> {
    for variable in variables {
        if !in_scope.iter().any(|known| known == variable) {
            return Err(ScriptError::invalid(
                at,
                format!(
                    "`{{{{ {variable} }}}}` is neither in config.variables nor captured by an earlier step of this flow"
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn intern(names: &mut Vec<String>, name: String) -> usize {
    match names.iter().position(|known| *known == name) {
        Some(index) => index,
        None => {
            names.push(name);
            names.len() - 1
        }
    }
}
