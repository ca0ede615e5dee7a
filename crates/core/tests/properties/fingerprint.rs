//! Idempotency fingerprints.

use super::*;

/// Small commands, so that equal ones are drawn often.
fn small_command() -> impl Strategy<Value = CreateOrder> {
    (
        1..=2i64,
        prop::sample::subsequence(vec!["A", "B", "C"], 1..=2).prop_shuffle(),
        prop::collection::vec(1..=2u32, 2),
    )
        .prop_map(|(user_id, skus, qtys)| CreateOrder {
            user_id: user(user_id),
            items: skus
                .into_iter()
                .zip(qtys)
                .map(|(s, q)| OrderItemRequest {
                    sku: sku(s),
                    qty: Qty::new(q).unwrap(),
                })
                .collect(),
        })
}

proptest! {
    #![proptest_config(config(256))]

    /// A repeat is recognised by its fingerprint: two validated commands share one exactly when
    /// they are the same command (user and lines, in request order).
    #[test]
    fn two_commands_share_a_fingerprint_exactly_when_they_are_equal(
        a in small_command(),
        b in small_command(),
    ) {
        let (fa, fb) = (fingerprint(&a), fingerprint(&b));
        prop_assert_eq!(fa.len(), 64);
        prop_assert!(fa.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        prop_assert_eq!(fa == fb, a == b);
    }
}
