//! Walking the YAML document with its path in hand, so every error names the key it is about
//! (`config.phases[0].arrivalCount`), and refusing keys outside the supported subset.

use serde_json::{Map, Value};

/// Why a config cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("not a YAML config: {0}")]
    Yaml(#[from] serde_norway::Error),
    /// A key Artillery knows that would change the traffic, and that this load generator does not implement.
    #[error(
        "{at}: `{key}` is not supported by twinstack load and would change the traffic (supported here: {supported})"
    )]
    Unsupported {
        at: String,
        key: String,
        supported: String,
    },
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },
}

/// A value of the document and where it is.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    path: &'a str,
    pub value: &'a Value,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value) -> Self {
        Self { path: "", value }
    }

    pub fn path(&self) -> &str {
        if self.path.is_empty() {
            "(top level)"
        } else {
            self.path
        }
    }

    /// An error about this node.
    pub fn invalid(&self, message: impl Into<String>) -> ScriptError {
        ScriptError::Invalid {
            at: self.path().to_owned(),
            message: message.into(),
        }
    }

    pub fn object(&self) -> Result<&'a Map<String, Value>, ScriptError> {
        self.value
            .as_object()
            .ok_or_else(|| self.invalid("expected a mapping"))
    }

    pub fn array(&self) -> Result<&'a Vec<Value>, ScriptError> {
        self.value
            .as_array()
            .ok_or_else(|| self.invalid("expected a list"))
    }

    pub fn str(&self) -> Result<&'a str, ScriptError> {
        self.value
            .as_str()
            .ok_or_else(|| self.invalid("expected a string"))
    }

    /// Fails on the first key outside `supported`, naming it.
    pub fn only_keys(&self, supported: &[&str]) -> Result<(), ScriptError> {
        match self
            .object()?
            .keys()
            .find(|key| !supported.contains(&key.as_str()))
        {
            Some(key) => Err(ScriptError::Unsupported {
                at: self.child_path(key),
                key: key.clone(),
                supported: supported.join(", "),
            }),
            None => Ok(()),
        }
    }

    pub fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn item_path(&self, index: usize) -> String {
        format!("{}[{index}]", self.path)
    }

    /// Visits a child under its own path; the path string only lives for the call.
    pub fn with_child<T>(
        &self,
        key: &str,
        visit: impl FnOnce(Option<Node<'_>>) -> Result<T, ScriptError>,
    ) -> Result<T, ScriptError> {
        let path = self.child_path(key);
        let child = self.value.get(key).map(|value| Node { path: &path, value });
        visit(child)
    }

    /// Visits each item of a list under its own path.
    pub fn each_item<T>(
        &self,
        mut visit: impl FnMut(usize, Node<'_>) -> Result<T, ScriptError>,
    ) -> Result<Vec<T>, ScriptError> {
        self.array()?
            .iter()
            .enumerate()
            .map(|(index, value)| {
                let path = self.item_path(index);
                visit(index, Node { path: &path, value })
            })
            .collect()
    }

    /// Visits each member of a mapping under its own path.
    pub fn each_member<T>(
        &self,
        mut visit: impl FnMut(&str, Node<'_>) -> Result<T, ScriptError>,
    ) -> Result<Vec<T>, ScriptError> {
        self.object()?
            .iter()
            .map(|(key, value)| {
                let path = self.child_path(key);
                visit(key, Node { path: &path, value })
            })
            .collect()
    }
}

/// A number, or a string holding one (Artillery casts with lodash `_.toNumber`, so env-substituted strings work).
pub fn number(node: Node<'_>) -> Result<f64, ScriptError> {
    let number = match node.value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    number
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| node.invalid("expected a non-negative number"))
}

/// A duration in seconds as Artillery reads `duration` and `think`: a whole number is seconds, a string with
/// a unit goes through the `ms` package (`"500ms"`, `"2m"`). A bare fraction is refused: Artillery would hand it
/// to `ms` as a number and get nonsense back (`think: 0.5` waits about a millisecond).
pub fn seconds(node: Node<'_>) -> Result<f64, ScriptError> {
    let refuse = || {
        node.invalid("expected whole seconds or a duration with a unit (\"500ms\", \"1.5s\", \"2m\", \"1h\")")
    };
    let text = match node.value {
        Value::Number(n) => return n.as_u64().map(|s| s as f64).ok_or_else(refuse),
        Value::String(s) => s.trim(),
        _ => return Err(refuse()),
    };
    if let Ok(whole) = text.parse::<u64>() {
        return Ok(whole as f64);
    }
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(refuse)?;
    let amount: f64 = text[..split].trim().parse().map_err(|_| refuse())?;
    let unit_seconds = match text[split..].to_ascii_lowercase().as_str() {
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        _ => return Err(refuse()),
    };
    Some(amount * unit_seconds)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(refuse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secs(value: Value) -> Result<f64, ScriptError> {
        seconds(Node::root(&value))
    }

    #[test]
    fn durations_read_like_artillerys() {
        assert_eq!(secs(json!(300)).unwrap(), 300.0);
        assert_eq!(secs(json!("300")).unwrap(), 300.0);
        assert_eq!(secs(json!("500ms")).unwrap(), 0.5);
        assert_eq!(secs(json!("1.5s")).unwrap(), 1.5);
        assert_eq!(secs(json!("2 minutes")).unwrap(), 120.0);
        assert_eq!(secs(json!("1h")).unwrap(), 3600.0);
    }

    #[test]
    fn ambiguous_durations_are_refused() {
        for value in [
            json!(0.5),
            json!("1.5"),
            json!("soon"),
            json!("-1s"),
            json!(true),
        ] {
            assert!(secs(value.clone()).is_err(), "{value}");
        }
    }

    #[test]
    fn unsupported_keys_are_named_with_their_path() {
        let value = json!({"phases": [{"duration": 1, "arrivalCount": 5}]});
        let error = Node::root(&value)
            .with_child("phases", |phases| {
                phases
                    .unwrap()
                    .each_item(|_, phase| phase.only_keys(&["duration", "arrivalRate"]))
            })
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("phases[0].arrivalCount: `arrivalCount` is not supported"),
            "{error}"
        );
    }
}
