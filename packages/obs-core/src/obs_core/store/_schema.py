"""Schema of the embedded store and its forward migrations.

The store is a plain SQLite file so that anyone can open it with the sqlite3
shell. Its version lives in ``PRAGMA user_version``; every migration moves one
version forward inside a transaction, so a crash mid-upgrade leaves the old
version intact. Readers accept every version from ``READABLE_FROM_VERSION``
on, so a migration that only adds indexes does not lock the CLI out of stores
written by an older obs that nobody has reopened for writing yet.
"""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 2
READABLE_FROM_VERSION: Final = 1
"""Oldest version the read-only queries still work on (bump when a migration changes columns)."""

REQUIRED_TABLES: Final = frozenset({"spans", "span_events", "logs", "metric_points", "prompts"})
"""Tables every schema version since 1 has: a file without them is not an obs store."""

# Migration scripts are split on ';' (no transaction-committing executescript),
# so they must not contain ';' inside string literals.
_V1: Final = """
CREATE TABLE IF NOT EXISTS spans (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    status_code TEXT NOT NULL,
    status_message TEXT,
    service_name TEXT,
    scope TEXT,
    attributes TEXT NOT NULL,
    resource TEXT NOT NULL,
    links TEXT NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_start ON spans (start_ns);
CREATE INDEX IF NOT EXISTS spans_parent ON spans (trace_id, parent_span_id);
CREATE TABLE IF NOT EXISTS span_events (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    name TEXT NOT NULL,
    time_ns INTEGER NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS span_events_span ON span_events (trace_id, span_id);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY,
    time_ns INTEGER NOT NULL,
    trace_id TEXT,
    span_id TEXT,
    severity_number INTEGER,
    severity_text TEXT,
    event_name TEXT,
    body TEXT,
    attributes TEXT NOT NULL,
    scope TEXT,
    service_name TEXT
);
CREATE INDEX IF NOT EXISTS logs_trace ON logs (trace_id);
CREATE TABLE IF NOT EXISTS metric_points (
    id INTEGER PRIMARY KEY,
    time_ns INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT,
    kind TEXT NOT NULL,
    attributes TEXT NOT NULL,
    value REAL,
    count INTEGER,
    sum REAL,
    bucket_bounds TEXT,
    bucket_counts TEXT,
    scope TEXT
);
CREATE INDEX IF NOT EXISTS metric_points_name ON metric_points (name, time_ns);
CREATE TABLE IF NOT EXISTS prompts (
    hash TEXT PRIMARY KEY,
    first_seen_ns INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    call_count INTEGER NOT NULL,
    name TEXT,
    version TEXT
);
"""

# v2: a metric point's series start and resource. Points are cumulative, one row per collection;
# many processes (an app, every coding exporter) write one file, and only the start time and the
# resource (service.instance.id) tell which rows belong to one series, so totals can be summed
# across processes instead of mistaking one process's counter for another's reset.
_V2: Final = """
ALTER TABLE metric_points ADD COLUMN start_ns INTEGER;
ALTER TABLE metric_points ADD COLUMN service_name TEXT;
ALTER TABLE metric_points ADD COLUMN resource TEXT
"""

MIGRATIONS: Final[dict[int, str]] = {1: _V1, 2: _V2}
"""Script that brings a store from version ``n - 1`` to ``n``."""
