//! The OpenAPI document's patterns say exactly what the parsers accept, so a client (or schemathesis)
//! that trusts the document neither sends what is refused nor avoids what is accepted.

use regex::Regex;
use twinstack_core::{OrderId, UserName};
use utoipa::OpenApi;

use super::*;

fn document() -> Value {
    serde_json::to_value(twinstack_http::openapi::ApiDoc::openapi())
        .expect("the document serialises")
}

fn compiled(pattern: &Value) -> Regex {
    Regex::new(pattern.as_str().expect("a pattern is a string")).expect("the pattern compiles")
}

/// The `id` path parameter's pattern of `GET /api/orders/{id}` (and `PATCH`, checked equal).
fn order_id_pattern(document: &Value) -> Regex {
    let pattern = |method: &str| {
        document["paths"]["/api/orders/{id}"][method]["parameters"][0]["schema"]["pattern"].clone()
    };
    assert_eq!(pattern("get"), pattern("patch"));
    compiled(&pattern("get"))
}

fn name_pattern(document: &Value) -> Regex {
    compiled(
        &document["components"]["schemas"]["CreateUserRequest"]["properties"]["name"]["pattern"],
    )
}

/// Names mixing what the rule is about: controls, Unicode spaces, ordinary letters.
fn name_text() -> impl Strategy<Value = String> {
    let char = prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::sample::select(vec![' ', '\t', '\u{85}', '\u{a0}', '\u{2009}', '\u{3000}', '\u{feff}']),
        2 => prop::char::range('\0', '\u{a0}'),
        1 => any::<char>(),
    ];
    let short = prop::collection::vec(char.clone(), 0..12);
    // Around the 100-character limit, with white space at the ends that trimming removes.
    let long = (0..3usize, 98..103usize, 0..3usize).prop_map(|(lead, body, trail)| {
        format!(
            "{}{}{}",
            "\u{85}".repeat(lead),
            "x".repeat(body),
            " ".repeat(trail)
        )
    });
    prop_oneof![
        4 => short.prop_map(String::from_iter),
        1 => long,
    ]
}

/// Order ids near the canonical form: the right length from Crockford's alphabet and beyond it.
fn order_id_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9A-Za-z]{26}",
        1 => "[0-9A-Za-z]{25,27}",
        1 => any_text(),
    ]
}

fn cursor_pattern(document: &Value) -> Regex {
    let parameters = document["paths"]["/api/orders"]["get"]["parameters"].as_array();
    let cursor = parameters
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "cursor")
        .expect("a cursor parameter");
    compiled(&cursor["schema"]["pattern"])
}

/// Cursors the service issues, for any user and any last order.
fn issued_cursor() -> impl Strategy<Value = String> {
    (1..=i64::MAX, any::<[u8; 16]>()).prop_map(|(owner, after)| {
        Cursor {
            user_id: user(owner),
            after: OrderId::from_bytes(after),
        }
        .encode()
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// A name matches the document's pattern exactly when `UserName::parse` accepts it.
    #[test]
    fn the_name_pattern_is_the_name_rule(text in name_text()) {
        let pattern = name_pattern(&document());
        prop_assert_eq!(pattern.is_match(&text), UserName::parse(&text).is_ok(), "{:?}", text);
    }

    /// An order id matches the document's pattern exactly when `OrderId::parse` accepts it.
    #[test]
    fn the_order_id_pattern_is_the_order_id_rule(text in order_id_text()) {
        let pattern = order_id_pattern(&document());
        prop_assert_eq!(pattern.is_match(&text), OrderId::parse(&text).is_some(), "{:?}", text);
    }

    /// Every cursor the service issues matches the document's cursor pattern.
    #[test]
    fn issued_cursors_match_the_cursor_pattern(cursor in issued_cursor()) {
        prop_assert!(cursor_pattern(&document()).is_match(&cursor), "{}", cursor);
    }
}
