//! The `config:` section: target, phases, variables, the request timeout and plugins.

use std::time::Duration;

use super::node::{Node, ScriptError, number, seconds};
use super::{PhaseSpec, Script, Variable};

/// Plugins that only shape reports: accepted, with a note that we report our own way.
const REPORTING_PLUGINS: &[&str] = &["metrics-by-endpoint", "apdex", "ensure", "publish-metrics"];

pub fn parse(config: Node<'_>) -> Result<Script, ScriptError> {
    config.only_keys(&[
        "target",
        "phases",
        "variables",
        "plugins",
        "http",
        "timeout",
        "ensure",
    ])?;
    let mut notes = Vec::new();
    let config_target = config.with_child("target", |target| {
        target.map(|t| t.str().map(str::to_owned)).transpose()
    })?;
    let phases = config.with_child("phases", |phases| {
        phases
            .ok_or_else(|| config.invalid("`phases` is missing"))?
            .each_item(|_, phase| parse_phase(phase))
    })?;
    if phases.is_empty() {
        return Err(config.invalid("`phases` is empty"));
    }
    let variables = config.with_child("variables", |variables| {
        variables.map_or(Ok(Vec::new()), |v| v.each_member(parse_variable))
    })?;
    let request_timeout = parse_timeout(config)?;
    config.with_child("plugins", |plugins| match plugins {
        Some(plugins) => plugins
            .each_member(|name, _| {
                if !REPORTING_PLUGINS.contains(&name) {
                    return Err(ScriptError::Unsupported {
                        at: plugins.child_path(name),
                        key: name.to_owned(),
                        supported: format!("the reporting-only plugins {}", REPORTING_PLUGINS.join(", ")),
                    });
                }
                notes.push(format!(
                    "plugins.{name}: reporting only, not run; twinstack load always reports per request name \
                     and per phase"
                ));
                Ok(())
            })
            .map(drop),
        None => Ok(()),
    })?;
    if config.value.get("ensure").is_some() {
        notes.push(
            "config.ensure: thresholds are not checked; read them against the results".into(),
        );
    }
    Ok(Script {
        config_target,
        phases,
        variables,
        scenarios: Vec::new(),
        request_names: Vec::new(),
        request_timeout,
        notes,
    })
}

fn parse_phase(phase: Node<'_>) -> Result<PhaseSpec, ScriptError> {
    phase.only_keys(&["duration", "arrivalRate", "rampTo", "name"])?;
    let duration_secs = phase.with_child("duration", |d| {
        seconds(d.ok_or_else(|| phase.invalid("`duration` is missing"))?)
    })?;
    if duration_secs <= 0.0 {
        return Err(phase.invalid("`duration` must be positive"));
    }
    let arrival_rate = phase.with_child("arrivalRate", |rate| {
        number(rate.ok_or_else(|| phase.invalid("`arrivalRate` is missing"))?)
    })?;
    let ramp_to = phase.with_child("rampTo", |ramp| ramp.map(number).transpose())?;
    let name = phase.with_child("name", |name| {
        name.map(|n| n.str().map(str::to_owned)).transpose()
    })?;
    Ok(PhaseSpec {
        name,
        duration_secs,
        arrival_rate,
        ramp_to,
    })
}

fn parse_variable(name: &str, value: Node<'_>) -> Result<(String, Variable), ScriptError> {
    let variable = match value.value {
        serde_json::Value::Array(items) if items.is_empty() => {
            return Err(value.invalid("an empty list has nothing to pick"));
        }
        serde_json::Value::Array(items) => Variable::OneOf(items.clone()),
        other => Variable::Fixed(other.clone()),
    };
    Ok((name.to_owned(), variable))
}

/// `config.timeout`, else `config.http.timeout`: the order of Artillery's HTTP engine
/// (`config.timeout || config.http.timeout || 10`, in seconds, fractions allowed).
fn parse_timeout(config: Node<'_>) -> Result<Option<Duration>, ScriptError> {
    let http_timeout = config.with_child("http", |http| match http {
        Some(http) => {
            http.only_keys(&["timeout"])?;
            http.with_child("timeout", |t| t.map(number).transpose())
        }
        None => Ok(None),
    })?;
    let top_timeout = config.with_child("timeout", |t| t.map(number).transpose())?;
    let timeout = top_timeout.or(http_timeout);
    match timeout {
        Some(secs) if secs <= 0.0 => Err(config.invalid("the request timeout must be positive")),
        other => Ok(other.map(Duration::from_secs_f64)),
    }
}
