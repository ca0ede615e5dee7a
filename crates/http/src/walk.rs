//! Walking request JSON: the steps each body parser in [`crate::dto`] is made of. Every broken
//! rule is reported at its field path, all at once.
//!
//! Bodies arrive as `serde_json::Value` (syntax errors are 400s, see [`crate::extract`]);
//! everything about shape and rules — missing, unknown or mistyped fields, lengths, ranges — is a
//! 422 from here. The rules themselves are core's (`UserName::parse`, `Qty::MAX`, …).

use serde_json::{Map, Value};

use crate::field::{FieldError, FieldPath};

/// Collects field errors while a body is walked.
#[derive(Default)]
pub(crate) struct Report(Vec<FieldError>);

impl Report {
    pub(crate) fn push(&mut self, field: FieldPath, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// The body must be an object whose keys are all in `allowed`.
pub(crate) fn object<'a>(
    body: &'a Value,
    allowed: &[&str],
    at: &FieldPath,
    report: &mut Report,
) -> Option<&'a Map<String, Value>> {
    let Some(map) = body.as_object() else {
        report.push(at.clone(), "must be a JSON object");
        return None;
    };
    for key in map.keys().filter(|key| !allowed.contains(&key.as_str())) {
        report.push(at.key(key), "unknown field");
    }
    Some(map)
}

pub(crate) fn required<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    at: &FieldPath,
    report: &mut Report,
) -> Option<&'a Value> {
    let value = map.get(key);
    if value.is_none() {
        report.push(at.key(key), "is required");
    }
    value
}

pub(crate) fn string<'a>(value: &'a Value, at: FieldPath, report: &mut Report) -> Option<&'a str> {
    let text = value.as_str();
    if text.is_none() {
        report.push(at, "must be a string");
    }
    text
}

/// An integer in `min..=max`. Integral floats such as `2.0` count as integers, as JSON Schema says.
pub(crate) fn integer(
    value: &Value,
    min: i64,
    max: i64,
    at: FieldPath,
    report: &mut Report,
) -> Option<i64> {
    let Value::Number(number) = value else {
        report.push(at, "must be an integer");
        return None;
    };
    let exact = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    let integral =
        exact.is_some() || number.is_u64() || number.as_f64().is_some_and(|f| f.fract() == 0.0);
    if !integral {
        report.push(at, "must be an integer");
        return None;
    }
    match exact.filter(|n| (min..=max).contains(n)) {
        Some(n) => Some(n),
        None => {
            report.push(at, format!("must be between {min} and {max}"));
            None
        }
    }
}

pub(crate) fn parse_with<T>(
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
    at: FieldPath,
    report: &mut Report,
) -> Option<T> {
    match parse(text?) {
        Ok(value) => Some(value),
        Err(message) => {
            report.push(at, message);
            None
        }
    }
}
