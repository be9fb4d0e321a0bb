"""Opening the SQLite file: WAL mode, schema check, forward migration.

WAL lets the CLI read while an application writes, and every export batch is
one transaction, so a writer killed mid-run loses at most its uncommitted
batch and never corrupts what was committed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ._errors import StoreCorruptError, StoreNotFoundError, StoreTooNewError
from ._schema import MIGRATIONS, SCHEMA_VERSION


def connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """Open (and create or migrate, when allowed) the store at ``path``."""
    if not path.exists():
        if not create:
            raise StoreNotFoundError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if read_only:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=10)
        else:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10, isolation_level=None)
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise StoreCorruptError(path, str(exc)) from exc
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreTooNewError(path, version, SCHEMA_VERSION)
    if read_only:
        if version < SCHEMA_VERSION:
            conn.close()
            if version == 0:
                raise StoreCorruptError(path, "no obs schema in this SQLite file")
            raise StoreCorruptError(path, f"schema version {version} needs migrating: open it once with a writer")
        return conn
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        _migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreCorruptError(path, str(exc)) from exc
    return conn


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    if version == 0:
        # A version-0 file that already has tables is someone else's database.
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if tables:
            raise sqlite3.DatabaseError("SQLite file with foreign tables and no obs schema version")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        for statement in MIGRATIONS[target].split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
