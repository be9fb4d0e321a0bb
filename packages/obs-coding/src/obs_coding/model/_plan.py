"""What the agent said it would do before doing it.

A plan is worth recording for two reasons: its estimated scope can be compared
with what the execute phase really touched, and a plan the model itself is
unsure of is the cheapest moment to ask a human. Agents express plans as JSON
(structured output) or as markdown (Claude Code's ``ExitPlanMode``); both parse
into :class:`Plan` with whatever they carry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._edits import EditType, parse_edit_type

_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.[A-Za-z][\w]{0,9})(?![\w/])")
_CONFIDENCE = re.compile(r"confidence\W{0,3}\s*(?:[:=]|is)?\s*(\d{1,3}(?:\.\d+)?\s*%|[01](?:\.\d+)?)", re.IGNORECASE)
_URLISH = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class PlannedEdit:
    """One file the plan intends to touch."""

    path: str
    """Repository-relative path."""
    edit_type: EditType = "modify"
    """What the plan intends: create, modify, delete or rename."""
    estimated_lines: int | None = None
    """Lines the plan expects to change, when it says."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A plan: files, estimated scope, and the model's own confidence when it gives one."""

    edits: tuple[PlannedEdit, ...] = ()
    """Planned edits, one per file (or more when the plan lists steps per file)."""
    confidence: float | None = None
    """Self-assessed confidence in [0, 1], None when the plan carries none."""
    summary: str = ""
    """The plan's one-line goal (kept in memory only; spans record its length, not its text)."""

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({e.path for e in self.edits}))

    @property
    def estimated_lines(self) -> int | None:
        known = [e.estimated_lines for e in self.edits if e.estimated_lines is not None]
        return sum(known) if known else None

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object]) -> Plan:
        """Read a JSON plan: ``{"summary", "edits"|"steps"|"files": [...], "confidence"}``."""
        items: object = raw.get("edits") or raw.get("steps") or raw.get("files") or ()
        edits: list[PlannedEdit] = []
        if isinstance(items, Sequence) and not isinstance(items, str):
            for item in items:
                planned = _planned_edit(item)
                if planned is not None:
                    edits.append(planned)
        summary = raw.get("summary") or raw.get("goal") or ""
        return cls(edits=tuple(edits), confidence=parse_confidence(raw.get("confidence")), summary=str(summary))

    @classmethod
    def from_markdown(cls, text: str) -> Plan:
        """Best-effort reading of a prose plan: file paths it names and a stated confidence."""
        cleaned = _URLISH.sub(" ", text)
        seen: dict[str, None] = {}
        for match in _PATH.finditer(cleaned):
            candidate = match.group(1).strip("./") if match.group(1).startswith("./") else match.group(1)
            if not candidate[0].isdigit():
                seen.setdefault(candidate, None)
        confidence_match = _CONFIDENCE.search(text)
        confidence = parse_confidence(confidence_match.group(1)) if confidence_match else None
        first = next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "")
        return cls(edits=tuple(PlannedEdit(p) for p in seen), confidence=confidence, summary=first)


def parse_confidence(value: object) -> float | None:
    """Accept 0.7, "0.7", "70%", 70 (percent when above 1); None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    number: float
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            return None
        if percent:
            number /= 100.0
    else:
        return None
    if number > 1.0:
        number /= 100.0
    return number if 0.0 <= number <= 1.0 else None


def _planned_edit(item: object) -> PlannedEdit | None:
    if isinstance(item, str):
        return PlannedEdit(item)
    if not isinstance(item, Mapping):
        return None
    path = item.get("path") or item.get("file") or item.get("file_path")
    if not isinstance(path, str) or not path:
        return None
    lines = item.get("estimated_lines", item.get("lines"))
    return PlannedEdit(
        path=path,
        edit_type=parse_edit_type(item.get("edit_type") or item.get("type") or item.get("action")),
        estimated_lines=int(lines) if isinstance(lines, (int, float)) and not isinstance(lines, bool) else None,
    )
