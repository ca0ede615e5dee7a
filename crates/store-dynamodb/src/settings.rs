//! Where the table is and how long a call may take, and the one function that builds the SDK
//! client from that.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls;

/// The table the store uses (set by the CDK stack on Lambda).
pub const TABLE_NAME_ENV: &str = "TABLE_NAME";
/// The region; always set on Lambda.
pub const REGION_ENV: &str = "AWS_REGION";
/// An endpoint override, such as DynamoDB Local's `http://127.0.0.1:8000`.
pub const ENDPOINT_ENV: &str = "DYNAMODB_ENDPOINT";
/// Overrides of the SDK timeouts, in milliseconds; for slow test machines, where DynamoDB Local
/// queues requests, rather than for production.
pub const CONNECT_TIMEOUT_ENV: &str = "DYNAMODB_CONNECT_TIMEOUT_MS";
pub const ATTEMPT_TIMEOUT_ENV: &str = "DYNAMODB_ATTEMPT_TIMEOUT_MS";
pub const OPERATION_TIMEOUT_ENV: &str = "DYNAMODB_OPERATION_TIMEOUT_MS";
/// With an endpoint override and no region, this one: DynamoDB Local started with `-sharedDb`
/// ignores the region, but the SDK signs every request with one.
pub const LOCAL_REGION: &str = "us-east-1";

/// How the store reaches DynamoDB.
///
/// The timeouts sit well below the request timeout (`REQUEST_TIMEOUT_MS`, 10 s by default, under
/// the function's own 15 s and API Gateway's 29 s), so a dead or slow DynamoDB becomes our own
/// 503 `unavailable` rather than a gateway timeout, with time left for the SDK's retries and
/// ours. One SDK call takes at most the operation timeout, retries included: 5 s fits one hung
/// attempt (2 s) and a retry, or three refused attempts and [`retry`]'s waits (at most 3 s); the
/// store's breaker then answers later calls at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamoSettings {
    pub table: String,
    pub region: String,
    /// `None`: the region's public endpoint.
    pub endpoint: Option<String>,
    /// Establishing a TCP (and TLS) connection: a healthy endpoint answers in milliseconds.
    pub connect_timeout: Duration,
    /// One HTTP attempt, so a stalled attempt leaves room for the SDK to retry.
    pub attempt_timeout: Duration,
    /// One operation, all its SDK retries included.
    pub operation_timeout: Duration,
}

/// What [`DynamoSettings::from_env`] could not find.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{0} must be a whole number of milliseconds")]
    Invalid(&'static str),
}

impl DynamoSettings {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
    pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
    pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(5);

    /// `table` in `region`'s public endpoint, default timeouts.
    pub fn new(table: impl Into<String>, region: impl Into<String>) -> Self {
        DynamoSettings {
            table: table.into(),
            region: region.into(),
            endpoint: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: Self::DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: Self::DEFAULT_OPERATION_TIMEOUT,
        }
    }

    /// `table` at `endpoint` (DynamoDB Local), in [`LOCAL_REGION`].
    pub fn local(endpoint: impl Into<String>, table: impl Into<String>) -> Self {
        DynamoSettings {
            endpoint: Some(endpoint.into()),
            ..Self::new(table, LOCAL_REGION)
        }
    }

    /// From [`TABLE_NAME_ENV`], [`REGION_ENV`] and [`ENDPOINT_ENV`]. The region must be set
    /// unless an endpoint is: looking it up elsewhere could mean a slow instance-metadata call.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let table = var(TABLE_NAME_ENV).ok_or(SettingsError::Missing(TABLE_NAME_ENV))?;
        let endpoint = var(ENDPOINT_ENV);
        let region = match (var(REGION_ENV), &endpoint) {
            (Some(region), _) => region,
            (None, Some(_)) => LOCAL_REGION.to_owned(),
            (None, None) => return Err(SettingsError::Missing(REGION_ENV)),
        };
        let millis = |name: &'static str, default: Duration| match var(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| SettingsError::Invalid(name)),
        };
        Ok(DynamoSettings {
            endpoint,
            connect_timeout: millis(CONNECT_TIMEOUT_ENV, Self::DEFAULT_CONNECT_TIMEOUT)?,
            attempt_timeout: millis(ATTEMPT_TIMEOUT_ENV, Self::DEFAULT_ATTEMPT_TIMEOUT)?,
            operation_timeout: millis(OPERATION_TIMEOUT_ENV, Self::DEFAULT_OPERATION_TIMEOUT)?,
            ..Self::new(table, region)
        })
    }
}

/// The SDK's standard retry, pinned rather than left to the behaviour version: 3 attempts, at
/// most 1 s then 2 s between them (full jitter), within the operation timeout. Shorter waits give
/// up on DynamoDB Local's lock waits under concurrent transactions (the store contract's
/// concurrency cases) and on throttling bursts; an outage is answered promptly by the store's
/// breaker instead, which lets only the first failing call wait and probes without retries. The
/// SDK's retry quota (its token bucket) stops retrying while most attempts fail.
fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_secs(1))
}

/// The SDK client for `settings`; build it once and clone it.
///
/// The region is always given, so the SDK never asks instance metadata for one. With an endpoint
/// override and no `AWS_ACCESS_KEY_ID` in the environment the credentials are fixed dummies
/// (DynamoDB Local accepts any), so the default chain does not go looking for real ones either.
pub async fn client(settings: &DynamoSettings) -> Client {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .operation_attempt_timeout(settings.attempt_timeout)
        .operation_timeout(settings.operation_timeout)
        .build();
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https)
        .region(Region::new(settings.region.clone()))
        .retry_config(retry())
        .timeout_config(timeouts);
    if let Some(endpoint) = &settings.endpoint {
        loader = loader.endpoint_url(endpoint);
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none_or(|key| key.is_empty()) {
            loader = loader.credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "twinstack-local",
            ));
        }
    }
    Client::new(&loader.load().await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_environment_names_table_region_and_endpoint() {
        let settings = DynamoSettings::from_lookup(lookup(&[
            ("TABLE_NAME", "orders"),
            ("AWS_REGION", "eu-west-1"),
            ("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"),
        ]))
        .unwrap();

        assert_eq!(settings.table, "orders");
        assert_eq!(settings.region, "eu-west-1");
        assert_eq!(settings.endpoint.as_deref(), Some("http://127.0.0.1:8000"));
        assert_eq!(settings.operation_timeout, Duration::from_secs(5));
    }

    #[test]
    fn a_local_endpoint_needs_no_region_but_the_public_one_does() {
        let local = DynamoSettings::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"),
        ]))
        .unwrap();
        let public = DynamoSettings::from_lookup(lookup(&[("TABLE_NAME", "t")]));
        let no_table = DynamoSettings::from_lookup(lookup(&[("AWS_REGION", "eu-west-1")]));

        assert_eq!(local.region, LOCAL_REGION);
        assert!(matches!(public, Err(SettingsError::Missing("AWS_REGION"))));
        assert!(matches!(
            no_table,
            Err(SettingsError::Missing("TABLE_NAME"))
        ));
    }

    #[test]
    fn timeouts_stay_below_the_request_timeout() {
        let settings = DynamoSettings::new("t", "eu-west-1");

        assert!(settings.connect_timeout < settings.attempt_timeout);
        assert!(settings.attempt_timeout < settings.operation_timeout);
        assert!(settings.operation_timeout < Duration::from_secs(10));
    }

    #[test]
    fn timeouts_can_be_raised_for_slow_test_machines_and_must_be_numbers() {
        let base = [
            ("TABLE_NAME", "t"),
            ("DYNAMODB_ENDPOINT", "http://127.0.0.1:8000"),
        ];
        let raised = DynamoSettings::from_lookup(lookup(&[
            base[0],
            base[1],
            ("DYNAMODB_ATTEMPT_TIMEOUT_MS", "20000"),
            ("DYNAMODB_OPERATION_TIMEOUT_MS", "60000"),
        ]))
        .unwrap();
        let garbled = DynamoSettings::from_lookup(lookup(&[
            base[0],
            base[1],
            ("DYNAMODB_CONNECT_TIMEOUT_MS", "1s"),
        ]));

        assert_eq!(raised.attempt_timeout, Duration::from_secs(20));
        assert_eq!(raised.operation_timeout, Duration::from_secs(60));
        assert_eq!(
            raised.connect_timeout,
            DynamoSettings::DEFAULT_CONNECT_TIMEOUT
        );
        assert!(matches!(
            garbled,
            Err(SettingsError::Invalid("DYNAMODB_CONNECT_TIMEOUT_MS"))
        ));
    }
}
