//! Talking to a server through the `psql` binary, and naming per-test databases.
//!
//! A subprocess instead of a Rust driver keeps this crate's dependencies light, and `psql`
//! ships with every Postgres install the harness can use anyway.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;

use crate::command::run;
use crate::pg_bin::pg_bin;

/// Postgres truncates identifiers longer than this (NAMEDATALEN - 1); we stay under it so the
/// name we return is the name the server uses.
const MAX_IDENTIFIER_LEN: usize = 63;

/// Room left for the hint after the `_<pid>_<counter>_<clock>` suffix.
const MAX_HINT_LEN: usize = 24;

/// Runs `sql` against `url` with `psql` and returns its unaligned, tuples-only stdout
/// (e.g. `"1"` for `SELECT 1`), trimmed.
///
/// Fails when the server is unreachable or the SQL errors (`ON_ERROR_STOP`). A 5 s connect
/// timeout keeps a down server from hanging a test.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let mut cmd = Command::new(pg_bin("psql")?);
    cmd.args([
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url,
        "-c",
        sql,
    ])
    .env("PGCONNECT_TIMEOUT", "5");
    let output = run(&mut cmd)?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Creates a database with a unique name derived from `name_hint` on the server that
/// `server_url` points at, and returns the new database's URL.
pub(crate) fn create_database(server_url: &str, name_hint: &str) -> anyhow::Result<String> {
    let name = unique_database_name(name_hint);
    // The name is made of [a-z0-9_] only, so quoting it cannot be escaped from.
    psql(server_url, &format!("CREATE DATABASE \"{name}\""))
        .with_context(|| format!("creating database {name}"))?;
    with_database(server_url, &name)
}

/// `server_url` with its database (the URL path) replaced by `database`.
pub(crate) fn with_database(server_url: &str, database: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(server_url)
        .with_context(|| format!("not a postgres:// URL: {server_url}"))?;
    url.set_path(&format!("/{database}"));
    Ok(url.into())
}

/// A fresh database name: the sanitised hint, then pid, a process-wide counter and the clock.
///
/// pid + counter make it unique within a machine's concurrent test runs; the clock keeps a
/// later run (which may reuse a pid) from colliding with databases an external server kept.
pub(crate) fn unique_database_name(name_hint: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() ^ (d.as_secs() as u32));

    let mut hint: String = name_hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(MAX_HINT_LEN)
        .collect();
    // Unquoted-style identifiers start with a letter; keeps names readable in psql too.
    if !hint.starts_with(|c: char| c.is_ascii_lowercase()) {
        hint.insert_str(0, "t_");
    }
    let name = format!("{hint}_{}_{n}_{clock:x}", std::process::id());
    debug_assert!(name.len() <= MAX_IDENTIFIER_LEN, "{name} too long");
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised_unique_and_short() {
        let a = unique_database_name("Orders API: list/filter — with a very long description");
        let b = unique_database_name("Orders API: list/filter — with a very long description");
        assert_ne!(a, b);
        assert!(a.len() <= MAX_IDENTIFIER_LEN);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        );
        assert!(unique_database_name("9lives").starts_with("t_9lives_"));
        assert!(unique_database_name("").starts_with("t__"));
    }

    #[test]
    fn database_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://u:p@db:5433/postgres?sslmode=disable", "x").unwrap(),
            "postgres://u:p@db:5433/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:1234", "x").unwrap(),
            "postgres://postgres@127.0.0.1:1234/x"
        );
    }
}
