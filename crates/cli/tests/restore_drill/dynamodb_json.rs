//! DynamoDB JSON, the format of `aws dynamodb export-table-to-point-in-time --export-format
//! DYNAMODB_JSON`: one `{"Item": {"attr": {"S": "…"}, …}}` per line.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Value, json};

pub type Item = HashMap<String, AttributeValue>;

/// One export line for `item`.
pub fn line(item: &Item) -> String {
    json!({ "Item": attributes(item) }).to_string()
}

/// The item one export line holds.
pub fn item(line: &str) -> Item {
    let value: Value = serde_json::from_str(line).expect("a line is JSON");
    let attributes = value["Item"].as_object().expect("a line holds an Item map");
    attributes
        .iter()
        .map(|(name, value)| (name.clone(), attribute(value)))
        .collect()
}

fn attributes(item: &Item) -> Map<String, Value> {
    item.iter()
        .map(|(name, value)| (name.clone(), json_of(value)))
        .collect()
}

fn json_of(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null(is_null) => json!({ "NULL": is_null }),
        AttributeValue::Ss(ss) => json!({ "SS": ss }),
        AttributeValue::Ns(ns) => json!({ "NS": ns }),
        AttributeValue::M(map) => json!({ "M": attributes(map) }),
        AttributeValue::L(list) => json!({ "L": list.iter().map(json_of).collect::<Vec<_>>() }),
        other => panic!("the store writes no {other:?}"),
    }
}

fn attribute(value: &Value) -> AttributeValue {
    let (kind, inner) = value
        .as_object()
        .and_then(|typed| typed.iter().next())
        .expect("an attribute is {\"TYPE\": value}");
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    let texts = |v: &Value| v.as_array().expect("a list").iter().map(text).collect();
    match kind.as_str() {
        "S" => AttributeValue::S(text(inner)),
        "N" => AttributeValue::N(text(inner)),
        "BOOL" => AttributeValue::Bool(inner.as_bool().expect("a boolean")),
        "NULL" => AttributeValue::Null(inner.as_bool().expect("a boolean")),
        "SS" => AttributeValue::Ss(texts(inner)),
        "NS" => AttributeValue::Ns(texts(inner)),
        "M" => AttributeValue::M(
            inner
                .as_object()
                .expect("a map")
                .iter()
                .map(|(name, value)| (name.clone(), attribute(value)))
                .collect(),
        ),
        "L" => AttributeValue::L(
            inner
                .as_array()
                .expect("a list")
                .iter()
                .map(attribute)
                .collect(),
        ),
        other => panic!("the store writes no {other} attributes"),
    }
}

#[test]
fn every_kind_the_store_writes_survives_a_line() {
    let original: Item = HashMap::from([
        ("pk".to_owned(), AttributeValue::S("USER#1".to_owned())),
        ("n".to_owned(), AttributeValue::N("42".to_owned())),
        (
            "doc".to_owned(),
            AttributeValue::M(HashMap::from([
                ("flag".to_owned(), AttributeValue::Bool(true)),
                ("none".to_owned(), AttributeValue::Null(true)),
                (
                    "list".to_owned(),
                    AttributeValue::L(vec![AttributeValue::N("1.5".to_owned())]),
                ),
            ])),
        ),
    ]);

    let back = item(&line(&original));

    assert_eq!(back, original);
}
