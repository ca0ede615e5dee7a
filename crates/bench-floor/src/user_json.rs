//! A user row as the server's JSON: `twinstack_core::User` through `serde_json` — camelCase fields
//! in declaration order, timestamps RFC 3339 in UTC with exactly three fractional digits
//! (microseconds truncated, `Z`), as `twinstack_core::Timestamp` writes them.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use tokio_postgres::Row;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserBody<'row> {
    id: i64,
    name: &'row str,
    email: &'row str,
    created_at: Millis,
    updated_at: Millis,
}

/// `2026-11-27T05:13:01.123Z`: `%.3f` truncates, as `Timestamp::from_datetime` does.
struct Millis(DateTime<Utc>);

impl Serialize for Millis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
    }
}

/// The body for a row of `clients::GET_USER`'s columns.
pub fn render(row: &Row) -> anyhow::Result<Vec<u8>> {
    let body = UserBody {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        created_at: Millis(row.try_get(3)?),
        updated_at: Millis(row.try_get(4)?),
    };
    Ok(serde_json::to_vec(&body)?)
}
