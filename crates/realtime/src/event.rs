//! An order event: an order as of one write, and whether that write created it or moved its status.

use serde::Serialize;
use twinstack_core::Order;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    Created,
    StatusChanged,
}

impl OrderEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderEventKind::Created => "created",
            OrderEventKind::StatusChanged => "status_changed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "created" => Some(OrderEventKind::Created),
            "status_changed" => Some(OrderEventKind::StatusChanged),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEvent {
    pub kind: OrderEventKind,
    /// The order as that write left it.
    pub order: Order,
}
