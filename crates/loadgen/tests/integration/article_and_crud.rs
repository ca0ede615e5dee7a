//! The article's Artillery config (copied as printed, plugins block included) and `loadtest/crud.yml`
//! parse, keep the article's 82-minute profile, and run scaled down against the local server.

use twinstack_loadgen::phases::{self, Scale};
use twinstack_loadgen::{Script, summary};

use crate::{named, run, server};

const ARTICLE: &str = include_str!("../fixtures/article-artillery.yml");
const CRUD: &str = include_str!("../../../../loadtest/crud.yml");

/// 300 s at 10/s, 600 s ramping 10 → 500/s, 3600 s at 500/s, 120 s at 2000/s, 300 s at 50/s.
const ARTICLE_ARRIVALS: [u64; 5] = [3_000, 152_700, 1_800_000, 240_000, 15_000];
const ARTICLE_SECONDS: f64 = 4920.0;

fn planned(script: &Script) -> (Vec<u64>, f64) {
    let plan = phases::plan(&script.phases, Scale::default()).unwrap();
    let arrivals = plan.iter().map(|p| p.arrival_count()).collect();
    (arrivals, phases::total_duration_us(&plan) as f64 / 1e6)
}

#[test]
fn the_articles_config_parses_as_printed_with_its_plugin_noted() {
    let script = Script::parse(ARTICLE).unwrap();

    assert_eq!(
        planned(&script),
        (ARTICLE_ARRIVALS.to_vec(), ARTICLE_SECONDS)
    );
    let names: Vec<_> = script
        .phases
        .iter()
        .map(|p| p.name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Warm-up", "Ramp-up", "Sustained", "Spike", "Cool-down"]
    );
    assert_eq!(
        script.config_target.as_deref(),
        Some("https://api.example.com")
    );
    assert!(
        script
            .notes
            .iter()
            .any(|n| n.starts_with("plugins.metrics-by-endpoint: reporting only"))
    );
    assert_eq!(
        script.request_names,
        [
            "GET /api/users/{{ $randomNumber(1, 10000) }}",
            "POST /api/orders",
            "GET /api/orders?userId={{ userId }}&limit=10",
        ]
    );
}

#[test]
fn crud_yml_keeps_the_articles_profile_and_names_every_request() {
    let script = Script::parse(CRUD).unwrap();

    assert_eq!(
        planned(&script),
        (ARTICLE_ARRIVALS.to_vec(), ARTICLE_SECONDS)
    );
    for name in [
        "health",
        "get user",
        "create order",
        "list orders",
        "user summary",
    ] {
        assert!(
            script.request_names.iter().any(|n| n == name),
            "{name} in {:?}",
            script.request_names
        );
    }
    assert!(
        summary::plan_table(&phases::plan(&script.phases, Scale::default()).unwrap())
            .contains("10 -> 500")
    );
}

#[tokio::test]
async fn the_articles_config_runs_scaled_down() {
    let (address, seen) = server::spawn().await;
    let scale = Scale {
        time: 0.001,
        rate: 0.02,
    };

    let report = run(ARTICLE, format!("http://{address}"), scale, |_| {}).await;

    // Scaled: 0.3 s at 0.2/s (none), a one-second ramp 0.2 → 10 (5), 3.6 s at 10/s (36), 0.12 s at 40/s (4),
    // 0.3 s at 1/s (none).
    assert_eq!(
        report.phases.iter().map(|p| p.arrivals).collect::<Vec<_>>(),
        [0, 5, 36, 4, 0]
    );
    assert_eq!(report.vusers.completed, 45);
    assert_eq!(report.totals.count, 135);
    assert_eq!(report.totals.errors.total, 0, "{:?}", report.totals.errors);
    assert_eq!(named(&report, "POST /api/orders").count, 45);
    assert!(
        seen.lock()
            .unwrap()
            .order_user_ids
            .iter()
            .all(|id| id.is_u64())
    );
}

#[tokio::test]
async fn crud_yml_runs_scaled_down_with_every_endpoint_named() {
    let (address, _) = server::spawn().await;
    let scale = Scale {
        time: 0.001,
        rate: 0.02,
    };

    let report = run(CRUD, format!("http://{address}"), scale, |_| {}).await;

    assert_eq!(report.totals.errors.total, 0, "{:?}", report.totals.errors);
    assert_eq!(report.vusers.completed, 45);
    let count = |name| named(&report, name).count;
    assert_eq!(
        [
            count("health"),
            count("get user"),
            count("create order"),
            count("list orders"),
            count("user summary")
        ],
        [45; 5]
    );
    assert!(
        named(&report, "user summary")
            .server_timing_ms
            .contains_key("db")
    );
}
