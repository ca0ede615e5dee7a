//! The conformance suites: black-box HTTP checks that take a base URL and nothing else, so the same
//! checks run against either twin. A twin's test file calls [`conformance_suite!`] with a function
//! that starts a fresh, seeded instance and returns its [`Api`]; every check becomes one test.
//!
//! The real-time suite ([`realtime`], [`realtime_suite!`]) takes a WebSocket URL as well.
//!
//! The instance must hold the seed catalogue (`PROD-001`…`PROD-100`) and at least 10 seeded users.

pub mod checks;
mod client;
pub mod realtime;

pub use client::{Api, Reply};

/// Checks that put a twin under load run alone: overlapping them measures the test machine (and,
/// behind `cargo lambda watch`, wedges the emulator's dispatcher), not the twin.
const RUN_ALONE: &[&str] = &["thousand_concurrent_orders_are_all_accepted_and_summed"];

static SCHEDULE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Held for the length of a check: shared by ordinary checks, exclusive for those that run alone.
pub enum Turn {
    Shared(tokio::sync::RwLockReadGuard<'static, ()>),
    Alone(tokio::sync::RwLockWriteGuard<'static, ()>),
}

pub async fn turn(check: &str) -> Turn {
    if RUN_ALONE.contains(&check) {
        Turn::Alone(SCHEDULE.write().await)
    } else {
        Turn::Shared(SCHEDULE.read().await)
    }
}

/// Checks that send bytes which are not UTF-8. Twins reached over plain HTTP run them; Lambda's
/// function URLs and API Gateway hand such bodies to the function base64-encoded, which
/// `cargo lambda watch` does not emulate (it answers 500 itself), so the Lambda twin proves the
/// same behaviour with a base64-encoded event instead.
#[macro_export]
macro_rules! raw_body_checks {
    ($spawn:path) => {
        $crate::conformance_suite!(@each $spawn; errors::invalid_utf8_is_400);
    };
}

/// Expands to one `#[tokio::test]` per check, each on a fresh instance from `$spawn`.
#[macro_export]
macro_rules! conformance_suite {
    ($spawn:path) => {
        $crate::conformance_suite!(@each $spawn;
            health::api_health_answers_ok_without_store,
            health::openapi_document_describes_every_route,
            products::catalogue_lists_all_products_by_sku,
            products::product_by_sku_and_unknown_sku,
            users::created_user_is_returned_with_location_and_canonical_email,
            users::user_can_be_read_updated_and_deleted,
            users::email_uniqueness_is_case_insensitive,
            users::patch_to_own_email_is_allowed,
            users::user_ids_increase,
            orders::seed_article_scenario_works_as_written,
            orders::order_is_priced_from_the_catalogue,
            orders::orders_list_newest_first_and_paginates_to_the_last_page,
            orders::cursor_of_another_user_is_refused,
            orders::status_machine_allows_only_documented_transitions,
            orders::delete_is_refused_while_the_user_has_orders,
            orders::summary_matches_the_orders_and_leaves_out_cancelled,
            orders::summary_of_a_user_without_orders_has_nulls,
            idempotency::repeat_with_same_key_replays_the_first_response,
            idempotency::same_key_with_another_command_is_refused,
            idempotency::concurrent_duplicates_create_one_order,
            idempotency::malformed_key_is_a_validation_error,
            errors::malformed_json_is_400,
            errors::too_deep_nesting_is_400,
            errors::validation_failures_are_reported_together_and_sorted,
            errors::unknown_and_missing_fields_are_422,
            errors::wrong_types_are_422,
            errors::empty_patch_is_422,
            errors::order_for_missing_user_is_422_on_user_id,
            errors::unknown_sku_is_422_on_its_line,
            errors::order_item_rules_are_enforced,
            errors::bad_path_ids_are_400,
            errors::bad_queries_are_400,
            errors::missing_or_wrong_content_type_is_415,
            errors::body_over_64_kib_is_413,
            errors::absent_resources_and_unknown_routes_are_404,
            errors::wrong_methods_are_405_with_allow,
            errors::taken_email_is_409,
            input::odd_unicode_is_kept_or_refused_clearly,
            input::very_long_strings_are_refused,
            input::huge_numbers_are_refused,
            input::request_ids_are_echoed_or_generated,
            server_timing::every_response_reports_app_and_db_time,
            concurrency::thousand_concurrent_orders_are_all_accepted_and_summed,
            concurrency::two_creates_with_one_email_let_exactly_one_win,
            concurrency::two_concurrent_transitions_apply_exactly_one,
        );
    };
    (@each $spawn:path; $($module:ident :: $check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let _turn = $crate::turn(stringify!($check)).await;
                let api: $crate::Api = $spawn().await;
                $crate::checks::$module::$check(&api).await;
            }
        )*
    };
}
