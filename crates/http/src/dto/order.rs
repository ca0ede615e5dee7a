//! Orders on the wire: the bodies of `POST /api/orders` and `PATCH /api/orders/{id}`, and the order
//! every order route answers with.

use std::borrow::Cow;
use std::collections::HashSet;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use twinstack_core::{
    CreateOrder, Order, OrderId, OrderItem, OrderItemRequest, OrderStatus, Qty, Sku, Timestamp,
    UserId,
};
use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

use super::AsText;
use crate::field::{FieldError, FieldPath};
use crate::walk::{Report, integer, object, required, string};

/// Lines with unique, known skus; prices come from the catalogue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateOrderRequest {
    #[schema(minimum = 1)]
    pub user_id: i64,
    #[schema(schema_with = order_lines)]
    pub items: Vec<OrderLineRequest>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    #[schema(schema_with = sku_pattern)]
    pub sku: String,
    #[schema(schema_with = qty)]
    pub qty: u32,
}

impl CreateOrderRequest {
    pub fn parse(body: &Value) -> Result<CreateOrder, Vec<FieldError>> {
        let mut report = Report::default();
        let root = FieldPath::root();
        let command = object(body, &["userId", "items"], &root, &mut report).and_then(|map| {
            let user_id = required(map, "userId", &root, &mut report)
                .and_then(|v| integer(v, 1, i64::MAX, root.key("userId"), &mut report))
                .and_then(UserId::new);
            let items = required(map, "items", &root, &mut report)
                .and_then(|v| order_items(v, &mut report));
            Some(CreateOrder {
                user_id: user_id?,
                items: items?,
            })
        });
        report.finish(command)
    }
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

/// Allowed: pending→paid, pending→cancelled, paid→shipped, paid→cancelled.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    #[schema(value_type = Status)]
    pub status: String,
}

impl TransitionRequest {
    pub fn parse(body: &Value) -> Result<OrderStatus, Vec<FieldError>> {
        let mut report = Report::default();
        let root = FieldPath::root();
        let status = object(body, &["status"], &root, &mut report).and_then(|map| {
            let text = required(map, "status", &root, &mut report)
                .and_then(|v| string(v, root.key("status"), &mut report))?;
            let status = OrderStatus::parse(text);
            if status.is_none() {
                let names: Vec<&str> = OrderStatus::ALL.map(OrderStatus::as_str).to_vec();
                report.push(
                    root.key("status"),
                    format!("must be one of {}", names.join(", ")),
                );
            }
            status
        });
        report.finish(status)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Order)]
pub struct OrderBody {
    #[schema(value_type = String, example = "01JDQ7X3K5M2N8P4R6T9V0W1YZ")]
    pub id: AsText<OrderId>,
    #[schema(minimum = 1)]
    pub user_id: i64,
    pub items: Vec<OrderItemBody>,
    pub total_cents: u64,
    pub status: Status,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: AsText<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: AsText<Timestamp>,
}

impl From<Order> for OrderBody {
    fn from(order: Order) -> Self {
        OrderBody {
            id: AsText(order.id),
            user_id: order.user_id.get(),
            items: order.items.into_iter().map(OrderItemBody::from).collect(),
            total_cents: order.total_cents,
            status: Status(order.status),
            created_at: AsText(order.created_at),
            updated_at: AsText(order.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OrderItem)]
pub struct OrderItemBody {
    #[schema(example = "PROD-001")]
    pub sku: String,
    #[schema(schema_with = qty)]
    pub qty: u32,
    pub unit_price_cents: u64,
    pub line_total_cents: u64,
}

impl From<OrderItem> for OrderItemBody {
    fn from(item: OrderItem) -> Self {
        OrderItemBody {
            sku: item.sku.into(),
            qty: item.qty.get(),
            unit_price_cents: item.unit_price_cents,
            line_total_cents: item.line_total_cents,
        }
    }
}

/// An order status by its name; the schema lists [`OrderStatus::ALL`].
pub struct Status(pub OrderStatus);

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl PartialSchema for Status {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(OrderStatus::ALL.map(OrderStatus::as_str)))
            .into()
    }
}

impl ToSchema for Status {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OrderStatus")
    }
}

/// 1–[`CreateOrder::MAX_ITEMS`] lines.
fn order_lines() -> schema::Array {
    ArrayBuilder::new()
        .items(Ref::from_schema_name(OrderLineRequest::name()))
        .min_items(Some(1))
        .max_items(Some(CreateOrder::MAX_ITEMS))
        .build()
}

fn sku_pattern() -> Object {
    #[allow(deprecated)] // `example`, as the derived schemas write it.
    ObjectBuilder::new()
        .schema_type(Type::String)
        .example(Some("PROD-001".into()))
        .pattern(Some(format!("^[A-Za-z0-9_-]{{1,{}}}$", Sku::MAX_LEN)))
        .build()
}

fn qty() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(schema::SchemaFormat::KnownFormat(
            schema::KnownFormat::Int32,
        )))
        .minimum(Some(1))
        .maximum(Some(Qty::MAX))
        .build()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::field::sorted_fields as fields;

    #[test]
    fn every_broken_order_rule_is_reported_together() {
        let body = json!({"userId": 0, "items": [{"sku": "PROD-001", "qty": 0}, {"sku": "PROD-001", "qty": 2}, {"qty": "x", "extra": 1}]});
        let errors = CreateOrderRequest::parse(&body).unwrap_err();
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
        let command = CreateOrderRequest::parse(&body).unwrap();
        assert_eq!(command.user_id.get(), 42);
        assert_eq!(command.items[0].qty.get(), 2);
    }

    #[test]
    fn integral_floats_count_as_integers_and_huge_numbers_do_not_pass() {
        assert!(
            CreateOrderRequest::parse(
                &json!({"userId": 42.0, "items": [{"sku": "A", "qty": 2.0}]})
            )
            .is_ok()
        );
        assert!(
            CreateOrderRequest::parse(&json!({"userId": 42.5, "items": [{"sku": "A", "qty": 1}]}))
                .is_err()
        );
        assert!(
            CreateOrderRequest::parse(&json!({"userId": 1e300, "items": [{"sku": "A", "qty": 1}]}))
                .is_err()
        );
        assert!(
            CreateOrderRequest::parse(
                &json!({"userId": u64::MAX, "items": [{"sku": "A", "qty": 1}]})
            )
            .is_err()
        );
    }
}
