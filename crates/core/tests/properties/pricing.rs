//! Pricing.

use super::*;

/// The largest millisecond instant a ULID's 48-bit time part can hold.
const ULID_MAX_MILLIS: i64 = (1 << 48) - 1;

fn instant() -> impl Strategy<Value = Timestamp> {
    (0..=ULID_MAX_MILLIS).prop_map(Timestamp::from_millis)
}

/// A catalogue of distinct skus with prices up to $10M (so no sum can overflow u64), and a request
/// for 1–50 of its products in a shuffled order.
fn catalogue_and_request() -> impl Strategy<Value = (Vec<Product>, CreateOrder)> {
    prop::collection::vec(0u64..=1_000_000_000, 1..=60)
        .prop_flat_map(|prices| {
            let count = prices.len();
            let catalogue: Vec<Product> = prices
                .into_iter()
                .enumerate()
                .map(|(i, price_cents)| Product {
                    sku: sku(&format!("P-{i:03}")),
                    name: format!("product {i}"),
                    price_cents,
                })
                .collect();
            let picks =
                prop::sample::subsequence((0..count).collect::<Vec<_>>(), 1..=count.min(50))
                    .prop_shuffle();
            (
                Just(catalogue),
                picks,
                prop::collection::vec(1..=1000u32, 50),
                1..=i64::MAX,
            )
        })
        .prop_map(|(catalogue, picks, qtys, user_id)| {
            let items = picks
                .into_iter()
                .zip(qtys)
                .map(|(i, qty)| OrderItemRequest {
                    sku: catalogue[i].sku.clone(),
                    qty: Qty::new(qty).unwrap(),
                })
                .collect();
            let request = CreateOrder {
                user_id: user(user_id),
                items,
            };
            (catalogue, request)
        })
}

pub(crate) fn ulid_millis(id: OrderId) -> u64 {
    ulid::Ulid::from_bytes(id.to_bytes()).timestamp_ms()
}

proptest! {
    #![proptest_config(config(256))]

    /// Money adds up exactly: each line is the catalogue price times qty, and the total is the sum
    /// of the lines, i.e. Σ unit price × qty.
    #[test]
    fn an_order_total_is_the_sum_of_its_lines_and_each_line_is_price_times_qty(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let order = Order::price(OrderId::from_parts(at, random), &request, &catalogue, at).unwrap();
        let price_of = |s: &Sku| catalogue.iter().find(|p| &p.sku == s).unwrap().price_cents;
        for item in &order.items {
            prop_assert_eq!(item.unit_price_cents, price_of(&item.sku));
            prop_assert_eq!(Some(item.line_total_cents), item.unit_price_cents.checked_mul(u64::from(item.qty.get())));
        }
        let line_sum: u64 = order.items.iter().map(|i| i.line_total_cents).sum();
        let expected: u64 = request
            .items
            .iter()
            .map(|line| price_of(&line.sku) * u64::from(line.qty.get()))
            .sum();
        prop_assert_eq!(order.total_cents, line_sum);
        prop_assert_eq!(order.total_cents, expected);
    }

    /// A new order keeps the request's lines in order, belongs to the requesting user, is pending,
    /// and was created and last updated at the given instant, under the given id.
    #[test]
    fn a_priced_order_keeps_the_request_order_and_starts_pending_at_the_given_instant(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let id = OrderId::from_parts(at, random);
        let order = Order::price(id, &request, &catalogue, at).unwrap();
        let lines: Vec<(&Sku, Qty)> = order.items.iter().map(|i| (&i.sku, i.qty)).collect();
        let asked: Vec<(&Sku, Qty)> = request.items.iter().map(|l| (&l.sku, l.qty)).collect();
        prop_assert_eq!(lines, asked);
        prop_assert_eq!(order.id, id);
        prop_assert_eq!(order.user_id, request.user_id);
        prop_assert_eq!(order.status, OrderStatus::Pending);
        prop_assert_eq!(order.created_at, at);
        prop_assert_eq!(order.updated_at, at);
    }

    /// A ULID and the createdAt of the same order come from the same instant: the id's time part is
    /// createdAt in milliseconds.
    #[test]
    fn an_order_id_carries_its_creation_instant_in_its_time_part(
        (catalogue, request) in catalogue_and_request(),
        at in instant(),
        random in any::<u128>(),
    ) {
        let order = Order::price(OrderId::from_parts(at, random), &request, &catalogue, at).unwrap();
        prop_assert_eq!(ulid_millis(order.id) as i64, order.created_at.as_millis());
    }

    /// Unknown skus are all reported, each with its line index, in line order.
    #[test]
    fn pricing_reports_exactly_the_unknown_skus_with_their_line_index(
        (catalogue, request) in catalogue_and_request(),
        unknown in prop::collection::vec(any::<bool>(), 50),
        at in instant(),
    ) {
        let mut request = request;
        let mut missing = Vec::new();
        for (i, line) in request.items.iter_mut().enumerate() {
            if unknown[i] {
                line.sku = sku(&format!("GONE-{i}"));
                missing.push((i, line.sku.clone()));
            }
        }
        let result = Order::price(OrderId::from_parts(at, 0), &request, &catalogue, at);
        if missing.is_empty() {
            prop_assert!(result.is_ok());
        } else {
            prop_assert_eq!(result.unwrap_err(), missing);
        }
    }
}
