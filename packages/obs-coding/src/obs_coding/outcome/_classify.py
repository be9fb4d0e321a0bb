"""What happened to each AI edit, decided from git.

For an edit made at time *t* to path *p*, C1 is the first commit after the edit
(reachable from HEAD) that touched *p*: one not reachable from the commit HEAD
pointed at when the edit was made, or, for edits recorded without it, one made
at or after *t*. The edit's changed lines are compared with *p* at C1 through
their fingerprints: an added line counts as kept when the file holds more
copies of it than it would without the edit, a removed line when it was not put
back. The kept fraction then gives the class:

- accepted: every changed line is in C1 as the agent wrote it, and still is at
  the end of the window after C1 (``window_s``);
- reverted: none is, at C1 or by the end of the window (lines removed, or the
  original restored), or, before any commit, the working tree lost them all;
- modified: anything in between (the developer changed the agent's lines before
  committing or within the window);
- pending: nothing committed yet and the working tree still has the lines;
- superseded: a draft. Later edits of the same task replaced every line this
  edit added (or, for an edit that only removed lines, put them all back)
  before C1, or the edit only undid the task's own earlier drafts: the agent
  refining its work, not a decision by anyone.

Supersession is line by line. An added line that a later edit of the same task
removed again before C1, or a removed line it put back, is a draft, and the
later edit's matching change only cancels it; neither is judged, so each line
is judged once, in its final state. An edit the agent partly refined is judged
on the rest (``superseded`` gives the share that were drafts), and only the
developer's changes make an edit modified. A later *task* replacing an earlier
task's lines is different: the user asked again after seeing the result, so the
earlier task's edit is judged, not excused.

Only accepted, modified and reverted are final; rates are computed over them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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
    """Share of the edit's changed lines, not superseded, found as written (at the decisive revision)."""
    superseded: float = 0.0
    """Share of the edit's changed lines that were the task's drafts (not judged; 1.0 when superseded)."""


@dataclass(frozen=True, slots=True)
class _Undone:
    """Changed lines of one edit that another edit of the same task reverses (per fingerprint)."""

    added: Counter[str]
    removed: Counter[str]

    @property
    def units(self) -> int:
        return sum(self.added.values()) + sum(self.removed.values())


@dataclass(frozen=True, slots=True)
class _Drafts:
    """How one edit takes part in its task's drafting before the commit."""

    replaced: _Undone
    """Its changes that later edits of the task reversed: its draft lines."""
    cancelling: _Undone
    """Its changes that reverse earlier edits' drafts (removing a draft line, restoring a removed one)."""

    def excluded(self, fp: LineFingerprint) -> _Undone:
        """Lines not judged for this edit: drafts and cancellations, at most what the edit changed."""
        return _Undone(
            _capped(fp.added, self.replaced.added + self.cancelling.added),
            _capped(fp.removed, self.replaced.removed + self.cancelling.removed),
        )

    def superseded(self, fp: LineFingerprint) -> bool:
        """Nothing the edit did is its own final change (see the module docstring)."""
        if fp.added and all(self.replaced.added[k] >= n for k, (n, _) in fp.added.items()):
            return True
        if not fp.added and fp.removed and all(self.replaced.removed[k] >= n for k, (n, _) in fp.removed.items()):
            return True
        return bool(fp.units) and self.excluded(fp).units >= fp.units


_NO_DRAFTS = _Drafts(_Undone(Counter(), Counter()), _Undone(Counter(), Counter()))


def classify_edits(history: GitHistory, edits: Sequence[EditRow], *, now_s: int, window_s: int) -> list[EditOutcome]:
    """Classify edits of one repository (time-ordered, as the ledger returns them)."""
    drafts = _task_drafts(history, edits)
    return [_classify(history, edit, drafts.get(edit.edit_id), now_s=now_s, window_s=window_s) for edit in edits]


def _task_drafts(history: GitHistory, edits: Sequence[EditRow]) -> dict[str, _Drafts]:
    """Pair each task's edits of one file that undo each other before the commit that would judge them."""
    groups: dict[tuple[str, str], list[EditRow]] = {}
    for edit in edits:
        if edit.trace_id:
            groups.setdefault((edit.trace_id, edit.path), []).append(edit)
    out: dict[str, _Drafts] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: e.time_ns)
        prints = {e.edit_id: LineFingerprint.from_json(e.fingerprint) for e in group}
        earlier: dict[str, list[LineFingerprint]] = {e.edit_id: [] for e in group}
        later: dict[str, list[LineFingerprint]] = {e.edit_id: [] for e in group}
        for i, edit in enumerate(group):
            first = _first_commit(history, edit)
            for other in group[i + 1 :]:
                if other.time_ns > edit.time_ns and (first is None or _made_after(history, first, other)):
                    later[edit.edit_id].append(prints[other.edit_id])
                    earlier[other.edit_id].append(prints[edit.edit_id])
        for edit in group:
            fp = prints[edit.edit_id]
            out[edit.edit_id] = _Drafts(_undone(fp, later[edit.edit_id]), _undone(fp, earlier[edit.edit_id]))
    return out


def _first_commit(history: GitHistory, edit: EditRow) -> CommitInfo | None:
    commits = history.commits_after(edit.path, edit.time_ns // 1_000_000_000, edit.base_commit)
    return commits[0] if commits else None


def _made_after(history: GitHistory, commit: CommitInfo, edit: EditRow) -> bool:
    """Whether ``commit`` came after ``edit`` (by the same rule that picks an edit's C1)."""
    after = history.commits_after(edit.path, edit.time_ns // 1_000_000_000, edit.base_commit)
    return any(c.sha == commit.sha for c in after)


def _undone(fp: LineFingerprint, others: list[LineFingerprint]) -> _Undone:
    """This edit's changes that ``others`` reverse: its added lines they remove, its removed lines they add."""
    removed_there: Counter[str] = Counter()
    added_there: Counter[str] = Counter()
    for other in others:
        for key, (n, _) in other.removed.items():
            removed_there[key] += n
        for key, (n, _) in other.added.items():
            added_there[key] += n
    return _Undone(_capped(fp.added, removed_there), _capped(fp.removed, added_there))


def _capped(side: Mapping[str, tuple[int, int]], counts: Counter[str]) -> Counter[str]:
    return Counter({k: min(n, counts[k]) for k, (n, _) in side.items() if counts[k]})


def _classify(history: GitHistory, edit: EditRow, drafts: _Drafts | None, *, now_s: int, window_s: int) -> EditOutcome:
    fp = LineFingerprint.from_json(edit.fingerprint)
    drafted = (drafts or _NO_DRAFTS).excluded(fp)
    commits = history.commits_after(edit.path, edit.time_ns // 1_000_000_000, edit.base_commit)
    first = commits[0] if commits else None
    if drafts is not None and drafts.superseded(fp):
        return EditOutcome(edit, "superseded", first, None, 1.0)
    share = drafted.units / fp.units if fp.units else 0.0
    if first is None:
        kept = _kept(edit, fp, drafted, history.counts(None, edit.path))
        outcome = "reverted" if kept == 0.0 else "pending"
        return EditOutcome(edit, outcome, None, kept, share)
    at_commit = _kept(edit, fp, drafted, history.counts(first.sha, edit.path))
    horizon = min(first.time_s + window_s, now_s)
    in_window = [c for c in commits if c.time_s <= horizon]
    last = in_window[-1] if in_window else first
    at_window = at_commit if last.sha == first.sha else _kept(edit, fp, drafted, history.counts(last.sha, edit.path))
    if at_window == 0.0 or (at_commit == 0.0 and last.sha == first.sha):
        outcome = "reverted"
    elif at_commit == 1.0 and at_window == 1.0:
        outcome = "accepted"
    else:
        outcome = "modified"
    return EditOutcome(edit, outcome, first, at_window, share)


def _kept(edit: EditRow, fp: LineFingerprint, drafted: _Undone, counts: Counter[str] | None) -> float:
    """Kept fraction of the edit's final (not superseded) changed lines in a file version (None = file absent)."""
    if edit.edit_type == "delete":
        return 1.0 if counts is None else 0.0
    if counts is None:
        return 0.0
    total = kept = 0
    for key, (n, after) in fp.added.items():
        effective = n - drafted.added[key]
        if effective <= 0:
            continue
        baseline = max(after - n, 0)
        total += effective
        kept += min(max(counts[key] - baseline, 0), effective)
    for key, (n, after) in fp.removed.items():
        effective = n - drafted.removed[key]
        if effective <= 0:
            continue
        total += effective
        kept += effective - min(max(counts[key] - after, 0), effective)
    if total == 0:
        return 1.0  # an edit with no non-blank changed lines (whitespace only, pure rename) is kept if the file is
    return kept / total
