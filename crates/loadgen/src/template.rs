//! Artillery's string templates: `{{ var }}`, `{{ var.field[0] }}`, `{{ $randomNumber(a, b) }}` and
//! `{{ $randomString(n) }}`, parsed once when the config is loaded and rendered per request.
//!
//! Semantics follow Artillery's `lib/commons/engine_util.ts` (`template`, `renderVariables`) and
//! `lib/core/runner.ts` (`$randomNumber`, `$randomString`):
//! - a string that is exactly one variable template (`"{{ id }}"`, nothing around it, not even spaces) renders
//!   to the variable's value with its JSON type kept, so a captured number stays a number in a JSON body;
//! - any other template, including every `$function` call, renders a string;
//! - an undefined variable renders as `undefined` inside a string, and as "no value" when it is the whole
//!   string (JSON.stringify then drops the member);
//! - objects and arrays inside a string render as JSON;
//! - `$randomNumber(a, b)` is lodash `_.random(a, b)` on integers: inclusive at both ends, bounds swapped if
//!   reversed; `$randomString(n)` draws `n` (default 10) characters from `[A-Za-z0-9]`, `n` at most
//!   [`MAX_RANDOM_STRING`].
//!
//! Anything else between `{{ }}` (expressions, unknown functions) is refused at load time rather than sent
//! literally, as Artillery would.

use std::collections::HashMap;

use rand::Rng;
use serde_json::Value;

use crate::jsonpath::JsonPath;

/// A virtual user's variables: `config.variables`, `target` and its captures so far.
pub type Vars = HashMap<String, Value>;

/// The longest `$randomString(n)`: Artillery sets no bound, but a length near `usize::MAX` would
/// render forever. 1 MiB is past any request body a load test sends (twinstack's API refuses
/// bodies over 64 KiB).
pub const MAX_RANDOM_STRING: usize = 1 << 20;

const RANDOM_STRING_ALPHABET: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A parsed template string.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Text(String),
    Var(VarRef),
    RandomNumber(i64, i64),
    RandomString(usize),
}

/// `name.path[0]`: a variable and an optional path into its value (lodash `_.get` in Artillery).
#[derive(Debug, Clone)]
struct VarRef {
    root: String,
    path: JsonPath,
}

impl Template {
    /// Parses `raw`, refusing what this subset cannot render faithfully.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        let mut rest = raw;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                segments.push(Segment::Text(rest[..open].to_owned()));
            }
            let after_open = &rest[open + 2..];
            let close = after_open
                .find("}}")
                .ok_or_else(|| format!("`{raw}`: `{{{{` without a closing `}}}}`"))?;
            segments.push(
                parse_placeholder(after_open[..close].trim())
                    .map_err(|why| format!("`{raw}`: {why}"))?,
            );
            rest = &after_open[close + 2..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Text(rest.to_owned()));
        }
        Ok(Self {
            raw: raw.to_owned(),
            segments,
        })
    }

    /// The text as written in the config.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// Whether rendering can differ from the raw text.
    pub fn is_templated(&self) -> bool {
        self.segments.iter().any(|s| !matches!(s, Segment::Text(_)))
    }

    /// Whether the text starts with the variable `name` itself, as `{{ target }}/api/ws` does.
    pub fn starts_with_variable(&self, name: &str) -> bool {
        matches!(self.segments.first(), Some(Segment::Var(var)) if var.root == name && var.path.is_root())
    }

    /// The variables this template reads (their root names).
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Var(var) => Some(var.root.as_str()),
            _ => None,
        })
    }

    /// Renders as a JSON value: typed when the whole string is one variable, otherwise a string.
    /// `None` is JavaScript's `undefined` (an unset variable standing alone).
    pub fn render_value(&self, vars: &Vars) -> Option<Value> {
        if let [Segment::Var(var)] = self.segments.as_slice() {
            return var.lookup(vars).cloned();
        }
        Some(Value::String(self.render_string(vars)))
    }

    /// Renders as text (URLs, headers, and every template that is not a lone variable).
    pub fn render_string(&self, vars: &Vars) -> String {
        let mut out = String::with_capacity(self.raw.len());
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Var(var) => match var.lookup(vars) {
                    Some(value) => push_value(&mut out, value),
                    None => out.push_str("undefined"),
                },
                Segment::RandomNumber(low, high) => {
                    out.push_str(&rand::rng().random_range(*low..=*high).to_string());
                }
                Segment::RandomString(length) => {
                    let mut rng = rand::rng();
                    out.extend((0..*length).map(|_| {
                        RANDOM_STRING_ALPHABET[rng.random_range(0..RANDOM_STRING_ALPHABET.len())]
                            as char
                    }));
                }
            }
        }
        out
    }
}

impl VarRef {
    fn lookup<'a>(&self, vars: &'a Vars) -> Option<&'a Value> {
        self.path.select(vars.get(&self.root)?)
    }
}

/// JavaScript's `String.replace(template, value)`: strings as they are, objects (and `null`) as JSON.
fn push_value(out: &mut String, value: &Value) {
    match value {
        Value::String(text) => out.push_str(text),
        other => out.push_str(&other.to_string()),
    }
}

fn parse_placeholder(inner: &str) -> Result<Segment, String> {
    if let Some(call) = inner.strip_prefix('$').filter(|s| s.contains('(')) {
        return parse_function(call);
    }
    let root_end = inner.find(['.', '[']).unwrap_or(inner.len());
    let root = &inner[..root_end];
    let valid_root = !root.is_empty()
        && root
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-'));
    if !valid_root {
        return Err(format!(
            "`{{{{ {inner} }}}}` is neither a variable nor $randomNumber(a, b) / $randomString(n)"
        ));
    }
    let path = JsonPath::parse_steps(&inner[root_end..])?;
    Ok(Segment::Var(VarRef {
        root: root.to_owned(),
        path,
    }))
}

fn parse_function(call: &str) -> Result<Segment, String> {
    let (name, args) = call
        .strip_suffix(')')
        .and_then(|s| s.split_once('('))
        .ok_or_else(|| format!("`${call}` is not a function call"))?;
    let args: Vec<&str> = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    match (name.trim(), args.as_slice()) {
        ("randomNumber", [low, high]) => {
            let (low, high) = (parse_int(low)?, parse_int(high)?);
            Ok(Segment::RandomNumber(low.min(high), low.max(high)))
        }
        ("randomString", []) => Ok(Segment::RandomString(10)),
        ("randomString", [length]) => length
            .parse()
            .ok()
            .filter(|n| *n <= MAX_RANDOM_STRING)
            .map(Segment::RandomString)
            .ok_or_else(|| {
                format!(
                    "$randomString({length}): the length must be a whole number up to {MAX_RANDOM_STRING}"
                )
            }),
        (name, _) => Err(format!(
            "`${call}`: only $randomNumber(a, b) and $randomString(n) are supported (got ${name})"
        )),
    }
}

/// Artillery only recognises a call whose arguments are letters, digits, `_` and commas, so no signs.
fn parse_int(arg: &str) -> Result<i64, String> {
    arg.parse::<u32>()
        .map(i64::from)
        .map_err(|_| format!("`{arg}`: $randomNumber takes non-negative whole numbers"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        Vars::from([
            ("id".into(), json!(42)),
            ("name".into(), json!("ada")),
            ("user".into(), json!({"id": 7, "tags": ["x"]})),
            ("nothing".into(), Value::Null),
        ])
    }

    fn render(raw: &str) -> Option<Value> {
        Template::parse(raw).unwrap().render_value(&vars())
    }

    #[test]
    fn a_lone_variable_keeps_its_json_type() {
        assert_eq!(render("{{ id }}"), Some(json!(42)));
        assert_eq!(render("{{id}}"), Some(json!(42)));
        assert_eq!(render("{{ user }}"), Some(json!({"id": 7, "tags": ["x"]})));
        assert_eq!(render("{{ user.id }}"), Some(json!(7)));
        assert_eq!(render("{{ nothing }}"), Some(Value::Null));
    }

    #[test]
    fn anything_around_the_variable_makes_a_string() {
        assert_eq!(render(" {{ id }}"), Some(json!(" 42")));
        assert_eq!(render("{{ id }}{{ id }}"), Some(json!("4242")));
        assert_eq!(render("user-{{ name }}"), Some(json!("user-ada")));
        assert_eq!(render("{{ user.tags }}!"), Some(json!(r#"["x"]!"#)));
    }

    #[test]
    fn functions_always_render_strings() {
        let value = render("{{ $randomNumber(5, 5) }}").unwrap();
        assert_eq!(value, json!("5"));
        let value = render("{{ $randomString(12) }}").unwrap();
        let text = value.as_str().unwrap();
        assert_eq!(text.len(), 12);
        assert!(text.bytes().all(|b| RANDOM_STRING_ALPHABET.contains(&b)));
        assert_eq!(
            render("{{ $randomString() }}")
                .unwrap()
                .as_str()
                .unwrap()
                .len(),
            10
        );
    }

    #[test]
    fn undefined_is_javascripts_undefined() {
        assert_eq!(render("{{ missing }}"), None);
        assert_eq!(
            render("/users/{{ missing }}"),
            Some(json!("/users/undefined"))
        );
        assert_eq!(
            render("/users/{{ user.nope }}"),
            Some(json!("/users/undefined"))
        );
    }

    #[test]
    fn text_without_templates_is_left_alone() {
        let template = Template::parse("/api/health").unwrap();
        assert!(!template.is_templated());
        assert_eq!(template.render_string(&vars()), "/api/health");
    }

    #[test]
    fn variables_are_listed_by_root_name() {
        let template =
            Template::parse("/a/{{ user.id }}/{{ $randomNumber(1, 2) }}/{{ name }}").unwrap();
        assert_eq!(template.variables().collect::<Vec<_>>(), ["user", "name"]);
    }

    #[test]
    fn what_the_subset_cannot_render_is_refused() {
        for raw in [
            "{{ a + b }}",
            "{{ $uuid() }}",
            "{{ $randomNumber(1) }}",
            "{{ $randomNumber(1.5, 2) }}",
            "{{ $randomNumber(-1, 2) }}",
            "{{ open",
            "{{ items[*] }}",
            // Lengths past the bound: the first would render for ever.
            "{{ $randomString(18446744073709551615) }}",
            "{{ $randomString(1048577) }}",
        ] {
            assert!(Template::parse(raw).is_err(), "{raw} should be refused");
        }
    }

    #[test]
    fn the_longest_random_string_renders() {
        let template = Template::parse("{{ $randomString(1048576) }}").unwrap();
        assert_eq!(
            template.render_string(&Vars::new()).len(),
            MAX_RANDOM_STRING
        );
    }

    proptest::proptest! {
        #[test]
        fn random_numbers_stay_within_inclusive_bounds(a in 0i64..1000, b in 0i64..1000) {
            let template = Template::parse(&format!("{{{{ $randomNumber({a}, {b}) }}}}")).unwrap();
            let n: i64 = template.render_string(&Vars::new()).parse().unwrap();
            proptest::prop_assert!((a.min(b)..=a.max(b)).contains(&n));
        }
    }
}
