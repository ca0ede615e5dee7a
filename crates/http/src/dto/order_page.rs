//! A page of a user's orders: the query of `GET /api/orders?userId=&limit=&cursor=` and the page it
//! answers with.

use serde::{Deserialize, Serialize};
use twinstack_core::{Cursor, ListOrders, OrderPage, UserId};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::{IntoParams, ToSchema};

use super::order::OrderBody;
use crate::field::FieldError;
use crate::walk::Report;

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListOrdersParams {
    #[param(minimum = 1)]
    pub user_id: i64,
    /// The page size.
    #[param(schema_with = limit)]
    pub limit: Option<u32>,
    /// nextCursor of the previous page
    #[param(schema_with = cursor)]
    pub cursor: Option<String>,
}

impl ListOrdersParams {
    /// Validates the parameters as given (each at most once), reporting every bad one.
    pub fn parse(
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
                    (1..=ListOrders::MAX_LIMIT).contains(n)
                        && text.bytes().all(|b| b.is_ascii_digit())
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
}

fn limit() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(ListOrders::MAX_LIMIT as u64))
        .default(Some(ListOrders::DEFAULT_LIMIT.into()))
        .build()
}

/// Opaque to clients; its length and alphabet are those of [`Cursor::encode`] (25 bytes, base64url).
fn cursor() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[A-Za-z0-9_-]{34}$"))
        .build()
}

/// One page of a user's orders, newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = OrderPage)]
pub struct OrderPageBody {
    pub items: Vec<OrderBody>,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

impl From<OrderPage> for OrderPageBody {
    fn from(page: OrderPage) -> Self {
        OrderPageBody {
            items: page.items.into_iter().map(OrderBody::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_defaults_and_bounds() {
        assert_eq!(
            ListOrdersParams::parse(Some("3"), None, None)
                .unwrap()
                .limit,
            20
        );
        assert!(ListOrdersParams::parse(None, None, None).is_err());
        for limit in ["0", "101", "-1", "ten", "+5", ""] {
            assert!(
                ListOrdersParams::parse(Some("3"), Some(limit), None).is_err(),
                "{limit:?}"
            );
        }
    }
}
