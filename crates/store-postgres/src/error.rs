//! The one mapping from sqlx errors onto the port's [`StoreError`].

use twinstack_core::StoreError;

/// Unique constraint on `users.email`; its violation means the email is taken.
pub(crate) const USERS_EMAIL_KEY: &str = "users_email_key";
/// Foreign key `orders.user_id → users.id`: on an order insert the user is missing, on a user
/// delete the user still has orders.
pub(crate) const ORDERS_USER_ID_FKEY: &str = "orders_user_id_fkey";

/// Transient failures (the caller may retry) become `Unavailable`; everything else `Internal`.
pub(crate) fn classify(err: sqlx::Error) -> StoreError {
    if is_transient(&err) {
        StoreError::Unavailable(Box::new(err))
    } else {
        StoreError::Internal(Box::new(err))
    }
}

fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| is_transient_sqlstate(&code)),
        // Protocol errors mean client and server disagree about the wire format: a bug, not an
        // outage (a dropped connection surfaces as `Io`).
        _ => false,
    }
}

/// SQLSTATEs that say "not now" rather than "never".
fn is_transient_sqlstate(code: &str) -> bool {
    is_outage_sqlstate(code)
        || matches!(
            code,
            "57014" // query_canceled: statement_timeout, a timeout like any other
            | "40001" // serialization_failure
            | "40P01" // deadlock_detected
        )
}

/// SQLSTATEs that say the database cannot serve anyone now, not just this query.
fn is_outage_sqlstate(code: &str) -> bool {
    code.starts_with("08") // connection exception
        || matches!(
            code,
            "57P01" // admin_shutdown
            | "57P02" // crash_shutdown
            | "57P03" // cannot_connect_now (starting up, recovering)
            | "53300" // too_many_connections
        )
}

/// Whether `err` says the database is out of reach (refused, lost, shutting down, full) rather
/// than that one query lost a race or ran too long: what opens the store's breaker.
pub(crate) fn is_outage(err: &StoreError) -> bool {
    let StoreError::Unavailable(source) = err else {
        return false;
    };
    match source.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Database(db)) => db.code().is_some_and(|code| is_outage_sqlstate(&code)),
        Some(sqlx_error) => is_transient(sqlx_error),
        // The pool's own: no connection could be had in time.
        None => true,
    }
}

/// A value read back that the domain rejects: the database holds what the adapter never writes.
pub(crate) fn corrupt(what: String) -> StoreError {
    StoreError::Internal(format!("corrupt row: {what}").into())
}

/// Named constraints mapped at the call site, because one constraint can mean different things
/// (see [`ORDERS_USER_ID_FKEY`]); the idea of launchbadge/realworld-axum-sqlx's `on_constraint`.
pub(crate) trait ResultExt<T> {
    /// `mapped` when the error violates constraint `name`, otherwise [`classify`].
    fn on_constraint(self, name: &str, mapped: StoreError) -> Result<T, StoreError>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_constraint(self, name: &str, mapped: StoreError) -> Result<T, StoreError> {
        self.map_err(|err| {
            let violated = err.as_database_error().and_then(|db| db.constraint());
            if violated == Some(name) {
                mapped
            } else {
                classify(err)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_trouble_is_unavailable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        for err in [
            sqlx::Error::Io(refused),
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
        ] {
            assert!(matches!(classify(err), StoreError::Unavailable(_)));
        }
    }

    #[test]
    fn other_errors_are_internal() {
        for err in [
            sqlx::Error::RowNotFound,
            sqlx::Error::Protocol("unexpected message".into()),
            sqlx::Error::ColumnNotFound("id".into()),
        ] {
            assert!(matches!(classify(err), StoreError::Internal(_)));
        }
    }

    #[test]
    fn lost_connections_are_outages_but_lost_races_and_slow_queries_are_not() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let pool_wait: StoreError = StoreError::Unavailable("timed out waiting".into());

        assert!(is_outage(&classify(sqlx::Error::Io(refused))));
        assert!(is_outage(&classify(sqlx::Error::PoolTimedOut)));
        assert!(is_outage(&pool_wait));
        assert!(!is_outage(&classify(sqlx::Error::RowNotFound)));
        assert!(!is_outage(&StoreError::EmailTaken));
        for code in ["08006", "57P01", "57P03", "53300"] {
            assert!(is_outage_sqlstate(code), "{code}");
        }
        for code in ["57014", "40001", "40P01"] {
            assert!(
                !is_outage_sqlstate(code) && is_transient_sqlstate(code),
                "{code}"
            );
        }
    }

    #[test]
    fn sqlstates_split_into_transient_and_not() {
        for code in [
            "08000", "08006", "57P01", "57P02", "57P03", "57014", "53300", "40001", "40P01",
        ] {
            assert!(is_transient_sqlstate(code), "{code}");
        }
        for code in ["23505", "23503", "42P01", "22P02", "53100"] {
            assert!(!is_transient_sqlstate(code), "{code}");
        }
    }
}
