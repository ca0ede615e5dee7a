//! Seed data.

use super::*;

proptest! {
    #![proptest_config(config(24))]

    /// Seeding is deterministic: the same sizes give the same data set and the same checksum, with
    /// 100 products, N users with ids 1…N and k orders each.
    #[test]
    fn the_seed_data_set_is_the_same_every_time(users in 0u32..=8, per_user in 0u32..=4) {
        let first = DataSet::generate(users, per_user);
        let again = DataSet::generate(users, per_user);
        prop_assert_eq!(first.checksum(), again.checksum());
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(first.products.len(), 100);
        let ids: Vec<i64> = first.users.iter().map(|u| u.id.get()).collect();
        prop_assert_eq!(ids, (1..=i64::from(users)).collect::<Vec<_>>());
        prop_assert_eq!(first.orders.len(), (users * per_user) as usize);
    }

    /// Each store reads its rows back in its own order; the checksum must come out the same.
    #[test]
    fn the_seed_checksum_does_not_depend_on_row_order(
        (data, products, users, orders) in (1u32..=6, 1u32..=4).prop_flat_map(|(users, per_user)| {
            let data = DataSet::generate(users, per_user);
            (
                Just(data.clone()),
                Just(data.products).prop_shuffle(),
                Just(data.users).prop_shuffle(),
                Just(data.orders).prop_shuffle(),
            )
        }),
    ) {
        let shuffled = DataSet { products, users, orders };
        prop_assert_eq!(shuffled.checksum(), data.checksum());
    }

    /// Seeded orders obey the same rules as created ones: priced from the catalogue, total = Σ lines,
    /// the id carries createdAt, and each order belongs to a seeded user.
    #[test]
    fn seeded_orders_are_priced_from_the_catalogue_and_carry_their_instant(
        users in 1u32..=6,
        per_user in 1u32..=5,
    ) {
        let data = DataSet::generate(users, per_user);
        let price: BTreeMap<&Sku, u64> = data.products.iter().map(|p| (&p.sku, p.price_cents)).collect();
        for order in &data.orders {
            prop_assert!((1..=i64::from(users)).contains(&order.user_id.get()));
            prop_assert_eq!(ulid_millis(order.id) as i64, order.created_at.as_millis());
            prop_assert!(order.updated_at >= order.created_at);
            for item in &order.items {
                prop_assert_eq!(Some(&item.unit_price_cents), price.get(&item.sku));
                prop_assert_eq!(item.line_total_cents, item.unit_price_cents * u64::from(item.qty.get()));
            }
            prop_assert_eq!(order.total_cents, order.items.iter().map(|i| i.line_total_cents).sum::<u64>());
        }
    }
}
