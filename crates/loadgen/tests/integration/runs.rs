//! Runs against the local server: counts, captures feeding later requests, and error accounting.

use std::time::Duration;

use serde_json::Value;
use twinstack_loadgen::Scale;

use crate::{named, run, server};

const CRUD: &str = r#"
config:
  target: "https://not-used.invalid"
  phases:
    - duration: 2
      arrivalRate: 10
      name: steady
    - duration: 2
      arrivalRate: 5
      rampTo: 15
      name: ramp
  variables:
    qty: [1, 2, 3]
scenarios:
  - name: crud
    flow:
      - get:
          url: "/api/users/{{ $randomNumber(1, 100) }}"
          name: get user
          capture:
            json: "$.id"
            as: id
      - post:
          url: "/api/orders"
          name: create order
          json:
            userId: "{{ id }}"
            items: [{ sku: "PROD-001", qty: "{{ qty }}" }]
      - think: 10ms
      - get:
          url: "/api/orders?userId={{ id }}&limit=10"
          name: list orders
"#;

#[tokio::test]
async fn every_arrival_runs_its_flow_and_captures_feed_later_requests() {
    let (address, seen) = server::spawn().await;
    let target = format!("http://{address}{}", server::PREFIX);

    let report = run(CRUD, target.clone(), Scale::default(), |_| {}).await;

    // 2 s at 10/s, then a 2 s ramp 5 → 15: 20 + (5 + 15) virtual users, three requests each.
    assert_eq!(report.vusers.planned, 40);
    assert_eq!((report.vusers.created, report.vusers.completed), (40, 40));
    assert_eq!(report.totals.count, 120);
    assert_eq!(report.totals.errors.total, 0, "{:?}", report.totals.errors);
    for name in ["get user", "create order", "list orders"] {
        assert_eq!(named(&report, name).count, 40, "{name}");
    }
    assert_eq!(
        report.phases.iter().map(|p| p.arrivals).collect::<Vec<_>>(),
        [20, 20]
    );
    assert_eq!(
        report
            .phases
            .iter()
            .map(|p| p.stats.count)
            .collect::<Vec<_>>(),
        [60, 60]
    );

    // The target's path prefix was kept (plain concatenation) and the config's target never used.
    assert_eq!(report.target, target);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.prefixed, 120);
    // `"{{ id }}"` alone sent the captured number as a number; the query got its text.
    assert_eq!(seen.order_user_ids.len(), 40);
    assert!(
        seen.order_user_ids
            .iter()
            .all(|id| id.as_u64().is_some_and(|n| (1..=100).contains(&n)))
    );
    let mut sent: Vec<String> = seen.order_user_ids.iter().map(Value::to_string).collect();
    let mut listed = seen.listed_user_ids.clone();
    sent.sort();
    listed.sort();
    assert_eq!(sent, listed);
}

#[tokio::test]
async fn server_timing_consumed_capacity_and_latency_are_reported_per_request_name() {
    let (address, _) = server::spawn().await;

    let report = run(
        CRUD,
        format!("http://{address}"),
        Scale {
            time: 0.5,
            rate: 1.0,
        },
        |_| {},
    )
    .await;

    let get_user = named(&report, "get user");
    let timing = &get_user.server_timing_ms;
    assert_eq!(
        (timing["app"].percentiles.p50, timing["db"].percentiles.p50),
        (1.0, 0.4)
    );
    assert_eq!(timing["app"].count, get_user.count);
    let capacity = get_user.consumed_capacity.expect("consumed capacity");
    assert_eq!(capacity.responses, get_user.count);
    assert_eq!(
        (capacity.read, capacity.read_per_request, capacity.write),
        (get_user.count as f64, 1.0, 0.0)
    );
    assert_eq!(named(&report, "list orders").consumed_capacity, None);
    let latency = get_user.latency_ms.expect("latencies");
    assert!(latency.min > 0.0 && latency.p50 <= latency.p99 && latency.p99 <= latency.max);
    assert_eq!(
        report.timeline.iter().map(|s| s.count).sum::<u64>(),
        report.totals.count
    );
}

#[tokio::test]
async fn failures_are_counted_by_status_and_kind_and_end_the_flow_where_artillery_does() {
    let (address, _) = server::spawn().await;
    let yaml = r#"
config:
  http:
    timeout: 0.3
  phases:
    - duration: 1
      arrivalRate: 4
scenarios:
  - flow:
      - get: { url: "/boom", name: boom }
      - get: { url: "/api/health", name: after a 500 }
      - get: { url: "/hang", name: hang }
      - get: { url: "/api/health", name: after a timeout }
"#;

    let report = run(yaml, format!("http://{address}"), Scale::default(), |_| {}).await;

    let boom = named(&report, "boom");
    assert_eq!(
        (
            boom.count,
            boom.errors.by_status["500"],
            boom.errors.by_kind["non2xx"]
        ),
        (4, 4, 4)
    );
    // A non-2xx response does not end the flow…
    assert_eq!(named(&report, "after a 500").errors.total, 0);
    assert_eq!(named(&report, "after a 500").count, 4);
    // …a timeout does.
    let hang = named(&report, "hang");
    assert_eq!(
        (hang.count, hang.responses, hang.errors.by_kind["timeout"]),
        (4, 0, 4)
    );
    assert!(hang.latency_ms.is_none());
    assert_eq!(named(&report, "after a timeout").count, 0);
    assert_eq!((report.vusers.completed, report.vusers.failed), (0, 4));
    assert_eq!(report.totals.errors.total, 8);
}

#[tokio::test]
async fn a_failed_capture_on_a_2xx_response_ends_the_flow() {
    let (address, _) = server::spawn().await;
    let yaml = r#"
config:
  phases: [{ duration: 1, arrivalRate: 3 }]
scenarios:
  - flow:
      - get: { url: "/api/health", name: health, capture: [{ json: "$.missing", as: x }] }
      - get: { url: "/api/users/{{ x }}", name: never }
"#;

    let report = run(yaml, format!("http://{address}"), Scale::default(), |_| {}).await;

    assert_eq!(named(&report, "health").errors.by_kind["captureFailed"], 3);
    assert_eq!(named(&report, "never").count, 0);
    assert_eq!(report.vusers.failed, 3);
}

#[tokio::test]
async fn a_closed_port_counts_connect_errors() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = free.local_addr().unwrap();
    drop(free);
    let yaml = "config:\n  phases: [{ duration: 1, arrivalRate: 2 }]\nscenarios:\n  - flow:\n      - get: { url: /api/health }\n";

    let report = run(yaml, format!("http://{address}"), Scale::default(), |_| {}).await;

    assert_eq!(report.totals.errors.by_kind["connect"], 2);
    assert_eq!(report.requests[0].name, "GET /api/health");
}

#[tokio::test]
async fn arrivals_over_the_in_flight_cap_are_dropped_not_delayed() {
    let (address, _) = server::spawn().await;
    let yaml = r#"
config:
  timeout: 0.5
  phases: [{ duration: 1, arrivalRate: 10 }]
scenarios:
  - flow:
      - get: { url: "/hang", name: hang }
"#;
    let started = std::time::Instant::now();

    let report = run(yaml, format!("http://{address}"), Scale::default(), |o| {
        o.max_in_flight = 2
    })
    .await;

    let vusers = report.vusers;
    assert!(vusers.dropped > 0, "{vusers:?}");
    assert_eq!(vusers.created + vusers.dropped, 10);
    assert_eq!(report.totals.errors.by_kind["dropped"], vusers.dropped);
    assert_eq!(
        named(&report, "hang").errors.by_kind["timeout"],
        vusers.created
    );
    // The schedule kept going: one second of arrivals, then at most one timeout of drain.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_drain_timeout_ends_the_run_and_counts_what_it_cut_off() {
    let (address, _) = server::spawn().await;
    let yaml = r#"
config:
  phases: [{ duration: 1, arrivalRate: 2 }]
scenarios:
  - flow:
      - get: { url: "/api/health" }
      - think: 60
      - get: { url: "/api/health" }
"#;
    let started = std::time::Instant::now();

    let report = run(yaml, format!("http://{address}"), Scale::default(), |o| {
        o.drain_timeout = Duration::from_millis(300);
    })
    .await;

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(report.vusers.aborted, 2);
    assert_eq!(report.totals.errors.by_kind["aborted"], 2);
    assert_eq!(report.totals.count, 2);
}
