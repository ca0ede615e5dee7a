//! The summary.

use super::*;

const TWO_YEARS_MILLIS: i64 = 2 * 366 * 24 * 60 * 60 * 1000;
const SUMMARY_SKUS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

/// "Now": anywhere in 2000–2099, or right at the first or last millisecond of a month, where the
/// 12-month window is easiest to get wrong.
pub(crate) fn now() -> impl Strategy<Value = Timestamp> {
    let first = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    let last = Utc
        .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    prop_oneof![
        2 => (first..last).prop_map(Timestamp::from_millis),
        1 => (2000i32..2100, 1u32..=12, any::<bool>()).prop_map(|(year, month, at_start)| {
            let start = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).unwrap().timestamp_millis();
            let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            let next = Utc.with_ymd_and_hms(next_year, next_month, 1, 0, 0, 0).unwrap().timestamp_millis();
            Timestamp::from_millis(if at_start { start } else { next - 1 })
        }),
    ]
}

/// An order of up to five distinct skus from a small set (so products tie and repeat across
/// orders), any status, created within two years either side of `now`.
pub(crate) fn summary_order(now: Timestamp) -> impl Strategy<Value = Order> {
    (
        status(),
        -TWO_YEARS_MILLIS..=TWO_YEARS_MILLIS,
        prop::sample::subsequence(SUMMARY_SKUS.to_vec(), 1..=5).prop_shuffle(),
        prop::collection::vec((1..=20u32, 0u64..=50_000), 5),
        any::<u128>(),
    )
        .prop_map(move |(status, offset, skus, lines, random)| {
            let created_at = now.plus_millis(offset);
            let items: Vec<OrderItem> = skus
                .into_iter()
                .zip(lines)
                .map(|(s, (qty, price))| OrderItem {
                    sku: sku(s),
                    qty: Qty::new(qty).unwrap(),
                    unit_price_cents: price,
                    line_total_cents: price * u64::from(qty),
                })
                .collect();
            Order {
                id: OrderId::from_parts(created_at, random),
                user_id: user(1),
                total_cents: items.iter().map(|i| i.line_total_cents).sum(),
                items,
                status,
                created_at,
                updated_at: created_at,
            }
        })
}

fn orders_at_now() -> impl Strategy<Value = (Timestamp, Vec<Order>)> {
    now().prop_flat_map(|now| (Just(now), prop::collection::vec(summary_order(now), 0..40)))
}

fn counted(orders: &[Order]) -> Vec<&Order> {
    orders
        .iter()
        .filter(|o| o.status != OrderStatus::Cancelled)
        .collect()
}

fn month_of(at: Timestamp) -> String {
    at.to_datetime().format("%Y-%m").to_string()
}

/// The month after `YYYY-MM`.
fn next_month(month: &str) -> String {
    let (year, month) = month.split_once('-').unwrap();
    let (year, month): (i32, u32) = (year.parse().unwrap(), month.parse().unwrap());
    if month == 12 {
        format!("{:04}-01", year + 1)
    } else {
        format!("{year:04}-{:02}", month + 1)
    }
}

fn summary_of(now: Timestamp, orders: &[Order]) -> Summary {
    summarize(user(1), orders, now)
}

proptest! {
    #![proptest_config(config(128))]

    /// Cancelled orders are left out: the count is the number of the others.
    #[test]
    fn the_order_count_is_the_number_of_non_cancelled_orders((now, orders) in orders_at_now()) {
        let summary = summary_of(now, &orders);
        prop_assert_eq!(summary.user_id, user(1));
        prop_assert_eq!(summary.order_count, counted(&orders).len() as u64);
    }

    /// Total spent is the sum of the non-cancelled totals; the average is its floor over the count,
    /// and null when there is nothing to average.
    #[test]
    fn total_spent_sums_non_cancelled_totals_and_the_average_is_its_floor(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let counted = counted(&orders);
        let total: u64 = counted.iter().map(|o| o.total_cents).sum();
        prop_assert_eq!(summary.total_spent_cents, total);
        let average = (!counted.is_empty()).then(|| total / counted.len() as u64);
        prop_assert_eq!(summary.average_order_cents, average);
    }

    /// First and last order are the earliest and latest createdAt among non-cancelled orders, and
    /// null without any.
    #[test]
    fn first_and_last_order_are_the_earliest_and_latest_non_cancelled_instants(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let counted = counted(&orders);
        prop_assert_eq!(summary.first_order_at, counted.iter().map(|o| o.created_at).min());
        prop_assert_eq!(summary.last_order_at, counted.iter().map(|o| o.created_at).max());
    }

    /// Top products are at most five, by qty descending then sku ascending, and each entry's qty
    /// and spend match a brute-force recount over non-cancelled orders; they are exactly the first
    /// five of the full ranking.
    #[test]
    fn top_products_are_the_five_best_by_qty_then_sku_and_match_a_recount(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let top = &summary.top_products;
        prop_assert!(top.len() <= summary::TOP_PRODUCTS);
        for pair in top.windows(2) {
            let ordered = pair[0].qty > pair[1].qty
                || (pair[0].qty == pair[1].qty && pair[0].sku < pair[1].sku);
            prop_assert!(ordered, "{:?} before {:?}", pair[0], pair[1]);
        }
        let mut recount: BTreeMap<&Sku, (u64, u64)> = BTreeMap::new();
        for item in counted(&orders).into_iter().flat_map(|o| &o.items) {
            let entry = recount.entry(&item.sku).or_default();
            entry.0 += u64::from(item.qty.get());
            entry.1 += item.line_total_cents;
        }
        for entry in top {
            prop_assert_eq!(recount.get(&entry.sku).copied(), Some((entry.qty, entry.spent_cents)));
        }
        let mut ranking: Vec<(&Sku, u64, u64)> =
            recount.into_iter().map(|(sku, (qty, spent))| (sku, qty, spent)).collect();
        ranking.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        ranking.truncate(summary::TOP_PRODUCTS);
        let reported: Vec<(&Sku, u64, u64)> =
            top.iter().map(|t| (&t.sku, t.qty, t.spent_cents)).collect();
        prop_assert_eq!(reported, ranking);
    }

    /// Monthly has exactly 12 entries: consecutive months, oldest first, ending with now's UTC month.
    #[test]
    fn monthly_has_twelve_consecutive_months_ending_with_nows_utc_month(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let months: Vec<&str> = summary.monthly.iter().map(|m| m.month.as_str()).collect();
        prop_assert_eq!(months.len(), summary::MONTHS);
        let current = month_of(now);
        prop_assert_eq!(months.last().copied(), Some(current.as_str()));
        for pair in months.windows(2) {
            prop_assert_eq!(next_month(pair[0]), pair[1]);
        }
    }

    /// Every non-cancelled order created inside the window lands in its own month (orders and
    /// spend), so Σ monthly.orders is the number of such orders; orders outside it are not counted.
    #[test]
    fn monthly_counts_every_non_cancelled_order_created_in_the_window(
        (now, orders) in orders_at_now(),
    ) {
        let summary = summary_of(now, &orders);
        let window: BTreeSet<&str> = summary.monthly.iter().map(|m| m.month.as_str()).collect();
        let mut expected: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut in_window = 0u64;
        for order in counted(&orders) {
            let month = month_of(order.created_at);
            if window.contains(month.as_str()) {
                in_window += 1;
                let entry = expected.entry(month).or_default();
                entry.0 += 1;
                entry.1 += order.total_cents;
            }
        }
        for month in &summary.monthly {
            let (orders, spent) = expected.get(&month.month).copied().unwrap_or_default();
            prop_assert_eq!((month.orders, month.spent_cents), (orders, spent), "{}", month.month);
        }
        prop_assert_eq!(summary.monthly.iter().map(|m| m.orders).sum::<u64>(), in_window);
    }

    /// Stores return orders in whatever order suits them; the summary must not care.
    #[test]
    fn the_summary_does_not_depend_on_the_order_of_its_input(
        (now, orders, shuffled) in orders_at_now().prop_flat_map(|(now, orders)| {
            (Just(now), Just(orders.clone()), Just(orders).prop_shuffle())
        }),
    ) {
        prop_assert_eq!(summary_of(now, &shuffled), summary_of(now, &orders));
    }

    /// Cancelled orders are left out of everything: adding some changes nothing at all.
    #[test]
    fn adding_cancelled_orders_changes_nothing(
        (now, orders, cancelled) in orders_at_now().prop_flat_map(|(now, orders)| {
            (Just(now), Just(orders), prop::collection::vec(summary_order(now), 0..10))
        }),
    ) {
        let mut with_cancelled = orders.clone();
        with_cancelled.extend(cancelled.into_iter().map(|mut o| {
            o.status = OrderStatus::Cancelled;
            o
        }));
        prop_assert_eq!(summary_of(now, &with_cancelled), summary_of(now, &orders));
    }
}
