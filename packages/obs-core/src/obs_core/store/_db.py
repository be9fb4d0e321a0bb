"""Opening the SQLite file: WAL mode, schema check, forward migration.

WAL lets the CLI read while an application writes, and every export batch is
one transaction, so a writer killed mid-run loses at most its uncommitted
batch and never corrupts what was committed.

A file that is not an obs store (another application's database, a newer
schema, garbage) is refused before anything is written to it: the version and
table checks run before the switch to WAL, which would otherwise rewrite the
file header of someone else's database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ._errors import StoreCorruptError, StoreNeedsMigrationError, StoreNotFoundError, StoreTooNewError
from ._schema import MIGRATIONS, READABLE_FROM_VERSION, REQUIRED_TABLES, SCHEMA_VERSION


def connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """Open (and create or migrate, when allowed) the store at ``path``.

    Read-only connections never migrate: they accept versions from
    ``READABLE_FROM_VERSION`` to ``SCHEMA_VERSION`` and refuse the rest.
    """
    if not path.exists():
        if not create or read_only:
            raise StoreNotFoundError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = _open(path, read_only=read_only)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = _tables(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreCorruptError(path, str(exc)) from exc
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreTooNewError(path, version, SCHEMA_VERSION)
    if version == 0 and tables:
        conn.close()
        raise StoreCorruptError(path, "an SQLite file with other tables and no obs schema version")
    if version > 0 and not tables >= REQUIRED_TABLES:
        conn.close()
        missing = ", ".join(sorted(REQUIRED_TABLES - tables))
        raise StoreCorruptError(path, f"schema version {version} but no table {missing}")
    if read_only:
        if version == 0:
            conn.close()
            raise StoreCorruptError(path, "no obs schema in this SQLite file")
        if version < READABLE_FROM_VERSION:
            conn.close()
            raise StoreNeedsMigrationError(path, version, READABLE_FROM_VERSION)
        return conn
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        _migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreCorruptError(path, str(exc)) from exc
    return conn


def migrate(path: Path) -> tuple[int, int]:
    """Bring an existing store up to ``SCHEMA_VERSION``; return (version before, version after)."""
    if not path.exists():
        raise StoreNotFoundError(path)
    probe = _open(path, read_only=True)
    try:
        before = int(probe.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise StoreCorruptError(path, str(exc)) from exc
    finally:
        probe.close()
    if before == 0:
        # Migrating would create a fresh schema in whatever file this is.
        raise StoreCorruptError(path, "no obs schema in this SQLite file")
    conn = connect(path, create=False)
    after = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.close()
    return before, after


def _open(path: Path, *, read_only: bool) -> sqlite3.Connection:
    try:
        if read_only:
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=10)
        return sqlite3.connect(str(path), check_same_thread=False, timeout=10, isolation_level=None)
    except sqlite3.DatabaseError as exc:
        raise StoreCorruptError(path, str(exc)) from exc


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
