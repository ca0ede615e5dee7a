//! Property tests for `twinstack-core`: each test states one rule of the v1 contract
//! (README's "The API" and `GET /api/openapi.json`) as a sentence and checks it on generated inputs.
//!
//! Case counts are kept modest so the whole file runs in a few seconds. Failure persistence is off
//! so a failing run leaves no regression files behind; a failure prints its minimal input instead.

mod cursor;
mod emails;
mod fingerprint;
mod ids;
mod inputs;
mod names;
mod pricing;
mod seed;
mod status;
mod summaries;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use twinstack_core::idempotency::fingerprint;
use twinstack_core::seed::DataSet;
use twinstack_core::summary::{self, summarize};
use twinstack_core::{
    CreateOrder, Cursor, Email, IdempotencyKey, Order, OrderId, OrderItem, OrderItemRequest,
    OrderPage, OrderStatus, Product, Qty, Sku, Summary, Timestamp, UserId, UserName,
};

use ids::order_id;
use inputs::{any_text, config, cursor_text, is_user_id_text, sku};
use names::padding;
use pricing::ulid_millis;
use status::status;
use summaries::{now, summary_order};

/// The contract's control characters: U+0000–U+001F and U+007F–U+009F.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn user(n: i64) -> UserId {
    UserId::new(n).expect("positive")
}
