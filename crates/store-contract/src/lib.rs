//! The contract every [`Store`](twinstack_core::Store) keeps, as one suite of cases that speak
//! only through the trait (and the adapter's seeder, through [`Fixture`]). Each store's tests
//! implement [`Fixture`] and call [`store_contract_suite!`]; every case becomes one test there, on
//! a fresh store. What only one store has (DynamoDB's capacity reporting and table, Postgres's
//! constraint names and connection handling) stays in that store's own tests.

pub mod concurrency;
mod fixture;
pub mod idempotency;
pub mod orders;
pub mod products;
pub mod seed;
pub mod users;
mod values;

pub use fixture::{Fixture, place_under_key, sign_up};
pub use values::{at, new_user, order, record};

/// Expands to one module per group of cases and one `#[tokio::test]` per case, each on the
/// fixture that `$create` (called with a name unique to the case) returns. `$create` must be a
/// path that resolves from a nested module, such as `crate::support::TestDb::create`.
#[macro_export]
macro_rules! store_contract_suite {
    ($create:path) => {
        $crate::store_contract_suite!(@groups $create;
            users: [
                a_created_user_reads_back_equal_with_the_next_id,
                an_email_of_another_user_is_taken_on_create_and_on_update,
                an_update_keeping_ones_own_email_changes_only_what_is_given,
                an_email_change_moves_the_guard_from_the_old_email_to_the_new,
                a_deleted_user_is_gone_and_frees_its_email,
                a_missing_user_is_absent_for_get_update_and_delete,
            ],
            orders: [
                an_order_reads_back_equal,
                an_order_for_a_missing_user_is_user_not_found,
                a_user_with_orders_cannot_be_deleted,
                a_status_moves_only_from_the_expected_status,
                pages_walk_a_users_orders_newest_first_without_gaps_or_overlap,
                orders_of_user_tells_a_missing_user_from_one_without_orders,
            ],
            idempotency: [
                a_live_key_is_taken_and_the_second_create_stores_nothing,
                an_expired_key_is_invisible_and_can_be_claimed_again,
                a_failed_create_does_not_hold_its_key,
                a_held_key_is_reported_even_for_a_missing_user,
                concurrent_duplicates_wait_for_the_first_and_replay_it,
            ],
            products: [
                the_catalogue_lists_by_sku_and_finds_products_one_by_one_or_in_batches,
            ],
            seed: [
                a_loaded_data_set_reads_back_with_its_checksum_and_the_next_user_id_follows,
                loading_replaces_everything_stored_before_and_guards_its_emails_and_orders,
                an_empty_data_set_loads_and_user_ids_restart_at_one,
                a_seeded_users_summary_is_cores_summary_of_that_users_orders,
            ],
            concurrency: [
                concurrent_orders_on_a_few_users_are_all_created_with_exact_counts,
                renames_racing_order_creations_on_one_user_all_apply,
                concurrent_sign_ups_get_distinct_ids_and_one_email_goes_to_one_user,
                of_racing_transitions_exactly_one_applies,
            ],
        );
    };
    (@groups $create:path; $($group:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        $(
            mod $group {
                $(
                    // Two workers, so the racing cases race.
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let fixture = $create(concat!(stringify!($group), "_", stringify!($case))).await;
                        $crate::$group::$case(&fixture).await;
                        $crate::Fixture::finish(fixture).await;
                    }
                )*
            }
        )*
    };
}
