//! Where a run loads its aggregates: Postgres, DynamoDB, or (the default) `aggregates.json`
//! at the run's output location.

use clap::Args;
use twinstack_pipeline::{Aggregates, LoadError, LoadTarget, Objects, ObjectsTarget};
use twinstack_pipeline_stores::{DynamoTarget, PgTarget};

#[derive(Args, Clone, Debug)]
#[group(skip)]
pub struct TargetArgs {
    /// Load into this Postgres database (table pipeline_aggregates).
    #[arg(long, value_name = "postgres://…", conflicts_with = "dynamodb")]
    pub store: Option<String>,

    /// Load into DynamoDB at this endpoint (DynamoDB Local's, or AWS's with --region).
    #[arg(long, value_name = "ENDPOINT", requires = "table")]
    pub dynamodb: Option<String>,

    /// The DynamoDB table (the app's table; the pipeline's items are PK = PIPELINE#…).
    #[arg(long, value_name = "T")]
    pub table: Option<String>,

    /// AWS region of the DynamoDB table; needed for AWS's endpoint.
    #[arg(long, env = "AWS_REGION")]
    pub region: Option<String>,
}

impl TargetArgs {
    /// The arguments again, to hand to a `worker reduce` process.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut push = |flag: &str, value: &Option<String>| {
            if let Some(value) = value {
                args.extend([flag.to_owned(), value.clone()]);
            }
        };
        push("--store", &self.store);
        push("--dynamodb", &self.dynamodb);
        push("--table", &self.table);
        push("--region", &self.region);
        args
    }

    /// The target named, or `aggregates.json` at `default` if none is.
    pub async fn target(&self, default: &Objects) -> anyhow::Result<Target> {
        Ok(match (&self.store, &self.dynamodb, &self.table) {
            (Some(url), _, _) => Target::Postgres(PgTarget::connect(url).await?),
            (None, Some(endpoint), Some(table)) => {
                let client =
                    crate::dynamodb::batch_client(endpoint, table, self.region.as_deref()).await?;
                Target::Dynamo(DynamoTarget::new(client, table))
            }
            _ => Target::Objects(ObjectsTarget::new(default.clone())),
        })
    }
}

/// One of the load targets.
pub enum Target {
    Objects(ObjectsTarget),
    Postgres(PgTarget),
    Dynamo(DynamoTarget),
}

impl LoadTarget for Target {
    fn describe(&self) -> String {
        match self {
            Target::Objects(t) => t.describe(),
            Target::Postgres(t) => t.describe(),
            Target::Dynamo(t) => t.describe(),
        }
    }

    async fn load(&self, aggregates: &Aggregates) -> Result<(), LoadError> {
        match self {
            Target::Objects(t) => t.load(aggregates).await,
            Target::Postgres(t) => t.load(aggregates).await,
            Target::Dynamo(t) => t.load(aggregates).await,
        }
    }

    async fn read(&self) -> Result<Aggregates, LoadError> {
        match self {
            Target::Objects(t) => t.read().await,
            Target::Postgres(t) => t.read().await,
            Target::Dynamo(t) => t.read().await,
        }
    }
}
