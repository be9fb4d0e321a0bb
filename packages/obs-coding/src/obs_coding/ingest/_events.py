"""The JSON-lines event format (``docs/ingest-format.md``): parsing and validation.

One JSON object per line. Unknown fields are ignored and unknown ``type``
values are skipped (counted, not fatal), so a client can send newer events to
an older obs. Decision names accept both verbs and outcomes ("accept" and
"accepted").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
EVENT_TYPES = (
    "session_start",
    "prompt",
    "plan",
    "tool_start",
    "tool_end",
    "edit",
    "verification",
    "decision",
    "end",
    "session_end",
)
DECISIONS: dict[str, str] = {
    "accept": "accepted",
    "accepted": "accepted",
    "reject": "rejected",
    "rejected": "rejected",
    "regenerate": "regenerated",
    "regenerated": "regenerated",
    "abandon": "abandoned",
    "abandoned": "abandoned",
}


class EventError(ValueError):
    """A line that cannot be used; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Event:
    """One validated event."""

    type: str
    time_ns: int
    session_id: str | None
    task_id: str | None
    body: Mapping[str, Any]

    def str_field(self, name: str) -> str | None:
        value = self.body.get(name)
        return value if isinstance(value, str) and value else None

    def int_field(self, name: str) -> int | None:
        value = self.body.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return int(value)


def parse_time(value: object, default_ns: int) -> int:
    """RFC 3339 text (``2025-03-01T10:00:00.250Z``) or Unix seconds (int or float) → nanoseconds."""
    if value is None:
        return default_ns
    if isinstance(value, bool):
        raise EventError("time: expected RFC 3339 text or Unix seconds")
    if isinstance(value, (int, float)):
        return round(value * 1_000_000) * 1000
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise EventError(f"time: {value!r} is not RFC 3339") from exc
        if moment.tzinfo is None:
            raise EventError(f"time: {value!r} has no UTC offset")
        delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    raise EventError("time: expected RFC 3339 text or Unix seconds")


def parse_event(raw: object, *, now_ns: int) -> Event | None:
    """Validate one decoded line; None for an event type this version does not know."""
    if not isinstance(raw, Mapping):
        raise EventError("an event must be a JSON object")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise EventError("type: missing")
    if kind not in EVENT_TYPES:
        return None
    version = raw.get("v", FORMAT_VERSION)
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise EventError(f"v: format version {version} is newer than this obs reads ({FORMAT_VERSION})")
    session_id = raw.get("session_id")
    task_id = raw.get("task_id")
    event = Event(
        type=kind,
        time_ns=parse_time(raw.get("time"), now_ns),
        session_id=session_id if isinstance(session_id, str) and session_id else None,
        task_id=task_id if isinstance(task_id, str) and task_id else None,
        body=raw,
    )
    _require(event)
    return event


def _require(event: Event) -> None:
    if event.type in ("session_start", "session_end") and event.session_id is None:
        raise EventError(f"{event.type}: session_id is required")
    if event.type == "prompt" and event.session_id is None and event.task_id is None:
        raise EventError("prompt: session_id or task_id is required")
    if event.type == "edit" and event.str_field("path") is None:
        raise EventError("edit: path is required")
    if event.type == "verification":
        if event.str_field("command") is None:
            raise EventError("verification: command is required")
        if event.int_field("exit_code") is None:
            raise EventError("verification: exit_code is required")
    if event.type == "decision" and DECISIONS.get(str(event.body.get("decision", "")).lower()) is None:
        raise EventError(f"decision: must be one of {sorted(set(DECISIONS))}")
    if event.type in ("tool_start", "tool_end") and event.str_field("call_id") is None:
        raise EventError(f"{event.type}: call_id is required")
