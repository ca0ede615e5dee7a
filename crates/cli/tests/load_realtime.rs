//! `twinstack load` with loadtest/realtime.yml (Artillery's `engine: ws`) against the real
//! Kubernetes twin on loopback: every virtual user connects, runs its whole flow, and hears exactly
//! the replies the feed's contract promises.

use std::path::Path;
use std::time::Duration;

use twinstack_loadgen::{RunOptions, Scale};
use twinstack_twins::postgres::spawn_realtime_postgres_twin;

#[tokio::test]
async fn the_realtime_example_runs_against_the_server_and_hears_every_reply() {
    // Arrange
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../loadtest/realtime.yml");
    let script = twinstack_loadgen::cli::read_script(&config).expect("realtime.yml parses");
    let twin = spawn_realtime_postgres_twin().await;
    let options = RunOptions {
        target: twin.ws_url.clone(),
        // The 82-minute profile in about 5 s: some 200 virtual users, each holding its socket 30 s.
        scale: Scale {
            time: 0.001,
            rate: 1.0,
        },
        max_in_flight: 2000,
        request_timeout: None,
        drain_timeout: Duration::from_secs(60),
        progress: false,
    };

    // Act
    let report = twinstack_loadgen::run(script, options)
        .await
        .expect("the run completes");

    // Assert
    let users = report.vusers.created;
    assert!(users >= 100, "{:?}", report.vusers);
    assert_eq!(report.vusers.planned, users);
    assert_eq!(report.vusers.completed, users, "{:?}", report.vusers);
    assert_eq!(report.totals.errors.total, 0, "{:?}", report.totals.errors);
    let count = |name: &str| {
        report
            .requests
            .iter()
            .find(|request| request.name == name)
            .unwrap_or_else(|| panic!("no {name:?} in {:?}", report.requests))
            .stats
            .count
    };
    assert_eq!(count("connect"), users);
    assert_eq!(
        count(r#"send {"action":"subscribe","userId":"{{ userId }}"}"#),
        users
    );
    assert_eq!(count(r#"send {"action":"ping"}"#), 6 * users);
    // subscribed, six pongs, unsubscribed: nothing lost, nothing extra (no order was written).
    assert_eq!(report.messages_received, Some(8 * users));
}
