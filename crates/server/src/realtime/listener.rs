//! Order events from Postgres: one dedicated `LISTEN order_events` connection per pod.
//!
//! The `orders` trigger (migration `0002_order_events.sql`) notifies in the writing transaction, so
//! a notification arrives once that transaction commits, in commit order. Its payload names the
//! order and the fields a write can change (status, `updatedAt`): NOTIFY payloads stop at 8000
//! bytes and an order of 50 lines does not fit. The rest of the order never changes, so it is read
//! through the store and the payload's fields laid over it: the order as of that event. Reads
//! overlap, deliveries keep the notifications' order.
//!
//! When the connection is lost, events may be missed: once listening again, every client is sent
//! `{"type":"resync"}`. Before the first `LISTEN`, the hub accepts no client.

use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures::StreamExt;
use serde::Deserialize;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;
use twinstack_core::{OrderId, OrderStatus, Store, Timestamp, UserId};
use twinstack_realtime::{OrderEvent, OrderEventKind, ServerFrame};

use super::hub::Hub;

/// The channel the migration's trigger notifies.
pub const CHANNEL: &str = "order_events";

/// Notifications waiting for their order to be read; the listener waits when this many do.
const QUEUE: usize = 1024;

/// Order reads in flight at once.
const READS_IN_FLIGHT: usize = 16;

const RECONNECT_AFTER: Duration = Duration::from_millis(500);

/// What the trigger sends (see the migration).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notified {
    event: String,
    id: String,
    user_id: i64,
    status: String,
    /// Milliseconds since the epoch.
    updated_at: i64,
}

enum Signal {
    Notified(String),
    /// Listening (again) after a time when events may have been missed.
    Listening,
}

enum Delivery {
    Order(UserId, Utf8Bytes),
    Listening,
    /// An event that could not be rebuilt.
    Lost,
}

/// Delivers every committed order event to the hub's followers, for as long as it is polled.
pub async fn run<S: Store>(database_url: String, store: S, hub: Hub) {
    let (signals, received) = mpsc::channel(QUEUE);
    tokio::join!(listen(database_url, signals), deliver(received, store, hub));
}

async fn listen(database_url: String, signals: mpsc::Sender<Signal>) {
    loop {
        let mut listener = match connect(&database_url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for order events yet");
                tokio::time::sleep(RECONNECT_AFTER).await;
                continue;
            }
        };
        tracing::info!(channel = CHANNEL, "listening for order events");
        if signals.send(Signal::Listening).await.is_err() {
            return;
        }
        loop {
            let signal = match listener.try_recv().await {
                Ok(Some(notification)) => Signal::Notified(notification.payload().to_owned()),
                // sqlx has already reconnected and listens again.
                Ok(None) => {
                    tracing::warn!("order events connection lost and re-established");
                    Signal::Listening
                }
                Err(error) => {
                    tracing::warn!(%error, "order events connection failed");
                    break;
                }
            };
            if signals.send(signal).await.is_err() {
                return;
            }
        }
    }
}

async fn connect(database_url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

async fn deliver<S: Store>(received: mpsc::Receiver<Signal>, store: S, hub: Hub) {
    let resync: Utf8Bytes = ServerFrame::Resync.to_text().into();
    futures::stream::unfold(received, |mut received| async {
        received.recv().await.map(|signal| (signal, received))
    })
    .map(|signal| resolve(signal, &store))
    .buffered(READS_IN_FLIGHT)
    .for_each(|delivery| {
        match delivery {
            Delivery::Order(user, frame) => hub.publish(user, &frame),
            Delivery::Listening => {
                if hub.listening() {
                    hub.broadcast(&resync);
                }
            }
            Delivery::Lost => hub.broadcast(&resync),
        }
        std::future::ready(())
    })
    .await;
}

/// The frame a signal becomes; an event that cannot be rebuilt is a missed event: resync.
async fn resolve<S: Store>(signal: Signal, store: &S) -> Delivery {
    let payload = match signal {
        Signal::Listening => return Delivery::Listening,
        Signal::Notified(payload) => payload,
    };
    match order_event(&payload, store).await {
        Ok(event) => {
            let user = event.order.user_id;
            Delivery::Order(user, ServerFrame::from(event).to_text().into())
        }
        Err(why) => {
            tracing::error!(%payload, %why, "order event lost: clients told to resync");
            Delivery::Lost
        }
    }
}

async fn order_event<S: Store>(payload: &str, store: &S) -> Result<OrderEvent, String> {
    let notified: Notified = serde_json::from_str(payload).map_err(|error| error.to_string())?;
    let kind = OrderEventKind::parse(&notified.event).ok_or("unknown event")?;
    let id = OrderId::parse(&notified.id).ok_or("bad order id")?;
    let status = OrderStatus::parse(&notified.status).ok_or("bad status")?;
    let mut order = store
        .get_order(id)
        .await
        .map_err(|error| error.to_string())?
        .ok_or("order not found")?;
    if UserId::new(notified.user_id) != Some(order.user_id) {
        return Err("order changed hands".into());
    }
    order.status = status;
    order.updated_at = Timestamp::from_millis(notified.updated_at);
    Ok(OrderEvent { kind, order })
}
