"""``obs outcome scan``: recompute every edit's outcome in a repository, and what changed since last time.

Outcomes move (pending → accepted → modified as the developer keeps working),
so a scan recomputes all of them from the ledger and git, stores the result, and
reports which edits changed class. Only those get new telemetry: an
``obs.coding.edit_outcome`` span in the task's trace, under the task's outcome
phase span (created at the first scan for tasks whose client had no outcome
phase, like Claude Code), so ``obs show`` of a task shows what became of it.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from obs_coding.ledger import Facts, Ledger, OutcomeRow, PendingSpan
from obs_coding.model import find_repo_root, new_span_id

from ._classify import ALL_OUTCOMES, EditOutcome, classify_edits
from ._framework import detect_frameworks, framework_for
from ._git import GitHistory
from ._rates import RateRow, rate_tables
from ._survival import DEFAULT_HORIZONS_DAYS, SurvivalRow, survival

DEFAULT_WINDOW_S = 72 * 3600
"""Changes within three days of the commit still count as the developer reworking the agent's lines."""


@dataclass(frozen=True, slots=True)
class ScanReport:
    """Everything one scan found for one repository."""

    repo: str
    outcomes: tuple[EditOutcome, ...]
    frameworks: dict[str, str]
    rates: dict[str, list[RateRow]]
    survival: list[SurvivalRow]
    changed: tuple[EditOutcome, ...] = field(default=())
    """Edits whose class differs from the previous scan's (or that had none)."""

    def framework(self, result: EditOutcome) -> str:
        return framework_for(result.edit.language, self.frameworks)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ALL_OUTCOMES, 0)
        for result in self.outcomes:
            out[result.outcome] += 1
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "repo": self.repo,
            "frameworks": self.frameworks,
            "counts": self.counts(),
            "edits": [
                {
                    "edit_id": r.edit.edit_id,
                    "trace_id": r.edit.trace_id,
                    "path": r.edit.path,
                    "language": r.edit.language,
                    "edit_type": r.edit.edit_type,
                    "model": r.edit.model,
                    "framework": self.framework(r),
                    "outcome": r.outcome,
                    "commit": r.commit.sha if r.commit else None,
                    "kept": r.kept,
                    "superseded": r.superseded,
                }
                for r in self.outcomes
            ],
            "rates": {dim: [row.to_json() for row in rows] for dim, rows in self.rates.items()},
            "survival": [
                {
                    "horizon_days": s.horizon_days,
                    "lines": s.lines,
                    "survived": s.survived,
                    "censored": s.censored,
                    "rate": s.rate,
                }
                for s in self.survival
            ],
        }


def scan_repository(
    repo: str | Path,
    ledger: Ledger,
    *,
    since_ns: int | None = None,
    now_s: int | None = None,
    window_s: int = DEFAULT_WINDOW_S,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
    edit_ids: Collection[str] | None = None,
    record: bool = True,
) -> ScanReport:
    """Classify the ledger's edits of ``repo``; with ``record``, remember the classes for the next scan."""
    root = find_repo_root(repo)
    if root is None:
        raise ValueError(f"{repo} is not inside a git repository")
    now = int(time.time()) if now_s is None else now_s
    edits = ledger.edits(repo=str(root), since_ns=since_ns)
    if edit_ids is not None:
        wanted = set(edit_ids)
        edits = [e for e in edits if e.edit_id in wanted]
    history = GitHistory(root)
    try:
        outcomes = classify_edits(history, edits, now_s=now, window_s=window_s)
        frameworks = detect_frameworks(root)
        rows = survival(history, outcomes, now_s=now, horizons_days=horizons_days)
    finally:
        history.close()
    previous = ledger.outcomes()
    changed = tuple(r for r in outcomes if (p := previous.get(r.edit.edit_id)) is None or p.outcome != r.outcome)
    if record and outcomes:
        with ledger.transaction():
            for r in outcomes:
                ledger.set_outcome(
                    OutcomeRow(r.edit.edit_id, r.outcome, r.commit.sha if r.commit else None, r.kept, now * 10**9)
                )
    rates = rate_tables((r, framework_for(r.edit.language, frameworks)) for r in outcomes)
    return ScanReport(str(root), tuple(outcomes), frameworks, rates, rows, changed)


def outcome_facts(report: ScanReport, result: EditOutcome) -> Facts:
    """Facts of an ``edit_outcome`` span (shared by the scan's recorded spans and CodingSession's live ones)."""
    facts: Facts = {
        "edit_id": result.edit.edit_id,
        "path": result.edit.path,
        "language": result.edit.language,
        "edit_type": result.edit.edit_type,
        "framework": report.framework(result),
        "model": result.edit.model or "unknown",
        "outcome": result.outcome,
    }
    if result.commit is not None:
        facts["commit"] = result.commit.sha
    if result.kept is not None:
        facts["kept"] = round(result.kept, 4)
    if result.superseded:
        facts["superseded"] = round(result.superseded, 4)
    return facts


def record_outcome_spans(ledger: Ledger, report: ScanReport, *, now_ns: int) -> int:
    """Queue an edit-outcome span for every changed edit, under its task's outcome phase span."""
    per_task: dict[str, list[EditOutcome]] = {}
    for result in report.changed:
        if result.edit.trace_id:
            per_task.setdefault(result.edit.trace_id, []).append(result)
    if not per_task:
        return 0
    all_by_task: dict[str, list[EditOutcome]] = {}
    for result in report.outcomes:
        if result.edit.trace_id:
            all_by_task.setdefault(result.edit.trace_id, []).append(result)
    tasks = ledger.tasks(list(per_task))
    count = 0
    with ledger.transaction():
        for trace_id, results in per_task.items():
            task = tasks.get(trace_id)
            if task is None:
                continue
            parent = task.outcome_span_id
            if parent is None:
                parent = new_span_id()
                counts: Facts = dict.fromkeys(ALL_OUTCOMES, 0)
                for r in all_by_task.get(trace_id, []):
                    counts[r.outcome] += 1
                ledger.add_span(PendingSpan(parent, trace_id, "outcome", now_ns, task.span_id, now_ns, facts=counts))
                ledger.update_task(trace_id, outcome_span_id=parent)
            for result in results:
                facts = outcome_facts(report, result)
                ledger.add_span(
                    PendingSpan(new_span_id(), trace_id, "edit_outcome", now_ns, parent, now_ns, facts=facts)
                )
                count += 1
    return count
