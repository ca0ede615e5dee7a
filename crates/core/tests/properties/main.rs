//! Property tests for `twinstack-core`: each test states one rule of the v1 contract
//! (`/work/shared/notes/contract-v1.md`) as a sentence and checks it on generated inputs.
//!
//! Case counts are kept modest so the whole file runs in a few seconds. Failure persistence is off
//! so a failing run leaves no regression files behind; a failure prints its minimal input instead.

mod cursor;
mod emails;
mod fingerprint;
mod ids;
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
use names::padding;
use pricing::ulid_millis;
use status::status;
use summaries::{now, summary_order};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The contract's control characters: U+0000–U+001F and U+007F–U+009F.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn user(n: i64) -> UserId {
    UserId::new(n).expect("positive")
}

fn sku(text: &str) -> Sku {
    Sku::parse(text).expect("well-formed sku")
}

/// Any string at all, biased towards the characters the parsers care about.
fn any_text() -> impl Strategy<Value = String> {
    let interesting = prop_oneof![
        4 => any::<char>(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::char::range('\u{7f}', '\u{9f}'),
        1 => prop::sample::select(vec![' ', '\t', '\n', '\u{a0}', '\u{2003}', '\u{3000}']),
        1 => prop::sample::select(vec!['@', '.', '-', '_', 'A', 'z', '0', '9', 'İ', 'Σ', 'ß']),
    ];
    prop::collection::vec(interesting, 0..120).prop_map(|chars| chars.into_iter().collect())
}
