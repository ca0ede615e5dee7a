//! A request's `json:` body: the YAML value with every string parsed as a template, rendered per request.
//!
//! Artillery (`templateObjectOrArray` in `lib/commons/engine_util.ts`) templates each leaf string with the
//! rules of [`crate::template`], so `userId: "{{ id }}"` sends the captured number as a number, and an
//! undefined lone variable drops the member (JSON.stringify skips `undefined`; in an array it becomes `null`).

use serde_json::{Map, Value};

use crate::template::{Template, Vars};

/// A JSON body whose string leaves are templates.
#[derive(Debug, Clone)]
pub enum JsonBody {
    /// A subtree without templates, sent as written.
    Literal(Value),
    Template(Template),
    Array(Vec<JsonBody>),
    Object(Vec<(String, JsonBody)>),
}

impl JsonBody {
    /// Compiles `value`, parsing every string leaf. Member names are sent as written: templated names would
    /// make request shapes differ run to run, so they are refused.
    pub fn compile(value: &Value) -> Result<Self, String> {
        let body = match value {
            Value::String(raw) => {
                let template = Template::parse(raw)?;
                if template.is_templated() {
                    Self::Template(template)
                } else {
                    Self::Literal(value.clone())
                }
            }
            Value::Array(items) => {
                Self::Array(items.iter().map(Self::compile).collect::<Result<_, _>>()?)
            }
            Value::Object(members) => Self::Object(
                members
                    .iter()
                    .map(|(name, value)| {
                        if name.contains("{{") {
                            return Err(format!(
                                "`{name}`: templated member names are not supported"
                            ));
                        }
                        Ok((name.clone(), Self::compile(value)?))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            scalar => Self::Literal(scalar.clone()),
        };
        Ok(body.collapse())
    }

    /// Templates read anywhere in the body.
    pub fn templates(&self) -> Vec<&Template> {
        match self {
            Self::Literal(_) => Vec::new(),
            Self::Template(template) => vec![template],
            Self::Array(items) => items.iter().flat_map(Self::templates).collect(),
            Self::Object(members) => members
                .iter()
                .flat_map(|(_, body)| body.templates())
                .collect(),
        }
    }

    /// Renders the body for one request; `None` only for a lone undefined variable at the top.
    pub fn render(&self, vars: &Vars) -> Option<Value> {
        match self {
            Self::Literal(value) => Some(value.clone()),
            Self::Template(template) => template.render_value(vars),
            Self::Array(items) => Some(Value::Array(
                items
                    .iter()
                    .map(|item| item.render(vars).unwrap_or(Value::Null))
                    .collect(),
            )),
            Self::Object(members) => Some(Value::Object(
                members
                    .iter()
                    .filter_map(|(name, body)| Some((name.clone(), body.render(vars)?)))
                    .collect::<Map<_, _>>(),
            )),
        }
    }

    /// Folds template-free containers into one literal, so static parts are cloned, not rebuilt.
    fn collapse(self) -> Self {
        let literal = match &self {
            Self::Array(items) => items
                .iter()
                .map(|item| item.literal().cloned())
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            Self::Object(members) => members
                .iter()
                .map(|(name, body)| Some((name.clone(), body.literal()?.clone())))
                .collect::<Option<Map<_, _>>>()
                .map(Value::Object),
            Self::Literal(_) | Self::Template(_) => None,
        };
        literal.map_or(self, Self::Literal)
    }

    fn literal(&self) -> Option<&Value> {
        match self {
            Self::Literal(value) => Some(value),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_articles_order_body_sends_the_captured_id_with_its_type() {
        let body = JsonBody::compile(&json!({
            "userId": "{{ userId }}",
            "items": [{"sku": "PROD-001", "qty": 2}],
        }))
        .unwrap();
        let numeric = Vars::from([("userId".into(), json!(42))]);
        let text = Vars::from([("userId".into(), json!("42"))]);
        assert_eq!(
            body.render(&numeric),
            Some(json!({"userId": 42, "items": [{"sku": "PROD-001", "qty": 2}]}))
        );
        assert_eq!(body.render(&text).unwrap()["userId"], json!("42"));
    }

    #[test]
    fn functions_and_mixed_templates_render_strings_in_bodies() {
        let body =
            JsonBody::compile(&json!({"n": "{{ $randomNumber(3, 3) }}", "label": "u{{ id }}"}))
                .unwrap();
        let vars = Vars::from([("id".into(), json!(1))]);
        assert_eq!(body.render(&vars), Some(json!({"n": "3", "label": "u1"})));
    }

    #[test]
    fn an_undefined_lone_variable_drops_the_member_and_nulls_an_array_slot() {
        let body =
            JsonBody::compile(&json!({"a": "{{ missing }}", "b": ["{{ missing }}"], "c": 1}))
                .unwrap();
        assert_eq!(
            body.render(&Vars::new()),
            Some(json!({"b": [null], "c": 1}))
        );
    }

    #[test]
    fn template_free_bodies_are_literals() {
        let body = JsonBody::compile(&json!({"items": [{"sku": "PROD-001"}]})).unwrap();
        assert!(matches!(body, JsonBody::Literal(_)));
    }

    #[test]
    fn templated_member_names_are_refused() {
        assert!(JsonBody::compile(&json!({"{{ k }}": 1})).is_err());
    }
}
