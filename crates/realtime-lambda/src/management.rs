//! The `@connections` management API: how both handlers send a frame to one connection.

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::error::DisplayErrorContext;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_smithy_http_client::tls;

use crate::RealtimeSettings;

/// What became of one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// 410: the connection is closed; its items can go.
    Gone,
}

/// PostToConnection failed for another reason than a gone connection (throttled, timed out…).
#[derive(Debug, thiserror::Error)]
#[error("PostToConnection to {connection}: {cause}")]
pub struct PostFailed {
    pub connection: String,
    pub cause: String,
}

pub struct Management {
    client: Client,
}

impl Management {
    /// The client for `settings.connections_endpoint`. Credentials come from the environment only
    /// (the Lambda runtime always sets them), so nothing asks instance metadata; no I/O here.
    pub fn new(settings: &RealtimeSettings) -> Self {
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(settings.dynamo.connect_timeout)
            .operation_attempt_timeout(settings.dynamo.attempt_timeout)
            .operation_timeout(settings.dynamo.operation_timeout)
            .build();
        let config = aws_sdk_apigatewaymanagement::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(https)
            .region(aws_sdk_apigatewaymanagement::config::Region::new(
                settings.dynamo.region.clone(),
            ))
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .timeout_config(timeouts)
            .endpoint_url(&settings.connections_endpoint)
            .build();
        Management {
            client: Client::from_conf(config),
        }
    }

    /// Sends `text` as one text frame to `connection`.
    pub async fn post(&self, connection: &str, text: &str) -> Result<Delivery, PostFailed> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection)
            .data(Blob::new(text.as_bytes()))
            .send()
            .await
        {
            Ok(_) => Ok(Delivery::Sent),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_gone_exception()) =>
            {
                Ok(Delivery::Gone)
            }
            Err(err) => Err(PostFailed {
                connection: connection.to_owned(),
                cause: DisplayErrorContext(&err).to_string(),
            }),
        }
    }
}
