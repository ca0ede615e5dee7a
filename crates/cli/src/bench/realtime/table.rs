//! The real-time section's table in report.md and report.html.

use super::super::results::{Results, Twin};
use super::super::table::Table;
use super::RealtimeRun;

/// The table, when the run has a real-time section.
pub fn table(results: &Results) -> Option<Table> {
    let realtime = results.realtime.as_ref()?;
    let title = format!(
        "Real-time feed: {} subscribers over {} users, {} orders/s for {} s",
        realtime.subscribers, realtime.users, realtime.orders_per_second, realtime.seconds
    );
    let mut table = Table::new(&title, &["", "Serverless", "Kubernetes"]);
    let run = |twin: Twin| realtime.twins.iter().find(|run| run.twin == twin);
    type Show = fn(&RealtimeRun) -> String;
    let rows: [(&str, Show); 10] = [
        ("connections (failed)", |r| {
            format!("{} ({})", r.connected, r.connect_failures)
        }),
        ("connect p50 / p99 (ms)", |r| {
            let p = r.connect_ms.as_ref();
            format!("{} / {}", fixed(p.map(|p| p.p50)), fixed(p.map(|p| p.p99)))
        }),
        ("orders created (failed)", |r| {
            format!("{} ({})", r.orders_created, r.order_failures)
        }),
        ("deliveries expected / received", |r| {
            format!("{} / {}", r.expected_deliveries, r.delivered)
        }),
        ("lost / duplicated", |r| {
            format!("{} / {}", r.lost, r.duplicated)
        }),
        ("deliveries/s", |r| {
            format!("{:.1}", r.deliveries_per_second)
        }),
        ("delivery p50 / p95 / p99 (ms, from the 201)", |r| {
            let p = r.delivery_ms.as_ref();
            format!(
                "{} / {} / {}",
                fixed(p.map(|p| p.p50)),
                fixed(p.map(|p| p.p95)),
                fixed(p.map(|p| p.p99))
            )
        }),
        ("server RSS before → connected (MiB)", |r| {
            format!(
                "{} → {}",
                opt(r.server_rss_before_mib),
                opt(r.server_rss_connected_mib)
            )
        }),
        ("memory per connection (KiB)", |r| {
            opt(r.memory_per_connection_kib)
        }),
        ("Lambda invocations per delivery", |r| {
            opt(r.lambda_invocations_per_delivery)
        }),
    ];
    for (label, show) in rows {
        let cell = |twin| run(twin).map_or("not run".to_owned(), show);
        table.row(vec![
            label.to_owned(),
            cell(Twin::Serverless),
            cell(Twin::Kubernetes),
        ]);
    }
    Some(table.note(
        "Each order is delivered to every subscriber of its user; delivery latency runs from the \
         POST's 201 to the frame's receipt (0 when the event beats the response). Memory per \
         connection is the server's RSS growth over the connections it holds; the serverless \
         twin's connections are held by API Gateway (here its local harness), so it has none. \
         Invocations count the real-time function's stream batches during order creation.",
    ))
}

/// A figure as results.json rounded it.
fn opt(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |value| format!("{value}"))
}

/// Milliseconds to two decimals.
fn fixed(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |value| format!("{value:.2}"))
}
