//! A bad `REQUEST_TIMEOUT_MS` (or `--request-timeout-ms`) stops the server before it starts, with
//! the rule the Lambda applies too (`twinstack_http::RequestTimeout`).

use std::process::Command;

use twinstack_http::InvalidRequestTimeout;

/// Runs `twinstack-server ARGS migrate` with `REQUEST_TIMEOUT_MS=env_value` and returns its stderr,
/// asserting that it failed. The database is never reached: parsing comes first.
fn refused(args: &[&str], env_value: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_twinstack-server"))
        .args(args)
        .arg("migrate")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("REQUEST_TIMEOUT_MS", env_value)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "{args:?} {env_value:?} is refused"
    );
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_request_timeout_that_breaks_the_rule_stops_the_server() {
    let rule = InvalidRequestTimeout.to_string();
    for value in ["99", "ten", "1.5", ""] {
        let stderr = refused(&[], value);
        assert!(
            stderr.contains(&rule),
            "REQUEST_TIMEOUT_MS={value}: {stderr}"
        );
        let stderr = refused(&["--request-timeout-ms", value], "10000");
        assert!(
            stderr.contains(&rule),
            "--request-timeout-ms {value}: {stderr}"
        );
    }
}
