//! Users: the email's uniqueness is the database's `users_email_key`, not a read-then-write.

use sqlx::PgConnection;
use twinstack_core::{NewUser, StoreError, Timestamp, UpdateUser, User, UserId};

use crate::error::{ORDERS_USER_ID_FKEY, ResultExt, USERS_EMAIL_KEY};
use crate::rows::{UserRow, fetch_optional};

/// Every user, by id: what the seed reads back.
pub(crate) const ALL: &str =
    "SELECT id, name, email, created_at, updated_at FROM users ORDER BY id";

pub(crate) async fn create(conn: &mut PgConnection, user: &NewUser) -> Result<User, StoreError> {
    sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (name, email, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         RETURNING id, name, email, created_at, updated_at",
    )
    .bind(user.name.as_str())
    .bind(user.email.as_str())
    .bind(user.created_at.to_datetime())
    .fetch_one(conn)
    .await
    .on_constraint(USERS_EMAIL_KEY, StoreError::EmailTaken)?
    .try_into()
}

pub(crate) async fn get(conn: &mut PgConnection, id: UserId) -> Result<Option<User>, StoreError> {
    let query = sqlx::query_as::<_, UserRow>(
        "SELECT id, name, email, created_at, updated_at FROM users WHERE id = $1",
    );
    fetch_optional(conn, query.bind(id.get())).await
}

/// One statement, so a concurrent update cannot interleave between a read and a write. Keeping
/// one's own email rewrites the same value, which the unique constraint allows.
pub(crate) async fn update(
    conn: &mut PgConnection,
    id: UserId,
    changes: &UpdateUser,
    now: Timestamp,
) -> Result<Option<User>, StoreError> {
    sqlx::query_as::<_, UserRow>(
        "UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email), updated_at = $4 \
         WHERE id = $1 RETURNING id, name, email, created_at, updated_at",
    )
    .bind(id.get())
    .bind(changes.name.as_ref().map(|name| name.as_str()))
    .bind(changes.email.as_ref().map(|email| email.as_str()))
    .bind(now.to_datetime())
    .fetch_optional(conn)
    .await
    .on_constraint(USERS_EMAIL_KEY, StoreError::EmailTaken)?
    .map(User::try_from)
    .transpose()
}

/// The foreign key refuses the delete while orders reference the user, race-free.
pub(crate) async fn delete(conn: &mut PgConnection, id: UserId) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id.get())
        .execute(conn)
        .await
        .on_constraint(ORDERS_USER_ID_FKEY, StoreError::UserHasOrders)?;
    Ok(done.rows_affected() > 0)
}
