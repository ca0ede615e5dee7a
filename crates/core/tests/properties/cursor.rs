//! The pagination cursor, and pages.

use super::*;

fn cursor() -> impl Strategy<Value = Cursor> {
    (1..=i64::MAX, order_id()).prop_map(|(n, after)| Cursor {
        user_id: user(n),
        after,
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// A cursor reads back for the user it was issued to, and for nobody else.
    #[test]
    fn a_cursor_decodes_for_its_own_user_and_no_other(
        cursor in cursor(),
        other in 1..=i64::MAX,
    ) {
        let text = cursor.encode();
        prop_assert_eq!(Cursor::decode(&text, cursor.user_id), Some(cursor));
        if other != cursor.user_id.get() {
            prop_assert_eq!(Cursor::decode(&text, user(other)), None);
        }
    }

    /// A cursor is URL-safe base64 without padding.
    #[test]
    fn a_cursor_is_unpadded_url_safe_base64(cursor in cursor()) {
        let text = cursor.encode();
        prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    /// Whatever a client sends, decoding never panics; a cursor that does decode belongs to the user
    /// asked about, is the one canonical spelling of itself, and decodes for no other user.
    #[test]
    fn arbitrary_text_never_decodes_as_another_users_cursor(
        (owner, text) in (1..=5i64).prop_flat_map(|owner| (Just(owner), cursor_text(owner))),
        others in prop::collection::vec(prop_oneof![1..=5i64, 1..=i64::MAX], 1..4),
    ) {
        if let Some(decoded) = Cursor::decode(&text, user(owner)) {
            prop_assert_eq!(decoded.user_id, user(owner));
            prop_assert_eq!(decoded.encode(), text.clone());
            for other in others.into_iter().filter(|&o| o != owner) {
                prop_assert_eq!(Cursor::decode(&text, user(other)), None);
            }
        } else {
            for other in others {
                if let Some(decoded) = Cursor::decode(&text, user(other)) {
                    prop_assert_eq!(decoded.user_id, user(other));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// A page holds the first `limit` orders fetched, in order; it has a next cursor exactly when
    /// more were fetched, and that cursor names its last order for the same user.
    #[test]
    fn a_page_has_a_next_cursor_exactly_when_more_orders_were_fetched(
        (fetched, limit, owner) in (
            now().prop_flat_map(|now| prop::collection::vec(summary_order(now), 0..30)),
            1usize..=25,
            1..=i64::MAX,
        ),
    ) {
        let mut fetched = fetched;
        fetched.sort_by_key(|order| std::cmp::Reverse(order.id));
        let page = OrderPage::from_fetched(user(owner), fetched.clone(), limit);
        prop_assert_eq!(&page.items[..], &fetched[..fetched.len().min(limit)]);
        prop_assert_eq!(page.next_cursor.is_some(), fetched.len() > limit);
        if let Some(next) = &page.next_cursor {
            let expected = Cursor { user_id: user(owner), after: page.items.last().unwrap().id };
            prop_assert_eq!(Cursor::decode(next, user(owner)), Some(expected));
        }
    }
}
