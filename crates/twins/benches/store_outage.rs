//! How each twin behaves while its store is down, under load (the scenario of
//! `tests/store_outage.rs`): the 503s answered after the first failure (count, p50, p99, max) and
//! the recovery, from the store answering again to the first write that succeeds. Issue #14's
//! targets: p99 of those 503s <= 50 ms, recovery <= 1 s.
//!
//! `cargo bench -p twinstack-twins --bench store_outage` (both twins; `-- postgres` or
//! `-- dynamodb` for one; `STORE_OUTAGE_WRITERS`, 8; `STORE_OUTAGE_DOWN_MS`, 3000).

use std::time::Duration;

use twinstack_twins::outage::{self, Outage, Plan, quantile};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let wanted = |twin: &str| only.is_empty() || only.iter().any(|o| o == twin);
    let plan = Plan {
        writers: env_u64("STORE_OUTAGE_WRITERS", 8) as usize,
        down: Duration::from_millis(env_u64("STORE_OUTAGE_DOWN_MS", 3_000)),
        unavailable: 0,
        recovery_limit: Duration::from_secs(60),
    };

    println!(
        "| store stopped | 503s after the first failure | p50 | p99 | max | recovery | 201s | lost |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    if wanted("postgres") {
        let (api, mut cluster) = outage::postgres_twin().await;
        let seen = outage::under_load(&api, &mut cluster, plan).await;
        report("Postgres (server)", &seen, seen.lost(&api).await.len());
    }
    if wanted("dynamodb") {
        let (api, mut dynamodb, _emulator) = outage::lambda_twin().await;
        let seen = outage::under_load(&api, &mut dynamodb, plan).await;
        report(
            "DynamoDB Local (Lambda)",
            &seen,
            seen.lost(&api).await.len(),
        );
    }
}

fn report(store: &str, seen: &Outage, lost: usize) {
    let unavailable = seen.unavailable_after_first_failure();
    let ms = |q: f64| {
        quantile(&unavailable, q).map_or("-".into(), |d| format!("{:.1} ms", d.as_secs_f64() * 1e3))
    };
    let recovery = seen.recovery().map_or("none".into(), |d| {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    });
    println!(
        "| {store} | {} | {} | {} | {} | {recovery} | {} | {lost} |",
        unavailable.len(),
        ms(0.5),
        ms(0.99),
        ms(1.0),
        seen.accepted.len(),
    );
    let unexpected = seen.unexpected();
    if !unexpected.is_empty() {
        println!(
            "  {} unexpected answers, first: {:?}",
            unexpected.len(),
            unexpected[0]
        );
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}
