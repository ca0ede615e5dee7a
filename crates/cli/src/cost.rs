//! `twinstack cost`: the API's monthly cost (crates/cost), or with `--pipeline` one run of the data
//! pipeline on each stack (twinstack_cost::pipeline).

#[derive(clap::Args)]
pub struct CostCommand {
    #[command(flatten)]
    cost: twinstack_cost::CostArgs,
    #[command(flatten)]
    pipeline: twinstack_cost::pipeline::PipelineArgs,
}

pub fn run(args: CostCommand) -> anyhow::Result<()> {
    if args.pipeline.pipeline {
        let pricing = args.cost.pricing.as_deref();
        return Ok(twinstack_cost::pipeline::run(
            &args.cost.region,
            pricing,
            &args.pipeline,
        )?);
    }
    Ok(twinstack_cost::run(args.cost)?)
}
