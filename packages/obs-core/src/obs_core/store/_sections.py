"""Report sections contributed by other packages through the ``obs.report`` entry points.

``obs report`` covers what every agent has (cost, latency, finish reasons,
context fill). Packages that know more (obs-coding: time to good output,
regeneration rate, edit acceptance) register a callable under the
``obs.report`` entry-point group::

    [project.entry-points."obs.report"]
    coding = "obs_coding.report:section"

    def section(conn: sqlite3.Connection) -> ReportSection | None: ...

The callable receives the store's read-only connection and returns a
:class:`ReportSection`, or None when it has nothing to say (no data of its
kind). A section that fails to load or raises is reported beside the others
and never takes the report down.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

REPORT_ENTRY_POINT_GROUP = "obs.report"


@dataclass(frozen=True)
class ReportSection:
    """A titled table for the rich report plus the payload for ``--json``."""

    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    """Cell values; rendered with ``str()``; each row has one value per column."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """JSON-serialisable payload for machines (documented by the contributing package)."""
    note: str = ""
    """One line shown under the table (an alert, a definition)."""


ReportSectionProvider = Callable[[sqlite3.Connection], ReportSection | None]
"""What an ``obs.report`` entry point names."""


@dataclass(frozen=True, slots=True)
class NamedSection:
    """A section together with the entry-point name that produced it."""

    name: str
    section: ReportSection

    def to_json(self) -> dict[str, Any]:
        s = self.section
        return {
            "name": self.name,
            "title": s.title,
            "columns": list(s.columns),
            "rows": [list(r) for r in s.rows],
            "data": dict(s.data),
            "note": s.note,
        }


@dataclass(frozen=True, slots=True)
class SectionError:
    """A section that could not be produced, and why (shown instead of it)."""

    name: str
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "error": self.error}


def report_entry_points() -> list[EntryPoint]:
    """Registered ``obs.report`` entry points, in name order (the report's section order)."""
    return sorted(entry_points(group=REPORT_ENTRY_POINT_GROUP), key=lambda e: e.name)


def run_sections(
    conn: sqlite3.Connection, eps: Sequence[EntryPoint] | None = None
) -> tuple[list[NamedSection], list[SectionError]]:
    """Load and run every section provider; collect results and failures separately."""
    sections: list[NamedSection] = []
    errors: list[SectionError] = []
    for ep in report_entry_points() if eps is None else eps:
        try:
            provider = ep.load()
            if not callable(provider):
                raise TypeError(f"{ep.value} is not callable")
            result = provider(conn)
            if result is None:
                continue
            _validate(result)
        except Exception as exc:  # noqa: BLE001 - one broken plugin must not break the report
            errors.append(SectionError(ep.name, f"{type(exc).__name__}: {exc}"))
            continue
        sections.append(NamedSection(ep.name, result))
    return sections, errors


def _validate(result: object) -> None:
    if not isinstance(result, ReportSection):
        raise TypeError(f"returned {type(result).__name__}, expected ReportSection or None")
    for row in result.rows:
        if result.columns and len(row) != len(result.columns):
            raise ValueError(f"row {row!r} has {len(row)} cells for {len(result.columns)} columns")
    # --json must stay valid JSON: refuse a payload that would not serialise.
    json.dumps({"rows": [list(r) for r in result.rows], "data": dict(result.data)})
