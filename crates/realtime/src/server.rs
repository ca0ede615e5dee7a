//! Server frames, serialised once per event and sent as text.

use serde::Serialize;
use twinstack_core::UserId;
use twinstack_http::dto::order::OrderBody;

use crate::error::ProtocolError;
use crate::event::{OrderEvent, OrderEventKind};

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Subscribed {
        #[serde(rename = "userId", serialize_with = "user_number")]
        user_id: UserId,
    },
    Unsubscribed {
        #[serde(rename = "userId", serialize_with = "user_number")]
        user_id: UserId,
    },
    Pong,
    Order {
        event: OrderEventKind,
        /// The HTTP API's order DTO: the same fields, order and formatting as its responses.
        order: OrderBody,
    },
    Error {
        error: ProtocolError,
    },
    /// Events may have been missed (the twin lost its event source for a while): re-read what
    /// matters over HTTP.
    Resync,
}

impl ServerFrame {
    /// The frame's JSON text.
    pub fn to_text(&self) -> String {
        // Structs and enums of strings and integers only: serde_json cannot fail on them.
        serde_json::to_string(self).expect("server frames always serialise")
    }
}

impl From<OrderEvent> for ServerFrame {
    fn from(event: OrderEvent) -> Self {
        ServerFrame::Order {
            event: event.kind,
            order: OrderBody::from(event.order),
        }
    }
}

impl From<ProtocolError> for ServerFrame {
    fn from(error: ProtocolError) -> Self {
        ServerFrame::Error { error }
    }
}

fn user_number<S: serde::Serializer>(user: &UserId, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(user.get())
}
