//! Every event API Gateway (REST, HTTP API, console test), a function URL or an ALB can send gets an
//! answer in the error envelope from the real binary, through a Runtime API, never a function error
//! (which API Gateway turns into a 502): every HTTP request fixture of the `aws_lambda_events` crate,
//! whose paths are not ours, and our own hostile ones.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::{Child, Command};
use twinstack_lambda_probe::runtime_api::{Identity, Invocation, Outcome, RuntimeApi};

const FUNCTION: &str = "twinstack-every-event-test";

/// The fixtures of the `aws_lambda_events` version this workspace locks, found through Cargo.
fn aws_lambda_events_fixtures() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{output:?}");
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws_lambda_events")
        .expect("aws_lambda_events is a dependency")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    PathBuf::from(manifest)
        .with_file_name("src")
        .join("fixtures")
}

/// Requests that reach a function from API Gateway REST or HTTP API, a function URL or an ALB;
/// not authorizer, WebSocket or other services' events.
fn is_http_request_fixture(name: &str) -> bool {
    let http_source = [
        "example-apigw-",
        "example-alb-",
        "example-lambda-functionurl-",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix));
    let other = ["custom-auth", "websocket"]
        .iter()
        .any(|kind| name.contains(kind));
    http_source && !other && name.contains("-request") && name.ends_with(".json")
}

fn fixture_events() -> Vec<(String, Vec<u8>)> {
    let dir = aws_lambda_events_fixtures();
    let mut events: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| is_http_request_fixture(name))
        .map(|name| {
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect();
    events.sort();
    events
}

/// A function-URL event (payload 2.0) for `path`, with `host` as its Host header.
fn function_url(path: &str, host: &str, body: Option<(&str, bool)>) -> Vec<u8> {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": host},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "http": {"method": if body.is_some() { "POST" } else { "GET" }, "path": path,
                     "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10", "userAgent": "test"},
            "requestId": "own-event",
            "routeKey": "$default",
            "stage": "$default",
            "time": "03/Dec/2026:14:00:00 +0000",
            "timeEpoch": 1_796_306_400_000_u64
        },
        "body": body.map(|(text, _)| text),
        "isBase64Encoded": body.is_some_and(|(_, base64)| base64)
    })
    .to_string()
    .into_bytes()
}

/// Ours: what an attacker or a misconfigured integration can put in an event.
fn own_events() -> Vec<(String, Vec<u8>, u16, &'static str)> {
    let huge_path = format!("/api/users/{}", "a".repeat(200_000));
    vec![
        (
            "hostile Host".into(),
            function_url("/api/health", "evil host/{}\u{7f}", None),
            400,
            "malformed_request",
        ),
        (
            "base64 body that is not UTF-8".into(),
            function_url(
                "/api/users",
                "abc.lambda-url.us-east-1.on.aws",
                Some(("//79", true)),
            ),
            400,
            "malformed_json",
        ),
        // Longer than any URI `http` builds (64 KiB): no request can be made of it.
        (
            "200 KB path".into(),
            function_url(&huge_path, "abc.lambda-url.us-east-1.on.aws", None),
            400,
            "malformed_request",
        ),
        (
            "no service's event".into(),
            br#"{"httpMethod": 7, "requestContext": []}"#.to_vec(),
            400,
            "malformed_request",
        ),
    ]
}

fn start_function(runtime_api: std::net::SocketAddr, env: &[(&str, String)]) -> Child {
    let mut command = Command::from(twinstack_twins::lambda::function_command(
        env!("CARGO_BIN_EXE_twinstack-lambda"),
        FUNCTION,
        runtime_api,
        env,
    ));
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the function binary starts")
}

/// A header of the response, whichever of `headers` / `multiValueHeaders` its origin's shape uses.
fn header<'a>(response: &'a Value, name: &str) -> Option<&'a str> {
    let single = response["headers"].as_object().and_then(|headers| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    });
    single.or_else(|| {
        response["multiValueHeaders"]
            .as_object()
            .and_then(|headers| {
                headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v[0].as_str())
            })
    })
}

/// The status and error code the function answered `payload` with; panics on a function error.
async fn invoke(api: &mut RuntimeApi, seq: u64, name: &str, payload: Vec<u8>) -> (u16, String) {
    api.invocations
        .send(Invocation {
            seq,
            payload: payload.into(),
        })
        .await
        .unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(60), api.outcomes.recv())
        .await
        .unwrap_or_else(|_| panic!("{name}: no answer"))
        .unwrap();
    let Outcome::Response { id, payload, .. } = outcome else {
        panic!("{name}: not a response: {outcome:?}");
    };
    assert_eq!(id, Invocation::request_id(seq), "{name}");
    let response: Value = serde_json::from_slice(&payload).unwrap();
    let status = u16::try_from(response["statusCode"].as_u64().expect("a statusCode")).unwrap();
    assert!(
        header(&response, "x-request-id").is_some(),
        "{name}: no x-request-id in {response}"
    );
    let body: Value = serde_json::from_str(response["body"].as_str().expect("a text body"))
        .unwrap_or_else(|e| panic!("{name}: body not JSON ({e}): {response}"));
    assert!(
        body["error"]["message"].is_string(),
        "{name}: not the envelope: {body}"
    );
    let code = body["error"]["code"].as_str().unwrap().to_owned();
    (status, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_http_event_answers_in_the_envelope_and_none_is_a_function_error() {
    // Arrange: the real binary on a seeded table, and every event.
    let settings = twinstack_twins::lambda::seeded_table("every-event").await;
    let env = twinstack_twins::lambda::function_env(&settings);
    let mut api = RuntimeApi::start(Identity {
        function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"),
        timeout: Duration::from_secs(60),
    })
    .await
    .expect("the Runtime API listens");
    let _function = start_function(api.addr, &env);
    let fixtures = fixture_events();
    let names: Vec<&str> = fixtures.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        fixtures.len() >= 14 && names.contains(&"example-apigw-console-request.json"),
        "the fixtures are found: {names:?}"
    );

    // Act + Assert: the fixtures' paths are not ours, so 404, except the console event's Host,
    // which no request can be built with.
    let mut seq = 0;
    for (name, payload) in fixtures {
        seq += 1;
        let (status, code) = invoke(&mut api, seq, &name, payload).await;

        let expected = if name == "example-apigw-console-request.json" {
            (400, "malformed_request")
        } else {
            (404, "not_found")
        };
        assert_eq!((status, code.as_str()), expected, "{name}");
    }
    for (name, payload, status, code) in own_events() {
        seq += 1;
        let answer = invoke(&mut api, seq, &name, payload).await;

        assert_eq!(answer, (status, code.to_owned()), "{name}");
    }
}
