"""Acceptance rates by file type, framework, edit type and model.

Rate = accepted / (accepted + modified + reverted): pending and superseded edits
have no verdict yet (or never needed one) and would only dilute it. The kept
rate (accepted + modified) / final says how much of the agent's work survived in
some form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._classify import EditOutcome

DIMENSIONS = ("language", "framework", "edit_type", "model")


@dataclass(frozen=True, slots=True)
class RateRow:
    """Counts and rates for one group (e.g. language = python)."""

    dimension: str
    group: str
    accepted: int = 0
    modified: int = 0
    reverted: int = 0
    pending: int = 0
    superseded: int = 0

    @property
    def final(self) -> int:
        return self.accepted + self.modified + self.reverted

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.final if self.final else None

    @property
    def kept_rate(self) -> float | None:
        return (self.accepted + self.modified) / self.final if self.final else None

    def to_json(self) -> dict[str, object]:
        return {
            "dimension": self.dimension,
            "group": self.group,
            "accepted": self.accepted,
            "modified": self.modified,
            "reverted": self.reverted,
            "pending": self.pending,
            "superseded": self.superseded,
            "acceptance_rate": self.acceptance_rate,
            "kept_rate": self.kept_rate,
        }


def rate_tables(outcomes: Iterable[tuple[EditOutcome, str]]) -> dict[str, list[RateRow]]:
    """Rows per dimension (plus ``all``) from (outcome, framework) pairs, groups sorted by name."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for result, framework in outcomes:
        edit = result.edit
        groups = {
            "all": "all",
            "language": edit.language,
            "framework": framework,
            "edit_type": edit.edit_type,
            "model": edit.model or "unknown",
        }
        for dimension, group in groups.items():
            bucket = counts.setdefault((dimension, group), {})
            bucket[result.outcome] = bucket.get(result.outcome, 0) + 1
    tables: dict[str, list[RateRow]] = {d: [] for d in ("all", *DIMENSIONS)}
    for (dimension, group), bucket in sorted(counts.items()):
        tables[dimension].append(
            RateRow(
                dimension,
                group,
                accepted=bucket.get("accepted", 0),
                modified=bucket.get("modified", 0),
                reverted=bucket.get("reverted", 0),
                pending=bucket.get("pending", 0),
                superseded=bucket.get("superseded", 0),
            )
        )
    return tables
