"""Schema of the coding ledger (``.obs/coding.db``), obs-coding's own SQLite file.

The telemetry store holds what was exported; the ledger holds what obs-coding
must remember between processes and over weeks: hook sessions and open tasks
(each Claude Code hook is a separate process), spans recorded but not yet
exported, and every AI edit with the line fingerprints that outcome scans
compare against git. It is a separate file so obs-coding never needs a change
to the store's schema, and so the hook path can open it without importing the
store code. Versioned by ``PRAGMA user_version``; migrations only move forward.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Final

LEDGER_VERSION: Final = 2

_V1: Final = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    client TEXT,
    agent TEXT,
    model TEXT,
    cwd TEXT,
    transcript_path TEXT,
    start_ns INTEGER NOT NULL,
    last_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    trace_id TEXT PRIMARY KEY,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    session_id TEXT,
    task_key TEXT,
    client TEXT,
    agent TEXT,
    model TEXT,
    repo TEXT,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER,
    last_ns INTEGER NOT NULL,
    status TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_passed INTEGER,
    edits_since_check INTEGER NOT NULL DEFAULT 0,
    edits INTEGER NOT NULL DEFAULT 0,
    verifications INTEGER NOT NULL DEFAULT 0,
    outcome_span_id TEXT,
    facts TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS tasks_session ON tasks (session_id, end_ns);
CREATE INDEX IF NOT EXISTS tasks_key ON tasks (task_key);
CREATE TABLE IF NOT EXISTS pending_spans (
    span_id TEXT PRIMARY KEY,
    trace_id TEXT NOT NULL,
    parent_span_id TEXT,
    kind TEXT NOT NULL,
    call_id TEXT,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER,
    facts TEXT NOT NULL,
    error TEXT,
    claim TEXT,
    claim_ns INTEGER
);
CREATE INDEX IF NOT EXISTS pending_spans_call ON pending_spans (trace_id, call_id);
CREATE INDEX IF NOT EXISTS pending_spans_trace ON pending_spans (trace_id, end_ns);
CREATE TABLE IF NOT EXISTS edits (
    edit_id TEXT PRIMARY KEY,
    trace_id TEXT,
    span_id TEXT,
    repo TEXT NOT NULL,
    path TEXT NOT NULL,
    old_path TEXT,
    language TEXT NOT NULL,
    edit_type TEXT NOT NULL,
    agent TEXT,
    model TEXT,
    time_ns INTEGER NOT NULL,
    lines_added INTEGER NOT NULL,
    lines_removed INTEGER NOT NULL,
    hunks TEXT NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edits_repo ON edits (repo, time_ns);
CREATE TABLE IF NOT EXISTS edit_outcomes (
    edit_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    commit_sha TEXT,
    kept REAL,
    computed_ns INTEGER NOT NULL
);
"""

# v2: the commit HEAD pointed at when an edit was made (NULL = unknown, '' = no commit yet), so an
# outcome scan can tell commits made after the edit from those made in the same second before it.
_V2: Final = """
ALTER TABLE edits ADD COLUMN base_commit TEXT
"""

MIGRATIONS: Final[dict[int, str]] = {1: _V1, 2: _V2}
"""Script that brings a ledger from version ``n - 1`` to ``n``."""
