//! The real `twinstack-lambda` binary, started as Lambda starts a custom runtime (against the
//! probe's minimal Runtime API here, on DynamoDB Local), writes one CloudWatch Embedded Metric Format line per
//! request to stdout, and one cold-start line per process; every line is checked against the EMF
//! structure.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use twinstack_lambda_probe::runtime_api::{Identity, Invocation, Outcome, RuntimeApi};

const FUNCTION: &str = "twinstack-emf-test";

async fn runtime_api() -> RuntimeApi {
    RuntimeApi::start(Identity {
        function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"),
        timeout: Duration::from_secs(60),
    })
    .await
    .expect("the Runtime API listens")
}

/// Sends one function-URL event, invocation `seq`, and returns the status the function answered
/// with.
async fn invoke(
    api: &mut RuntimeApi,
    seq: u64,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> u16 {
    let id = Invocation::request_id(seq);
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"accept": "application/json", "content-type": "application/json",
                    "host": "abc123.lambda-url.us-east-1.on.aws"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.10", "userAgent": "twinstack-test"},
            "requestId": id,
            "routeKey": "$default",
            "stage": "$default",
            "time": "27/Nov/2026:05:13:01 +0000",
            "timeEpoch": 1_795_756_381_123_u64
        },
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false
    });
    invoke_event(api, seq, &event).await
}

/// Sends `event` as invocation `seq` and returns the status the function answered with.
async fn invoke_event(api: &mut RuntimeApi, seq: u64, event: &Value) -> u16 {
    let id = Invocation::request_id(seq);
    api.invocations
        .send(Invocation {
            seq,
            payload: event.to_string().into(),
        })
        .await
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(60), api.outcomes.recv())
        .await
        .expect("the function answers")
        .unwrap();
    let Outcome::Response {
        id: answered,
        payload,
        ..
    } = outcome
    else {
        panic!("not a response to {id}: {outcome:?}");
    };
    assert_eq!(answered, id);
    let response: Value = serde_json::from_slice(&payload).unwrap();
    u16::try_from(response["statusCode"].as_u64().expect("a statusCode")).unwrap()
}

/// The function process, with stdout read line by line into a channel. Killed on drop.
struct Function {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Function {
    fn start(runtime_api: std::net::SocketAddr, env: &[(&str, String)]) -> Self {
        let mut command = twinstack_twins::lambda::function_command(
            env!("CARGO_BIN_EXE_twinstack-lambda"),
            FUNCTION,
            runtime_api,
            env,
        );
        command.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command.spawn().expect("the function binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Function { child, lines }
    }

    /// The EMF documents among the lines written so far (other lines are logs), waiting until
    /// `count` have arrived.
    fn emf_documents(&self, count: usize) -> Vec<Value> {
        let mut documents = Vec::new();
        while documents.len() < count {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("only {} EMF lines: {documents:?}", documents.len()));
            if let Ok(document) = serde_json::from_str::<Value>(&line)
                && document.get("_aws").is_some()
            {
                documents.push(document);
            }
        }
        // Anything more already written would be one line too many.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            assert!(!line.contains("\"_aws\""), "an unexpected EMF line: {line}");
        }
        documents
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks `document` against the Embedded Metric Format's structure; returns its problems.
fn emf_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(root) = document.as_object() else {
        return vec!["not a JSON object".into()];
    };
    let Some(aws) = root.get("_aws").and_then(Value::as_object) else {
        return vec!["no _aws object".into()];
    };
    if !aws.get("Timestamp").is_some_and(Value::is_u64) {
        problems.push("_aws.Timestamp is not a whole number of milliseconds".into());
    }
    let Some(directives) = aws.get("CloudWatchMetrics").and_then(Value::as_array) else {
        problems.push("_aws.CloudWatchMetrics is not an array".into());
        return problems;
    };
    if directives.is_empty() {
        problems.push("_aws.CloudWatchMetrics is empty".into());
    }
    for directive in directives {
        if !directive.get("Namespace").is_some_and(Value::is_string) {
            problems.push(format!("no Namespace string in {directive}"));
        }
        match directive.get("Dimensions").and_then(Value::as_array) {
            None => problems.push(format!("Dimensions is not an array in {directive}")),
            Some(sets) => {
                for set in sets {
                    let Some(keys) = set.as_array() else {
                        problems.push(format!("a dimension set is not an array: {set}"));
                        continue;
                    };
                    for key in keys {
                        match key.as_str() {
                            Some(key) if root.get(key).is_some_and(Value::is_string) => {}
                            _ => problems
                                .push(format!("dimension {key} is not a top-level string member")),
                        }
                    }
                }
            }
        }
        match directive.get("Metrics").and_then(Value::as_array) {
            None => problems.push(format!("Metrics is not an array in {directive}")),
            Some(metrics) => {
                for metric in metrics {
                    let Some(name) = metric.get("Name").and_then(Value::as_str) else {
                        problems.push(format!("a metric without a Name: {metric}"));
                        continue;
                    };
                    if !metric.get("Unit").is_some_and(Value::is_string) {
                        problems.push(format!("metric {name} has no Unit"));
                    }
                    if !root.get(name).is_some_and(Value::is_number) {
                        problems.push(format!("metric {name} is not a top-level number member"));
                    }
                }
            }
        }
    }
    problems
}

fn metric_names(document: &Value) -> Vec<&str> {
    document["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect()
}

fn is_cold_start(document: &Value) -> bool {
    metric_names(document) == ["lambda_cold_starts_total"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_writes_one_valid_emf_line_and_each_process_one_cold_start() {
    // Arrange: a seeded table on DynamoDB Local, the Runtime API, the real binary.
    let settings = twinstack_twins::lambda::seeded_table("emf").await;
    let env = twinstack_twins::lambda::function_env(&settings);
    let mut api = runtime_api().await;
    let function = Function::start(api.addr, &env);

    // Act: two ids on one route, a path no route matches, a POST.
    let statuses = [
        invoke(&mut api, 1, "GET", "/api/users/7", None).await,
        invoke(&mut api, 2, "GET", "/api/users/8", None).await,
        invoke(&mut api, 3, "GET", "/api/no-such-route/9", None).await,
        invoke(
            &mut api,
            4,
            "POST",
            "/api/users",
            Some(json!({"name": "Emf Test",
                        "email": format!("emf-{}@example.com", std::process::id())})),
        )
        .await,
    ];
    let documents = function.emf_documents(5);

    // Assert: all well-formed; one cold start, first; one line per request, by route pattern.
    assert_eq!(statuses, [200, 200, 404, 201]);
    for document in &documents {
        let problems = emf_problems(document);
        assert!(problems.is_empty(), "{problems:?} in {document}");
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "twinstack"
        );
    }
    assert_eq!(documents.iter().filter(|d| is_cold_start(d)).count(), 1);
    let cold = &documents[0];
    assert!(is_cold_start(cold), "the cold start comes first: {cold}");
    assert_eq!(
        cold["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["function"]])
    );
    assert_eq!(cold["function"], FUNCTION);
    assert_eq!(cold["lambda_cold_starts_total"], 1);
    let requests: Vec<(String, String, String)> = documents[1..]
        .iter()
        .map(|d| {
            assert_eq!(
                d["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
                json!([["route", "method", "status"]])
            );
            assert_eq!(
                metric_names(d),
                [
                    "http_server_requests_total",
                    "http_server_request_duration_seconds"
                ]
            );
            assert_eq!(d["http_server_requests_total"], 1);
            assert!(d["http_server_request_duration_seconds"].as_f64().unwrap() > 0.0);
            let field = |k: &str| d[k].as_str().unwrap().to_owned();
            (field("route"), field("method"), field("status"))
        })
        .collect();
    let expected = [
        ("/api/users/{id}", "GET", "200"),
        ("/api/users/{id}", "GET", "200"),
        ("unmatched", "GET", "404"),
        ("/api/users", "POST", "201"),
    ]
    .map(|(r, m, s)| (r.to_owned(), m.to_owned(), s.to_owned()));
    assert_eq!(requests, expected);

    // Act again: a second process of the same function.
    drop(function);
    let second = Function::start(api.addr, &env);
    invoke(&mut api, 5, "GET", "/api/health", None).await;
    let documents = second.emf_documents(2);

    // Assert: its own cold start, once, then its request.
    let counts: HashMap<bool, usize> = documents.iter().fold(HashMap::new(), |mut c, d| {
        *c.entry(is_cold_start(d)).or_default() += 1;
        c
    });
    assert_eq!(counts.get(&true), Some(&1), "{documents:?}");
    assert_eq!(documents[1]["route"], "/api/health");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_is_no_request_writes_its_emf_line_too() {
    // Arrange
    let settings = twinstack_twins::lambda::seeded_table("emf_malformed").await;
    let env = twinstack_twins::lambda::function_env(&settings);
    let mut api = runtime_api().await;
    let function = Function::start(api.addr, &env);

    // Act: an event no service sends, which lambda_http cannot turn into a request.
    let status = invoke_event(&mut api, 1, &json!({"httpMethod": 7, "requestContext": []})).await;
    let documents = function.emf_documents(2);

    // Assert: the 400 is counted like any answer, by the route and method no request gave it.
    assert_eq!(status, 400);
    assert!(is_cold_start(&documents[0]), "{documents:?}");
    let line = &documents[1];
    assert!(emf_problems(line).is_empty(), "{line}");
    assert_eq!(
        (&line["route"], &line["method"], &line["status"]),
        (&json!("unmatched"), &json!("_OTHER"), &json!("400"))
    );
    assert_eq!(line["http_server_requests_total"], 1);
}
