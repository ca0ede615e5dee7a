//! `twinstack seed --postgres`: the deterministic set lands whole, its checksum is printed, and new
//! users continue after the seeded ids.

use std::process::Command;

use sqlx::postgres::PgPoolOptions;
use twinstack_core::seed::DataSet;
use twinstack_core::{Email, NewUser, Store, Timestamp, UserName};
use twinstack_store_postgres::PgStore;

fn seed(database_url: &str, users: u32, orders_per_user: u32) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(["seed", "--postgres", database_url])
        .args([
            "--users",
            &users.to_string(),
            "--orders-per-user",
            &orders_per_user.to_string(),
        ])
        .output()
        .expect("twinstack runs");
    assert!(
        output.status.success(),
        "seed failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn seeding_prints_the_data_sets_checksum_and_the_next_user_id_follows() {
    let database_url = twinstack_local_stack::shared()
        .create_database("seed")
        .unwrap();

    let printed = seed(&database_url, 50, 3);

    assert_eq!(printed, DataSet::generate(50, 3).checksum());
    let store = PgStore::new(PgPoolOptions::new().connect(&database_url).await.unwrap());
    let next = store
        .create_user(&NewUser {
            name: UserName::parse("After Seed").unwrap(),
            email: Email::parse("after.seed@example.com").unwrap(),
            created_at: Timestamp::from_millis(0),
        })
        .await
        .unwrap();
    assert_eq!(next.id.get(), 51);
}

#[tokio::test]
async fn seeding_again_replaces_the_data_with_the_same_set() {
    let database_url = twinstack_local_stack::shared()
        .create_database("reseed")
        .unwrap();
    let first = seed(&database_url, 30, 2);

    let second = seed(&database_url, 30, 2);

    assert_eq!(first, second);
    let smaller = seed(&database_url, 10, 1);
    assert_eq!(
        smaller,
        DataSet::generate(10, 1).checksum(),
        "a smaller set replaces, not merges"
    );
}
