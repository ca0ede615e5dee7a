//! `twinstack pipeline worker reduce`: merge every partial and load, as the final Argo pod runs it.
//! The summary goes to stdout as JSON (the step's output) and to stderr as text.

use clap::Args;
use twinstack_pipeline::{Objects, load, reduce};

use super::target::TargetArgs;

#[derive(Args)]
pub struct ReduceArgs {
    /// Where the chunk runs wrote their partials: OUT/partials.
    #[arg(long, value_name = "URL")]
    pub partials: String,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Without a store: write aggregates.json here (default: the parent of --partials).
    #[arg(long, value_name = "URL", conflicts_with_all = ["store", "dynamodb"])]
    pub out: Option<String>,
}

pub async fn run(args: ReduceArgs) -> anyhow::Result<()> {
    let partials = Objects::open(&args.partials)?;
    let out = match &args.out {
        Some(url) => url.clone(),
        None => parent(&args.partials),
    };
    let target = args.target.target(&Objects::open(&out)?).await?;
    let summary = load(reduce(&partials).await?, &target).await?;
    eprintln!("{summary}");
    println!("{}", serde_json::to_string(&summary)?);
    Ok(())
}

fn parent(url: &str) -> String {
    let url = url.trim_end_matches('/');
    url.rsplit_once('/')
        .map_or_else(|| ".".to_owned(), |(parent, _)| parent.to_owned())
}
