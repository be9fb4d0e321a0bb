"""The execute phase: every edit as a span, every check as a verification attempt.

Edit and check spans go under the agent's current span when that span belongs
to this task (the tool call that made the edit, as traced by obs-langgraph),
else directly under the execute phase.

Edits are recorded from the file before and after (or as a ready
:class:`~obs_coding.model.FileEdit`), so the agent's own tools stay as they
are; :meth:`ExecutePhase.write_file` does write-and-record in one call for
agents that let obs-coding touch the file. Checks either run here
(:meth:`ExecutePhase.verify`) or are reported after the agent ran them
(:meth:`ExecutePhase.record_verification`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from obs_core import internal_guard
from obs_core import semconv as sc
from opentelemetry import context, trace
from opentelemetry.context import Context

from obs_coding.ledger import EditRow
from obs_coding.model import (
    FileEdit,
    VerificationKind,
    VerificationResult,
    classify_command,
    count_failing_tests,
    edit_from_texts,
    head_commit,
    repo_relative,
)
from obs_coding.recorder import edit_facts, edit_row, verification_facts
from obs_coding.telemetry import span_shape

from ._verify import run_verification

if TYPE_CHECKING:
    from ._session import CodingSession


class ExecutePhase:
    """Handle of an open execute phase (``with session.execute() as ex``)."""

    def __init__(self, session: CodingSession, span: trace.Span) -> None:
        self._session = session
        self._span = span
        self.edits: list[EditRow] = []

    @property
    def attempts(self) -> int:
        return self._session.tracker.attempts

    @property
    def first_attempt_passed(self) -> bool | None:
        return self._session.tracker.first_attempt_passed

    def record_edit(
        self,
        path: str | os.PathLike[str],
        *,
        before: str | None = None,
        after: str | None = None,
        old_path: str | os.PathLike[str] | None = None,
        edit: FileEdit | None = None,
        model: str | None = None,
    ) -> EditRow | None:
        """Record one file edit (``before``/``after`` None = file absent); returns its ledger row."""
        row: EditRow | None = None
        with internal_guard("coding.execute.edit"):
            session = self._session
            rel = repo_relative(path, session.repo, cwd=session.repo)
            old_rel = repo_relative(old_path, session.repo, cwd=session.repo) if old_path is not None else None
            file_edit = edit or edit_from_texts(rel, before, after, old_path=old_rel)
            now = time.time_ns()
            row = edit_row(
                file_edit,
                repo=str(session.repo),
                at_ns=now,
                after_text=after,
                trace_id=session.trace_id,
                agent=session.agent,
                model=model or session.model,
                base_commit=head_commit(session.repo),
            )
            facts = edit_facts(row)
            name, attributes = span_shape("edit", facts)
            span = session.tracer.start_span(name, context=self._parent(), attributes=attributes, start_time=now)
            row.span_id = format(span.get_span_context().span_id, "016x")
            span.end(end_time=now)
            session.metrics.record("edit", facts)
            with session.lock:
                session.tracker.on_edit()
                self.edits.append(row)
                session.add_edit(row)
        return row

    def write_file(self, path: str | os.PathLike[str], content: str, *, model: str | None = None) -> EditRow | None:
        """Write ``content`` to ``path`` (relative to the repository) and record the edit."""
        target = self._absolute(path)
        before = target.read_text(encoding="utf-8") if target.exists() else None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        return self.record_edit(target, before=before, after=content, model=model)

    def delete_file(self, path: str | os.PathLike[str]) -> EditRow | None:
        """Delete ``path`` and record the deletion."""
        target = self._absolute(path)
        before = target.read_text(encoding="utf-8")
        target.unlink()
        return self.record_edit(target, before=before, after=None)

    def verify(
        self,
        command: str | Sequence[str],
        *,
        kind: VerificationKind | None = None,
        timeout_s: float | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> VerificationResult:
        """Run a test / lint / type-check command in the repository and record it as a check."""
        result = run_verification(
            command, cwd=cwd or self._session.repo, kind=kind, timeout_s=timeout_s, env=env
        )  # the user's command runs outside any guard
        self.record_verification(result)
        return result

    def record_verification(self, result: VerificationResult) -> int:
        """Record a check the agent ran itself; returns its attempt number (0 = baseline before any edit)."""
        attempt = 0
        with internal_guard("coding.execute.verification"):
            session = self._session
            with session.lock:
                attempt = session.tracker.on_check(result.passed)
                session.verifications += 1
            end = time.time_ns()
            name, attributes = span_shape("verification", verification_facts(result, attempt))
            span = session.tracer.start_span(
                name,
                context=self._parent(),
                attributes=attributes,
                start_time=end - round(result.duration_s * 1e9),
            )
            if not result.passed:
                span.set_attribute(sc.ERROR_TYPE, "verification_failed")
                span.set_status(trace.Status(trace.StatusCode.ERROR, f"exit code {result.exit_code}"))
            span.end(end_time=end)
        return attempt

    def record_command(
        self,
        command: str | Sequence[str],
        *,
        exit_code: int,
        duration_s: float,
        output: str = "",
        kind: VerificationKind | None = None,
    ) -> int:
        """Record a command the agent ran itself (its own shell tool): classified, failing tests counted."""
        text = command if isinstance(command, str) else " ".join(command)
        resolved: VerificationKind = kind or "test"
        failing: int | None = None
        with internal_guard("coding.execute.command"):  # reading the agent's command and output is obs's part
            resolved = kind or classify_command(text) or "test"
            failing = count_failing_tests(output) if resolved == "test" else None
        return self.record_verification(VerificationResult(text, resolved, exit_code, duration_s, failing, output))

    def _parent(self) -> Context:
        """The agent's current span when it is inside this task (its tool call), else the phase span."""
        current = trace.get_current_span()
        if current.get_span_context().trace_id == self._span.get_span_context().trace_id and current.is_recording():
            return context.get_current()
        return trace.set_span_in_context(self._span)

    def _absolute(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        return target if target.is_absolute() else self._session.repo / target
