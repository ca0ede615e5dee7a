//! `GET /api/ws`: live order events over WebSockets (the protocol is `twinstack_realtime`'s).
//!
//! Each pod keeps its own connections in a [`hub::Hub`] and hears of every committed order write
//! through Postgres `LISTEN/NOTIFY` ([`listener`]), so an event reaches followers on every replica.

pub mod hub;
pub mod listener;
mod socket;

pub use socket::CLOSE_GRACE;

use axum::Router;
use axum::extract::{State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use twinstack_core::Store;
use twinstack_http::ApiError;
use twinstack_realtime::MAX_FRAME_BYTES;

pub use hub::Hub;

/// Frames up to this size are read and answered (`message_too_large` above 32 KiB); a larger one
/// ends the connection, bounding what one client can make the server buffer.
const MAX_MESSAGE_BYTES: usize = 32 * MAX_FRAME_BYTES;

#[derive(Clone)]
struct Realtime<S> {
    store: S,
    hub: Hub,
}

/// The WebSocket route, over `store` (to check that a followed user exists) and this pod's `hub`.
pub fn router<S: Store>(store: S, hub: Hub) -> Router {
    Router::new()
        .route("/api/ws", get(upgrade::<S>))
        .with_state(Realtime { store, hub })
}

async fn upgrade<S: Store>(State(realtime): State<Realtime<S>>, ws: WebSocketUpgrade) -> Response {
    if !realtime.hub.is_listening() {
        return ApiError::Unavailable(None).into_response();
    }
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| socket::serve(socket, realtime.store, realtime.hub))
}

pub fn describe() {
    metrics::describe_gauge!(
        hub::CONNECTIONS,
        metrics::Unit::Count,
        "Open WebSocket connections on /api/ws"
    );
}
