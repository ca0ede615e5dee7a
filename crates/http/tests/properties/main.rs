//! Property tests for `twinstack-http`'s request parsing: each test states one rule of the v1
//! contract (README's "The API" and `GET /api/openapi.json`) as a sentence and checks it on generated inputs.
//!
//! Case counts are kept modest so the whole file runs in a few seconds. Failure persistence is off
//! so a failing run leaves no regression files behind; a failure prints its minimal input instead.

mod create_order;
#[path = "../../../core/tests/properties/inputs.rs"]
mod inputs;
mod list_query;
mod spec_patterns;
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

use inputs::{any_text, config, cursor_text, is_user_id_text, sku};

fn user(n: i64) -> UserId {
    UserId::new(n).expect("positive")
}
