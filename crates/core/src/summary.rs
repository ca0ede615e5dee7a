//! A user's order summary, computed by one function whichever store supplies the orders.

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::ids::{Sku, UserId};
use crate::order::{Order, OrderStatus};

pub const TOP_PRODUCTS: usize = 5;
pub const MONTHS: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub user_id: UserId,
    pub order_count: u64,
    pub total_spent_cents: u64,
    /// floor(total_spent_cents / order_count); `None` without orders.
    pub average_order_cents: Option<u64>,
    pub first_order_at: Option<Timestamp>,
    pub last_order_at: Option<Timestamp>,
    pub top_products: Vec<TopProduct>,
    pub monthly: Vec<MonthlyTotal>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopProduct {
    pub sku: Sku,
    pub qty: u64,
    pub spent_cents: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthlyTotal {
    /// `YYYY-MM`.
    pub month: String,
    pub orders: u64,
    pub spent_cents: u64,
}

/// Summarises `orders` (any order, any statuses) for `user_id`; `now` fixes the 12-month window,
/// which ends with now's UTC month. Cancelled orders are left out of everything.
pub fn summarize(user_id: UserId, orders: &[Order], now: Timestamp) -> Summary {
    let counted: Vec<&Order> = orders
        .iter()
        .filter(|o| o.status != OrderStatus::Cancelled)
        .collect();
    let order_count = counted.len() as u64;
    let total_spent_cents = counted
        .iter()
        .fold(0u64, |sum, o| sum.saturating_add(o.total_cents));

    let mut per_sku: BTreeMap<&Sku, (u64, u64)> = BTreeMap::new();
    for item in counted.iter().flat_map(|o| &o.items) {
        let entry = per_sku.entry(&item.sku).or_default();
        entry.0 += u64::from(item.qty.get());
        entry.1 = entry.1.saturating_add(item.line_total_cents);
    }
    let mut top_products: Vec<TopProduct> = per_sku
        .into_iter()
        .map(|(sku, (qty, spent_cents))| TopProduct {
            sku: sku.clone(),
            qty,
            spent_cents,
        })
        .collect();
    // BTreeMap order is sku ascending; a stable sort by qty descending keeps it as the tie-break.
    top_products.sort_by_key(|p| std::cmp::Reverse(p.qty));
    top_products.truncate(TOP_PRODUCTS);

    let window = last_months(now);
    let mut monthly: Vec<MonthlyTotal> = window
        .iter()
        .map(|&(year, month)| MonthlyTotal {
            month: format!("{year:04}-{month:02}"),
            orders: 0,
            spent_cents: 0,
        })
        .collect();
    for order in &counted {
        if let Some(slot) = window
            .iter()
            .position(|&ym| ym == order.created_at.year_month())
        {
            monthly[slot].orders += 1;
            monthly[slot].spent_cents = monthly[slot].spent_cents.saturating_add(order.total_cents);
        }
    }

    Summary {
        user_id,
        order_count,
        total_spent_cents,
        average_order_cents: (order_count > 0).then(|| total_spent_cents / order_count),
        first_order_at: counted.iter().map(|o| o.created_at).min(),
        last_order_at: counted.iter().map(|o| o.created_at).max(),
        top_products,
        monthly,
    }
}

/// The 12 `(year, month)` pairs ending with `now`'s month, oldest first.
fn last_months(now: Timestamp) -> Vec<(i32, u32)> {
    let (year, month) = now.year_month();
    let current = i64::from(year) * 12 + i64::from(month - 1);
    (0..MONTHS as i64)
        .rev()
        .map(|back| {
            let index = current - back;
            (index.div_euclid(12) as i32, index.rem_euclid(12) as u32 + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_crosses_a_year_boundary() {
        let feb_2026 = Timestamp::parse("2026-02-10T00:00:00.000Z").unwrap();
        let months = last_months(feb_2026);
        assert_eq!(months.first(), Some(&(2025, 3)));
        assert_eq!(months.last(), Some(&(2026, 2)));
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn no_orders_gives_nulls_and_zero_filled_months() {
        let now = Timestamp::parse("2026-11-27T00:00:00.000Z").unwrap();
        let summary = summarize(UserId::new(1).unwrap(), &[], now);
        assert_eq!(summary.order_count, 0);
        assert_eq!(summary.average_order_cents, None);
        assert_eq!(summary.first_order_at, None);
        assert_eq!(summary.monthly.len(), 12);
        assert_eq!(summary.monthly[11].month, "2026-11");
        assert!(
            summary
                .monthly
                .iter()
                .all(|m| m.orders == 0 && m.spent_cents == 0)
        );
    }
}
