"""Line-level survival: how many of the agent's committed lines are still there after N days.

An edit's lines are identified at C1 (the commit that first took them): lines of
the file that C1 introduced and whose fingerprints the edit added. At each
horizon *h* the repository's state at C1 + *h* (the latest commit not after that
moment) is blamed with ``-M -C -C``, which follows lines moved within a file and
moved or copied from other files, over the file and every file changed since
C1; a line survives when some line there still traces back to it. A horizon
later than now is censored: those lines are not yet old enough to say, and are
left out of that horizon's rate instead of being counted as survivors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from obs_coding.model import LineFingerprint, line_key, text_lines

from ._classify import EditOutcome
from ._git import GitHistory

DEFAULT_HORIZONS_DAYS: tuple[int, ...] = (1, 7, 14, 30)
_MAX_CANDIDATE_FILES = 200


@dataclass(frozen=True, slots=True)
class SurvivalRow:
    """Survival at one horizon, over all edits of a scan."""

    horizon_days: int
    lines: int
    """Lines old enough to be judged at this horizon (at risk)."""
    survived: int
    """Of those, lines still traceable to the agent's commit."""
    censored: int
    """Lines whose commit is younger than the horizon (not judged yet)."""

    @property
    def rate(self) -> float | None:
        return self.survived / self.lines if self.lines else None


def survival(
    history: GitHistory,
    outcomes: Sequence[EditOutcome],
    *,
    now_s: int,
    horizons_days: Sequence[int] = DEFAULT_HORIZONS_DAYS,
) -> list[SurvivalRow]:
    """Survival rows per horizon for edits that reached a commit."""
    lines = dict.fromkeys(horizons_days, 0)
    survived = dict.fromkeys(horizons_days, 0)
    censored = dict.fromkeys(horizons_days, 0)
    for result in outcomes:
        if result.commit is None or result.outcome not in ("accepted", "modified"):
            continue
        tracked = _ai_lines_at_commit(history, result)
        if not tracked:
            continue
        for h in horizons_days:
            moment = result.commit.time_s + h * 86_400
            if moment > now_s:
                censored[h] += len(tracked)
                continue
            lines[h] += len(tracked)
            survived[h] += _surviving(history, result, tracked, moment)
    return [SurvivalRow(h, lines[h], survived[h], censored[h]) for h in horizons_days]


def _ai_lines_at_commit(history: GitHistory, result: EditOutcome) -> set[int]:
    """Line numbers, in C1's version of the file, of the lines this edit added and C1 introduced."""
    assert result.commit is not None
    path = result.edit.path
    text = history.content(result.commit.sha, path)
    if text is None:
        return set()
    wanted = Counter({k: n for k, (n, _) in LineFingerprint.from_json(result.edit.fingerprint).added.items()})
    introduced = {b.final_line for b in history.blame(result.commit.sha, path, False) if b.commit == result.commit.sha}
    found: set[int] = set()
    for number, line in enumerate(text_lines(text), start=1):
        key = line_key(line)
        if key is not None and wanted[key] > 0 and number in introduced:
            wanted[key] -= 1
            found.add(number)
    return found


def _surviving(history: GitHistory, result: EditOutcome, tracked: set[int], moment_s: int) -> int:
    assert result.commit is not None
    sha = result.commit.sha
    rev = history.rev_at(moment_s)
    if rev is None or rev == sha:
        return len(tracked)
    candidates = [result.edit.path, *(f for f in history.changed_files(sha, rev) if f != result.edit.path)]
    alive: set[int] = set()
    for path in candidates[:_MAX_CANDIDATE_FILES]:
        for blamed in history.blame(rev, path, True):
            if blamed.commit == sha and blamed.orig_path == result.edit.path and blamed.orig_line in tracked:
                alive.add(blamed.orig_line)
    return len(alive)
