"""deploy/sql/database-roles.sql on a real Postgres, run as RDS runs its master user (LOGIN,
CREATEROLE, CREATEDB, owner of the database, no superuser): the schema owner can migrate, the
application role can read and write rows and nothing else, and running it again changes nothing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import REPO

ROLES_SQL = REPO / "deploy" / "sql" / "database-roles.sql"
MIGRATIONS = sorted((REPO / "crates" / "store-postgres" / "migrations").glob("*.sql"))
THROWAWAY = REPO / "deploy" / "scripts" / "pg-throwaway.sh"


def psql_binary() -> str:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.skip("no Postgres binaries in /usr/lib/postgresql (make test installs them)")
    return str(found[-1])


@pytest.fixture(scope="module")
def postgres():
    psql_binary()  # skips without Postgres installed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    directory = tempfile.mkdtemp(prefix="twinstack-roles-", dir="/tmp")
    shutil.rmtree(directory)
    subprocess.run([str(THROWAWAY), "start", directory, str(port)], check=True, capture_output=True, text=True)
    try:
        yield port
    finally:
        subprocess.run([str(THROWAWAY), "stop", directory], check=True, capture_output=True)


def psql(port: int, user: str, *args: str, database: str = "twinstack", check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [psql_binary(), "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", database, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", *args],
        capture_output=True,
        text=True,
        check=check,
    )


def query(port: int, user: str, sql: str) -> str:
    return psql(port, user, "-c", sql).stdout.strip()


ROLE_VARIABLES = ["-v", "owner=twinstack_owner", "-v", "owner_password=owner-secret", "-v", "app=twinstack_app", "-v", "app_password=app-secret"]


@pytest.fixture(scope="module")
def migrated(postgres):
    port = postgres
    psql(port, "postgres", "-c", "CREATE ROLE twinstack LOGIN CREATEROLE CREATEDB", database="postgres")
    psql(port, "postgres", "-c", "CREATE DATABASE twinstack OWNER twinstack", database="postgres")
    psql(port, "twinstack", *ROLE_VARIABLES, "-f", str(ROLES_SQL))
    # What sqlx's migrator does as the owner: its bookkeeping table, then the migrations.
    psql(port, "twinstack_owner", "-c", "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY)")
    for migration in MIGRATIONS:
        psql(port, "twinstack_owner", "-f", str(migration))
    # A second run (every deploy-kubernetes.sh) on the migrated schema.
    psql(port, "twinstack", *ROLE_VARIABLES, "-f", str(ROLES_SQL))
    return port


def test_the_schema_owner_owns_every_table(migrated):
    owners = query(migrated, "twinstack", "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")

    assert owners == "twinstack_owner"


def test_the_application_role_reads_and_writes_rows(migrated):
    tables = query(migrated, "twinstack", "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations' ORDER BY 1").split()
    assert {"users", "orders", "products"} <= set(tables)

    for table in tables:
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            assert query(migrated, "twinstack", f"SELECT has_table_privilege('twinstack_app', 'public.{table}', '{privilege}')") == "t", (table, privilege)
        for privilege in ("TRUNCATE", "REFERENCES", "TRIGGER"):
            assert query(migrated, "twinstack", f"SELECT has_table_privilege('twinstack_app', 'public.{table}', '{privilege}')") == "f", (table, privilege)
    sequences = query(migrated, "twinstack", "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'").split()
    assert sequences
    for sequence in sequences:
        assert query(migrated, "twinstack", f"SELECT has_sequence_privilege('twinstack_app', 'public.{sequence}', 'USAGE')") == "t"
    assert query(migrated, "twinstack_app", "SELECT count(*) FROM users") == "0"


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE users ADD COLUMN intruder int",
        "DROP TABLE orders",
        "TRUNCATE products",
        "SELECT * FROM _sqlx_migrations",
    ],
)
def test_the_application_role_cannot_change_the_schema_or_read_the_migrations(migrated, statement):
    result = psql(migrated, "twinstack_app", "-c", statement, check=False)

    assert result.returncode != 0
    assert "permission denied" in result.stderr or "must be owner" in result.stderr, result.stderr


def test_neither_role_can_create_roles_or_databases(migrated):
    flags = query(migrated, "twinstack", "SELECT bool_or(rolsuper OR rolcreaterole OR rolcreatedb) FROM pg_roles WHERE rolname IN ('twinstack_owner', 'twinstack_app')")

    assert flags == "f"
