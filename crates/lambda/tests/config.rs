//! A bad `REQUEST_TIMEOUT_MS` stops the function at init, with the rule the server applies too
//! (`twinstack_http::RequestTimeout`).

use std::process::Command;

use twinstack_http::InvalidRequestTimeout;

#[test]
fn a_request_timeout_that_breaks_the_rule_stops_the_function_at_init() {
    let rule = InvalidRequestTimeout.to_string();
    for value in ["99", "ten", "1.5", ""] {
        // DynamoDB is never called: init builds the client without I/O, and the timeout comes next.
        let output = Command::new(env!("CARGO_BIN_EXE_twinstack-lambda"))
            .env_clear()
            .env("TABLE_NAME", "twinstack")
            .env("DYNAMODB_ENDPOINT", "http://127.0.0.1:1")
            .env("REQUEST_TIMEOUT_MS", value)
            .output()
            .unwrap();
        assert!(
            !output.status.success(),
            "REQUEST_TIMEOUT_MS={value} is refused"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains(&rule),
            "REQUEST_TIMEOUT_MS={value}: {stderr}"
        );
    }
}
