//! The function's environment: the store's settings plus where `@connections` is.

use twinstack_store_dynamodb::{DynamoSettings, SettingsError};

/// The WebSocket API's callback URL, `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
/// (the CDK stack sets it from the stage); locally, the gateway harness's loopback URL.
pub const CONNECTIONS_ENDPOINT_ENV: &str = "CONNECTIONS_ENDPOINT";

#[derive(Clone, Debug)]
pub struct RealtimeSettings {
    pub dynamo: DynamoSettings,
    pub connections_endpoint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RealtimeSettingsError {
    #[error(transparent)]
    Store(#[from] SettingsError),
    #[error("{CONNECTIONS_ENDPOINT_ENV} is required: the WebSocket stage's callback URL")]
    MissingConnectionsEndpoint,
}

impl RealtimeSettings {
    pub fn from_env() -> Result<Self, RealtimeSettingsError> {
        let dynamo = DynamoSettings::from_env()?;
        let connections_endpoint = std::env::var(CONNECTIONS_ENDPOINT_ENV)
            .ok()
            .filter(|url| !url.is_empty())
            .ok_or(RealtimeSettingsError::MissingConnectionsEndpoint)?;
        Ok(RealtimeSettings {
            dynamo,
            connections_endpoint,
        })
    }
}
