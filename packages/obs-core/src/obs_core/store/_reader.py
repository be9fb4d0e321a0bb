"""``TelemetryStore``: the read side of the embedded store, used by the CLI.

It opens the file read-only (``mode=ro``), so reading never changes the
store, works while an application is writing (WAL), and refuses anything that
is not an obs store of a readable version with an error that says what to do.
SQLite errors met later (a file damaged past its header) surface as
:class:`StoreCorruptError` too, never as a raw traceback.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from importlib.metadata import EntryPoint
from pathlib import Path
from types import TracebackType

from ._db import connect
from ._errors import StoreCorruptError, StoreError
from ._models import TraceDetail, TraceSummary
from ._paths import default_store_path
from ._q_prompts import prompt_versions
from ._q_report import call_totals, context_fill, finish_reasons
from ._q_traces import recent_traces, resolve_trace_id, trace_detail
from ._report_models import CONTEXT_ALERT_FILL, ContextFill, FinishReasons, ModelStats, PromptVersion, Report, StageCost
from ._sections import run_sections


class TelemetryStore:
    """A read-only view of one store file."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> TelemetryStore:
        """Open ``path`` (default: ``OBS_STORE`` or ``.obs/telemetry.db``) read-only.

        Raises :class:`StoreNotFoundError`, :class:`StoreCorruptError`,
        :class:`StoreTooNewError` or :class:`StoreNeedsMigrationError`.
        """
        resolved = Path(path) if path is not None else default_store_path()
        return cls(connect(resolved, create=False, read_only=True), resolved)

    @property
    def connection(self) -> sqlite3.Connection:
        """The read-only connection (what ``obs.report`` sections receive)."""
        return self._conn

    @property
    def schema_version(self) -> int:
        with self._reading():
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def recent_traces(self, limit: int = 20) -> list[TraceSummary]:
        """The most recently started traces, newest first."""
        with self._reading():
            return recent_traces(self._conn, limit)

    def resolve_trace_id(self, trace_id_or_prefix: str) -> str:
        """Full id for an id or unique prefix; raises on malformed, unknown or ambiguous input."""
        with self._reading():
            return resolve_trace_id(self._conn, trace_id_or_prefix, self.path)

    def trace(self, trace_id_or_prefix: str) -> TraceDetail:
        """One trace's span tree with events (accepts a unique id prefix)."""
        with self._reading():
            return trace_detail(self._conn, resolve_trace_id(self._conn, trace_id_or_prefix, self.path))

    def model_stats(self) -> list[ModelStats]:
        """Per-model calls, tokens, cost and p50/p95/p99 latency, most expensive first."""
        with self._reading():
            return list(call_totals(self._conn).models)

    def stage_costs(self) -> list[StageCost]:
        """Spend per ``obs.pipeline.stage``, most expensive first, unstaged calls last."""
        with self._reading():
            return list(call_totals(self._conn).stages)

    def finish_reasons(self) -> FinishReasons:
        """Finish-reason shares and the truncation (max_tokens/length) share."""
        with self._reading():
            return finish_reasons(self._conn)

    def context_fill(self, threshold: float = CONTEXT_ALERT_FILL) -> ContextFill:
        """Fill-ratio distribution and the sessions whose fill exceeded ``threshold``."""
        with self._reading():
            return context_fill(self._conn, threshold)

    def prompt_versions(self) -> list[PromptVersion]:
        """Prompt versions with their outcomes, grouped by name, oldest first."""
        with self._reading():
            return prompt_versions(self._conn)

    def report(self, *, sections: Sequence[EntryPoint] | None = None) -> Report:
        """Everything ``obs report`` shows; ``sections`` overrides the ``obs.report`` entry points."""
        with self._reading():
            totals = call_totals(self._conn)
            reasons = finish_reasons(self._conn)
            fill = context_fill(self._conn, CONTEXT_ALERT_FILL)
        named, errors = run_sections(self._conn, sections)
        return Report(
            model_calls=totals.model_calls,
            unpriced_calls=totals.unpriced_calls,
            total_cost_usd=totals.total_cost_usd,
            models=totals.models,
            stages=totals.stages,
            finish_reasons=reasons,
            context=fill,
            sections=tuple(named),
            section_errors=tuple(errors),
        )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> TelemetryStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreCorruptError(self.path, str(exc)) from exc
