"""Schema versions, files that are not obs stores, and crash safety of the store."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from obs_core.store import (
    SCHEMA_VERSION,
    StoreCorruptError,
    StoreNeedsMigrationError,
    StoreNotFoundError,
    StoreTooNewError,
    StoreWriter,
    TelemetryStore,
    connect,
    migrate,
)
from obs_core.store import _db as store_db
from obs_core.store._schema import MIGRATIONS

from .sample_store import SampleStore

# --- schema versions ---------------------------------------------------------------------------


def test_refuses_a_newer_schema_without_touching_it(tmp_path: Path, sample_store: SampleStore) -> None:
    path = tmp_path / "future.db"
    shutil.copy(sample_store.path, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNewError, match=f"schema version {SCHEMA_VERSION + 1}, newer"):
        TelemetryStore.open(path)
    with pytest.raises(StoreTooNewError):
        StoreWriter(path)
    with pytest.raises(StoreTooNewError):
        migrate(path)
    assert path.read_bytes() == before


NEXT = SCHEMA_VERSION + 1
_NEXT = "ALTER TABLE spans ADD COLUMN note TEXT; CREATE INDEX IF NOT EXISTS spans_note ON spans (note)"


def test_forward_migration_keeps_data(
    tmp_path: Path, sample_store: SampleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written at this version is upgraded in place by the next writer (or `obs migrate`)."""
    path = tmp_path / "old.db"
    shutil.copy(sample_store.path, path)
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(store_db, "MIGRATIONS", {**MIGRATIONS, NEXT: _NEXT})
    assert migrate(path) == (SCHEMA_VERSION, NEXT)
    assert migrate(path) == (NEXT, NEXT)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == NEXT
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*), count(note) FROM spans").fetchone() == (9, 0)
    conn.close()
    with TelemetryStore.open(path) as store:
        assert len(store.recent_traces()) == 3


def test_reader_refuses_a_schema_older_than_it_can_read(
    tmp_path: Path, sample_store: SampleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    shutil.copy(sample_store.path, path)
    before = path.read_bytes()
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(store_db, "READABLE_FROM_VERSION", NEXT)
    monkeypatch.setattr(store_db, "MIGRATIONS", {**MIGRATIONS, NEXT: _NEXT})
    with pytest.raises(StoreNeedsMigrationError, match=r"Upgrade it with `obs migrate --store .*old\.db`"):
        TelemetryStore.open(path)
    assert path.read_bytes() == before


def test_failed_migration_leaves_the_old_version(
    tmp_path: Path, sample_store: SampleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    shutil.copy(sample_store.path, path)
    monkeypatch.setattr(store_db, "SCHEMA_VERSION", NEXT)
    monkeypatch.setattr(store_db, "MIGRATIONS", {**MIGRATIONS, NEXT: "ALTER TABLE nope ADD COLUMN x"})
    with pytest.raises(StoreCorruptError, match="no such table: nope"):
        StoreWriter(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_version_1_store_keeps_its_metric_points_and_gains_their_series(tmp_path: Path) -> None:
    path = tmp_path / "telemetry.db"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[1].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(
        "INSERT INTO metric_points (time_ns, name, unit, kind, attributes, value) VALUES (5, 'c', '1', 'counter', '{}', 2)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert migrate(path) == (1, SCHEMA_VERSION)
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT name, value, start_ns, service_name, resource FROM metric_points").fetchall()
    assert rows == [("c", 2.0, None, None, None)]
    conn.close()


def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "telemetry.db"
    conn = connect(path, create=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (None, StoreNotFoundError, "no obs store at"),
        (b"this is not a database, just text" * 100, StoreCorruptError, "file is not a database"),
        (b"", StoreCorruptError, "no obs schema"),
        ("foreign", StoreCorruptError, "other tables and no obs schema version"),
        ("versioned-foreign", StoreCorruptError, "no table"),
    ],
)
def test_bad_files_are_refused_untouched(
    tmp_path: Path, content: bytes | str | None, error: type[Exception], message: str
) -> None:
    path = tmp_path / "telemetry.db"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE spans (x)")
        if content == "versioned-foreign":
            conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.close()
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(error, match=message) as info:
        TelemetryStore.open(path)
    assert "\n" not in str(info.value)
    assert (path.read_bytes() if path.exists() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if content is None else ["telemetry.db"])


# --- crash safety ------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from obs_core import configure

    runtime = configure(store=sys.argv[1], service_name="doomed", metric_export_interval_s=3600)
    tracer = runtime.tracer_provider.get_tracer("crash")
    for i in range(int(sys.argv[2])):
        with tracer.start_as_current_span("committed", attributes={"i": i}):
            pass
    assert runtime.force_flush()
    print("flushed", flush=True)
    while True:
        for _ in range(200):
            with tracer.start_as_current_span("in flight"):
                pass
        runtime.force_flush()
    """
)


def test_store_survives_a_killed_writer(tmp_path: Path) -> None:
    path = tmp_path / "telemetry.db"
    committed = 300
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(committed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OBS_SAMPLING_RATIO": "1", "OBS_SAMPLING_TAIL": ""},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "flushed", proc.stderr.read() if proc.stderr else ""
        # Wait (bounded) until the writer is busy committing later batches, then kill it mid-stream.
        for _ in range(600):
            with TelemetryStore.open(path) as store:
                if store.connection.execute("SELECT count(*) FROM spans WHERE name = 'in flight'").fetchone()[0]:
                    break
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM spans WHERE name = 'committed'").fetchone()[0] == committed
    conn.close()
    with TelemetryStore.open(path) as store:  # and obs reads it
        assert store.recent_traces(limit=1)[0].service == "doomed"
