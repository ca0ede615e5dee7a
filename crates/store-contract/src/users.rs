//! Users: ids in sign-up order, one user per email, updates and deletes of what exists.

use twinstack_core::{Email, Store, StoreError, UpdateUser, UserId, UserName};

use crate::fixture::{Fixture, ada_and_grace, sign_up};
use crate::values::{at, new_user};

fn email_change(email: &str) -> UpdateUser {
    UpdateUser {
        name: None,
        email: Some(Email::parse(email).unwrap()),
    }
}

pub async fn a_created_user_reads_back_equal_with_the_next_id<F: Fixture>(fixture: &F) {
    let store = fixture.store();

    let (first, second) = ada_and_grace(store).await;

    assert_eq!(first.id.get(), 1);
    assert_eq!(second.id.get(), 2);
    assert_eq!(first.created_at, at(0));
    assert_eq!(first.updated_at, first.created_at);
    assert_eq!(store.get_user(first.id).await.unwrap(), Some(first));
}

pub async fn an_email_of_another_user_is_taken_on_create_and_on_update<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let (_, grace) = ada_and_grace(store).await;

    let create = store.create_user(&new_user("ada@example.com")).await;
    let update = store
        .update_user(grace.id, &email_change("ada@example.com"), at(1))
        .await;
    let next = sign_up(store, "edsger@example.com").await;

    assert!(matches!(create, Err(StoreError::EmailTaken)), "{create:?}");
    assert!(matches!(update, Err(StoreError::EmailTaken)), "{update:?}");
    assert_eq!(store.get_user(grace.id).await.unwrap(), Some(grace));
    assert_eq!(next.id.get(), 4, "the failed create burnt id 3");
}

pub async fn an_update_keeping_ones_own_email_changes_only_what_is_given<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;
    let changes = UpdateUser {
        name: Some(UserName::parse("Ada King").unwrap()),
        email: Some(ada.email.clone()),
    };

    let updated = store
        .update_user(ada.id, &changes, at(5))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(updated.name.as_str(), "Ada King");
    assert_eq!(updated.email, ada.email);
    assert_eq!(updated.created_at, ada.created_at);
    assert_eq!(updated.updated_at, at(5));
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(updated));
}

pub async fn an_email_change_moves_the_guard_from_the_old_email_to_the_new<F: Fixture>(
    fixture: &F,
) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;

    let updated = store
        .update_user(ada.id, &email_change("countess@example.com"), at(5))
        .await
        .unwrap()
        .unwrap();
    let reuse_old = store.create_user(&new_user("ada@example.com")).await;
    let take_new = store.create_user(&new_user("countess@example.com")).await;

    assert_eq!(updated.email.as_str(), "countess@example.com");
    assert_eq!(updated.name, ada.name);
    assert_eq!(updated.updated_at, at(5));
    assert_eq!(store.get_user(ada.id).await.unwrap(), Some(updated));
    assert!(reuse_old.is_ok(), "{reuse_old:?}");
    assert!(
        matches!(take_new, Err(StoreError::EmailTaken)),
        "{take_new:?}"
    );
}

pub async fn a_deleted_user_is_gone_and_frees_its_email<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let ada = sign_up(store, "ada@example.com").await;

    let deleted = store.delete_user(ada.id).await.unwrap();
    let again = store.delete_user(ada.id).await.unwrap();
    let reuse = store.create_user(&new_user("ada@example.com")).await;

    assert!(deleted);
    assert!(!again);
    assert_eq!(store.get_user(ada.id).await.unwrap(), None);
    assert!(reuse.is_ok(), "{reuse:?}");
}

pub async fn a_missing_user_is_absent_for_get_update_and_delete<F: Fixture>(fixture: &F) {
    let store = fixture.store();
    let nobody = UserId::new(42).unwrap();
    let rename = UpdateUser {
        name: Some(UserName::parse("Nobody").unwrap()),
        email: None,
    };
    let rename_and_move = UpdateUser {
        email: Some(Email::parse("nobody@example.com").unwrap()),
        ..rename.clone()
    };

    let got = store.get_user(nobody).await.unwrap();
    let renamed = store.update_user(nobody, &rename, at(1)).await.unwrap();
    let moved = store
        .update_user(nobody, &rename_and_move, at(1))
        .await
        .unwrap();
    let deleted = store.delete_user(nobody).await.unwrap();
    let unclaimed = store.create_user(&new_user("nobody@example.com")).await;

    assert_eq!(got, None);
    assert_eq!(renamed, None);
    assert_eq!(moved, None);
    assert!(!deleted);
    assert!(
        unclaimed.is_ok(),
        "the failed move kept the email: {unclaimed:?}"
    );
}
