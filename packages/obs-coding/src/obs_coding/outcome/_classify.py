"""What happened to each AI edit, decided from git.

For an edit made at time *t* to path *p*, C1 is the first commit at or after *t*
(reachable from HEAD) that touched *p*. The edit's changed lines are compared
with *p* at C1 through their fingerprints: an added line counts as kept when the
file holds more copies of it than it would without the edit, a removed line when
it was not put back. The kept fraction then gives the class:

- accepted: every changed line is in C1 as the agent wrote it, and still is at
  the end of the window after C1 (``window_s``);
- reverted: none is, at C1 or by the end of the window (lines removed, or the
  original restored), or, before any commit, the working tree lost them all;
- modified: anything in between (the developer changed the agent's lines before
  committing or within the window);
- pending: nothing committed yet and the working tree still has the lines;
- superseded: later edits by the agent itself replaced every line this edit
  added, before any commit (a draft, not a decision by the developer).

Only accepted, modified and reverted are final; rates are computed over them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from obs_coding.ledger import EditRow
from obs_coding.model import LineFingerprint

from ._git import CommitInfo, GitHistory

FINAL_OUTCOMES = ("accepted", "modified", "reverted")
ALL_OUTCOMES = (*FINAL_OUTCOMES, "pending", "superseded")


@dataclass(frozen=True, slots=True)
class EditOutcome:
    """The class of one edit at one scan."""

    edit: EditRow
    outcome: str
    """accepted, modified, reverted, pending or superseded."""
    commit: CommitInfo | None
    """C1: the first commit after the edit that touched the file."""
    kept: float | None
    """Share of the edit's changed lines found as written (at the decisive revision)."""


def classify_edits(history: GitHistory, edits: Sequence[EditRow], *, now_s: int, window_s: int) -> list[EditOutcome]:
    """Classify edits of one repository (time-ordered, as the ledger returns them)."""
    by_path: dict[str, list[EditRow]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    results: list[EditOutcome] = []
    for edit in edits:
        later = [e for e in by_path[edit.path] if e.time_ns > edit.time_ns]
        results.append(_classify(history, edit, later, now_s=now_s, window_s=window_s))
    return results


def _classify(history: GitHistory, edit: EditRow, later: list[EditRow], *, now_s: int, window_s: int) -> EditOutcome:
    fp = LineFingerprint.from_json(edit.fingerprint)
    commits = history.commits_after(edit.path, edit.time_ns // 1_000_000_000)
    first = commits[0] if commits else None
    cutoff_ns = first.time_s * 1_000_000_000 if first else None
    superseded = _superseded(fp, [e for e in later if cutoff_ns is None or e.time_ns <= cutoff_ns])
    if fp.added and all(superseded[k] >= n for k, (n, _) in fp.added.items()):
        return EditOutcome(edit, "superseded", first, None)
    if first is None:
        kept = _kept(edit, fp, superseded, history.counts(None, edit.path))
        outcome = "reverted" if kept == 0.0 else "pending"
        return EditOutcome(edit, outcome, None, kept)
    at_commit = _kept(edit, fp, superseded, history.counts(first.sha, edit.path))
    horizon = min(first.time_s + window_s, now_s)
    in_window = [c for c in commits if c.time_s <= horizon]
    last = in_window[-1] if in_window else first
    at_window = at_commit if last.sha == first.sha else _kept(edit, fp, superseded, history.counts(last.sha, edit.path))
    if at_window == 0.0 or (at_commit == 0.0 and last.sha == first.sha):
        outcome = "reverted"
    elif at_commit == 1.0 and at_window == 1.0:
        outcome = "accepted"
    else:
        outcome = "modified"
    return EditOutcome(edit, outcome, first, at_window)


def _superseded(fp: LineFingerprint, later: list[EditRow]) -> Counter[str]:
    """Added lines that the agent's own later edits removed again."""
    removed_later: Counter[str] = Counter()
    for other in later:
        for key, (n, _) in LineFingerprint.from_json(other.fingerprint).removed.items():
            removed_later[key] += n
    return Counter({k: min(n, removed_later[k]) for k, (n, _) in fp.added.items() if removed_later[k]})


def _kept(edit: EditRow, fp: LineFingerprint, superseded: Counter[str], counts: Counter[str] | None) -> float:
    """Kept fraction of the edit's changed lines in a file version (None = file absent there)."""
    if edit.edit_type == "delete":
        return 1.0 if counts is None else 0.0
    if counts is None:
        return 0.0
    total = kept = 0
    for key, (n, after) in fp.added.items():
        effective = n - superseded[key]
        if effective <= 0:
            continue
        baseline = max(after - n, 0)
        total += effective
        kept += min(max(counts[key] - baseline, 0), effective)
    for key, (n, after) in fp.removed.items():
        total += n
        kept += n - min(max(counts[key] - after, 0), n)
    if total == 0:
        return 1.0  # an edit with no non-blank changed lines (whitespace only, pure rename) is kept if the file is
    return kept / total
