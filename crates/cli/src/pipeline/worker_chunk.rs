//! `twinstack pipeline worker chunk`: stages 1–4 on one chunk, as an Argo pod runs it.

use clap::Args;
use twinstack_pipeline::{Catalogue, Objects, run_chunk};

#[derive(Args)]
pub struct ChunkArgs {
    /// The input location: a directory or s3://BUCKET/PREFIX.
    #[arg(long = "in", value_name = "URL")]
    pub input: String,

    /// The chunk's key under --in, as the manifest lists it (chunk-00042.ndjson).
    #[arg(long, value_name = "KEY")]
    pub chunk: String,

    /// The run's output location; the partial and rejects go under partials/ and rejects/.
    #[arg(long, value_name = "URL")]
    pub out: String,
}

pub async fn run(args: ChunkArgs) -> anyhow::Result<()> {
    let input = Objects::open(&args.input)?;
    let output = Objects::open(&args.out)?;
    let report = run_chunk(&input, &args.chunk, &output, &Catalogue::seed()).await?;
    eprintln!(
        "chunk {}: {} records in, {} rejected",
        report.chunk, report.records_in, report.rejected
    );
    Ok(())
}
