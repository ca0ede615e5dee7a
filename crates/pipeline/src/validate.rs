//! Stage 2, validate: a parsed line becomes a [`ValidEvent`] or a [`Reject`] saying why.

use std::fmt;

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::record::{CURRENCY, OrderEvent, STATUSES};

/// An event every later stage can trust: a known product, a positive quantity and price, a real
/// instant (milliseconds since the epoch, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidEvent {
    pub user_id: i64,
    /// Index into the [`Catalogue`].
    pub product: usize,
    pub qty: u64,
    pub unit_price_cents: u64,
    pub at_millis: i64,
}

/// Why a record was rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "detail")]
pub enum RejectReason {
    NotUtf8,
    BadJson(String),
    UnknownSku(String),
    NonPositiveQty(i64),
    NonPositiveUserId(i64),
    NonPositivePrice(i64),
    BadTimestamp(String),
    UnsupportedCurrency(String),
    UnknownStatus(String),
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::NotUtf8 => write!(f, "the line is not UTF-8"),
            RejectReason::BadJson(err) => write!(f, "not an order event: {err}"),
            RejectReason::UnknownSku(sku) => write!(f, "unknown sku {sku:?}"),
            RejectReason::NonPositiveQty(qty) => write!(f, "qty {qty} is not positive"),
            RejectReason::NonPositiveUserId(id) => write!(f, "userId {id} is not positive"),
            RejectReason::NonPositivePrice(p) => write!(f, "unitPriceCents {p} is not positive"),
            RejectReason::BadTimestamp(ts) => write!(f, "timestamp {ts:?} is not RFC 3339"),
            RejectReason::UnsupportedCurrency(c) => {
                write!(f, "currency {c:?} is not {CURRENCY}")
            }
            RejectReason::UnknownStatus(s) => write!(f, "unknown status {s:?}"),
        }
    }
}

/// A rejected record, kept whole: which chunk, which line (from 1), why, and the line itself
/// (lossily decoded if it was not UTF-8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    pub chunk: String,
    pub line: u64,
    pub reason: RejectReason,
    pub record: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "chunk {} line {}: {}",
            self.chunk, self.line, self.reason
        )
    }
}

/// Stage 1, extract: one line of a chunk as an [`OrderEvent`].
pub fn extract(line: &[u8]) -> Result<OrderEvent<'_>, RejectReason> {
    let text = std::str::from_utf8(line).map_err(|_| RejectReason::NotUtf8)?;
    serde_json::from_str(text).map_err(|err| RejectReason::BadJson(err.to_string()))
}

/// Stage 2, validate: the checks every later stage relies on.
pub fn validate(event: &OrderEvent<'_>, catalogue: &Catalogue) -> Result<ValidEvent, RejectReason> {
    let product = catalogue
        .find(event.sku)
        .ok_or_else(|| RejectReason::UnknownSku(event.sku.to_owned()))?;
    let qty = positive(event.qty).ok_or(RejectReason::NonPositiveQty(event.qty))?;
    positive(event.user_id).ok_or(RejectReason::NonPositiveUserId(event.user_id))?;
    let unit_price_cents = positive(event.unit_price_cents)
        .ok_or(RejectReason::NonPositivePrice(event.unit_price_cents))?;
    if event.currency != CURRENCY {
        return Err(RejectReason::UnsupportedCurrency(event.currency.to_owned()));
    }
    if !STATUSES.contains(&event.status) {
        return Err(RejectReason::UnknownStatus(event.status.to_owned()));
    }
    let at = DateTime::parse_from_rfc3339(event.timestamp)
        .map_err(|_| RejectReason::BadTimestamp(event.timestamp.to_owned()))?;
    Ok(ValidEvent {
        user_id: event.user_id,
        product,
        qty,
        unit_price_cents,
        at_millis: at.timestamp_millis(),
    })
}

fn positive(value: i64) -> Option<u64> {
    u64::try_from(value).ok().filter(|v| *v > 0)
}
