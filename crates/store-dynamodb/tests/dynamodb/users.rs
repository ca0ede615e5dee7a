use twinstack_core::{Email, Store, StoreError, UpdateUser, UserId, UserName};

use crate::support::{TestTable, at, new_user};

#[tokio::test]
async fn a_created_user_reads_back_equal_with_the_next_id() {
    let db = TestTable::create("user_round_trip").await;
    let first = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let second = db
        .store
        .create_user(&new_user("grace@example.com"))
        .await
        .unwrap();

    assert_eq!(first.id.get(), 1);
    assert_eq!(second.id.get(), 2);
    assert_eq!(first.created_at, at(0));
    assert_eq!(first.updated_at, first.created_at);
    assert_eq!(db.store.get_user(first.id).await.unwrap(), Some(first));
    db.finish().await;
}

#[tokio::test]
async fn an_email_of_another_user_is_taken_on_create_and_on_update() {
    let db = TestTable::create("email_taken").await;
    db.store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let grace = db
        .store
        .create_user(&new_user("grace@example.com"))
        .await
        .unwrap();

    let create = db.store.create_user(&new_user("ada@example.com")).await;
    let changes = UpdateUser {
        name: None,
        email: Some(Email::parse("ada@example.com").unwrap()),
    };
    let update = db.store.update_user(grace.id, &changes, at(1)).await;
    let next = db
        .store
        .create_user(&new_user("edsger@example.com"))
        .await
        .unwrap();

    assert!(matches!(create, Err(StoreError::EmailTaken)), "{create:?}");
    assert!(matches!(update, Err(StoreError::EmailTaken)), "{update:?}");
    assert_eq!(db.store.get_user(grace.id).await.unwrap(), Some(grace));
    assert_eq!(next.id.get(), 4, "the failed create burnt id 3");
    db.finish().await;
}

#[tokio::test]
async fn an_update_keeping_ones_own_email_changes_only_what_is_given() {
    let db = TestTable::create("update_own_email").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let changes = UpdateUser {
        name: Some(UserName::parse("Ada King").unwrap()),
        email: Some(ada.email.clone()),
    };

    let updated = db
        .store
        .update_user(ada.id, &changes, at(5))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(updated.name.as_str(), "Ada King");
    assert_eq!(updated.email, ada.email);
    assert_eq!(updated.created_at, ada.created_at);
    assert_eq!(updated.updated_at, at(5));
    assert_eq!(db.store.get_user(ada.id).await.unwrap(), Some(updated));
    db.finish().await;
}

#[tokio::test]
async fn an_email_change_moves_the_guard_from_the_old_email_to_the_new() {
    let db = TestTable::create("email_moves").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();
    let changes = UpdateUser {
        name: None,
        email: Some(Email::parse("countess@example.com").unwrap()),
    };

    let updated = db
        .store
        .update_user(ada.id, &changes, at(5))
        .await
        .unwrap()
        .unwrap();
    let reuse_old = db.store.create_user(&new_user("ada@example.com")).await;
    let take_new = db
        .store
        .create_user(&new_user("countess@example.com"))
        .await;

    assert_eq!(updated.email.as_str(), "countess@example.com");
    assert_eq!(updated.name, ada.name);
    assert_eq!(updated.updated_at, at(5));
    assert_eq!(db.store.get_user(ada.id).await.unwrap(), Some(updated));
    assert!(reuse_old.is_ok(), "{reuse_old:?}");
    assert!(
        matches!(take_new, Err(StoreError::EmailTaken)),
        "{take_new:?}"
    );
    db.finish().await;
}

#[tokio::test]
async fn a_deleted_user_is_gone_and_frees_its_email() {
    let db = TestTable::create("delete_frees_email").await;
    let ada = db
        .store
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();

    let deleted = db.store.delete_user(ada.id).await.unwrap();
    let again = db.store.delete_user(ada.id).await.unwrap();
    let reuse = db.store.create_user(&new_user("ada@example.com")).await;

    assert!(deleted);
    assert!(!again);
    assert_eq!(db.store.get_user(ada.id).await.unwrap(), None);
    assert!(reuse.is_ok(), "{reuse:?}");
    db.finish().await;
}

#[tokio::test]
async fn a_missing_user_is_absent_for_get_update_and_delete() {
    let db = TestTable::create("missing_user").await;
    let nobody = UserId::new(42).unwrap();
    let changes = UpdateUser {
        name: Some(UserName::parse("Nobody").unwrap()),
        email: Some(Email::parse("nobody@example.com").unwrap()),
    };

    assert_eq!(db.store.get_user(nobody).await.unwrap(), None);
    assert_eq!(
        db.store.update_user(nobody, &changes, at(1)).await.unwrap(),
        None
    );
    assert!(!db.store.delete_user(nobody).await.unwrap());
    db.finish().await;
}
