"""The coding ledger: one SQLite connection, short transactions, many processes.

Claude Code may run several hooks at once (parallel tool calls), an exporter may
be flushing in the background, and ``obs outcome scan`` may run meanwhile. WAL
mode plus ``BEGIN IMMEDIATE`` write transactions and a busy timeout let them
take turns without ever failing each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from ._rows import EditRow, Facts, OutcomeRow, PendingSpan, SessionRow, TaskRow, dumps
from ._schema import LEDGER_VERSION, MIGRATIONS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any

LEDGER_FILE = "coding.db"
_MOVE_ASIDE = "move it aside (obs starts a new one) or point --ledger / OBS_CODING_DB elsewhere"
_TASK_COLUMNS = frozenset(
    {
        "span_id",
        "parent_span_id",
        "session_id",
        "task_key",
        "client",
        "agent",
        "model",
        "repo",
        "end_ns",
        "last_ns",
        "status",
        "attempts",
        "first_attempt_passed",
        "edits_since_check",
        "edits",
        "verifications",
        "outcome_span_id",
    }
)


def default_ledger_path(base_dir: str | os.PathLike[str] | None = None) -> Path:
    """``OBS_CODING_DB``, else ``coding.db`` next to ``OBS_STORE``, else ``<base_dir or cwd>/.obs/coding.db``."""
    explicit = os.environ.get("OBS_CODING_DB")
    if explicit:
        return Path(explicit)
    store = os.environ.get("OBS_STORE")
    if store:
        return Path(store).parent / LEDGER_FILE
    return Path(base_dir if base_dir is not None else Path.cwd()) / ".obs" / LEDGER_FILE


class LedgerError(Exception):
    """The ledger file cannot be used (newer schema, not a ledger)."""


class Ledger:
    """Typed access to ``coding.db``; every method is one short transaction."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Open (creating or migrating) the ledger; :class:`LedgerError` when the file is not one."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None, check_same_thread=False)
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA busy_timeout = 10000")
            # WAL + NORMAL: no fsync per commit (a hook commits on every tool call); a crash of the machine may
            # lose the last few records, never corrupt the file.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # One statement, one snapshot: another process may be creating the schema right now.
            version, objects = self._conn.execute(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
            ).fetchone()
            foreign = version == 0 and objects > 0
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise LedgerError(f"{self.path} is not a readable coding ledger ({exc}); {_MOVE_ASIDE}") from exc
        if foreign:
            # Migrating would add obs's tables to another application's database.
            self._conn.close()
            raise LedgerError(f"{self.path} is an SQLite file of something else, not a coding ledger; {_MOVE_ASIDE}")
        if version > LEDGER_VERSION:
            self._conn.close()
            raise LedgerError(
                f"{self.path} has ledger version {version}, newer than this obs-coding ({LEDGER_VERSION}):"
                " upgrade obs-coding, or point --ledger / OBS_CODING_DB elsewhere"
            )
        if version < LEDGER_VERSION:
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        self._conn.execute("PRAGMA journal_mode=WAL")
        with self.transaction():
            current = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            for target in range(current + 1, LEDGER_VERSION + 1):
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {target}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front, so concurrent hooks queue instead of deadlocking."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException:
            # Also when COMMIT itself failed: a transaction left open would refuse every later BEGIN.
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions -------------------------------------------------------------------------
    def upsert_session(self, row: SessionRow) -> None:
        self._conn.execute(
            "INSERT INTO sessions (session_id, client, agent, model, cwd, transcript_path, start_ns, last_ns)"
            " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(session_id) DO UPDATE SET"
            " client = coalesce(excluded.client, client), agent = coalesce(excluded.agent, agent),"
            " model = coalesce(excluded.model, model), cwd = coalesce(excluded.cwd, cwd),"
            " transcript_path = coalesce(excluded.transcript_path, transcript_path),"
            " last_ns = max(last_ns, excluded.last_ns)",
            (row.session_id, row.client, row.agent, row.model, row.cwd, row.transcript_path, row.start_ns, row.last_ns),
        )

    def session(self, session_id: str) -> SessionRow | None:
        row = self._conn.execute("SELECT * FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
        return None if row is None else SessionRow.from_row(row)

    # --- tasks ----------------------------------------------------------------------------
    def insert_task(self, task: TaskRow) -> None:
        self._conn.execute(
            "INSERT INTO tasks (trace_id, span_id, parent_span_id, session_id, task_key, client, agent, model, repo,"
            " start_ns, end_ns, last_ns, status, facts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                task.trace_id,
                task.span_id,
                task.parent_span_id,
                task.session_id,
                task.task_key,
                task.client,
                task.agent,
                task.model,
                task.repo,
                task.start_ns,
                task.end_ns,
                task.last_ns,
                task.status,
                dumps(task.facts),
            ),
        )

    def task(self, trace_id: str) -> TaskRow | None:
        row = self._conn.execute("SELECT * FROM tasks WHERE trace_id = ?", (trace_id,)).fetchone()
        return None if row is None else TaskRow.from_row(row)

    def open_task(self, session_id: str) -> TaskRow | None:
        """The session's task that has no end yet (the latest, should there be several)."""
        row = self._conn.execute(
            "SELECT * FROM tasks WHERE session_id = ? AND end_ns IS NULL ORDER BY start_ns DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        return None if row is None else TaskRow.from_row(row)

    def task_by_key(self, task_key: str) -> TaskRow | None:
        row = self._conn.execute(
            "SELECT * FROM tasks WHERE task_key = ? ORDER BY start_ns DESC LIMIT 1", (task_key,)
        ).fetchone()
        return None if row is None else TaskRow.from_row(row)

    def update_task(self, trace_id: str, *, facts: Mapping[str, Any] | None = None, **fields: Any) -> None:
        unknown = set(fields) - _TASK_COLUMNS
        if unknown:
            raise ValueError(f"not task columns: {sorted(unknown)}")
        assignments = [f"{name} = ?" for name in fields]
        values: list[Any] = [int(v) if isinstance(v, bool) else v for v in fields.values()]
        if facts:
            assignments.append("facts = json_patch(facts, ?)")
            values.append(dumps(facts))
        if not assignments:
            return
        self._conn.execute(f"UPDATE tasks SET {', '.join(assignments)} WHERE trace_id = ?", (*values, trace_id))

    def tasks(self, trace_ids: list[str]) -> dict[str, TaskRow]:
        if not trace_ids:
            return {}
        marks = ",".join("?" * len(trace_ids))
        rows = self._conn.execute(f"SELECT * FROM tasks WHERE trace_id IN ({marks})", trace_ids).fetchall()
        return {r["trace_id"]: TaskRow.from_row(r) for r in rows}

    # --- pending spans --------------------------------------------------------------------
    def add_span(self, span: PendingSpan) -> None:
        self._conn.execute(
            "INSERT INTO pending_spans (span_id, trace_id, parent_span_id, kind, call_id, start_ns, end_ns, facts,"
            " error) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                span.span_id,
                span.trace_id,
                span.parent_span_id,
                span.kind,
                span.call_id,
                span.start_ns,
                span.end_ns,
                dumps(span.facts),
                span.error,
            ),
        )

    def span_for_call(self, trace_id: str, call_id: str) -> PendingSpan | None:
        row = self._conn.execute(
            "SELECT * FROM pending_spans WHERE trace_id = ? AND call_id = ? AND kind = 'tool'", (trace_id, call_id)
        ).fetchone()
        return None if row is None else PendingSpan.from_row(row)

    def finish_span(self, span_id: str, end_ns: int, *, facts: Facts | None = None, error: str | None = None) -> None:
        self._conn.execute(
            "UPDATE pending_spans SET end_ns = ?, facts = json_patch(facts, ?), error = coalesce(?, error)"
            " WHERE span_id = ?",
            (end_ns, dumps(facts or {}), error, span_id),
        )

    def open_spans(self, trace_id: str) -> list[PendingSpan]:
        rows = self._conn.execute(
            "SELECT * FROM pending_spans WHERE trace_id = ? AND end_ns IS NULL AND kind != 'task'", (trace_id,)
        ).fetchall()
        return [PendingSpan.from_row(r) for r in rows]

    def claim_finished(
        self,
        token: str,
        now_ns: int,
        *,
        kinds: Collection[str] | None = None,
        stale_after_ns: int = 300_000_000_000,
    ) -> list[PendingSpan]:
        """Take every finished, unclaimed span (or one whose claimer died) for export by ``token``.

        ``kinds`` limits the claim (``obs outcome scan`` exports only the outcome spans it made).
        """
        only = ""
        args: list[Any] = [token, now_ns, now_ns - stale_after_ns]
        if kinds is not None:
            only = f" AND kind IN ({','.join('?' * len(kinds))})"
            args.extend(kinds)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE pending_spans SET claim = ?, claim_ns = ? WHERE end_ns IS NOT NULL"
                f" AND (claim IS NULL OR claim_ns < ?){only}",
                args,
            )
            rows = conn.execute("SELECT * FROM pending_spans WHERE claim = ? ORDER BY start_ns", (token,)).fetchall()
        return [PendingSpan.from_row(r) for r in rows]

    def delete_claimed(self, token: str) -> None:
        self._conn.execute("DELETE FROM pending_spans WHERE claim = ?", (token,))

    def release_claim(self, token: str) -> None:
        self._conn.execute("UPDATE pending_spans SET claim = NULL, claim_ns = NULL WHERE claim = ?", (token,))

    def pending_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM pending_spans").fetchone()[0])

    # --- edits and outcomes ---------------------------------------------------------------
    def add_edit(self, edit: EditRow) -> None:
        self._conn.execute(
            "INSERT INTO edits (edit_id, trace_id, span_id, repo, path, old_path, language, edit_type, agent, model,"
            " time_ns, lines_added, lines_removed, hunks, fingerprint, base_commit)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                edit.edit_id,
                edit.trace_id,
                edit.span_id,
                edit.repo,
                edit.path,
                edit.old_path,
                edit.language,
                edit.edit_type,
                edit.agent,
                edit.model,
                edit.time_ns,
                edit.lines_added,
                edit.lines_removed,
                json.dumps(edit.hunks),
                dumps(edit.fingerprint),
                edit.base_commit,
            ),
        )

    def edits(self, *, repo: str | None = None, since_ns: int | None = None) -> list[EditRow]:
        """Edits in time order, with the task's model and agent filled in where the edit had none."""
        sql = (
            "SELECT e.edit_id, e.trace_id, e.span_id, e.repo, e.path, e.old_path, e.language, e.edit_type,"
            " coalesce(e.agent, t.agent) AS agent, coalesce(e.model, t.model) AS model, e.time_ns,"
            " e.lines_added, e.lines_removed, e.hunks, e.fingerprint, e.base_commit"
            " FROM edits e LEFT JOIN tasks t ON t.trace_id = e.trace_id WHERE 1 = 1"
        )
        args: list[Any] = []
        if repo is not None:
            sql += " AND e.repo = ?"
            args.append(repo)
        if since_ns is not None:
            sql += " AND e.time_ns >= ?"
            args.append(since_ns)
        rows = self._conn.execute(sql + " ORDER BY e.time_ns, e.rowid", args).fetchall()
        return [EditRow.from_row(r) for r in rows]

    def repos(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT DISTINCT repo FROM edits ORDER BY repo")]

    def outcomes(self) -> dict[str, OutcomeRow]:
        rows = self._conn.execute("SELECT * FROM edit_outcomes").fetchall()
        return {
            r["edit_id"]: OutcomeRow(r["edit_id"], r["outcome"], r["commit_sha"], r["kept"], r["computed_ns"])
            for r in rows
        }

    def set_outcome(self, row: OutcomeRow) -> None:
        self._conn.execute(
            "INSERT INTO edit_outcomes (edit_id, outcome, commit_sha, kept, computed_ns) VALUES (?,?,?,?,?)"
            " ON CONFLICT(edit_id) DO UPDATE SET outcome = excluded.outcome, commit_sha = excluded.commit_sha,"
            " kept = excluded.kept, computed_ns = excluded.computed_ns",
            (row.edit_id, row.outcome, row.commit_sha, row.kept, row.computed_ns),
        )
