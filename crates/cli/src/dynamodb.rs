//! The DynamoDB client for `twinstack seed` and `twinstack verify`: batch jobs rather than requests.

use anyhow::Context;
use twinstack_store_dynamodb::{Client, DynamoSettings};

/// A client for `table` at `endpoint`: DynamoDB Local (any region, dummy credentials unless
/// `AWS_ACCESS_KEY_ID` is set) or AWS's public endpoint (`https://dynamodb.<region>.amazonaws.com`),
/// which needs `region` given and takes credentials from the SDK's default chain. The region is
/// never looked up in instance metadata.
pub(crate) async fn batch_client(
    endpoint: &str,
    table: &str,
    region: Option<&str>,
) -> anyhow::Result<Client> {
    let mut settings = if is_aws(endpoint) {
        let region = region.with_context(|| {
            format!("give --region or set AWS_REGION for the AWS endpoint {endpoint}")
        })?;
        // No endpoint override: the SDK resolves the region's own, and its credential chain applies.
        DynamoSettings::new(table, region)
    } else {
        let mut settings = DynamoSettings::local(endpoint, table);
        if let Some(region) = region {
            settings.region = region.to_owned();
        }
        settings
    };
    // A batch job, not a request: give each call room.
    settings.operation_timeout = std::time::Duration::from_secs(60);
    settings.attempt_timeout = std::time::Duration::from_secs(20);
    Ok(twinstack_store_dynamodb::client(&settings).await)
}

/// Whether `endpoint` is one of AWS's own, such as `https://dynamodb.eu-west-1.amazonaws.com`.
fn is_aws(endpoint: &str) -> bool {
    let host = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

#[cfg(test)]
mod tests {
    use super::is_aws;

    #[test]
    fn public_endpoints_are_aws_and_local_ones_are_not() {
        assert!(is_aws("https://dynamodb.eu-west-1.amazonaws.com"));
        assert!(is_aws("https://dynamodb.cn-north-1.amazonaws.com.cn/"));
        assert!(!is_aws("http://127.0.0.1:8000"));
        assert!(!is_aws("http://localhost:8000/amazonaws.com"));
    }
}
