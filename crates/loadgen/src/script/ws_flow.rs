//! `engine: ws` flows, read as Artillery's WebSocket engine (`lib/engine_ws`) reads them, within a
//! subset: `connect` (a URL string, as the first step), `send` (a string, or a value sent as JSON),
//! `think`, and `loop` with `count`. Anything else Artillery's engine knows (`connect` options,
//! `send` with `capture` / `match`, `wait`, `function`, `log`, `loop` with `over` / `whileTrue`)
//! is refused, naming the key, because it would change the traffic or what is measured.

use serde_json::Value;

use super::document::WsStepEntry;
use super::error::ScriptError;
use super::flow::{check_scope, intern};
use super::{Payload, WsFlow, WsStep};
use crate::json_body::JsonBody;
use crate::template::Template;

const STEP_KINDS: &str = "connect (first step only), send, think, loop";
/// Keys that make a `send` mapping Artillery's capture-or-match form rather than a payload.
const REPLY_KEYS: [&str; 2] = ["capture", "match"];

pub fn parse(
    flow: Vec<Value>,
    at: &str,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<WsFlow, ScriptError> {
    let connect_name = intern(names, "connect".to_owned());
    let mut connect = None;
    let mut steps = Vec::new();
    for (index, value) in flow.into_iter().enumerate() {
        let step_at = format!("{at}.flow[{index}]");
        let mut step = read(value, &step_at)?;
        if index == 0
            && let Some(url) = step.connect.take()
        {
            only_key(&step, &step_at, true)?;
            connect = Some(parse_connect(url, &step_at, known_variables)?);
            continue;
        }
        steps.push(parse_step(step, &step_at, known_variables, names)?);
    }
    if steps.is_empty() && connect.is_none() {
        return Err(ScriptError::invalid(at, "`flow` is empty"));
    }
    Ok(WsFlow {
        connect,
        connect_name,
        steps,
    })
}

fn read(value: Value, at: &str) -> Result<WsStepEntry, ScriptError> {
    serde_path_to_error::deserialize(value)
        .map_err(|error| ScriptError::from_serde_under(at, error))
}

/// Refuses a step with other than exactly one kind (`connect` already taken out when `connecting`).
fn only_key(step: &WsStepEntry, at: &str, connecting: bool) -> Result<(), ScriptError> {
    let present = [
        connecting || step.connect.is_some(),
        step.send.is_some(),
        step.think.is_some(),
        step.repeat.is_some(),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    if present != 1 {
        return Err(ScriptError::invalid(
            at,
            format!("a flow step has exactly one of: {STEP_KINDS}"),
        ));
    }
    if step.count.is_some() && step.repeat.is_none() {
        return Err(ScriptError::invalid(at, "`count` goes with `loop`"));
    }
    Ok(())
}

fn parse_connect(url: Value, at: &str, known_variables: &[&str]) -> Result<Template, ScriptError> {
    let at = format!("{at}.connect");
    let raw = match url {
        Value::String(raw) => raw,
        Value::Object(options) => {
            let key = options.keys().next().cloned().unwrap_or_default();
            return Err(ScriptError::Unsupported {
                at: format!("{at}.{key}"),
                key,
                supported: "connect as a URL string, \"{{ target }}/path\"".to_owned(),
            });
        }
        other => {
            return Err(ScriptError::invalid(
                &at,
                format!("expected a URL string, found {other}"),
            ));
        }
    };
    let template = Template::parse(&raw).map_err(|why| ScriptError::invalid(&at, why))?;
    if !template.starts_with_variable("target") {
        return Err(ScriptError::invalid(
            &at,
            "only URLs starting with `{{ target }}` are supported: traffic goes to --target and nowhere else",
        ));
    }
    check_scope(&at, template.variables(), &owned(known_variables))?;
    Ok(template)
}

fn parse_step(
    step: WsStepEntry,
    at: &str,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<WsStep, ScriptError> {
    only_key(&step, at, false)?;
    let WsStepEntry {
        connect,
        send,
        think,
        repeat,
        count,
    } = step;
    if connect.is_some() {
        return Err(ScriptError::invalid(
            &format!("{at}.connect"),
            "`connect` is read only as a flow's first step (Artillery ignores it anywhere else)",
        ));
    }
    if let Some(think) = think {
        return Ok(WsStep::Think(std::time::Duration::from_secs_f64(think.0)));
    }
    if let Some(payload) = send {
        return parse_send(payload, &format!("{at}.send"), known_variables, names);
    }
    let body = repeat.expect("exactly one kind is present");
    let loop_at = format!("{at}.loop");
    let count = match count {
        None => {
            return Err(ScriptError::invalid(
                at,
                "`count` is missing: a `loop` without one runs until the virtual user is stopped",
            ));
        }
        // Artillery reads `count || -1`: a count of 0 loops for ever.
        Some(count) if count.0 == 0 => {
            return Err(ScriptError::invalid(
                &format!("{at}.count"),
                "must be at least 1 (Artillery loops for ever on 0)",
            ));
        }
        Some(count) => count.0,
    };
    if body.is_empty() {
        return Err(ScriptError::invalid(&loop_at, "`loop` is empty"));
    }
    let steps = body
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let step_at = format!("{loop_at}[{index}]");
            parse_step(read(value, &step_at)?, &step_at, known_variables, names)
        })
        .collect::<Result<_, _>>()?;
    Ok(WsStep::Loop { count, steps })
}

fn parse_send(
    payload: Value,
    at: &str,
    known_variables: &[&str],
    names: &mut Vec<String>,
) -> Result<WsStep, ScriptError> {
    let in_scope = owned(known_variables);
    let (payload, written) = match payload {
        Value::Null => return Err(ScriptError::invalid(at, "nothing to send")),
        Value::String(raw) => {
            let template = Template::parse(&raw).map_err(|why| ScriptError::invalid(at, why))?;
            check_scope(at, template.variables(), &in_scope)?;
            (Payload::Text(template), raw)
        }
        value => {
            if let Some(key) = value
                .as_object()
                .and_then(|members| REPLY_KEYS.iter().find(|key| members.contains_key(**key)))
            {
                return Err(ScriptError::Unsupported {
                    at: format!("{at}.{key}"),
                    key: (*key).to_owned(),
                    supported: "send with a string or a value sent as JSON; replies are counted, \
                                not captured or matched"
                        .to_owned(),
                });
            }
            let body = JsonBody::compile(&value).map_err(|why| ScriptError::invalid(at, why))?;
            check_scope(
                at,
                body.templates().into_iter().flat_map(Template::variables),
                &in_scope,
            )?;
            (Payload::Json(body), value.to_string())
        }
    };
    let name = intern(names, format!("send {written}"));
    Ok(WsStep::Send { name, payload })
}

fn owned(variables: &[&str]) -> Vec<String> {
    variables.iter().map(|v| (*v).to_owned()).collect()
}
