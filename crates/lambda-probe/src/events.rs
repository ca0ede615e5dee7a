//! The events `invoke` cycles through, and the names their figures are reported under.
//!
//! Each `--events` value is `[NAME=]PATH`, PATH a JSON file or a directory of `*.json` files (in
//! name order). The name is NAME when given (every file of a directory then shares it, so their
//! figures pool); else, with `--name-from-path`, the file's stem; else the request the event
//! carries, `METHOD /path`, read from an API Gateway REST (v1), HTTP API / function URL (v2) or
//! ALB event. Files with the same name pool their figures.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use axum::body::Bytes;
use serde_json::Value;

pub struct Event {
    pub name: String,
    pub file: PathBuf,
    pub payload: Bytes,
}

/// Loads every `--events` value, in order.
pub fn load(specs: &[String], name_from_path: bool) -> anyhow::Result<Vec<Event>> {
    let mut events = Vec::new();
    for spec in specs {
        let (name, path) = split_spec(spec);
        for file in files(&path)? {
            let text =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let json: Value = serde_json::from_slice(&text)
                .with_context(|| format!("{} is not JSON", file.display()))?;
            if !json.is_object() {
                bail!("{} is not a JSON object, so not an event", file.display());
            }
            let name = match &name {
                Some(name) => name.clone(),
                None if name_from_path => stem(&file),
                None => request_line(&json).unwrap_or_else(|| stem(&file)),
            };
            events.push(Event {
                name,
                file,
                payload: Bytes::from(text),
            });
        }
    }
    if events.is_empty() {
        bail!("no events: give --events with a JSON file or a directory holding some");
    }
    Ok(events)
}

/// `NAME=PATH` or `PATH`; a spec that is an existing path is a path even with a `=` in it.
fn split_spec(spec: &str) -> (Option<String>, PathBuf) {
    if !Path::new(spec).exists()
        && let Some((name, path)) = spec.split_once('=')
        && !name.is_empty()
    {
        return (Some(name.to_owned()), PathBuf::from(path));
    }
    (None, PathBuf::from(spec))
}

fn files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("no events at {}", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let file = entry?.path();
        if file.extension().is_some_and(|e| e == "json") && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        bail!("no *.json files in {}", path.display());
    }
    files.sort();
    Ok(files)
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string())
}

/// `GET /api/users/7`: v2 has `requestContext.http.method` and `rawPath`; v1 and ALB have
/// `httpMethod` and `path`.
fn request_line(event: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let v2 = || {
        Some((
            text(event.pointer("/requestContext/http/method")?)?,
            text(event.get("rawPath")?)?,
        ))
    };
    let v1 = || Some((text(event.get("httpMethod")?)?, text(event.get("path")?)?));
    let (method, path) = v2().or_else(v1)?;
    Some(format!("{method} {path}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_come_from_the_request_an_event_carries() {
        let v2 =
            json!({"rawPath": "/prod/api/users/7", "requestContext": {"http": {"method": "GET"}}});
        let v1 = json!({"httpMethod": "POST", "path": "/api/orders", "requestContext": {}});

        assert_eq!(request_line(&v2).as_deref(), Some("GET /prod/api/users/7"));
        assert_eq!(request_line(&v1).as_deref(), Some("POST /api/orders"));
        assert_eq!(request_line(&json!({"detail": {}})), None);
    }

    #[test]
    fn a_spec_names_its_files_unless_it_is_a_path() {
        assert_eq!(
            split_spec("Simple GET=events/health.json"),
            (
                Some("Simple GET".into()),
                PathBuf::from("events/health.json")
            )
        );
        assert_eq!(split_spec("events"), (None, PathBuf::from("events")));
        assert_eq!(split_spec("=x.json"), (None, PathBuf::from("=x.json")));
    }
}
