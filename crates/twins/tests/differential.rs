//! One long request sequence fed to both twins: equal status codes, byte-identical bodies and equal
//! allowlisted headers, once generated ids, cursors and timestamps are normalised.

use std::collections::HashMap;

use reqwest::Method;
use twinstack_conformance::{Api, Reply};
use twinstack_core::{Clock, SystemClock, Timestamp};

/// The headers whose values must match; the rest (dates, request ids, an emulator's CORS headers,
/// the serverless twin's own `x-dynamodb-consumed-capacity`) legitimately differ. `server-timing`
/// is compared by shape, its durations normalised (see [`timing_shape`]).
const HEADERS: [&str; 5] = [
    "content-type",
    "location",
    "allow",
    "retry-after",
    "server-timing",
];

/// `app;dur=1.234, db;dur=0.567` as `app;dur=<ms>, db;dur=<ms>`: both twins must report the same
/// metrics, though not the same times.
fn timing_shape(value: &str) -> String {
    value
        .split(',')
        .map(|metric| match metric.split_once(";dur=") {
            Some((name, _)) => format!("{name};dur=<ms>"),
            None => metric.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One twin, with the values its own answers generated (order ids, cursors) under stable names.
struct Twin {
    api: Api,
    vars: HashMap<String, String>,
    generated: HashMap<String, String>,
}

impl Twin {
    fn new(api: Api) -> Self {
        Twin {
            api,
            vars: HashMap::new(),
            generated: HashMap::new(),
        }
    }

    fn expand(&self, text: &str) -> String {
        self.vars
            .iter()
            .fold(text.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }

    /// Replaces every generated value by a placeholder numbered in order of first appearance, so two
    /// twins that generated different ids in the same order normalise to the same text.
    fn normalise(&mut self, text: &str, since: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find('"') {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            let end = rest.find('"').unwrap_or(rest.len());
            let token = &rest[..end];
            out.push_str(&self.placeholder(token, since));
            rest = &rest[end..];
            if let Some(stripped) = rest.strip_prefix('"') {
                out.push('"');
                rest = stripped;
            }
        }
        out.push_str(rest);
        out
    }

    fn placeholder(&mut self, token: &str, since: &str) -> String {
        let kind = if is_ulid(token) {
            "order"
        } else if is_timestamp(token) && token >= since {
            return "<generated-time>".into();
        } else if let Some(id) = token.strip_prefix("orders/").filter(|id| is_ulid(id)) {
            return format!("orders/{}", self.placeholder(id, since));
        } else if token.len() >= 30
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            "cursor"
        } else {
            return token.to_owned();
        };
        let next = self.generated.len() + 1;
        self.generated
            .entry(token.to_owned())
            .or_insert_with(|| format!("<{kind}-{next}>"))
            .clone()
    }
}

fn is_ulid(text: &str) -> bool {
    text.len() == 26
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn is_timestamp(text: &str) -> bool {
    text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T'
}

struct Step<'a> {
    method: Method,
    path: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: Option<&'a str>,
    /// `(JSON pointer, variable)`: a value from this answer that later steps use.
    capture: Option<(&'a str, &'a str)>,
}

fn step<'a>(method: Method, path: &'a str, body: Option<&'a str>) -> Step<'a> {
    Step {
        method,
        path,
        headers: &[],
        body,
        capture: None,
    }
}

/// `POST /api/orders` with `body`, always under the same `Idempotency-Key`.
fn idempotent_order(body: &str) -> Step<'_> {
    Step {
        headers: &[("idempotency-key", "diff-key-1")],
        ..step(Method::POST, "/api/orders", Some(body))
    }
}

async fn exchange(twins: &mut [Twin; 2], step: &Step<'_>, since: &str) {
    let mut seen = Vec::new();
    for twin in twins.iter_mut() {
        let path = twin.expand(step.path);
        let mut headers: Vec<(&str, &str)> = step.headers.to_vec();
        if step.body.is_some()
            && !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("content-type", "application/json"));
        }
        let body = step.body.map(|b| twin.expand(b).into_bytes());
        let reply: Reply = twin
            .api
            .send(step.method.clone(), &path, &headers, body)
            .await;
        if let Some((pointer, name)) = step.capture {
            let value = reply
                .json()
                .pointer(pointer)
                .cloned()
                .unwrap_or_else(|| panic!("{path}: no {pointer}"));
            let value = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| value.to_string());
            twin.vars.insert(name.to_owned(), value);
        }
        let body = twin.normalise(&String::from_utf8_lossy(&reply.body), since);
        let headers: Vec<(&str, Option<String>)> = HEADERS
            .iter()
            .map(|name| {
                (
                    *name,
                    reply.header(name).map(|v| match *name {
                        "server-timing" => timing_shape(v),
                        _ => twin.normalise(&format!("\"{v}\""), since),
                    }),
                )
            })
            .collect();
        seen.push((reply.status.as_u16(), headers, body));
    }
    let (server, lambda) = (&seen[0], &seen[1]);
    assert_eq!(
        server.0, lambda.0,
        "{} {}: status differs; bodies:\n{}\n{}",
        step.method, step.path, server.2, lambda.2
    );
    assert_eq!(
        server.1, lambda.1,
        "{} {}: headers differ",
        step.method, step.path
    );
    assert_eq!(
        server.2, lambda.2,
        "{} {}: bodies differ",
        step.method, step.path
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_twins_answer_one_long_sequence_identically() {
    // Anything stamped from a minute before the run on was generated by it; seeded times are older.
    let since = Timestamp::from_millis(SystemClock.now().as_millis() - 60_000).to_string();
    let server = twinstack_twins::postgres::spawn_postgres_twin().await;
    let lambda = twinstack_twins::lambda::spawn_lambda_twin().await;
    let mut twins = [Twin::new(server), Twin::new(lambda)];
    let email = format!("diff.{}@example.com", std::process::id());
    for twin in twins.iter_mut() {
        twin.vars.insert("email".into(), email.clone());
    }
    use Method as M;
    let steps = vec![
        step(M::GET, "/api/health", None),
        step(M::GET, "/api/products", None),
        step(M::GET, "/api/products/PROD-042", None),
        step(M::GET, "/api/products/NOPE", None),
        step(M::GET, "/api/users/1", None),
        step(M::GET, "/api/users/20", None),
        step(M::GET, "/api/users/3/summary", None),
        step(M::GET, "/api/orders?userId=4&limit=1", None),
        Step {
            capture: Some(("/id", "user")),
            ..step(
                M::POST,
                "/api/users",
                Some(r#"{"name": " Diff Twin ", "email": "{email}"}"#),
            )
        },
        step(
            M::POST,
            "/api/users",
            Some(r#"{"name": "Again", "email": "{email}"}"#),
        ),
        step(M::GET, "/api/users/{user}", None),
        step(
            M::PATCH,
            "/api/users/{user}",
            Some(r#"{"name": "Renamed"}"#),
        ),
        step(M::PATCH, "/api/users/{user}", Some("{}")),
        step(M::GET, "/api/users/{user}/summary", None),
        Step {
            capture: Some(("/id", "first")),
            ..step(
                M::POST,
                "/api/orders",
                Some(
                    r#"{"userId": {user}, "items": [{"sku": "PROD-001", "qty": 2}, {"sku": "PROD-017", "qty": 1}]}"#,
                ),
            )
        },
        Step {
            capture: Some(("/id", "second")),
            ..step(
                M::POST,
                "/api/orders",
                Some(r#"{"userId": {user}, "items": [{"sku": "PROD-003", "qty": 5}]}"#),
            )
        },
        step(
            M::POST,
            "/api/orders",
            Some(r#"{"userId": {user}, "items": [{"sku": "PROD-004", "qty": 1}]}"#),
        ),
        Step {
            capture: Some(("/nextCursor", "cursor")),
            ..step(M::GET, "/api/orders?userId={user}&limit=2", None)
        },
        step(
            M::GET,
            "/api/orders?userId={user}&limit=2&cursor={cursor}",
            None,
        ),
        step(M::GET, "/api/orders/{first}", None),
        step(
            M::PATCH,
            "/api/orders/{first}",
            Some(r#"{"status": "paid"}"#),
        ),
        step(
            M::PATCH,
            "/api/orders/{first}",
            Some(r#"{"status": "pending"}"#),
        ),
        step(
            M::PATCH,
            "/api/orders/{first}",
            Some(r#"{"status": "shipped"}"#),
        ),
        step(
            M::PATCH,
            "/api/orders/{second}",
            Some(r#"{"status": "cancelled"}"#),
        ),
        step(M::GET, "/api/users/{user}/summary", None),
        step(M::DELETE, "/api/users/{user}", None),
        idempotent_order(r#"{"userId": 5, "items": [{"sku": "PROD-009", "qty": 3}]}"#),
        idempotent_order(r#"{"userId": 5, "items": [{"sku": "PROD-009", "qty": 3}]}"#),
        idempotent_order(r#"{"userId": 5, "items": [{"sku": "PROD-009", "qty": 4}]}"#),
        step(
            M::POST,
            "/api/orders",
            Some(
                r#"{"userId": 999999, "items": [{"sku": "NOPE", "qty": 1}, {"sku": "PROD-001", "qty": 0}]}"#,
            ),
        ),
        step(
            M::POST,
            "/api/orders",
            Some(r#"{"userId": 1, "items": [{"sku": "NOPE", "qty": 1}]}"#),
        ),
        step(
            M::POST,
            "/api/orders",
            Some(r#"{"userId": "1", "items": [], "extra": true}"#),
        ),
        step(M::POST, "/api/orders", Some("{not json")),
        Step {
            headers: &[("content-type", "text/plain")],
            ..step(M::POST, "/api/users", Some("{}"))
        },
        step(M::GET, "/api/users/0", None),
        step(M::GET, "/api/orders/not-a-ulid", None),
        step(M::GET, "/api/orders?limit=500", None),
        step(M::GET, "/api/orders?userId=1&cursor=nope", None),
        step(M::PUT, "/api/users/1", None),
        step(M::DELETE, "/api/orders", None),
        step(M::GET, "/api/nowhere", None),
        step(
            M::POST,
            "/api/users",
            Some(r#"{"name": "\u0007bell", "email": "no-at-sign"}"#),
        ),
        step(M::DELETE, "/api/users/2", None),
    ];
    for step in &steps {
        exchange(&mut twins, step, &since).await;
    }
}
