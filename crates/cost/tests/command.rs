//! `twinstack cost` end to end, through `render` (what `run` prints and writes): the table and the
//! crossover, `--explain`, `--from`, `--from-cloudwatch` and `--pricing`.

use std::path::PathBuf;

use twinstack_cost::workload::ApiKind;
use twinstack_cost::{CostArgs, render};

fn args() -> CostArgs {
    CostArgs {
        region: "ap-south-1".into(),
        pricing: None,
        from: None,
        from_cloudwatch: None,
        api: ApiKind::Rest,
        explain: false,
        assumptions: None,
        svg: PathBuf::from("target/twinstack/cost.svg"),
        markdown: None,
        options: Default::default(),
    }
}

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
}

#[test]
fn the_report_has_the_article_scale_points_and_the_crossover() {
    let output = render(&args()).unwrap();

    for row in ["| 10K |", "| 100K |", "| 1M |", "| 10M |", "| 50M |"] {
        assert!(output.report.contains(row), "no row {row}");
    }
    assert!(
        output
            .report
            .contains("Kubernetes becomes cheaper than serverless at")
    );
    assert!(output.svg.contains("crossover"));
}

#[test]
fn explain_lists_every_line_item_of_both_stacks() {
    let output = render(&CostArgs {
        explain: true,
        ..args()
    })
    .unwrap();

    for item in [
        "API Gateway REST API requests",
        "Lambda compute",
        "DynamoDB write request units",
        "X-Ray traces recorded",
        "EKS control plane",
        "EC2 worker nodes (3 × t4g.medium)",
        "NAT gateway data processed",
        "Load balancer capacity units",
    ] {
        assert!(
            output.report.contains(&format!("| {item}")),
            "no line item {item}"
        );
    }
    assert!(output.report.contains("**Kubernetes at 50M requests/day:"));
    assert!(
        output
            .report
            .contains("| Spot (fraction off on-demand) | all | 0.6 | factor | not-found | no ap-south-1 source found")
    );
    assert!(
        output
            .report
            .contains("| EC2 t4g.medium (2 vCPU, 4 GiB) | all | 0.0224 | USD/hour | aws-page | Amazon EC2 On-Demand pricing, Asia Pacific (Mumbai), Linux/UNIX: t4g.medium $0.0224 per hour")
    );
}

#[test]
fn measured_figures_from_results_json_are_used_and_listed() {
    let output = render(&CostArgs {
        from: Some(testdata("results.json")),
        ..args()
    })
    .unwrap();

    assert!(
        output
            .report
            .contains("server twin: 3850 req/s per vCPU at p95 20 ms")
    );
    assert!(output.report.contains(
        "Lambda warm billed duration = 9.4 ms (measured on Lambda: mean 9.4, p50 8, p99 21 ms)"
    ));
    assert!(
        output
            .report
            .contains("Lambda init = 32 ms billed (cold start mean 31.6, p50 30.9, p99 44.2 ms)")
    );
}

#[test]
fn cloudwatch_report_lines_print_cold_start_percentiles() {
    let output = render(&CostArgs {
        from_cloudwatch: Some(testdata("cloudwatch-report.log")),
        ..args()
    })
    .unwrap();

    assert!(
        output
            .report
            .contains("cold start (Init Duration) p50 36.1 ms, p99 42.2 ms"),
        "{}",
        output.report
    );
    assert!(
        output
            .report
            .contains("40 invocations, 3 cold (7.50%), memory 128 MB")
    );
}

#[test]
fn a_broken_pricing_file_stops_the_run_with_the_field_named() {
    let path = std::env::temp_dir().join(format!("twinstack-cost-{}.json", std::process::id()));
    let mut file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/pricing/us-east-1.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    file["xray"]["traces_recorded"]["tiers"][1]["price"] = serde_json::json!(-5);
    std::fs::write(&path, file.to_string()).unwrap();

    let error = render(&CostArgs {
        pricing: Some(path.clone()),
        ..args()
    })
    .err()
    .unwrap();
    std::fs::remove_file(path).unwrap();

    assert_eq!(
        error.to_string(),
        "xray.traces_recorded.tiers[1].price: negative price -5; a price is never negative"
    );
}

#[test]
fn the_http_api_is_cheaper_than_the_rest_api_at_scale() {
    let rest = render(&args()).unwrap().report;
    let http = render(&CostArgs {
        api: ApiKind::Http,
        ..args()
    })
    .unwrap()
    .report;

    assert_ne!(rest, http);
    assert!(http.contains("HTTP API"));
}

#[test]
fn options_are_priced_next_to_on_demand_each_alone() {
    let output = render(&CostArgs {
        options: twinstack_cost::options::Options {
            savings_plan: Some(twinstack_cost::options::Term::ThreeYears),
            multi_az: true,
            dr: true,
            ..Default::default()
        },
        ..args()
    })
    .unwrap();

    assert!(output.report.contains(
        "| Requests/day | Serverless, on demand | Serverless, with options | Kubernetes, on demand | Kubernetes, with options |"
    ));
    for row in [
        "| `--savings-plan 3y` | Serverless |",
        "| `--savings-plan 3y` | Kubernetes |",
        "| `--multi-az` | Kubernetes |",
        "| `--dr` | Serverless |",
        "| `--dr` | Kubernetes |",
    ] {
        assert!(output.report.contains(row), "no row {row}");
    }
    assert!(
        !output.report.contains("| `--multi-az` | Serverless |"),
        "Multi-AZ changes nothing serverless"
    );
    assert!(
        output
            .report
            .contains("On demand: Kubernetes becomes cheaper")
    );
    assert!(
        output.report.contains(" --savings-plan 3y --multi-az --dr"),
        "the command line carries the flags"
    );
}

#[test]
fn dr_adds_the_standby_line_items_of_both_stacks() {
    let output = render(&CostArgs {
        explain: true,
        options: twinstack_cost::options::Options {
            dr: true,
            ..Default::default()
        },
        ..args()
    })
    .unwrap();

    for item in [
        "DR: replicated writes (standby region)",
        "DR: cross-region replication transfer",
        "DR: replica storage (standby region)",
        "DR: continuous backups (PITR)",
        "DR: standby EKS cluster (standby region)",
        "DR: replicated RDS backups (standby region)",
        "DR: Velero EBS snapshots",
        "DR: Route 53 health checks",
    ] {
        assert!(
            output.report.contains(&format!("| {item}")),
            "no line item {item}"
        );
    }
}

#[test]
fn the_seed_explanation_itemises_its_floor() {
    let output = render(&CostArgs {
        explain: true,
        assumptions: Some(twinstack_cost::Assumptions::Article),
        ..args()
    })
    .unwrap();

    assert!(
        output
            .report
            .contains("### The seed's Kubernetes figures, itemised")
    );
    assert!(
        output
            .report
            .contains("**10K/day, Kubernetes.** The seed's floor: $143.66")
    );
    assert!(
        !output.report.contains("more of our largest hourly line"),
        "the itemisation replaces the old sentence"
    );
}

#[test]
fn explain_says_which_figures_are_assumed_and_not_measured() {
    let assumed = render(&CostArgs {
        explain: true,
        ..args()
    })
    .unwrap()
    .report;
    let measured = render(&CostArgs {
        explain: true,
        from: Some(testdata("results.json")),
        ..args()
    })
    .unwrap()
    .report;

    assert!(
        assumed
            .contains("- server twin log bytes per request: 250 (assumed: one JSON request line")
    );
    assert!(assumed.contains(
        "- Lambda billed duration: the local mean + 0.5 ms of per-invocation rounding (assumed"
    ));
    assert!(
        !measured.contains("server twin log bytes per request: 250"),
        "measured: 180"
    );
    assert!(
        !measured.contains("- Lambda billed duration: the local mean"),
        "measured on Lambda"
    );
    assert!(
        measured.contains("| CloudWatch Logs ingestion"),
        "the Lambda's logs"
    );
}

#[test]
fn options_with_the_article_comparison_are_refused_naming_them() {
    let error = render(&CostArgs {
        assumptions: Some(twinstack_cost::Assumptions::Article),
        options: twinstack_cost::options::Options {
            reserved_db: true,
            ..Default::default()
        },
        ..args()
    })
    .err()
    .unwrap();

    assert!(error.to_string().starts_with("--assumptions article compares on-demand figures with the article's; --reserved-db apply"), "{error}");
}
