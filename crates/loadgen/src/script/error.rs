//! Why a config cannot be run, always with the path of the key it is about
//! (`config.phases[0].arrivalCount`).

use serde_path_to_error::Segment;

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

impl ScriptError {
    pub fn invalid(at: &str, message: impl Into<String>) -> ScriptError {
        ScriptError::Invalid {
            at: at.to_owned(),
            message: message.into(),
        }
    }

    /// serde's refusal of the document: a key outside the supported subset is named as unsupported,
    /// a missing one as missing, anything else in serde's words.
    pub fn from_serde(error: serde_path_to_error::Error<serde_json::Error>) -> ScriptError {
        Self::from_serde_under("", error)
    }

    /// [`Self::from_serde`] for a value read on its own, found at `base` in the document.
    pub fn from_serde_under(
        base: &str,
        error: serde_path_to_error::Error<serde_json::Error>,
    ) -> ScriptError {
        let mut at = base.to_owned();
        for segment in error.path().iter() {
            match segment {
                Segment::Seq { index } => at += &format!("[{index}]"),
                Segment::Map { key } | Segment::Enum { variant: key } => child(&mut at, key),
                Segment::Unknown => child(&mut at, "?"),
            }
        }
        let message = error.inner().to_string();
        let quoted = |prefix: &str| {
            let rest = message.strip_prefix(prefix)?;
            let (key, rest) = rest.split_once('`')?;
            Some((key.to_owned(), rest.to_owned()))
        };
        if let Some((key, expected)) =
            quoted("unknown field `").or_else(|| quoted("unknown variant `"))
        {
            if !at.ends_with(&key) {
                child(&mut at, &key);
            }
            let supported = expected
                .trim_start_matches(", ")
                .trim_start_matches("expected one of ")
                .trim_start_matches("expected ")
                .replace('`', "");
            return ScriptError::Unsupported { at, key, supported };
        }
        let at = if at.is_empty() {
            "(top level)".to_owned()
        } else {
            at
        };
        match quoted("missing field `") {
            Some((key, _)) => ScriptError::invalid(&at, format!("`{key}` is missing")),
            None => ScriptError::invalid(&at, message),
        }
    }
}

/// `at.key`, or `key` at the top.
pub fn child(at: &mut String, key: &str) {
    if !at.is_empty() {
        at.push('.');
    }
    at.push_str(key);
}

#[cfg(test)]
mod tests {
    use crate::Script;

    fn error(yaml: &str) -> String {
        Script::parse(yaml).unwrap_err().to_string()
    }

    #[test]
    fn unsupported_keys_are_named_with_their_path_and_the_supported_ones() {
        assert_eq!(
            error("config:\n  phases: [{ duration: 1, arrivalCount: 5 }]\nscenarios: []\n"),
            "config.phases[0].arrivalCount: `arrivalCount` is not supported by twinstack load and \
             would change the traffic (supported here: duration, arrivalRate, rampTo, name)"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_with_its_path() {
        let phases = "[{ duration: 1, arrivalRate: 1 }, { duration: 1, arrivalRate: 2 }, \
                      { duration: 1, arrivalRate: [3] }]";

        assert_eq!(
            error(&format!("config:\n  phases: {phases}\nscenarios: []\n")),
            "config.phases[2].arrivalRate: invalid type: sequence, expected a non-negative number"
        );
    }

    #[test]
    fn a_missing_key_is_named_under_its_parent() {
        assert_eq!(
            error("config:\n  target: http://x\nscenarios: []\n"),
            "config: `phases` is missing"
        );
        assert_eq!(error("scenarios: []\n"), "(top level): `config` is missing");
    }
}
