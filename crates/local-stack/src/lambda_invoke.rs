//! Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) as `cargo lambda watch`
//! serves it: how the local gateway and stream harnesses call a function with an event, as API
//! Gateway and an event source mapping would.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use serde_json::Value;

/// Clones share one invocation count, so a benchmark can count what a harness invoked.
#[derive(Clone, Debug)]
pub struct LambdaInvoker {
    client: reqwest::Client,
    url: String,
    invocations: Arc<AtomicU64>,
}

impl LambdaInvoker {
    /// The function `binary` of the emulator listening on `port`.
    pub fn new(port: u16, binary: &str) -> Self {
        Self::at(&format!("http://127.0.0.1:{port}"), binary)
    }

    /// The function `binary` of the emulator at `endpoint` (`http://HOST:PORT`).
    pub fn at(endpoint: &str, binary: &str) -> Self {
        let endpoint = endpoint.trim_end_matches('/');
        LambdaInvoker {
            client: reqwest::Client::new(),
            url: format!("{endpoint}/2015-03-31/functions/{binary}/invocations"),
            invocations: Arc::default(),
        }
    }

    /// Invocations sent through this invoker and its clones.
    pub fn invocations(&self) -> u64 {
        self.invocations.load(Ordering::Relaxed)
    }

    /// Invokes the function with `event` and returns its response; a function error (the
    /// `X-Amz-Function-Error` header, or a status other than 2xx) is an `Err` naming it.
    pub async fn invoke(&self, event: &Value) -> anyhow::Result<Value> {
        self.invocations.fetch_add(1, Ordering::Relaxed);
        let response = self
            .client
            .post(&self.url)
            .json(event)
            .send()
            .await
            .with_context(|| format!("invoking {}", self.url))?;
        let status = response.status();
        let function_error = response
            .headers()
            .get("x-amz-function-error")
            .map(|value| value.to_str().unwrap_or("?").to_owned());
        let body = response
            .bytes()
            .await
            .context("reading the invocation's response")?;
        if let Some(kind) = function_error {
            bail!("function error {kind}: {}", String::from_utf8_lossy(&body));
        }
        if !status.is_success() {
            bail!(
                "invocation answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        if body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body).context("the function's response is not JSON")
    }
}

/// Drops the fields of `value` that are `null` or `{}`, down to `depth` levels of objects: AWS
/// leaves absent fields out of its events, where `aws_lambda_events`' types write them empty.
/// Deeper levels (item images, say) are data and stay as they are.
pub(crate) fn without_absent_fields(value: &mut Value, depth: usize) {
    if depth == 0 {
        return;
    }
    if let Value::Object(fields) = value {
        fields.retain(|_, field| {
            without_absent_fields(field, depth - 1);
            !(field.is_null() || field.as_object().is_some_and(serde_json::Map::is_empty))
        });
    }
}

/// The shape of an event: every object's keys, recursively, with the values of `opaque` keys (maps
/// whose keys are data, such as headers or item images) and of scalars reduced to their JSON type.
#[cfg(test)]
pub(crate) fn shape(value: &Value, opaque: &[&str]) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, field)| {
                    let field_shape = if opaque.contains(&key.as_str()) {
                        Value::from("map")
                    } else {
                        shape(field, opaque)
                    };
                    (key.clone(), field_shape)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| shape(item, opaque)).collect()),
        Value::String(_) => Value::from("string"),
        Value::Number(_) => Value::from("number"),
        Value::Bool(_) => Value::from("bool"),
        Value::Null => Value::Null,
    }
}
