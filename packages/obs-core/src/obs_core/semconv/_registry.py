"""The catalogue of every telemetry name obs emits.

Each constant in this package is declared through :func:`declare`, so the
README's telemetry reference and the tests read one list instead of grepping
the code: a name that is emitted but not declared cannot be documented, and a
declared name without a unit or meaning fails the reference test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["span", "attribute", "metric", "event", "log"]


@dataclass(frozen=True, slots=True)
class TelemetryName:
    """One emitted name with what a reader of a dashboard needs to know."""

    name: str
    """The exact string on the wire."""
    kind: Kind
    """Whether it names a span, an attribute, a metric, an event or a log record."""
    unit: str
    """UCUM-style unit for metrics and numeric attributes; ``""`` where none applies."""
    brief: str
    """What the value means, in one sentence."""
    origin: Literal["spec", "obs"]
    """``spec`` for OpenTelemetry semantic conventions, ``obs`` for this project's namespace."""
    instrument: str = ""
    """For metrics: histogram, counter, up_down_counter or gauge."""


_CATALOGUE: dict[tuple[str, Kind], TelemetryName] = {}


def declare(
    name: str,
    kind: Kind,
    brief: str,
    *,
    unit: str = "",
    instrument: str = "",
) -> str:
    """Record a name in the catalogue and hand the string back for use as a constant."""
    origin: Literal["spec", "obs"] = "obs" if name.startswith("obs.") else "spec"
    entry = TelemetryName(name, kind, unit, brief, origin, instrument)
    existing = _CATALOGUE.get((name, kind))
    if existing is not None and existing != entry:
        raise ValueError(f"telemetry name {name!r} ({kind}) declared twice with different meanings")
    _CATALOGUE[(name, kind)] = entry
    return name


def catalogue() -> tuple[TelemetryName, ...]:
    """Every declared name, sorted by kind then name (the README table's order)."""
    order = {"span": 0, "attribute": 1, "metric": 2, "event": 3, "log": 4}
    return tuple(sorted(_CATALOGUE.values(), key=lambda t: (order[t.kind], t.name)))


def reference_markdown() -> str:
    """Render the catalogue as the README's telemetry reference table."""
    lines = [
        "| kind | name | unit | instrument | origin | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for entry in catalogue():
        lines.append(
            f"| {entry.kind} | `{entry.name}` | {_cell(entry.unit or '-')} | {entry.instrument or '-'} "
            f"| {entry.origin} | {_cell(entry.brief)} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """A '|' in a brief would split the row: escape it for GitHub markdown."""
    return text.replace("|", "\\|")
