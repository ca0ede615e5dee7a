//! Properties of the model over many workloads: cost never falls as traffic grows, and every crossover
//! found is where the two curves actually cross.

use proptest::prelude::*;
use twinstack_cost::assumptions;
use twinstack_cost::bill::{Model, Stack};
use twinstack_cost::crossover;
use twinstack_cost::pricing::Pricing;
use twinstack_cost::workload::{ApiKind, Architecture, LambdaTiming, Workload};

fn workload() -> impl Strategy<Value = Workload> {
    (
        (prop::bool::ANY, prop::bool::ANY, 128.0..3008.0f64),
        (0.05..20.0f64, 0.0..40.0f64, 60.0..1800.0f64),
        (200.0..20_000.0f64, 1.0..6.0f64, 0.0..4000.0f64),
        (0.0..3.0f64, 0.0..8.0f64),
    )
        .prop_map(
            |((http, arm, memory), (cpu, io, cold), (rps, peak, log_bytes), (reads, writes))| {
                let mut workload =
                    assumptions::twinstack_with(if http { ApiKind::Http } else { ApiKind::Rest });
                let lambda = &mut workload.serverless.lambda;
                lambda.architecture = if arm {
                    Architecture::Arm64
                } else {
                    Architecture::X86_64
                };
                lambda.memory_mb = memory.round();
                lambda.timing = LambdaTiming::Local {
                    cpu_ms: cpu,
                    io_ms: io,
                    init_ms: 40.0,
                };
                lambda.cold_starts.idle_timeout_s = cold;
                workload.kubernetes.requests_per_vcpu = rps;
                workload.peak_to_average = peak;
                workload.log_bytes_per_request = log_bytes;
                for endpoint in &mut workload.mix {
                    endpoint.read_units = reads;
                    endpoint.write_units = writes;
                }
                workload
            },
        )
}

fn model(workload: Workload, region: &str) -> Model {
    Model::new(workload, Pricing::builtin(region).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_traffic_never_costs_less(
        workload in workload(),
        east in prop::bool::ANY,
        low in 1e3..1e9f64,
        factor in 1.0..50.0f64,
    ) {
        let model = model(workload, if east { "us-east-1" } else { "ap-south-1" });
        let high = low * factor;

        for stack in [Stack::Serverless, Stack::Kubernetes] {
            let (cheaper, dearer) = (model.total(stack, low), model.total(stack, high));
            prop_assert!(cheaper <= dearer + 1e-9 * dearer.abs(), "{stack}: {cheaper} at {low}, {dearer} at {high}");
        }
    }

    #[test]
    fn every_crossover_found_is_where_the_curves_cross(workload in workload()) {
        let model = model(workload, "ap-south-1");
        let difference = |per_day: f64| model.total(Stack::Serverless, per_day) - model.total(Stack::Kubernetes, per_day);

        for crossing in crossover::of_model(&model) {
            let (before, after) = (crossing.requests_per_day * (1.0 - 1e-6), crossing.requests_per_day * (1.0 + 1e-6));
            prop_assert!(
                (difference(before) < 0.0) != (difference(after) < 0.0),
                "no sign change around {}: {} then {}", crossing.requests_per_day, difference(before), difference(after)
            );
        }
    }

    #[test]
    fn tiered_cost_never_falls_as_quantity_grows(low in 0.0..1e11f64, factor in 1.0..10.0f64) {
        let pricing = Pricing::builtin("ap-south-1").unwrap();

        for (name, price) in pricing.items() {
            prop_assert!(price.cost(low) <= price.cost(low * factor) + 1e-9, "{name}");
        }
    }
}
