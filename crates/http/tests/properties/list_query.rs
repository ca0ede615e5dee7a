//! The `GET /api/orders` query.

use super::*;

/// What a client may put in `?limit=`: absent means 20, else ASCII digits naming 1–100.
fn expected_limit(text: Option<&str>) -> Option<usize> {
    let Some(text) = text else {
        return Some(20);
    };
    let significant = text.trim_start_matches('0');
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    (digits && significant.len() <= 3)
        .then(|| significant.parse::<usize>().unwrap_or(0))
        .filter(|n| (1..=100).contains(n))
}

proptest! {
    #![proptest_config(config(256))]

    /// `GET /api/orders` is accepted exactly when userId is a positive integer, limit is absent or
    /// 1–100, and a cursor, if given, was issued for that user; otherwise every bad parameter is
    /// named.
    #[test]
    fn a_list_query_is_accepted_exactly_when_user_limit_and_cursor_are_all_good(
        user_text in prop::option::weighted(0.9, prop_oneof![
            4 => (1..=5i64).prop_map(|n| n.to_string()),
            1 => "[+-]?[0-9]{0,3}",
            1 => any_text(),
        ]),
        limit_text in prop::option::of(prop_oneof![
            4 => "[0-9]{1,3}",
            1 => "[+ -]?[0-9]{1,3}",
            1 => any_text(),
        ]),
        cursor_text in prop::option::of((1..=5i64).prop_flat_map(cursor_text)),
    ) {
        let user_id = user_text.as_deref().and_then(UserId::parse);
        prop_assert_eq!(user_id.is_some(), user_text.as_deref().is_some_and(is_user_id_text));
        let limit = expected_limit(limit_text.as_deref());
        let after = match (&cursor_text, user_id) {
            (None, _) => Some(None),
            (Some(_), None) => None,
            (Some(text), Some(user_id)) => Cursor::decode(text, user_id).map(|c| Some(c.after)),
        };
        let result = ListOrdersParams::parse(user_text.as_deref(), limit_text.as_deref(), cursor_text.as_deref());
        match (user_id, limit, after) {
            (Some(user_id), Some(limit), Some(after)) => {
                let query = result.unwrap();
                prop_assert_eq!((query.user_id, query.limit, query.after), (user_id, limit, after));
            }
            _ => {
                let fields: BTreeSet<String> =
                    result.unwrap_err().iter().map(|e| e.field.to_string()).collect();
                let mut wanted = BTreeSet::new();
                if user_id.is_none() {
                    wanted.insert("userId".to_owned());
                }
                if limit.is_none() {
                    wanted.insert("limit".to_owned());
                }
                if user_id.is_some() && after.is_none() {
                    wanted.insert("cursor".to_owned());
                }
                prop_assert_eq!(fields, wanted);
            }
        }
    }
}
