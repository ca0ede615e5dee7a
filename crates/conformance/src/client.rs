//! A small HTTP client over the twin under test, and the assertions every check shares.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The twin under test, by base URL (which may carry a path prefix such as `/lambda-url/fn`).
#[derive(Clone, Debug)]
pub struct Api {
    pub base_url: String,
    client: reqwest::Client,
}

/// A response, fully read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, then returns the JSON body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.body)
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts an error envelope with this status and code, and returns its `details`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> Vec<Value> {
        let body = self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "errors are JSON"
        );
        assert_eq!(body["error"]["code"], code, "body: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "a message: {body}"
        );
        let details = body["error"]["details"]
            .as_array()
            .expect("details is an array")
            .clone();
        let fields: Vec<&str> = details
            .iter()
            .map(|d| d["field"].as_str().expect("field"))
            .collect();
        let mut sorted = fields.clone();
        sorted.sort_by_key(|f| path_key(f));
        assert_eq!(fields, sorted, "details are sorted by field path");
        details
    }

    /// The `field` of every detail.
    #[track_caller]
    pub fn error_fields(&self, status: u16, code: &str) -> Vec<String> {
        self.expect_error(status, code)
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Orders `items[10]` after `items[2]`, as the contract's "sorted by field path" means.
fn path_key(field: &str) -> Vec<(String, u64)> {
    field
        .split(['.', '['])
        .map(
            |part| match part.strip_suffix(']').and_then(|n| n.parse().ok()) {
                Some(index) => (String::new(), index),
                None => (part.to_owned(), 0),
            },
        )
        .collect()
}

impl Api {
    pub fn new(base_url: impl Into<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .pool_max_idle_per_host(64)
            .build()
            .expect("an HTTP client");
        Api {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Any request, with raw headers and body: for the checks that send what a well-behaved client would not.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {path} failed: {e}"));
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("a readable body").to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, &[], None).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, &[], None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json(Method::POST, path, body, &[]).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send_json(Method::PATCH, path, body, &[]).await
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut all = vec![(CONTENT_TYPE.as_str(), "application/json")];
        all.extend_from_slice(headers);
        self.send(method, path, &all, Some(serde_json::to_vec(body).unwrap()))
            .await
    }

    /// Creates a user with a unique email and returns it.
    pub async fn create_user(&self, name: &str) -> Value {
        let email = format!(
            "{}-{}@example.com",
            name.to_lowercase().replace(' ', "."),
            unique()
        );
        self.post(
            "/api/users",
            &serde_json::json!({"name": name, "email": email}),
        )
        .await
        .expect(201)
    }

    /// Creates an order of `items` (`(sku, qty)`) for `user_id` and returns it.
    pub async fn create_order(&self, user_id: i64, items: &[(&str, u32)]) -> Value {
        self.post("/api/orders", &order_body(user_id, items))
            .await
            .expect(201)
    }
}

pub fn order_body(user_id: i64, items: &[(&str, u32)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(sku, qty)| serde_json::json!({"sku": sku, "qty": qty}))
        .collect();
    serde_json::json!({"userId": user_id, "items": items})
}

/// A value unique within this process and across runs, for emails and idempotency keys.
pub fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
