"""Recording a coding task across processes: spans with ids and times, exported later.

Every Claude Code hook is a new process and an ingest stream may arrive in
pieces, so nothing here holds a live span. A task's trace and span ids are
chosen when it opens and kept in the ledger; each tool call, edit and check is
written as a pending span with its own ids, parent and timestamps; the exporter
turns finished rows into real spans later (normally when the task ends). Open
tool calls are found again by their ``tool_use_id``.

Standard library only: this is the hook's hot path.
"""

from __future__ import annotations

import os
from pathlib import Path

from obs_coding import model as domain
from obs_coding.ledger import EditRow, Facts, Ledger, PendingSpan, SessionRow, TaskRow

from ._attempts import AttemptTracker
from ._facts import (
    USER_OUTCOMES,
    edit_facts,
    edit_row,
    plan_facts,
    task_facts,
    user_outcome_facts,
    verification_facts,
)
from ._facts import review_threshold as review_threshold_default

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from obs_coding.model import FileEdit, Plan, VerificationResult


class Recorder:
    """Writes a task's spans, edits and loop state to the ledger, one short transaction per event."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        client: str,
        agent: str | None = None,
        review_threshold: float | None = None,
    ) -> None:
        self.ledger = ledger
        self.client = client
        self.agent = agent
        self.threshold = review_threshold_default(review_threshold)

    # --- sessions and tasks ---------------------------------------------------------------
    def session_start(
        self,
        session_id: str,
        *,
        at_ns: int,
        cwd: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        transcript_path: str | None = None,
    ) -> None:
        row = SessionRow(session_id, at_ns, at_ns, self.client, agent or self.agent, model, cwd, transcript_path)
        with self.ledger.transaction():
            self.ledger.upsert_session(row)

    def start_task(
        self,
        *,
        at_ns: int,
        session_id: str | None = None,
        task_key: str | None = None,
        repo: str | None = None,
        agent: str | None = None,
        model: str | None = None,
        traceparent: str | None = None,
        facts: Facts | None = None,
    ) -> TaskRow:
        """Open a task (one trace); a task still open in the same session ends as interrupted."""
        with self.ledger.transaction():
            if session_id is not None:
                previous = self.ledger.open_task(session_id)
                if previous is not None:
                    self._end(previous, previous.last_ns, "interrupted", None)
            return self._insert_task(at_ns, session_id, task_key, repo, agent, model, traceparent, facts)

    def open_or_start_task(
        self, session_id: str, *, at_ns: int, repo: str | None = None, agent: str | None = None, facts: Facts
    ) -> TaskRow:
        """The session's open task, else a new one (tool calls with no prompt seen, e.g. hooks installed mid-session).

        Looking and opening happen in one transaction: parallel tool calls of one
        session run their hooks at once, and each must find the same task rather
        than open its own and interrupt the others'.
        """
        with self.ledger.transaction():
            task = self.ledger.open_task(session_id)
            if task is not None:
                return task
            return self._insert_task(at_ns, session_id, None, repo, agent, None, None, facts)

    def _insert_task(
        self,
        at_ns: int,
        session_id: str | None,
        task_key: str | None,
        repo: str | None,
        agent: str | None,
        model: str | None,
        traceparent: str | None,
        facts: Facts | None,
    ) -> TaskRow:
        session = self.ledger.session(session_id) if session_id is not None else None
        parent = domain.parse_traceparent(traceparent)
        if parent is not None and self.ledger.task(parent[0]) is not None:
            parent = None  # one task per trace: a reused traceparent starts a trace of its own
        task = TaskRow(
            trace_id=parent[0] if parent else domain.new_trace_id(),
            span_id=domain.new_span_id(),
            start_ns=at_ns,
            last_ns=at_ns,
            parent_span_id=parent[1] if parent else None,
            session_id=session_id,
            task_key=task_key,
            client=self.client,
            agent=agent or (session.agent if session else None) or self.agent,
            model=model or (session.model if session else None),
            repo=repo,
            facts=dict(facts or {}),
        )
        self.ledger.insert_task(task)
        self.ledger.add_span(
            PendingSpan(task.span_id, task.trace_id, "task", at_ns, parent_span_id=task.parent_span_id)
        )
        return task

    def current_task(self, *, session_id: str | None = None, task_key: str | None = None) -> TaskRow | None:
        if task_key is not None:
            return self.ledger.task_by_key(task_key)
        if session_id is not None:
            return self.ledger.open_task(session_id)
        return None

    def end_task(self, task: TaskRow, *, at_ns: int, status: str = "completed", model: str | None = None) -> None:
        """Close the task span (and any tool call that never reported back) at ``at_ns``."""
        with self.ledger.transaction():
            fresh = self.ledger.task(task.trace_id)
            if fresh is not None and fresh.end_ns is None:
                self._end(fresh, at_ns, status, model)

    def _end(self, task: TaskRow, at_ns: int, status: str, model: str | None) -> None:
        for span in self.ledger.open_spans(task.trace_id):
            self.ledger.finish_span(span.span_id, max(at_ns, span.start_ns), error="no_result")
        task.end_ns = at_ns
        task.status = status
        task.model = model or task.model
        self.ledger.update_task(task.trace_id, end_ns=at_ns, status=status, model=task.model, last_ns=at_ns)
        self.ledger.finish_span(task.span_id, at_ns, facts=task_facts(task))

    # --- tool calls -----------------------------------------------------------------------
    def tool_start(self, task: TaskRow, *, call_id: str, tool_name: str, at_ns: int, facts: Facts) -> str:
        with self.ledger.transaction():
            existing = self.ledger.span_for_call(task.trace_id, call_id)
            if existing is not None:
                return existing.span_id
            span_id = domain.new_span_id()
            all_facts = {"tool_name": tool_name, "call_id": call_id, **facts}
            span = PendingSpan(span_id, task.trace_id, "tool", at_ns, task.span_id, call_id=call_id, facts=all_facts)
            self.ledger.add_span(span)
            self.ledger.update_task(task.trace_id, last_ns=at_ns)
        return span_id

    def tool_end(
        self,
        task: TaskRow,
        *,
        call_id: str,
        tool_name: str,
        at_ns: int,
        facts: Facts,
        error: str | None = None,
    ) -> PendingSpan:
        """Finish a tool span; one whose start was never seen starts and ends now."""
        with self.ledger.transaction():
            span = self.ledger.span_for_call(task.trace_id, call_id)
            if span is None:
                span = PendingSpan(
                    domain.new_span_id(),
                    task.trace_id,
                    "tool",
                    at_ns,
                    task.span_id,
                    call_id=call_id,
                    facts={"tool_name": tool_name, "call_id": call_id},
                )
                self.ledger.add_span(span)
            self.ledger.finish_span(span.span_id, at_ns, facts=facts, error=error)
            self.ledger.update_task(task.trace_id, last_ns=at_ns)
        span.end_ns = at_ns
        return span

    # --- what the agent did ---------------------------------------------------------------
    def edit(
        self,
        task: TaskRow,
        edit: FileEdit,
        *,
        repo: str | os.PathLike[str],
        at_ns: int,
        start_ns: int | None = None,
        parent_span_id: str | None = None,
        after_text: str | None = None,
        model: str | None = None,
        base_commit: str | None = None,
    ) -> EditRow:
        """One file edit: a ledger row for outcome scans and a finished span under the tool call.

        ``base_commit`` is HEAD's commit when the edit was made (see :func:`obs_coding.model.head_commit`);
        only a caller that records as the edit happens can know it.
        """
        span_id = domain.new_span_id()
        row = edit_row(
            edit,
            repo=str(Path(repo)),
            at_ns=at_ns,
            after_text=after_text,
            trace_id=task.trace_id,
            span_id=span_id,
            agent=task.agent,
            model=model,
            base_commit=base_commit,
        )
        span = PendingSpan(
            span_id,
            task.trace_id,
            "edit",
            min(start_ns if start_ns is not None else at_ns, at_ns),
            parent_span_id or task.span_id,
            end_ns=at_ns,
            facts=edit_facts(row),
        )
        with self.ledger.transaction():
            fresh = self.ledger.task(task.trace_id) or task
            tracker = _tracker(fresh)
            tracker.on_edit()
            self.ledger.add_edit(row)
            self.ledger.add_span(span)
            self.ledger.update_task(
                task.trace_id,
                edits=tracker.edits,
                edits_since_check=True,
                last_ns=at_ns,
                repo=fresh.repo or row.repo,
            )
        return row

    def verification(
        self,
        task: TaskRow,
        result: VerificationResult,
        *,
        at_ns: int,
        parent_span_id: str | None = None,
    ) -> int:
        """Record a check that ended at ``at_ns``; return its attempt number (0 = baseline before any edit)."""
        with self.ledger.transaction():
            fresh = self.ledger.task(task.trace_id) or task
            tracker = _tracker(fresh)
            attempt = tracker.on_check(result.passed)
            start = at_ns - round(result.duration_s * 1e9)
            self.ledger.add_span(
                PendingSpan(
                    domain.new_span_id(),
                    task.trace_id,
                    "verification",
                    start,
                    parent_span_id or task.span_id,
                    end_ns=at_ns,
                    facts=verification_facts(result, attempt),
                    error=None if result.passed else "verification_failed",
                )
            )
            self.ledger.update_task(
                task.trace_id,
                attempts=tracker.attempts,
                first_attempt_passed=tracker.first_attempt_passed,
                edits_since_check=tracker.edits_since_check,
                verifications=fresh.verifications + 1,
                last_ns=at_ns,
            )
        return attempt

    def plan(
        self,
        task: TaskRow,
        plan: Plan,
        *,
        at_ns: int,
        start_ns: int | None = None,
        parent_span_id: str | None = None,
    ) -> bool:
        """Record a plan; a low-confidence plan also gets a speculation span. Return whether review is needed."""
        facts = plan_facts(plan, self.threshold)
        span_id = domain.new_span_id()
        start = start_ns if start_ns is not None else at_ns
        with self.ledger.transaction():
            self.ledger.add_span(
                PendingSpan(span_id, task.trace_id, "plan", start, parent_span_id or task.span_id, at_ns, facts=facts)
            )
            if facts["review_required"]:
                self.ledger.add_span(
                    PendingSpan(domain.new_span_id(), task.trace_id, "speculation", at_ns, span_id, at_ns, facts=facts)
                )
            self.ledger.update_task(task.trace_id, last_ns=at_ns)
        return bool(facts["review_required"])

    def user_outcome(self, task: TaskRow, outcome: str, *, at_ns: int, source: str = "client") -> Facts:
        """A user decision on the task's result; an acceptance carries the time to good output."""
        if outcome not in USER_OUTCOMES:
            raise ValueError(f"user outcome must be one of {USER_OUTCOMES}, got {outcome!r}")
        with self.ledger.transaction():
            fresh = self.ledger.task(task.trace_id) or task
            regenerations = int(fresh.facts.get("regenerations", 0))
            if outcome == "regenerated":
                regenerations += 1
                self.ledger.update_task(task.trace_id, facts={"regenerations": regenerations})
            facts = user_outcome_facts(
                outcome, start_ns=fresh.start_ns, at_ns=at_ns, regenerations=regenerations, source=source
            )
            self.ledger.add_span(
                PendingSpan(
                    domain.new_span_id(), task.trace_id, "user_outcome", at_ns, task.span_id, at_ns, facts=facts
                )
            )
        return facts


def _tracker(task: TaskRow) -> AttemptTracker:
    return AttemptTracker(task.edits, task.attempts, task.edits_since_check, task.first_attempt_passed)
