use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use twinstack_core::{Store, StoreError, UserId};
use twinstack_store_contract::Fixture;
use twinstack_store_postgres::PgStore;

use crate::support::TestDb;

#[tokio::test]
async fn an_unreachable_database_is_unavailable() {
    // Port 1 on loopback refuses connections.
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/postgres")
        .unwrap();
    let store = PgStore::new(pool);

    let outcome = store.get_user(UserId::new(1).unwrap()).await;

    assert!(
        matches!(outcome, Err(StoreError::Unavailable(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_connection_killed_under_the_store_is_unavailable_and_the_next_call_recovers() {
    // One connection, not pinged before use, so the query meets the dead connection.
    let options = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false);
    let db = TestDb::create_with("killed_connection", options).await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut admin = db.admin().await;
    sqlx::query("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .execute(&mut admin)
        .await
        .unwrap();
    // pg_terminate_backend only signals the backend: wait until it has gone, or the next query can
    // still be answered by it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let alive: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .unwrap();
        if alive == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "backend {pid} still alive"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let id = UserId::new(1).unwrap();

    let killed = db.store.get_user(id).await;
    let recovered = db.store.get_user(id).await;

    assert!(
        matches!(killed, Err(StoreError::Unavailable(_))),
        "{killed:?}"
    );
    assert_eq!(recovered.unwrap(), None);
    db.finish().await;
}
