//! The serverless twin's bill: API Gateway → Lambda → DynamoDB, with CloudWatch and X-Ray; Lambda
//! billed on the mean billed duration and a cold-start rate that follows traffic, with provisioned
//! concurrency and a Savings Plan when asked; DynamoDB on demand or provisioned, its table growing
//! with the orders kept.

use super::shared::{self, discounted, priced, stored_gb};
use super::{Bill, LineItem, Model, Stack, dr};
use crate::cold_start::environments;
use crate::lambda::{Billed, memory_gb};
use crate::options::{CapacityMode, Term};
use crate::report::number;
use crate::traffic::{HOURS_PER_MONTH, SECONDS_PER_MONTH, average_per_second, requests_per_month};
use crate::workload::{ApiKind, Architecture, Xray};

/// DynamoDB auto scaling's default target utilisation.
const AUTO_SCALING_TARGET: f64 = 0.7;

pub fn bill(model: &Model, requests_per_day: f64) -> Bill {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let serverless = &workload.serverless;
    let requests = requests_per_month(requests_per_day);
    let millions = requests / 1e6;
    let (api_price, api_name) = match serverless.api {
        ApiKind::Rest => (&pricing.api_rest, "API Gateway REST API requests"),
        ApiKind::Http => (&pricing.api_http, "API Gateway HTTP API requests"),
    };
    let read_units = requests * workload.read_units_per_request();
    let write_units = requests * workload.write_units_per_request();
    let traces = traces_recorded(&serverless.xray, average_per_second(requests_per_day));
    let table_gb = stored_gb(
        model,
        requests_per_day,
        serverless.dynamodb_storage_gb,
        serverless.dynamodb_bytes_per_order,
    );

    let mut items = vec![
        priced(
            api_name,
            millions,
            api_price,
            format!("{} requests", number(requests)),
        ),
        priced(
            "Lambda requests",
            millions,
            &pricing.lambda_requests,
            format!("{} invocations", number(requests)),
        ),
    ];
    items.extend(lambda_compute(model, requests_per_day));
    items.extend(dynamodb_capacity(model, read_units, write_units));
    items.extend([
        priced(
            "DynamoDB storage",
            table_gb,
            &pricing.dynamodb_storage,
            format!(
                "{} GB + {} bytes per order × {:.0} orders/day × {} days kept",
                serverless.dynamodb_storage_gb,
                number(serverless.dynamodb_bytes_per_order),
                requests_per_day * workload.orders_per_request(),
                workload.order_retention_days
            ),
        ),
        priced(
            "CloudWatch custom metrics (EMF)",
            serverless.custom_metrics,
            &pricing.custom_metrics,
            "metric series emitted through the embedded metric format",
        ),
        priced(
            "X-Ray traces recorded",
            traces / 1e6,
            &pricing.xray_traces,
            format!(
                "first {} request(s) each second, then {:.0}% of the rest",
                serverless.xray.reservoir_per_second,
                serverless.xray.rate * 100.0
            ),
        ),
    ]);
    if model.options.dr {
        items.extend(dr::serverless(model, requests_per_day, table_gb));
    }
    shared::bill(
        Stack::Serverless,
        items,
        Some(workload.log_bytes_per_request),
        workload,
        pricing,
        requests_per_day,
    )
}

/// Duration on demand (warm mean + cold starts × init), and with `--provisioned-concurrency N` the
/// environments kept warm and the duration they serve, at their own prices.
fn lambda_compute(model: &Model, requests_per_day: f64) -> Vec<LineItem> {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let options = &model.options;
    let lambda = &workload.serverless.lambda;
    let requests = requests_per_month(requests_per_day);
    let billed = Billed::of(lambda, requests_per_day, workload.peak_to_average);
    let gb = memory_gb(lambda);
    let (on_demand, provisioned, provisioned_duration) = match lambda.architecture {
        Architecture::X86_64 => (
            &pricing.lambda_x86_64,
            &pricing.lambda_provisioned_x86_64,
            &pricing.lambda_provisioned_duration_x86_64,
        ),
        Architecture::Arm64 => (
            &pricing.lambda_arm64,
            &pricing.lambda_provisioned_arm64,
            &pricing.lambda_provisioned_duration_arm64,
        ),
    };
    let concurrency = f64::from(options.provisioned_concurrency);
    let in_use = environments(requests_per_day, billed.warm_ms / 1000.0);
    // Requests the provisioned environments serve: all of them while the average needs no more.
    let provisioned_share = if concurrency > 0.0 {
        (concurrency / in_use.max(f64::EPSILON)).min(1.0)
    } else {
        0.0
    };
    let savings_plan = match options.savings_plan {
        Some(Term::OneYear) => pricing.discounts.savings_plan_1y_lambda.value,
        Some(Term::ThreeYears) => pricing.discounts.savings_plan_3y_lambda.value,
        None => 0.0,
    };
    let plan = |item| {
        discounted(
            item,
            savings_plan,
            "Compute Savings Plan on Lambda duration",
        )
    };
    let warm = if billed.measured {
        format!(
            "{:.2} ms mean billed duration (measured, each invocation rounded up)",
            billed.warm_ms
        )
    } else {
        format!(
            "{:.2} ms mean duration incl. {} ms of per-invocation rounding (assumed: fractions spread evenly)",
            billed.warm_ms,
            crate::lambda::ROUNDING_MS
        )
    };
    let mut items = vec![plan(priced(
        format!(
            "Lambda compute ({}, {:.0} MB, {})",
            lambda.runtime, lambda.memory_mb, lambda.architecture
        ),
        requests * (1.0 - provisioned_share) * gb * billed.mean_ms() / 1000.0,
        on_demand,
        format!(
            "{:.0} MB × ({warm} + {:.3}% cold × {:.1} ms init) on {:.0}% of invocations; cold-start rate from traffic ({} environments in use, idle reclaim after {:.0} s, replaced every {:.0} s, assumed)",
            lambda.memory_mb,
            billed.cold_start_rate * 100.0,
            billed.init_ms,
            (1.0 - provisioned_share) * 100.0,
            number(in_use.ceil().max(1.0)),
            lambda.cold_starts.idle_timeout_s,
            lambda.cold_starts.lifetime_s
        ),
    ))];
    if concurrency > 0.0 {
        items.push(plan(priced(
            "Lambda provisioned concurrency",
            concurrency * gb * SECONDS_PER_MONTH,
            provisioned,
            format!("{concurrency} environments × {gb:.3} GB, all month"),
        )));
        items.push(plan(priced(
            "Lambda duration on provisioned concurrency",
            requests * provisioned_share * gb * billed.warm_ms / 1000.0,
            provisioned_duration,
            format!(
                "{:.0}% of invocations ({concurrency} of {in_use:.2} environments in use at the average rate), warm",
                provisioned_share * 100.0
            ),
        )));
    }
    items
}

fn dynamodb_capacity(model: &Model, read_units: f64, write_units: f64) -> Vec<LineItem> {
    let workload = &model.workload;
    let pricing = &model.pricing;
    match model.options.dynamodb {
        CapacityMode::OnDemand => vec![
            priced(
                "DynamoDB read request units",
                read_units / 1e6,
                &pricing.dynamodb_reads,
                format!(
                    "{:.3} RRU per request over the endpoint mix",
                    workload.read_units_per_request()
                ),
            ),
            priced(
                "DynamoDB write request units",
                write_units / 1e6,
                &pricing.dynamodb_writes,
                format!(
                    "{:.3} WRU per request over the endpoint mix",
                    workload.write_units_per_request()
                ),
            ),
        ],
        // Auto scaling follows the daily curve at its target utilisation, so the provisioned units
        // average the consumed units over the target; at least one of each.
        CapacityMode::Provisioned => [
            ("DynamoDB provisioned read capacity", read_units, &pricing.dynamodb_provisioned_reads, "RCU"),
            ("DynamoDB provisioned write capacity", write_units, &pricing.dynamodb_provisioned_writes, "WCU"),
        ]
        .into_iter()
        .map(|(name, units, price, unit)| {
            let per_second = (units / SECONDS_PER_MONTH / AUTO_SCALING_TARGET).max(1.0);
            priced(
                name,
                per_second * HOURS_PER_MONTH,
                price,
                format!(
                    "--dynamodb provisioned: {per_second:.1} {unit} on average, the consumed units over auto scaling's {:.0}% target",
                    AUTO_SCALING_TARGET * 100.0
                ),
            )
        })
        .collect(),
    }
}

/// Traces a month under a reservoir-plus-rate rule at an average request rate.
pub fn traces_recorded(xray: &Xray, requests_per_second: f64) -> f64 {
    let reservoir = requests_per_second.min(xray.reservoir_per_second);
    let rest = (requests_per_second - xray.reservoir_per_second).max(0.0);
    (reservoir + xray.rate * rest) * SECONDS_PER_MONTH
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;
    use crate::pricing::Pricing;

    fn article_model() -> Model {
        Model::new(
            assumptions::article(1024.0),
            Pricing::builtin("ap-south-1").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn below_one_request_a_second_every_request_is_traced() {
        let xray = Xray {
            reservoir_per_second: 1.0,
            rate: 0.05,
        };

        assert_eq!(traces_recorded(&xray, 0.5), 0.5 * SECONDS_PER_MONTH);
    }

    #[test]
    fn above_the_reservoir_only_the_sampled_rate_is_traced() {
        let xray = Xray {
            reservoir_per_second: 1.0,
            rate: 0.05,
        };

        // 1 + 5% of 20.
        assert!((traces_recorded(&xray, 21.0) - 2.0 * SECONDS_PER_MONTH).abs() < 1e-6);
    }

    #[test]
    fn one_million_requests_a_day_on_the_article_setup_match_the_hand_computation() {
        // Arrange: 1M/day = 30,416,666.7 requests a month in ap-south-1.
        let model = article_model();

        // Act
        let bill = bill(&model, 1e6);

        // Assert
        let millions = 30.416_666_666_7;
        // REST: all in the first tier at $3.50.
        assert!((bill.cost_of("API Gateway REST") - millions * 3.50).abs() < 1e-6);
        // Lambda requests: first million free, then $0.20.
        assert!((bill.cost_of("Lambda requests") - (millions - 1.0) * 0.20).abs() < 1e-6);
        // 1 GB × (5 ms + a fraction of a percent cold × 180 ms): under 400,000 GB-s, all free.
        assert_eq!(bill.cost_of("Lambda compute"), 0.0);
        // Reads: (0.5 + 0 + 0.5) / 3 RRU; writes: 1/3 WRU.
        assert!((bill.cost_of("DynamoDB read") - millions / 3.0 * 0.1425).abs() < 1e-6);
        assert!((bill.cost_of("DynamoDB write") - millions / 3.0 * 0.71).abs() < 1e-6);
        // 600 bytes × requests = 17.0 GB, 5 free, then $0.67.
        let log_gb = 30_416_666.666_7 * 600.0 / 1_073_741_824.0;
        assert!((bill.cost_of("CloudWatch Logs ingestion") - (log_gb - 5.0) * 0.67).abs() < 1e-6);
        // 11.57 rps: 1 + 5% × 10.57 traced per second, 100,000 a month free, then $5 per million.
        let traces = (1.0 + 0.05 * (1e6 / 86_400.0 - 1.0)) * 730.0 * 3600.0;
        assert!((bill.cost_of("X-Ray") - (traces / 1e6 - 0.1) * 5.0).abs() < 1e-6);
        // 2 custom metrics are inside the 10 free.
        assert_eq!(bill.cost_of("CloudWatch custom metrics"), 0.0);
    }

    #[test]
    fn lambda_compute_beyond_the_free_tier_is_billed_per_gb_second() {
        // 50M/day × 1 GB × (5 ms + the cold-start rate at 50M/day × 180 ms); 400,000 free; x86.
        let model = article_model();

        let bill = bill(&model, 50e6);

        let cold = crate::cold_start::rate(
            &model.workload.serverless.lambda.cold_starts,
            50e6,
            3.0,
            0.005,
        );
        let gb_seconds = 50e6 * 730.0 / 24.0 * (5.0 + cold * 180.0) / 1000.0;
        assert!(
            (bill.cost_of("Lambda compute") - (gb_seconds - 400_000.0) * 0.000_016_666_7).abs()
                < 1e-6
        );
    }
}

#[cfg(test)]
mod option_tests {
    use super::*;
    use crate::bill::twinstack_in_mumbai as model;
    use crate::options::Options;

    #[test]
    fn provisioned_concurrency_is_billed_all_month_and_serves_its_share_warm() {
        let on_demand = bill(&model(Options::default()), 5e7);
        let provisioned = bill(
            &model(Options {
                provisioned_concurrency: 2,
                ..Options::default()
            }),
            5e7,
        );

        // 2 × 0.125 GB × 2,628,000 s × $0.0000033334.
        assert!(
            (provisioned.cost_of("Lambda provisioned concurrency")
                - 2.0 * 0.125 * 2_628_000.0 * 0.000_003_333_4)
                .abs()
                < 1e-9
        );
        assert!(provisioned.cost_of("Lambda compute") < on_demand.cost_of("Lambda compute"));
    }

    #[test]
    fn provisioned_dynamodb_bills_capacity_hours_at_the_auto_scaling_target() {
        let bill = bill(
            &model(Options {
                dynamodb: CapacityMode::Provisioned,
                ..Options::default()
            }),
            5e7,
        );

        // 50M/day: 578.7 req/s × 2 WRU (a third of requests, a 3-item transaction at 2 WRU each)
        // = 1,157 WCU consumed, / 0.7 provisioned, × 730 h, 18,250 free, $0.00074.
        let wcu = 5e7 / 86_400.0 * 2.0 / 0.7;
        assert!(
            (bill.cost_of("DynamoDB provisioned write") - (wcu * 730.0 - 18_250.0) * 0.00074).abs()
                < 1e-6
        );
        assert!(
            !bill
                .items
                .iter()
                .any(|item| item.name.starts_with("DynamoDB write request"))
        );
    }

    #[test]
    fn a_savings_plan_takes_its_share_off_lambda_duration_only() {
        let on_demand = bill(&model(Options::default()), 5e7);
        let planned = bill(
            &model(Options {
                savings_plan: Some(Term::ThreeYears),
                ..Options::default()
            }),
            5e7,
        );

        assert!(
            (planned.cost_of("Lambda compute") - 0.83 * on_demand.cost_of("Lambda compute")).abs()
                < 1e-9
        );
        assert_eq!(
            planned.cost_of("Lambda requests"),
            on_demand.cost_of("Lambda requests")
        );
    }
}
