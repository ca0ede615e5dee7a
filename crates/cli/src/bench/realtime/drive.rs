//! The real-time measurement against one twin: `subscribers` WebSockets spread over `users` users
//! (connection `i` follows user `i % users + 1`), then orders created over HTTP at `rate` per second
//! for `seconds`, round-robin over the same users, while every connection records each `created`
//! event it receives. Deliveries are matched to the orders by (connection, order id): what an order's
//! followers should have heard and did not is lost, what one heard twice is duplicated.
//!
//! Delivery latency runs from the POST's 201 to the frame's receipt; an event that arrives before
//! the 201 (the twin notifies at commit, before its response is written) counts as 0.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// How large the measurement is.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub subscribers: u32,
    pub users: u32,
    /// Orders created per second.
    pub rate: f64,
    pub seconds: f64,
}

/// Connections opened at once while connecting.
const CONNECTING_AT_ONCE: usize = 100;
/// How long each connection may take to open and be acknowledged.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long deliveries may trail the last order before the missing ones count as lost.
const SETTLE: Duration = Duration::from_secs(10);

/// What one measurement saw.
pub struct Measured {
    pub connected: u64,
    pub connect_failures: u64,
    /// Handshake to `subscribed`, µs.
    pub connect_us: Histogram<u64>,
    pub orders_created: u64,
    pub order_failures: u64,
    pub expected_deliveries: u64,
    pub delivered: u64,
    pub duplicated: u64,
    /// From the POST's 201 to receipt, µs.
    pub delivery_us: Histogram<u64>,
    /// From the first order to the last delivery.
    pub delivery_window: Duration,
    /// The server's resident memory before the first connection and with every one open, KiB.
    pub rss_kib: Option<(u64, u64)>,
    /// Function invocations from the first order until deliveries settled.
    pub invocations: Option<u64>,
}

/// What the caller can read of the twin: the server's resident memory (KiB) and the real-time
/// function's invocations so far; `None` where the twin has no such thing.
pub struct Probes<'a> {
    pub rss_kib: &'a dyn Fn() -> Option<u64>,
    pub invocations: &'a dyn Fn() -> Option<u64>,
}

/// Lets the server's memory settle after the last connection before it is read.
const RSS_SETTLE: Duration = Duration::from_secs(1);

struct Receipt {
    connection: u32,
    order: String,
    at: Instant,
}

pub async fn measure(
    api_base: &str,
    ws_url: &str,
    plan: Plan,
    probes: Probes<'_>,
) -> anyhow::Result<Measured> {
    anyhow::ensure!(
        plan.users > 0,
        "the real-time section needs at least one user"
    );
    let rss_before = (probes.rss_kib)();
    let (receipts, mut received) = mpsc::unbounded_channel::<Receipt>();
    let mut connect_us = histogram();
    let mut followers = vec![0u64; plan.users as usize];
    let mut readers = JoinSet::new();
    let mut connect_failures = 0;
    let opened = futures::stream::iter(0..plan.subscribers)
        .map(|connection| {
            let user = connection % plan.users + 1;
            async move { (connection, user, subscribe(ws_url, user).await) }
        })
        .buffer_unordered(CONNECTING_AT_ONCE);
    tokio::pin!(opened);
    while let Some((connection, user, outcome)) = opened.next().await {
        match outcome {
            Ok((socket, took)) => {
                connect_us.saturating_record(took.as_micros() as u64);
                followers[(user - 1) as usize] += 1;
                readers.spawn(read_orders(socket, connection, receipts.clone()));
            }
            Err(error) => {
                if connect_failures == 0 {
                    eprintln!("real-time: a connection failed: {error:#}");
                }
                connect_failures += 1;
            }
        }
    }
    drop(receipts);
    let connected = connect_us.len();
    tokio::time::sleep(RSS_SETTLE).await;
    let rss_kib = rss_before.zip((probes.rss_kib)());
    let invocations_before = (probes.invocations)();

    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .context("an HTTP client")?;
    let started = Instant::now();
    let created = create_orders(&client, api_base, plan).await;
    let order_failures = created.iter().filter(|order| order.is_none()).count() as u64;
    let created: HashMap<String, (u32, Instant)> = created.into_iter().flatten().collect();
    let expected_deliveries: u64 = created
        .values()
        .map(|(user, _)| followers[(*user - 1) as usize])
        .sum();

    let mut heard: HashMap<(u32, String), u32> = HashMap::new();
    let mut delivery_us = histogram();
    let mut last = started;
    let mut matched = 0;
    let deadline = Instant::now() + SETTLE;
    while matched < expected_deliveries {
        let Ok(Some(receipt)) = tokio::time::timeout_at(deadline, received.recv()).await else {
            break;
        };
        let Some((_, created_at)) = created.get(&receipt.order) else {
            continue;
        };
        let times = heard
            .entry((receipt.connection, receipt.order))
            .or_default();
        *times += 1;
        if *times == 1 {
            matched += 1;
            delivery_us.saturating_record(
                receipt
                    .at
                    .saturating_duration_since(*created_at)
                    .as_micros() as u64,
            );
            last = last.max(receipt.at);
        }
    }
    // Anything still queued arrived within the settle time too: a duplicate is counted, not matched.
    while let Ok(receipt) = received.try_recv() {
        if created.contains_key(&receipt.order) {
            *heard
                .entry((receipt.connection, receipt.order))
                .or_default() += 1;
        }
    }
    let invocations = invocations_before
        .zip((probes.invocations)())
        .map(|(before, after)| after - before);
    readers.shutdown().await;
    let delivered = heard.len() as u64;
    let duplicated = heard.values().map(|times| u64::from(times - 1)).sum();
    Ok(Measured {
        connected,
        connect_failures,
        connect_us,
        orders_created: created.len() as u64,
        order_failures,
        expected_deliveries,
        delivered,
        duplicated,
        delivery_us,
        delivery_window: last.duration_since(started),
        rss_kib,
        invocations,
    })
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a connection and subscribes it to `user`; the time from the handshake's start to the
/// `subscribed` acknowledgement.
async fn subscribe(ws_url: &str, user: u32) -> anyhow::Result<(Socket, Duration)> {
    let start = Instant::now();
    let opened = async {
        let (mut socket, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .context("the handshake")?;
        let frame = json!({"action": "subscribe", "userId": user}).to_string();
        socket.send(Message::text(frame)).await?;
        while let Some(message) = socket.next().await {
            if let Message::Text(text) = message? {
                let reply: Value = serde_json::from_str(&text)?;
                anyhow::ensure!(
                    reply["type"] == "subscribed",
                    "subscribing to user {user}: {text}"
                );
                return Ok(socket);
            }
        }
        anyhow::bail!("closed before subscribed")
    };
    let socket = tokio::time::timeout(CONNECT_TIMEOUT, opened)
        .await
        .context("no subscribed acknowledgement in time")??;
    Ok((socket, start.elapsed()))
}

/// Records every `created` order event `connection` receives until it closes.
async fn read_orders(
    mut socket: Socket,
    connection: u32,
    receipts: mpsc::UnboundedSender<Receipt>,
) {
    while let Some(Ok(message)) = socket.next().await {
        let at = Instant::now();
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if frame["type"] == "order"
            && frame["event"] == "created"
            && let Some(order) = frame["order"]["id"].as_str()
        {
            let _ = receipts.send(Receipt {
                connection,
                order: order.to_owned(),
                at,
            });
        }
    }
}

/// Creates `rate × seconds` orders on schedule (open model: a slow answer never delays the next);
/// each is its id, user and 201 time, or `None` when it was not created.
async fn create_orders(
    client: &reqwest::Client,
    api_base: &str,
    plan: Plan,
) -> Vec<Option<(String, (u32, Instant))>> {
    let count = (plan.rate * plan.seconds).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / plan.rate.max(f64::MIN_POSITIVE));
    let url = format!("{api_base}/api/orders");
    let start = Instant::now();
    let mut posts = JoinSet::new();
    for index in 0..count {
        tokio::time::sleep_until(start + interval.mul_f64(index as f64)).await;
        let user = (index % u64::from(plan.users)) as u32 + 1;
        let request = client
            .post(&url)
            .timeout(Duration::from_secs(10))
            .json(&json!({"userId": user, "items": [{"sku": "PROD-001", "qty": 1}]}));
        posts.spawn(async move {
            let response = request.send().await.ok()?;
            if response.status() != reqwest::StatusCode::CREATED {
                return None;
            }
            let at = Instant::now();
            let order: Value = response.json().await.ok()?;
            Some((order["id"].as_str()?.to_owned(), (user, at)))
        });
    }
    posts.join_all().await
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds")
}
