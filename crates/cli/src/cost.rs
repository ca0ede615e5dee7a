//! `twinstack cost`: the API's monthly cost (crates/cost), or with `--pipeline` one run of the data
//! pipeline on each stack (twinstack_cost::pipeline), or with `--realtime` the real-time feed a
//! month by concurrent connections (twinstack_cost::realtime).

#[derive(clap::Args)]
pub struct CostCommand {
    #[command(flatten)]
    cost: twinstack_cost::CostArgs,
    #[command(flatten)]
    pipeline: twinstack_cost::pipeline::PipelineArgs,
    #[command(flatten)]
    realtime: twinstack_cost::realtime::RealtimeArgs,
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
    if args.realtime.realtime {
        let cost = &args.cost;
        return Ok(twinstack_cost::realtime::run(
            &cost.region,
            cost.pricing.as_deref(),
            cost.from.as_ref(),
            &args.realtime,
        )?);
    }
    Ok(twinstack_cost::run(args.cost)?)
}
