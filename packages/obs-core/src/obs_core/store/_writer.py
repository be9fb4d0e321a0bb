"""The single writer of a store file, shared by the span, log and metric exporters.

Exporters run on background threads (batch processors and the periodic metric
reader); a lock serialises them on one connection, and each ``write_*`` call
is one transaction. Other processes may write the same file (an app, the
coding exporters, ``obs ingest``): transactions take the write lock up front
(``BEGIN IMMEDIATE``), so they wait their turn under the busy timeout instead of
failing on a lock upgrade.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._db import connect

Row = tuple[Any, ...]


def to_json(value: Mapping[str, Any] | Sequence[Any] | None) -> str:
    """Encode attributes for a JSON column; tuples become lists, bytes hex, unknown objects strings.

    The column must stay valid JSON for SQLite's ``json_extract``: one ``NaN``
    would make every report query over the table fail, so non-finite floats are
    written as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.
    Attributes are plain dicts of primitives and tuples almost always; they take
    the encoder's fast path, and only the rest is walked in Python.
    """
    if value is None:
        return "{}"
    try:
        return _encode(value)
    except (TypeError, ValueError):  # NaN, a non-string key, a cycle
        return json.dumps(_plain(value), separators=(",", ":"), default=str)


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return _plain(value)
    return str(value)


_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_default).encode


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


class StoreWriter:
    """Owns the write connection of one store file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = connect(path, create=True)
        self._lock = threading.Lock()

    def write_spans(self, spans: Iterable[Row], events: Iterable[Row], prompts: Iterable[Row]) -> None:
        with self._lock:
            conn = self._require()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns,"
                    " status_code, status_message, service_name, scope, attributes, resource, links)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    spans,
                )
                conn.executemany(
                    "INSERT INTO span_events (trace_id, span_id, name, time_ns, attributes) VALUES (?,?,?,?,?)", events
                )
                conn.executemany(
                    "INSERT INTO prompts (hash, first_seen_ns, last_seen_ns, call_count, name, version)"
                    " VALUES (?1, ?2, ?2, 1, ?3, ?4) ON CONFLICT(hash) DO UPDATE SET"
                    " last_seen_ns = max(last_seen_ns, excluded.last_seen_ns),"
                    " first_seen_ns = min(first_seen_ns, excluded.first_seen_ns),"
                    " call_count = call_count + 1,"
                    " name = coalesce(excluded.name, name), version = coalesce(excluded.version, version)",
                    prompts,
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def write_logs(self, rows: Iterable[Row]) -> None:
        self._write_many(
            "INSERT INTO logs (time_ns, trace_id, span_id, severity_number, severity_text, event_name, body,"
            " attributes, scope, service_name) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows,
        )

    def write_metric_points(self, rows: Iterable[Row]) -> None:
        self._write_many(
            "INSERT INTO metric_points (time_ns, name, unit, kind, attributes, value, count, sum, bucket_bounds,"
            " bucket_counts, scope, start_ns, service_name, resource) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )

    def _write_many(self, sql: str, rows: Iterable[Row]) -> None:
        with self._lock:
            conn = self._require()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(sql, rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"the obs store writer for {self.path} was closed; call obs_core.configure() again")
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
