//! Property tests for `twinstack-http`'s request parsing: each test states one rule of the v1
//! contract (`/work/shared/notes/contract-v1.md`) as a sentence and checks it on generated inputs.
//!
//! Case counts are kept modest so the whole file runs in a few seconds. Failure persistence is off
//! so a failing run leaves no regression files behind; a failure prints its minimal input instead.

mod create_order;
mod list_query;
mod status;

use std::collections::{BTreeSet, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use serde_json::{Value, json};
use twinstack_core::{CreateOrder, Cursor, OrderItemRequest, OrderStatus, Qty, Sku, UserId};
use twinstack_http::ApiError;
use twinstack_http::dto::order::{CreateOrderRequest, Status, TransitionRequest};
use twinstack_http::dto::order_page::ListOrdersParams;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
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

/// What the contract calls a user id in a path: digits only, naming an integer in 1..=i64::MAX.
fn is_user_id_text(text: &str) -> bool {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let significant = text.trim_start_matches('0');
    !significant.is_empty()
        && significant.len() <= 19
        && significant.parse::<u64>().unwrap() <= i64::MAX as u64
}
