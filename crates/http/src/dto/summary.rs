//! A user's order summary on the wire.

use serde::Serialize;
use twinstack_core::{MonthlyTotal, Summary, Timestamp, TopProduct};
use utoipa::ToSchema;

use super::AsText;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Summary)]
pub struct SummaryBody {
    pub user_id: i64,
    pub order_count: u64,
    pub total_spent_cents: u64,
    /// floor(totalSpentCents / orderCount); null without orders.
    pub average_order_cents: Option<u64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_order_at: Option<AsText<Timestamp>>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_order_at: Option<AsText<Timestamp>>,
    pub top_products: Vec<TopProductBody>,
    pub monthly: Vec<MonthlyTotalBody>,
}

impl From<Summary> for SummaryBody {
    fn from(summary: Summary) -> Self {
        SummaryBody {
            user_id: summary.user_id.get(),
            order_count: summary.order_count,
            total_spent_cents: summary.total_spent_cents,
            average_order_cents: summary.average_order_cents,
            first_order_at: summary.first_order_at.map(AsText),
            last_order_at: summary.last_order_at.map(AsText),
            top_products: summary
                .top_products
                .into_iter()
                .map(TopProductBody::from)
                .collect(),
            monthly: summary
                .monthly
                .into_iter()
                .map(MonthlyTotalBody::from)
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = TopProduct)]
pub struct TopProductBody {
    pub sku: String,
    pub qty: u64,
    pub spent_cents: u64,
}

impl From<TopProduct> for TopProductBody {
    fn from(top: TopProduct) -> Self {
        TopProductBody {
            sku: top.sku.into(),
            qty: top.qty,
            spent_cents: top.spent_cents,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = MonthlyTotal)]
pub struct MonthlyTotalBody {
    /// `YYYY-MM`.
    pub month: String,
    pub orders: u64,
    pub spent_cents: u64,
}

impl From<MonthlyTotal> for MonthlyTotalBody {
    fn from(month: MonthlyTotal) -> Self {
        MonthlyTotalBody {
            month: month.month,
            orders: month.orders,
            spent_cents: month.spent_cents,
        }
    }
}
