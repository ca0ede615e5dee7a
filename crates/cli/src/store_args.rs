//! Which store `twinstack seed` and `twinstack verify` work on.

use anyhow::bail;
use clap::Args;

#[derive(Args)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("store").required(true).args(["postgres", "dynamodb"])))]
pub struct StoreArgs {
    /// Postgres URL.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,

    /// DynamoDB endpoint: DynamoDB Local's, such as http://127.0.0.1:8000, or AWS's,
    /// https://dynamodb.<region>.amazonaws.com (credentials from the SDK's default chain).
    #[arg(long, value_name = "ENDPOINT", requires = "table")]
    dynamodb: Option<String>,

    /// DynamoDB table name.
    #[arg(long, value_name = "T")]
    table: Option<String>,

    /// AWS region of the DynamoDB table; needed for AWS's endpoint.
    #[arg(long, env = "AWS_REGION")]
    region: Option<String>,
}

/// The store the arguments name.
pub enum Store<'a> {
    Postgres {
        url: &'a str,
    },
    DynamoDb {
        endpoint: &'a str,
        table: &'a str,
        region: Option<&'a str>,
    },
}

impl StoreArgs {
    pub fn store(&self) -> anyhow::Result<Store<'_>> {
        match (&self.postgres, &self.dynamodb, &self.table) {
            (Some(url), _, _) => Ok(Store::Postgres { url }),
            (None, Some(endpoint), Some(table)) => Ok(Store::DynamoDb {
                endpoint,
                table,
                region: self.region.as_deref(),
            }),
            _ => bail!("give --postgres URL, or --dynamodb ENDPOINT --table T"),
        }
    }
}
