"""The facts each kind of coding span carries, in one vocabulary for every producer.

:class:`~obs_coding.CodingSession` (live spans), the Claude Code hooks and the
JSON-lines ingest (spans recorded now, exported later) all describe an edit, a
verification or a plan with the same dictionaries; one translation in
``obs_coding.telemetry`` turns them into declared attribute names. So a field
added here shows up the same way whichever client produced it.
"""

from __future__ import annotations

import os
import re

from obs_coding import model as domain
from obs_coding.ledger import EditRow, Facts, TaskRow

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from obs_coding.model import FileEdit, Plan, VerificationResult

DEFAULT_REVIEW_THRESHOLD = 0.6
USER_OUTCOMES = ("accepted", "regenerated", "rejected", "abandoned")
TASK_STATUSES = ("completed", "interrupted", "abandoned", "error")
_SECRET_ASSIGNMENT = re.compile(r"\b(\w*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD)\w*)=(\S+)", re.IGNORECASE)


def mask_secret_assignments(command: str) -> str:
    """``API_KEY=abc pytest`` → ``API_KEY=[REDACTED] pytest``, before the command is written anywhere.

    The hook path cannot import the full redactor (it would cost more than the
    hook's budget); key-shaped secrets are redacted by ``obs_core``'s redactor
    when the span is exported.
    """
    return _SECRET_ASSIGNMENT.sub(r"\1=[REDACTED]", command)


def review_threshold(value: float | None = None) -> float:
    """The confidence below which a plan asks for human review (``OBS_CODING_REVIEW_THRESHOLD``)."""
    if value is not None:
        return value
    try:
        return float(os.environ.get("OBS_CODING_REVIEW_THRESHOLD", DEFAULT_REVIEW_THRESHOLD))
    except ValueError:
        return DEFAULT_REVIEW_THRESHOLD


def plan_facts(plan: Plan, threshold: float) -> Facts:
    facts: Facts = {
        "planned_edits": len(plan.edits),
        "files": list(plan.files),
        "estimated_files": len(plan.files),
        "review_required": plan.confidence is not None and plan.confidence < threshold,
        "threshold": threshold,
    }
    if plan.estimated_lines is not None:
        facts["estimated_lines"] = plan.estimated_lines
    if plan.confidence is not None:
        facts["confidence"] = plan.confidence
    return facts


def edit_row(
    edit: FileEdit,
    *,
    repo: str,
    at_ns: int,
    after_text: str | None,
    trace_id: str | None,
    span_id: str | None = None,
    agent: str | None = None,
    model: str | None = None,
    base_commit: str | None = None,
) -> EditRow:
    """The ledger row of one edit, whoever recorded it (hooks and ingest later, a live session now)."""
    return EditRow(
        edit_id=domain.new_span_id(),
        repo=repo,
        path=edit.path,
        language=edit.language,
        edit_type=edit.edit_type,
        time_ns=at_ns,
        lines_added=edit.lines_added,
        lines_removed=edit.lines_removed,
        hunks=list(edit.hunk_ids),
        fingerprint=domain.fingerprint(edit, after_text).to_json(),
        trace_id=trace_id,
        span_id=span_id,
        old_path=edit.old_path,
        agent=agent,
        model=model,
        base_commit=base_commit,
    )


def edit_facts(edit: EditRow) -> Facts:
    facts: Facts = {
        "edit_id": edit.edit_id,
        "path": edit.path,
        "language": edit.language,
        "edit_type": edit.edit_type,
        "lines_added": edit.lines_added,
        "lines_removed": edit.lines_removed,
        "hunks": list(edit.hunks),
    }
    if edit.old_path:
        facts["old_path"] = edit.old_path
    return facts


def verification_facts(result: VerificationResult, attempt: int) -> Facts:
    facts: Facts = {
        "command": mask_secret_assignments(result.command)[:512],
        "kind": result.kind,
        "exit_code": result.exit_code,
        "passed": result.passed,
        "attempt": attempt,
    }
    if result.failing_tests is not None:
        facts["failing_tests"] = result.failing_tests
    return facts


def task_facts(task: TaskRow) -> Facts:
    """What the task span says when it ends (the loop summary included)."""
    facts: Facts = {
        "status": task.status or "completed",
        "edits": task.edits,
        "verifications": task.verifications,
        "attempts": task.attempts,
    }
    for key, value in (
        ("client", task.client),
        ("agent", task.agent),
        ("model", task.model),
        ("session_id", task.session_id),
        ("task_key", task.task_key),
        ("repo", task.repo),
        ("first_attempt_passed", task.first_attempt_passed),
    ):
        if value is not None:
            facts[key] = value
    for key in ("prompt_chars", "regenerations", "implicit"):
        if key in task.facts:
            facts[key] = task.facts[key]
    return facts


def user_outcome_facts(
    outcome: str, *, start_ns: int | None, at_ns: int, regenerations: int, source: str = "sdk"
) -> Facts:
    """Facts of an ``obs.coding.user_outcome`` span; ``ttgo_s`` only for an acceptance with a known start."""
    if outcome not in USER_OUTCOMES:
        raise ValueError(f"user outcome must be one of {USER_OUTCOMES}, got {outcome!r}")
    facts: Facts = {"outcome": outcome, "source": source, "regenerations": regenerations}
    if outcome == "accepted" and start_ns is not None:
        facts["ttgo_s"] = max(at_ns - start_ns, 0) / 1e9
    return facts
