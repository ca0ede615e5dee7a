//! Path ids, the order list's query and the `Idempotency-Key` header, as any text a client can
//! send: refused with a field error naming the parameter, or accepted within the documented rules.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use twinstack_core::{IdempotencyKey, ListOrders, OrderId, UserId};
use twinstack_http::dto::order_page::ListOrdersParams;

#[derive(Arbitrary, Debug)]
struct Params<'a> {
    user_id: Option<&'a str>,
    limit: Option<&'a str>,
    cursor: Option<&'a str>,
    path_id: &'a str,
    idempotency_key: &'a [u8],
}

fuzz_target!(|params: Params<'_>| {
    if let Some(id) = UserId::parse(params.path_id) {
        assert!(id.get() > 0);
        assert_eq!(
            id.get().to_string(),
            params.path_id.trim_start_matches('0'),
            "{params:?}"
        );
    }
    if let Some(id) = OrderId::parse(params.path_id) {
        assert!(
            id.to_string().eq_ignore_ascii_case(params.path_id),
            "{params:?}"
        );
    }
    if let Ok(key) = IdempotencyKey::parse(params.idempotency_key) {
        assert_eq!(key.as_str().as_bytes(), params.idempotency_key);
    }
    match ListOrdersParams::parse(params.user_id, params.limit, params.cursor) {
        Ok(query) => {
            assert_eq!(Some(query.user_id), params.user_id.and_then(UserId::parse));
            assert!(
                (1..=ListOrders::MAX_LIMIT).contains(&query.limit),
                "{params:?}"
            );
            assert_eq!(query.after.is_some(), params.cursor.is_some(), "{params:?}");
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "{params:?}");
            for error in errors {
                let field = error.field.to_string();
                assert!(
                    ["userId", "limit", "cursor"].contains(&field.as_str()),
                    "{field}: {params:?}"
                );
            }
        }
    }
});
