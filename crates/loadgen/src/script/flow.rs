//! `scenarios:` and their flows: requests, captures and think steps.
//!
//! Every template must read a variable that exists at that point of the flow (from `config.variables`,
//! `target`, or a capture of an earlier step), so a typo fails at load time instead of sending `undefined`.

use reqwest::Method;
use reqwest::header::HeaderName;

use super::node::{Node, ScriptError, seconds};
use super::{Capture, Request, Scenario, Step};
use crate::json_body::JsonBody;
use crate::jsonpath::JsonPath;
use crate::template::Template;

const METHODS: &[(&str, Method)] = &[
    ("get", Method::GET),
    ("post", Method::POST),
    ("put", Method::PUT),
    ("patch", Method::PATCH),
    ("delete", Method::DELETE),
];
const STEP_KINDS: &str = "get, post, put, patch, delete, think";

pub fn parse_scenarios(
    scenarios: Node<'_>,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<Vec<Scenario>, ScriptError> {
    let parsed = scenarios
        .each_item(|index, scenario| parse_scenario(index, scenario, known_variables, names))?;
    if parsed.is_empty() {
        return Err(scenarios.invalid("no scenarios"));
    }
    if parsed.iter().all(|s| s.weight == 0) {
        return Err(scenarios.invalid("every scenario has weight 0, so none can be picked"));
    }
    Ok(parsed)
}

fn parse_scenario(
    index: usize,
    scenario: Node<'_>,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<Scenario, ScriptError> {
    scenario.only_keys(&["name", "weight", "flow"])?;
    let name = scenario.with_child("name", |name| {
        name.map_or(Ok(index.to_string()), |n| n.str().map(str::to_owned))
    })?;
    // Artillery: an absent weight is 1, otherwise parseInt of the value.
    let weight = scenario.with_child("weight", |weight| match weight {
        None => Ok(1),
        Some(weight) => {
            let parsed = match weight.value {
                serde_json::Value::Number(n) => n.as_u64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            parsed
                .and_then(|w| u32::try_from(w).ok())
                .ok_or_else(|| weight.invalid("expected a whole number"))
        }
    })?;
    let mut in_scope: Vec<String> = known_variables.iter().map(|v| (*v).to_owned()).collect();
    let flow = scenario.with_child("flow", |flow| {
        flow.ok_or_else(|| scenario.invalid("`flow` is missing"))?
            .each_item(|_, step| parse_step(step, &mut in_scope, names))
    })?;
    if flow.is_empty() {
        return Err(scenario.invalid("`flow` is empty"));
    }
    Ok(Scenario { name, weight, flow })
}

fn parse_step(
    step: Node<'_>,
    in_scope: &mut Vec<String>,
    names: &mut Vec<String>,
) -> Result<Step, ScriptError> {
    let members = step.object()?;
    let mut kinds = members.keys();
    let (Some(kind), None) = (kinds.next(), kinds.next()) else {
        return Err(step.invalid(format!("a flow step has exactly one of: {STEP_KINDS}")));
    };
    if kind == "think" {
        return step.with_child("think", |think| {
            let secs = seconds(think.expect("the key exists"))?;
            Ok(Step::Think(std::time::Duration::from_secs_f64(secs)))
        });
    }
    let Some((_, method)) = METHODS.iter().find(|(key, _)| key == kind) else {
        return Err(ScriptError::Unsupported {
            at: step.child_path(kind),
            key: kind.clone(),
            supported: STEP_KINDS.into(),
        });
    };
    step.with_child(kind, |params| {
        parse_request(
            method.clone(),
            params.expect("the key exists"),
            in_scope,
            names,
        )
    })
    .map(|request| Step::Request(Box::new(request)))
}

fn parse_request(
    method: Method,
    params: Node<'_>,
    in_scope: &mut Vec<String>,
    names: &mut Vec<String>,
) -> Result<Request, ScriptError> {
    params.only_keys(&["url", "name", "json", "headers", "capture"])?;
    let url = params.with_child("url", |url| {
        let url = url.ok_or_else(|| params.invalid("`url` is missing"))?;
        let raw = url.str()?;
        if !raw.starts_with('/') {
            return Err(url.invalid(
                "only paths (starting with `/`) are supported: they are appended to --target, and traffic never \
                 goes anywhere else",
            ));
        }
        let template = Template::parse(raw).map_err(|why| url.invalid(why))?;
        check_scope(url, template.variables(), in_scope)?;
        Ok(template)
    })?;
    let name = params.with_child("name", |name| match name {
        Some(name) => {
            let text = name.str()?;
            if text.contains("{{") {
                return Err(name.invalid(
                    "templated names are not supported: names key the per-request statistics",
                ));
            }
            Ok(text.to_owned())
        }
        // Unnamed requests are reported under the URL as written, so a templated URL stays one entry.
        None => Ok(format!("{method} {}", url.raw())),
    })?;
    let json = params.with_child("json", |json| {
        json.map(|json| {
            let body = JsonBody::compile(json.value).map_err(|why| json.invalid(why))?;
            check_scope(
                json,
                body.templates().into_iter().flat_map(Template::variables),
                in_scope,
            )?;
            Ok(body)
        })
        .transpose()
    })?;
    let headers = params.with_child("headers", |headers| {
        headers.map_or(Ok(Vec::new()), |headers| {
            headers.each_member(|name, value| parse_header(name, value, in_scope))
        })
    })?;
    let captures = params.with_child("capture", |capture| {
        capture.map_or(Ok(Vec::new()), parse_captures)
    })?;
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

fn parse_header(
    name: &str,
    value: Node<'_>,
    in_scope: &[String],
) -> Result<(HeaderName, Template), ScriptError> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| value.invalid("not a valid header name"))?;
    let raw = match value.value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        _ => return Err(value.invalid("expected a string")),
    };
    let template = Template::parse(&raw).map_err(|why| value.invalid(why))?;
    check_scope(value, template.variables(), in_scope)?;
    Ok((header, template))
}

/// `capture` is one mapping or a list of them (Artillery wraps a single one in a list).
fn parse_captures(capture: Node<'_>) -> Result<Vec<Capture>, ScriptError> {
    if capture.value.is_array() {
        capture.each_item(|_, item| parse_capture(item))
    } else {
        parse_capture(capture).map(|c| vec![c])
    }
}

fn parse_capture(capture: Node<'_>) -> Result<Capture, ScriptError> {
    capture.only_keys(&["json", "as", "strict"])?;
    let path = capture.with_child("json", |json| {
        let json = json.ok_or_else(|| {
            capture.invalid("`json` is missing (only JSON captures are supported)")
        })?;
        JsonPath::parse_capture(json.str()?).map_err(|why| json.invalid(why))
    })?;
    let into = capture.with_child("as", |into| {
        into.ok_or_else(|| capture.invalid("`as` is missing"))?
            .str()
            .map(str::to_owned)
    })?;
    let strict = capture.with_child("strict", |strict| match strict {
        None => Ok(true),
        Some(strict) => strict
            .value
            .as_bool()
            .ok_or_else(|| strict.invalid("expected true or false")),
    })?;
    Ok(Capture { path, into, strict })
}

fn check_scope<'v>(
    at: Node<'_>,
    variables: impl IntoIterator<Item = &'v str>,
    in_scope: &[String],
) -> Result<(), ScriptError> {
    for variable in variables {
        if !in_scope.iter().any(|known| known == variable) {
            return Err(at.invalid(format!(
                "`{{{{ {variable} }}}}` is neither in config.variables nor captured by an earlier step of this flow"
            )));
        }
    }
    Ok(())
}

fn intern(names: &mut Vec<String>, name: String) -> usize {
    match names.iter().position(|known| *known == name) {
        Some(index) => index,
        None => {
            names.push(name);
            names.len() - 1
        }
    }
}
