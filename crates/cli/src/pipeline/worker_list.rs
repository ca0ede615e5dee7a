//! `twinstack pipeline worker list`: the chunk keys of an input as a JSON array on stdout, which
//! the Argo WorkflowTemplate's `list-chunks` step hands to `withParam`.

use clap::Args;
use twinstack_pipeline::{Objects, list_chunks};

#[derive(Args)]
pub struct ListArgs {
    /// The input location: a directory or s3://BUCKET/PREFIX.
    #[arg(long = "in", value_name = "URL")]
    pub input: String,
}

pub async fn run(args: ListArgs) -> anyhow::Result<()> {
    let chunks = list_chunks(&Objects::open(&args.input)?).await?;
    anyhow::ensure!(
        !chunks.is_empty(),
        "{}: no chunks (no manifest.json and no .ndjson objects)",
        args.input
    );
    println!("{}", serde_json::to_string(&chunks)?);
    Ok(())
}
