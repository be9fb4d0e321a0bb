"""Typed rows of the coding ledger.

Facts are stored as JSON in the ledger's own vocabulary (``path``,
``lines_added``, ...), not as telemetry attribute names: the hook path writes
them without importing the semantic-convention catalogue, and the exporter
translates them to declared names in one place.

The rows are plain ``__slots__`` classes rather than dataclasses: importing
``dataclasses`` pulls in ``inspect`` (and ``ast``, ``dis``, ``tokenize``), which
cost the Claude Code hook process more than everything else it does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from typing import Any

    Facts = dict[str, Any]
else:
    Facts = dict  # the alias is for type checkers; at run time facts are plain dicts


def dumps(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def loads(text: str | None) -> Facts:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


class Row:
    """Value semantics for a ``__slots__`` class: equality and repr over its fields."""

    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable rows are not hashable, like dataclasses

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({fields})"


class SessionRow(Row):
    """One agent session (a Claude Code session id, an ingest ``session_id``)."""

    __slots__ = ("agent", "client", "cwd", "last_ns", "model", "session_id", "start_ns", "transcript_path")

    def __init__(
        self,
        session_id: str,
        start_ns: int,
        last_ns: int,
        client: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        cwd: str | None = None,
        transcript_path: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.start_ns = start_ns
        self.last_ns = last_ns
        self.client = client
        self.agent = agent
        self.model = model
        self.cwd = cwd
        self.transcript_path = transcript_path

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRow:
        return cls(**{k: row[k] for k in cls.__slots__})


class TaskRow(Row):
    """One user request and everything the agent did for it: one trace.

    ``attempts`` / ``first_attempt_passed`` / ``edits_since_check`` carry the
    verification loop between hook processes; ``outcome_span_id`` is where later
    outcome scans attach their spans.
    """

    __slots__ = (
        "agent",
        "attempts",
        "client",
        "edits",
        "edits_since_check",
        "end_ns",
        "facts",
        "first_attempt_passed",
        "last_ns",
        "model",
        "outcome_span_id",
        "parent_span_id",
        "repo",
        "session_id",
        "span_id",
        "start_ns",
        "status",
        "task_key",
        "trace_id",
        "verifications",
    )

    def __init__(
        self,
        trace_id: str,
        span_id: str,
        start_ns: int,
        last_ns: int,
        parent_span_id: str | None = None,
        session_id: str | None = None,
        task_key: str | None = None,
        client: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        repo: str | None = None,
        end_ns: int | None = None,
        status: str | None = None,
        attempts: int = 0,
        first_attempt_passed: bool | None = None,
        edits_since_check: bool = False,
        edits: int = 0,
        verifications: int = 0,
        outcome_span_id: str | None = None,
        facts: Facts | None = None,
    ) -> None:
        self.trace_id = trace_id
        self.span_id = span_id
        self.start_ns = start_ns
        self.last_ns = last_ns
        self.parent_span_id = parent_span_id
        self.session_id = session_id
        self.task_key = task_key
        self.client = client
        self.agent = agent
        self.model = model
        self.repo = repo
        self.end_ns = end_ns
        self.status = status
        self.attempts = attempts
        self.first_attempt_passed = first_attempt_passed
        self.edits_since_check = edits_since_check
        self.edits = edits
        self.verifications = verifications
        self.outcome_span_id = outcome_span_id
        self.facts: Facts = facts if facts is not None else {}

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TaskRow:
        values = {k: row[k] for k in cls.__slots__}
        passed = values["first_attempt_passed"]
        values["first_attempt_passed"] = None if passed is None else bool(passed)
        values["edits_since_check"] = bool(values["edits_since_check"])
        values["facts"] = loads(values["facts"])
        return cls(**values)


class PendingSpan(Row):
    """A span recorded with its ids and times, waiting to be exported.

    ``kind`` is one of task, tool, edit, verification, plan, speculation,
    user_outcome, outcome, edit_outcome; ``call_id`` keys a tool call across
    its Pre/Post hooks.
    """

    __slots__ = ("call_id", "end_ns", "error", "facts", "kind", "parent_span_id", "span_id", "start_ns", "trace_id")

    def __init__(
        self,
        span_id: str,
        trace_id: str,
        kind: str,
        start_ns: int,
        parent_span_id: str | None = None,
        end_ns: int | None = None,
        call_id: str | None = None,
        facts: Facts | None = None,
        error: str | None = None,
    ) -> None:
        self.span_id = span_id
        self.trace_id = trace_id
        self.kind = kind
        self.start_ns = start_ns
        self.parent_span_id = parent_span_id
        self.end_ns = end_ns
        self.call_id = call_id
        self.facts: Facts = facts if facts is not None else {}
        self.error = error

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> PendingSpan:
        values = {k: row[k] for k in cls.__slots__}
        values["facts"] = loads(values["facts"])
        return cls(**values)


class EditRow(Row):
    """One AI edit as remembered for outcome classification (``fingerprint``: line hashes, no code)."""

    __slots__ = (
        "agent",
        "base_commit",
        "edit_id",
        "edit_type",
        "fingerprint",
        "hunks",
        "language",
        "lines_added",
        "lines_removed",
        "model",
        "old_path",
        "path",
        "repo",
        "span_id",
        "time_ns",
        "trace_id",
    )

    def __init__(
        self,
        edit_id: str,
        repo: str,
        path: str,
        language: str,
        edit_type: str,
        time_ns: int,
        lines_added: int,
        lines_removed: int,
        hunks: list[str],
        fingerprint: Facts,
        trace_id: str | None = None,
        span_id: str | None = None,
        old_path: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        base_commit: str | None = None,
    ) -> None:
        self.edit_id = edit_id
        self.repo = repo
        self.path = path
        self.language = language
        self.edit_type = edit_type
        self.time_ns = time_ns
        self.lines_added = lines_added
        self.lines_removed = lines_removed
        self.hunks = hunks
        self.fingerprint = fingerprint
        self.trace_id = trace_id
        self.span_id = span_id
        self.old_path = old_path
        self.agent = agent
        self.model = model
        self.base_commit = base_commit
        """HEAD's commit when the edit was made: ``""`` before the first commit, None when unknown."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> EditRow:
        values = {k: row[k] for k in cls.__slots__}
        hunks = json.loads(values["hunks"])
        values["hunks"] = [str(h) for h in hunks] if isinstance(hunks, list) else []
        values["fingerprint"] = loads(values["fingerprint"])
        return cls(**values)


class OutcomeRow(Row):
    """The last outcome a scan computed (and emitted) for an edit."""

    __slots__ = ("commit_sha", "computed_ns", "edit_id", "kept", "outcome")

    def __init__(
        self, edit_id: str, outcome: str, commit_sha: str | None, kept: float | None, computed_ns: int
    ) -> None:
        self.edit_id = edit_id
        self.outcome = outcome
        self.commit_sha = commit_sha
        self.kept = kept
        self.computed_ns = computed_ns
