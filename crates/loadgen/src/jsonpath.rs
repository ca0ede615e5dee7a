//! The path language of `capture: {json: "$.…"}` and of `{{ var.field[0] }}` lookups, limited to members and
//! indexes: `$.a.b[0]`, `$['a-b']`, `$[2].id`.
//!
//! Hand-written rather than a JSONPath crate: Artillery's captures (it uses `jsonpath-plus`) are in practice
//! plain member and index paths, and anything beyond them (wildcards, `..`, filters, slices) is refused when the
//! config is loaded, naming the expression, instead of quietly capturing something else.

use serde_json::Value;

/// A parsed path: a sequence of member names and array indexes, applied from the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    steps: Vec<PathStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathStep {
    Member(String),
    Index(usize),
}

impl JsonPath {
    /// Parses a capture expression, which must start at the document root `$`.
    pub fn parse_capture(expr: &str) -> Result<Self, String> {
        let rest = expr
            .trim()
            .strip_prefix('$')
            .ok_or_else(|| format!("`{expr}`: a JSONPath starts with `$`"))?;
        Self::parse_steps(rest).map_err(|why| format!("`{expr}`: {why}"))
    }

    /// Parses what follows the root in `.a.b[0]` form (an empty string is the root itself).
    pub fn parse_steps(mut rest: &str) -> Result<Self, String> {
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if rest.starts_with("..") {
                return Err("recursive descent (`..`) is not supported".into());
            }
            if let Some(after_dot) = rest.strip_prefix('.') {
                let end = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
                let name = &after_dot[..end];
                check_member_name(name)?;
                steps.push(PathStep::Member(name.to_owned()));
                rest = &after_dot[end..];
            } else if let Some(after_bracket) = rest.strip_prefix('[') {
                let end = after_bracket.find(']').ok_or("an unclosed `[`")?;
                steps.push(parse_bracket(after_bracket[..end].trim())?);
                rest = &after_bracket[end + 1..];
            } else {
                return Err(format!(
                    "unexpected `{rest}` (only `.name`, `['name']` and `[index]` are supported)"
                ));
            }
        }
        Ok(Self { steps })
    }

    /// Whether the path selects the root itself.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The value at this path, if every step exists.
    pub fn select<'a>(&self, document: &'a Value) -> Option<&'a Value> {
        self.steps
            .iter()
            .try_fold(document, |value, step| match step {
                PathStep::Member(name) => value.as_object()?.get(name),
                PathStep::Index(index) => value.as_array()?.get(*index),
            })
    }
}

fn check_member_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("an empty member name".into());
    }
    if name == "*" || name.contains(['*', '?', '@', '(', ')', ':', ',']) {
        return Err(format!(
            "`{name}`: wildcards, filters and unions are not supported"
        ));
    }
    Ok(())
}

fn parse_bracket(inside: &str) -> Result<PathStep, String> {
    let quoted = inside
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| inside.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
    if let Some(name) = quoted {
        return Ok(PathStep::Member(name.to_owned()));
    }
    inside
        .parse()
        .map(PathStep::Index)
        .map_err(|_| format!("`[{inside}]`: only `[index]` and `['name']` are supported"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_and_index_paths_select_the_value_with_its_type() {
        let doc = json!({"id": 42, "user": {"tags": ["a", "b"]}, "odd-key": true});
        let select = |expr| JsonPath::parse_capture(expr).unwrap().select(&doc).cloned();
        assert_eq!(select("$.id"), Some(json!(42)));
        assert_eq!(select("$.user.tags[1]"), Some(json!("b")));
        assert_eq!(select("$['odd-key']"), Some(json!(true)));
        assert_eq!(select("$"), Some(doc.clone()));
    }

    #[test]
    fn a_missing_step_selects_nothing() {
        let doc = json!({"items": []});
        let path = JsonPath::parse_capture("$.items[0].id").unwrap();
        assert_eq!(path.select(&doc), None);
    }

    #[test]
    fn expressions_beyond_the_subset_are_refused_with_the_reason() {
        for expr in [
            "$..id",
            "$.items[*]",
            "$.items[?(@.id)]",
            "id",
            "$.items[0:2]",
        ] {
            let error = JsonPath::parse_capture(expr).unwrap_err();
            assert!(error.contains(expr), "{error}");
        }
    }
}
