//! The serverless twin's bill: API Gateway → Lambda → DynamoDB, with CloudWatch and X-Ray.

use super::shared::{self, priced};
use super::{Bill, Model, Stack};
use crate::lambda::{Billed, gb_seconds_per_invocation};
use crate::report::number;
use crate::traffic::{SECONDS_PER_MONTH, average_per_second, requests_per_month};
use crate::workload::{ApiKind, Architecture, Xray};

pub fn bill(model: &Model, requests_per_day: f64) -> Bill {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let serverless = &workload.serverless;
    let lambda = &serverless.lambda;
    let requests = requests_per_month(requests_per_day);
    let millions = requests / 1e6;
    let billed = Billed::of(lambda);
    let (api_price, api_name) = match serverless.api {
        ApiKind::Rest => (&pricing.api_rest, "API Gateway REST API requests"),
        ApiKind::Http => (&pricing.api_http, "API Gateway HTTP API requests"),
    };
    let duration_price = match lambda.architecture {
        Architecture::X86_64 => &pricing.lambda_x86_64,
        Architecture::Arm64 => &pricing.lambda_arm64,
    };
    let read_units = requests * workload.read_units_per_request();
    let write_units = requests * workload.write_units_per_request();
    let traces = traces_recorded(&serverless.xray, average_per_second(requests_per_day));

    let items = vec![
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
        priced(
            format!(
                "Lambda compute ({}, {:.0} MB, {})",
                lambda.runtime, lambda.memory_mb, lambda.architecture
            ),
            requests * gb_seconds_per_invocation(lambda),
            duration_price,
            format!(
                "{:.0} MB × ({:.2} ms warm + {:.2}% cold × {:.1} ms init) billed per invocation",
                lambda.memory_mb,
                billed.warm_ms,
                billed.cold_start_rate * 100.0,
                billed.init_ms
            ),
        ),
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
        priced(
            "DynamoDB storage",
            serverless.dynamodb_storage_gb,
            &pricing.dynamodb_storage,
            "table size",
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
    ];
    shared::bill(
        Stack::Serverless,
        items,
        workload,
        pricing,
        requests_per_day,
    )
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
        // 1 GB × (5 ms + 1% × 180 ms) = 0.0068 GB-s each: 206,833 GB-s, under the 400,000 free.
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
        // 50M/day × 1 GB × 6.8 ms = 10.34M GB-s; 400,000 free; x86 at $0.0000166667.
        let model = article_model();

        let bill = bill(&model, 50e6);

        let gb_seconds = 50e6 * 730.0 / 24.0 * 0.0068;
        assert!(
            (bill.cost_of("Lambda compute") - (gb_seconds - 400_000.0) * 0.000_016_666_7).abs()
                < 1e-6
        );
    }
}
