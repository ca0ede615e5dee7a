//! Locating the Postgres client and server binaries.
//!
//! Debian/Ubuntu install the server tools (`initdb`, `pg_ctl`, `postgres`) only under
//! `/usr/lib/postgresql/<major>/bin`, never on `PATH`, so that directory is searched first.
//! Several majors can sit side by side; the newest wins so an upgrade needs no code change.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Where Debian's `postgresql-<major>` packages put their binaries.
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";

/// The hint every "binary not found" error carries, so a failing test says how to fix itself.
pub(crate) const INSTALL_HINT: &str = "install postgresql: apt-get install -y postgresql";

/// Resolves the Postgres binary `name` (e.g. `"initdb"`, `"pg_ctl"`, `"psql"`).
///
/// Looks in the newest `/usr/lib/postgresql/<major>/bin` first, then on `PATH` (which covers
/// non-Debian installs of the client tools). Errors with an install hint when absent.
pub fn pg_bin(name: &str) -> anyhow::Result<PathBuf> {
    if let Some(dir) = newest_debian_bin_dir(name) {
        return Ok(dir.join(name));
    }
    if let Some(found) = search_path(name) {
        return Ok(found);
    }
    bail!(
        "Postgres binary `{name}` not found in {DEBIAN_PG_ROOT}/*/bin nor on PATH; {INSTALL_HINT}"
    )
}

/// Resolves a server-side binary that must come from the same major as `initdb`.
///
/// `PATH` is not consulted: on Debian it would at best hold a client-only wrapper.
pub(crate) fn pg_server_bin(name: &str) -> anyhow::Result<PathBuf> {
    newest_debian_bin_dir(name)
        .map(|dir| dir.join(name))
        .with_context(|| {
            format!("Postgres server binary `{name}` not found in {DEBIAN_PG_ROOT}/*/bin; {INSTALL_HINT}")
        })
}

/// The `bin` dir of the highest Postgres major under [`DEBIAN_PG_ROOT`] that contains `name`.
fn newest_debian_bin_dir(name: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(DEBIAN_PG_ROOT).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = version_key(&entry.file_name().to_string_lossy())?;
            let bin = entry.path().join("bin");
            is_executable(&bin.join(name)).then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// Parses a major-version dir name ("15", "9.6") into something that orders numerically,
/// so "10" sorts above "9.6" (a plain string sort would get that wrong).
fn version_key(dir_name: &str) -> Option<Vec<u32>> {
    dir_name.split('.').map(|part| part.parse().ok()).collect()
}

fn search_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::version_key;

    #[test]
    fn versions_order_numerically() {
        assert!(version_key("10") > version_key("9.6"));
        assert!(version_key("15") > version_key("14"));
        assert_eq!(version_key("main"), None);
    }
}
