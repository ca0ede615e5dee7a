//! `twinstack pipeline generate`: the deterministic input, chunk by chunk.

use std::time::Instant;

use clap::Args;
use twinstack_pipeline::{DEFAULT_CHUNKS, DEFAULT_RECORDS, InputSpec, Objects, generate_input};

#[derive(Args)]
pub struct GenerateArgs {
    /// Records in all.
    #[arg(long, default_value_t = DEFAULT_RECORDS, value_parser = clap::value_parser!(u64).range(1..))]
    pub records: u64,

    /// Chunks (objects) to split them into.
    #[arg(long, default_value_t = DEFAULT_CHUNKS, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub chunks: u32,

    /// Where to write: a directory or s3://BUCKET/PREFIX.
    #[arg(long, value_name = "DIR|URL")]
    pub out: String,
}

pub async fn run(args: GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let out = Objects::open(&args.out)?;
    let spec = InputSpec {
        records: args.records,
        chunks: args.chunks,
    };
    generate_input(&out, spec, cores()).await?;
    eprintln!(
        "generated {} records in {} chunks at {} in {:.1?}",
        spec.records,
        spec.chunks,
        out.url(),
        started.elapsed()
    );
    Ok(())
}

/// This machine's cores, the in-process concurrency.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
