//! Turns request JSON into validated commands, reporting every broken rule at once with its field path.
//!
//! Bodies arrive as `serde_json::Value` (syntax errors are the HTTP layer's 400); everything about
//! shape and rules — missing, unknown or mistyped fields, lengths, ranges — is a 422 from here.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::cursor::Cursor;
use crate::error::FieldError;
use crate::ids::{OrderId, Sku, UserId};
use crate::order::{CreateOrder, OrderItemRequest, OrderStatus, Qty};
use crate::path::FieldPath;
use crate::user::{CreateUser, Email, UpdateUser, UserName};

/// Collects field errors while a body is walked.
#[derive(Default)]
struct Report(Vec<FieldError>);

impl Report {
    fn push(&mut self, field: FieldPath, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// The body must be an object whose keys are all in `allowed`.
fn object<'a>(
    body: &'a Value,
    allowed: &[&str],
    at: &FieldPath,
    report: &mut Report,
) -> Option<&'a Map<String, Value>> {
    let Some(map) = body.as_object() else {
        report.push(at.clone(), "must be a JSON object");
        return None;
    };
    for key in map.keys().filter(|key| !allowed.contains(&key.as_str())) {
        report.push(at.key(key), "unknown field");
    }
    Some(map)
}

fn required<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    at: &FieldPath,
    report: &mut Report,
) -> Option<&'a Value> {
    let value = map.get(key);
    if value.is_none() {
        report.push(at.key(key), "is required");
    }
    value
}

fn string<'a>(value: &'a Value, at: FieldPath, report: &mut Report) -> Option<&'a str> {
    let text = value.as_str();
    if text.is_none() {
        report.push(at, "must be a string");
    }
    text
}

/// An integer in `min..=max`. Integral floats such as `2.0` count as integers, as JSON Schema says.
fn integer(value: &Value, min: i64, max: i64, at: FieldPath, report: &mut Report) -> Option<i64> {
    let Value::Number(number) = value else {
        report.push(at, "must be an integer");
        return None;
    };
    let exact = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    let integral =
        exact.is_some() || number.is_u64() || number.as_f64().is_some_and(|f| f.fract() == 0.0);
    if !integral {
        report.push(at, "must be an integer");
        return None;
    }
    match exact.filter(|n| (min..=max).contains(n)) {
        Some(n) => Some(n),
        None => {
            report.push(at, format!("must be between {min} and {max}"));
            None
        }
    }
}

fn parse_with<T>(
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, String>,
    at: FieldPath,
    report: &mut Report,
) -> Option<T> {
    match parse(text?) {
        Ok(value) => Some(value),
        Err(message) => {
            report.push(at, message);
            None
        }
    }
}

pub fn create_user(body: &Value) -> Result<CreateUser, Vec<FieldError>> {
    let mut report = Report::default();
    let root = FieldPath::root();
    let command = object(body, &["name", "email"], &root, &mut report).and_then(|map| {
        let name = required(map, "name", &root, &mut report)
            .and_then(|v| string(v, root.key("name"), &mut report))
            .and_then(|text| {
                parse_with(Some(text), UserName::parse, root.key("name"), &mut report)
            });
        let email = required(map, "email", &root, &mut report)
            .and_then(|v| string(v, root.key("email"), &mut report))
            .and_then(|text| parse_with(Some(text), Email::parse, root.key("email"), &mut report));
        Some(CreateUser {
            name: name?,
            email: email?,
        })
    });
    report.finish(command)
}

pub fn update_user(body: &Value) -> Result<UpdateUser, Vec<FieldError>> {
    let mut report = Report::default();
    let root = FieldPath::root();
    let command = object(body, &["name", "email"], &root, &mut report).and_then(|map| {
        if map.is_empty() {
            report.push(root.clone(), "give at least one of name, email");
            return None;
        }
        let name = map
            .get("name")
            .map(|v| string(v, root.key("name"), &mut report))
            .map(|text| parse_with(text, UserName::parse, root.key("name"), &mut report));
        let email = map
            .get("email")
            .map(|v| string(v, root.key("email"), &mut report))
            .map(|text| parse_with(text, Email::parse, root.key("email"), &mut report));
        // `Some(None)` is a present but invalid field, already reported.
        Some(UpdateUser {
            name: name.map_or(Some(None), |n| n.map(Some))?,
            email: email.map_or(Some(None), |e| e.map(Some))?,
        })
    });
    report.finish(command)
}

pub fn create_order(body: &Value) -> Result<CreateOrder, Vec<FieldError>> {
    let mut report = Report::default();
    let root = FieldPath::root();
    let command = object(body, &["userId", "items"], &root, &mut report).and_then(|map| {
        let user_id = required(map, "userId", &root, &mut report)
            .and_then(|v| integer(v, 1, i64::MAX, root.key("userId"), &mut report))
            .and_then(UserId::new);
        let items =
            required(map, "items", &root, &mut report).and_then(|v| order_items(v, &mut report));
        Some(CreateOrder {
            user_id: user_id?,
            items: items?,
        })
    });
    report.finish(command)
}

fn order_items(value: &Value, report: &mut Report) -> Option<Vec<OrderItemRequest>> {
    let at = FieldPath::from("items");
    let Some(lines) = value.as_array() else {
        report.push(at, "must be an array");
        return None;
    };
    if lines.is_empty() || lines.len() > CreateOrder::MAX_ITEMS {
        report.push(at, format!("must hold 1–{} items", CreateOrder::MAX_ITEMS));
        return None;
    }
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(lines.len());
    let mut complete = true;
    for (index, line) in lines.iter().enumerate() {
        let line_at = at.index(index);
        let Some(map) = object(line, &["sku", "qty"], &line_at, report) else {
            complete = false;
            continue;
        };
        let sku = required(map, "sku", &line_at, report)
            .and_then(|v| string(v, line_at.key("sku"), report))
            .and_then(|text| {
                let sku = Sku::parse(text);
                if sku.is_none() {
                    report.push(
                        line_at.key("sku"),
                        format!("must be 1–{} letters, digits, '-' or '_'", Sku::MAX_LEN),
                    );
                }
                sku
            });
        if let Some(sku) = &sku
            && !seen.insert(sku.clone())
        {
            report.push(line_at.key("sku"), "duplicate sku in this order");
        }
        let qty = required(map, "qty", &line_at, report)
            .and_then(|v| integer(v, 1, i64::from(Qty::MAX), line_at.key("qty"), report))
            .and_then(|n| Qty::new(n as u32));
        match (sku, qty) {
            (Some(sku), Some(qty)) => items.push(OrderItemRequest { sku, qty }),
            _ => complete = false,
        }
    }
    complete.then_some(items)
}

pub fn order_status(body: &Value) -> Result<OrderStatus, Vec<FieldError>> {
    let mut report = Report::default();
    let root = FieldPath::root();
    let status = object(body, &["status"], &root, &mut report).and_then(|map| {
        let text = required(map, "status", &root, &mut report)
            .and_then(|v| string(v, root.key("status"), &mut report))?;
        let status = OrderStatus::parse(text);
        if status.is_none() {
            report.push(
                root.key("status"),
                "must be one of pending, paid, shipped, cancelled",
            );
        }
        status
    });
    report.finish(status)
}

/// `GET /api/orders?userId=&limit=&cursor=`, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListOrders {
    pub user_id: UserId,
    pub limit: usize,
    pub after: Option<OrderId>,
}

impl ListOrders {
    pub const DEFAULT_LIMIT: usize = 20;
    pub const MAX_LIMIT: usize = 100;
}

pub fn list_orders(
    user_id: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<ListOrders, Vec<FieldError>> {
    let mut report = Report::default();
    let user_id = match user_id {
        None => {
            report.push("userId".into(), "is required");
            None
        }
        Some(text) => {
            let id = UserId::parse(text);
            if id.is_none() {
                report.push("userId".into(), "must be a positive integer");
            }
            id
        }
    };
    let limit = match limit {
        None => Some(ListOrders::DEFAULT_LIMIT),
        Some(text) => {
            let limit = text.parse::<usize>().ok().filter(|n| {
                (1..=ListOrders::MAX_LIMIT).contains(n) && text.bytes().all(|b| b.is_ascii_digit())
            });
            if limit.is_none() {
                report.push(
                    "limit".into(),
                    format!("must be an integer from 1 to {}", ListOrders::MAX_LIMIT),
                );
            }
            limit
        }
    };
    let after = match (cursor, user_id) {
        (None, _) => Some(None),
        (Some(_), None) => None,
        (Some(text), Some(user_id)) => {
            let decoded = Cursor::decode(text, user_id);
            if decoded.is_none() {
                report.push("cursor".into(), "is not a cursor issued for this userId");
            }
            decoded.map(|c| Some(c.after))
        }
    };
    let query = match (user_id, limit, after) {
        (Some(user_id), Some(limit), Some(after)) => Some(ListOrders {
            user_id,
            limit,
            after,
        }),
        _ => None,
    };
    report.finish(query)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        let mut fields: Vec<_> = errors.into_iter().map(|e| e.field.to_string()).collect();
        fields.sort();
        fields
    }

    #[test]
    fn every_broken_order_rule_is_reported_together() {
        let body = json!({"userId": 0, "items": [{"sku": "PROD-001", "qty": 0}, {"sku": "PROD-001", "qty": 2}, {"qty": "x", "extra": 1}]});
        let errors = create_order(&body).unwrap_err();
        assert_eq!(
            fields(errors),
            vec![
                "items[0].qty",
                "items[1].sku",
                "items[2].extra",
                "items[2].qty",
                "items[2].sku",
                "userId"
            ]
        );
    }

    #[test]
    fn the_seed_articles_order_body_is_valid() {
        let body = json!({"userId": 42, "items": [{"sku": "PROD-001", "qty": 2}]});
        let command = create_order(&body).unwrap();
        assert_eq!(command.user_id.get(), 42);
        assert_eq!(command.items[0].qty.get(), 2);
    }

    #[test]
    fn integral_floats_count_as_integers_and_huge_numbers_do_not_pass() {
        assert!(
            create_order(&json!({"userId": 42.0, "items": [{"sku": "A", "qty": 2.0}]})).is_ok()
        );
        assert!(create_order(&json!({"userId": 42.5, "items": [{"sku": "A", "qty": 1}]})).is_err());
        assert!(
            create_order(&json!({"userId": 1e300, "items": [{"sku": "A", "qty": 1}]})).is_err()
        );
        assert!(
            create_order(&json!({"userId": u64::MAX, "items": [{"sku": "A", "qty": 1}]})).is_err()
        );
    }

    #[test]
    fn an_empty_patch_is_refused_and_null_is_a_wrong_type() {
        assert!(update_user(&json!({})).is_err());
        assert_eq!(
            fields(update_user(&json!({"name": null})).unwrap_err()),
            vec!["name"]
        );
        let patch = update_user(&json!({"email": "A@B.CO"})).unwrap();
        assert_eq!(patch.name, None);
        assert_eq!(patch.email.unwrap().as_str(), "a@b.co");
    }

    #[test]
    fn list_query_defaults_and_bounds() {
        assert_eq!(list_orders(Some("3"), None, None).unwrap().limit, 20);
        assert!(list_orders(None, None, None).is_err());
        for limit in ["0", "101", "-1", "ten", "+5", ""] {
            assert!(
                list_orders(Some("3"), Some(limit), None).is_err(),
                "{limit:?}"
            );
        }
    }
}
