"""``CodingSession``: one trace per coding task, with harvest / plan / execute / outcome phases.

The session is the task's root span (``obs.coding.task``) and the current span
while it is open, so whatever the agent's framework emits (LangGraph callbacks,
MCP calls) nests under the phase that is running. Edits and task facts also go
to the coding ledger, which is what ``obs outcome scan`` later compares with
git, and what lets a decision reported by another process find the task again.

Everything obs does here runs under ``internal_guard``; the agent's own code
(the harvester, the verification command, the body of each ``with``) never
does, so an obs bug cannot fail the agent and an agent error is never hidden.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from obs_core import get_runtime, internal_guard
from obs_core import semconv as sc
from opentelemetry import context, metrics, trace

from obs_coding.ledger import EditRow, Facts, Ledger, TaskRow, default_ledger_path
from obs_coding.model import Plan, find_repo_root, format_traceparent
from obs_coding.recorder import AttemptTracker, task_facts, user_outcome_facts
from obs_coding.recorder import review_threshold as resolve_threshold
from obs_coding.telemetry import CodingMetrics, span_shape

from ._execute import ExecutePhase
from ._planning import PlanPhase

CLIENT = "sdk"
LedgerArg = Ledger | str | os.PathLike[str] | bool | None


class CodingSession:
    """Observe one coding task: ``with CodingSession("fix the retry bug", repo=".", agent="coder") as s: ...``."""

    def __init__(
        self,
        task: str,
        *,
        repo: str | os.PathLike[str] = ".",
        agent: str = "agent",
        model: str | None = None,
        harvester: Any = None,
        review_threshold: float | None = None,
        task_id: str | None = None,
        session_id: str | None = None,
        ledger: LedgerArg = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        logger_provider: object | None = None,
    ) -> None:
        """``logger_provider`` is accepted like every obs plugin's; obs-coding emits no log records."""
        root = find_repo_root(repo)
        self.repo = root if root is not None else Path(repo).resolve()
        self.task = task
        self.agent = agent
        self.model = model
        self.harvester = harvester
        self.threshold = resolve_threshold(review_threshold)
        self.task_id = task_id
        self.session_id = session_id
        self.tracer: trace.Tracer = trace.NoOpTracer()
        self.metrics = CodingMetrics(metrics.NoOpMeterProvider())
        with internal_guard("coding.session.init"):  # a broken provider of the app's must not stop the agent
            self.tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.coding")
            self.metrics = CodingMetrics(meter_provider)
        self.tracker = AttemptTracker()
        self.lock = threading.RLock()
        """Serialises edit/check bookkeeping: agents (LangGraph's ToolNode) run tool calls on threads."""
        self.verifications = 0
        self.review_required = False
        self._ledger_arg = ledger
        self._ledger: Ledger | None = None
        self._root: trace.Span = trace.INVALID_SPAN
        self._token: object | None = None
        self._start_ns = 0
        self._status = "completed"
        self._regenerations = 0
        self._edit_ids: list[str] = []

    # --- identity ---------------------------------------------------------------------------
    @property
    def trace_id(self) -> str:
        return format(self._root.get_span_context().trace_id, "032x")

    @property
    def span_id(self) -> str:
        return format(self._root.get_span_context().span_id, "016x")

    @property
    def traceparent(self) -> str:
        """Hand this to the client: its later decisions (``record_user_outcome``) attach to this task."""
        return format_traceparent(self.trace_id, self.span_id)

    @property
    def ledger(self) -> Ledger | None:
        return self._ledger

    # --- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> CodingSession:
        with internal_guard("coding.session.start"):
            self._start_ns = time.time_ns()
            facts: Facts = {
                "client": CLIENT,
                "agent": self.agent,
                "repo": str(self.repo),
                "prompt_chars": len(self.task),
            }
            for key, value in (("model", self.model), ("task_key", self.task_id), ("session_id", self.session_id)):
                if value is not None:
                    facts[key] = value
            name, attributes = span_shape("task", facts)
            self._root = self.tracer.start_span(name, attributes=attributes, start_time=self._start_ns)
            self._token = context.attach(trace.set_span_in_context(self._root))
            self._ledger = _open_ledger(self._ledger_arg)
            if self._ledger is not None:
                with self._ledger.transaction():
                    self._ledger.insert_task(self._task_row())
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None:
            self._status = "error"
        with internal_guard("coding.session.end"):
            end = time.time_ns()
            row = self._task_row(end_ns=end)
            facts = task_facts(row)
            _, attributes = span_shape("task", facts)
            self._root.set_attributes(attributes)
            if exc is not None:
                self._root.record_exception(exc)
                self._root.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
                self._root.set_attribute(sc.ERROR_TYPE, type(exc).__qualname__)
            self.metrics.record("task", facts)
            if self._ledger is not None:
                self._ledger.update_task(
                    self.trace_id,
                    end_ns=end,
                    last_ns=end,
                    status=self._status,
                    attempts=row.attempts,
                    first_attempt_passed=row.first_attempt_passed,
                    edits=row.edits,
                    verifications=row.verifications,
                    model=self.model,
                )
        with internal_guard("coding.session.close"):
            if self._token is not None:
                context.detach(self._token)  # type: ignore[arg-type]
                self._token = None
            self._root.end()
            if self._ledger is not None and not isinstance(self._ledger_arg, Ledger):
                self._ledger.close()

    # --- phases -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def phase(self, name: str, facts: Mapping[str, Any] | None = None) -> Iterator[trace.Span]:
        """A phase span (harvest, plan, execute, outcome), current for the body of the ``with``."""
        span: trace.Span = trace.INVALID_SPAN
        token = None
        with internal_guard("coding.session.phase"):
            span_name, attributes = span_shape(name, facts or {})
            span = self.tracer.start_span(
                span_name, context=trace.set_span_in_context(self._root), attributes=attributes
            )
            token = context.attach(trace.set_span_in_context(span))
        try:
            yield span
        except BaseException as exc:
            with internal_guard("coding.session.phase_error"):
                span.record_exception(exc)
                span.set_status(trace.Status(trace.StatusCode.ERROR, type(exc).__name__))
                span.set_attribute(sc.ERROR_TYPE, type(exc).__qualname__)
            raise
        finally:
            with internal_guard("coding.session.phase_end"):
                if token is not None:
                    context.detach(token)
                span.end()

    def harvest(self, *args: Any, harvester: Any = None, **kwargs: Any) -> Any:
        """Run the harvest phase: a callable harvester is called, else its ``harvest`` method (else no-op)."""
        target = harvester if harvester is not None else self.harvester
        call: Callable[..., Any] | None = (
            target if callable(target) else getattr(target, "harvest", None) if target is not None else None
        )
        with self.phase("harvest"):
            return call(*args, **kwargs) if call is not None else None

    def plan(self, plan: Plan | Mapping[str, Any] | str) -> bool:
        """Record a plan made elsewhere as the plan phase; returns whether it asks for human review."""
        with self.planning() as phase:
            return phase.record(plan)

    @contextlib.contextmanager
    def planning(self) -> Iterator[PlanPhase]:
        """The plan phase around the agent's planning call: ``with s.planning() as p: p.record(model_reply)``."""
        with self.phase("plan") as span:
            yield PlanPhase(self, span)

    @contextlib.contextmanager
    def execute(self) -> Iterator[ExecutePhase]:
        """The execute phase: ``with s.execute() as ex: ex.write_file(...); ex.verify("pytest -q")``."""
        with self.phase("execute") as span:
            handle = ExecutePhase(self, span)
            try:
                yield handle
            finally:
                with internal_guard("coding.session.execute_end"):
                    row = self._task_row()
                    _, attributes = span_shape("execute", task_facts(row))
                    span.set_attributes(attributes)

    def outcome(self, *, now_s: int | None = None, window_s: int | None = None) -> Any:
        """The outcome phase: classify this task's edits against git now; later scans add to it.

        Returns the :class:`~obs_coding.outcome.ScanReport` (None without a ledger or edits).
        """
        report = None
        with self.phase("outcome") as span, internal_guard("coding.session.outcome"):
            if self._ledger is None or not self._edit_ids:
                return None
            # Imported here, under the guard: git is only needed once a task has edits to judge.
            from obs_coding.outcome import DEFAULT_WINDOW_S, outcome_facts, scan_repository

            report = scan_repository(
                self.repo,
                self._ledger,
                edit_ids=self._edit_ids,
                now_s=now_s,
                window_s=window_s if window_s is not None else DEFAULT_WINDOW_S,
            )
            counts = report.counts()
            _, attributes = span_shape("outcome", counts)
            span.set_attributes(attributes)
            for result in report.changed:  # like `obs outcome scan`: a span and a count when the class changes
                facts = outcome_facts(report, result)
                name, child_attributes = span_shape("edit_outcome", facts)
                self.tracer.start_span(name, context=trace.set_span_in_context(span), attributes=child_attributes).end()
                self.metrics.record("edit_outcome", facts)
            self._ledger.update_task(self.trace_id, outcome_span_id=format(span.get_span_context().span_id, "016x"))
        return report

    def record_user_outcome(self, outcome: str, *, at_ns: int | None = None) -> Facts:
        """The user's decision on this task's result; ``accepted`` yields the time to good output.

        Returns the recorded facts (empty when obs could not record, e.g. an unknown ``outcome``:
        counted on ``obs.internal.errors``, raised under the test suite).
        """
        at = time.time_ns() if at_ns is None else at_ns
        facts: Facts = {}
        with internal_guard("coding.session.user_outcome"):
            regenerations = self._regenerations + (outcome == "regenerated")
            facts = user_outcome_facts(outcome, start_ns=self._start_ns, at_ns=at, regenerations=regenerations)
            self._regenerations = regenerations
            name, attributes = span_shape("user_outcome", facts)
            self.tracer.start_span(
                name, context=trace.set_span_in_context(self._root), attributes=attributes, start_time=at
            ).end(end_time=at)
            self.metrics.record("user_outcome", facts)
            if self._ledger is not None and outcome == "regenerated":
                self._ledger.update_task(self.trace_id, facts={"regenerations": self._regenerations})
        return facts

    # --- bookkeeping used by ExecutePhase ----------------------------------------------------
    def add_edit(self, row: EditRow) -> None:
        with self.lock:
            self._edit_ids.append(row.edit_id)
            if self._ledger is not None:
                self._ledger.add_edit(row)

    def _task_row(self, *, end_ns: int | None = None) -> TaskRow:
        return TaskRow(
            trace_id=self.trace_id,
            span_id=self.span_id,
            start_ns=self._start_ns,
            last_ns=end_ns or self._start_ns,
            session_id=self.session_id,
            task_key=self.task_id,
            client=CLIENT,
            agent=self.agent,
            model=self.model,
            repo=str(self.repo),
            end_ns=end_ns,
            status=self._status if end_ns is not None else None,
            attempts=self.tracker.attempts,
            first_attempt_passed=self.tracker.first_attempt_passed,
            edits=self.tracker.edits,
            verifications=self.verifications,
            facts={
                "prompt_chars": len(self.task),
                **({"regenerations": self._regenerations} if self._regenerations else {}),
            },
        )


def _open_ledger(arg: LedgerArg) -> Ledger | None:
    """The ledger to write: given, at a path, off (False), or next to the configured store."""
    if arg is False:
        return None
    if isinstance(arg, Ledger):
        return arg
    if arg is not None and arg is not True:
        return Ledger(Path(arg))
    runtime = get_runtime()
    if not os.environ.get("OBS_CODING_DB") and runtime is not None and runtime.store_path is not None:
        return Ledger(runtime.store_path.parent / "coding.db")
    return Ledger(default_ledger_path())
