"""The coding ledger's schema moves forward in place: a ledger written by an older obs-coding keeps its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from obs_coding.ledger import LEDGER_VERSION, Ledger
from obs_coding.ledger._schema import MIGRATIONS


def test_a_version_1_ledger_gains_the_base_commit_and_keeps_its_edits(tmp_path: Path) -> None:
    path = tmp_path / "coding.db"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(
        "INSERT INTO edits (edit_id, repo, path, language, edit_type, time_ns, lines_added, lines_removed, hunks,"
        " fingerprint) VALUES ('e1', '/r', 'm.py', 'python', 'modify', 5, 1, 0, '[]', '{}')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Ledger(path) as ledger:
        [edit] = ledger.edits()
        assert (edit.edit_id, edit.path, edit.base_commit) == ("e1", "m.py", None)
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == LEDGER_VERSION == 2
    check.close()


def test_a_failed_commit_leaves_no_transaction_open(tmp_path: Path) -> None:
    """A COMMIT that fails (here a deferred constraint) rolls back, so the next hook can still write."""
    with Ledger(tmp_path / "coding.db") as ledger:
        conn = ledger._conn
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.execute("CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)")
        with pytest.raises(sqlite3.IntegrityError), ledger.transaction() as tx:
            tx.execute("INSERT INTO child VALUES (7)")  # only checked at COMMIT
        assert not conn.in_transaction
        with ledger.transaction() as tx:
            tx.execute("INSERT INTO parent VALUES (7)")
        assert conn.execute("SELECT count(*) FROM parent").fetchone()[0] == 1
