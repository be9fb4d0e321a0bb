"""What the read API returns: frozen records with a stable JSON form.

``to_json()`` is the contract of every ``obs ... --json`` listing: keys are
only ever added, never renamed or removed, and they are documented in the
obs-core README. Times are given twice, as integer nanoseconds since the epoch
(exact, sortable) and as ISO-8601 UTC (readable); durations are seconds and
costs USD, ``null`` when nothing was priced (never a guessed zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from obs_core.semconv import (
    GEN_AI_REQUEST_MODEL,
    GEN_AI_RESPONSE_FINISH_REASONS,
    GEN_AI_RESPONSE_MODEL,
    GEN_AI_USAGE_INPUT_TOKENS,
    GEN_AI_USAGE_OUTPUT_TOKENS,
    OBS_CONTEXT_FILL_RATIO,
    OBS_GEN_AI_USAGE_COST,
)

from ._stats import iso_utc, parse_reasons, seconds

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """One trace as ``obs traces`` lists it."""

    trace_id: str
    root_name: str
    """Name of the root span (the earliest span without a parent in the store)."""
    service: str
    start_ns: int
    end_ns: int
    span_count: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    """Sum of ``obs.gen_ai.usage.cost``; None when no call in the trace was priced."""
    error_count: int
    """Spans with status ERROR or an ``error.type`` attribute."""

    @property
    def duration_s(self) -> float:
        return seconds(self.start_ns, self.end_ns)

    def to_json(self) -> Json:
        return {
            "trace_id": self.trace_id,
            "root_name": self.root_name,
            "service": self.service,
            "start_ns": self.start_ns,
            "start": iso_utc(self.start_ns),
            "duration_s": self.duration_s,
            "span_count": self.span_count,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "error_count": self.error_count,
        }


@dataclass(frozen=True, slots=True)
class SpanEvent:
    name: str
    time_ns: int
    attributes: Mapping[str, Any]

    def to_json(self) -> Json:
        return {
            "name": self.name,
            "time_ns": self.time_ns,
            "time": iso_utc(self.time_ns),
            "attributes": self.attributes,
        }


@dataclass(frozen=True, slots=True)
class SpanNode:
    """One span of a trace tree, with its events and children (ordered by start)."""

    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    service: str
    start_ns: int
    end_ns: int
    status_code: str
    status_message: str | None
    attributes: Mapping[str, Any]
    events: tuple[SpanEvent, ...]
    children: tuple[SpanNode, ...]

    @property
    def duration_s(self) -> float:
        return seconds(self.start_ns, self.end_ns)

    @property
    def model(self) -> str | None:
        value = self.attributes.get(GEN_AI_REQUEST_MODEL) or self.attributes.get(GEN_AI_RESPONSE_MODEL)
        return str(value) if value else None

    @property
    def input_tokens(self) -> int | None:
        return _int(self.attributes.get(GEN_AI_USAGE_INPUT_TOKENS))

    @property
    def output_tokens(self) -> int | None:
        return _int(self.attributes.get(GEN_AI_USAGE_OUTPUT_TOKENS))

    @property
    def cost_usd(self) -> float | None:
        return _float(self.attributes.get(OBS_GEN_AI_USAGE_COST))

    @property
    def finish_reasons(self) -> list[str]:
        raw = self.attributes.get(GEN_AI_RESPONSE_FINISH_REASONS)
        if isinstance(raw, list):
            return [str(r) for r in raw]
        return parse_reasons(raw)

    @property
    def context_fill_ratio(self) -> float | None:
        return _float(self.attributes.get(OBS_CONTEXT_FILL_RATIO))

    def walk(self) -> list[SpanNode]:
        """This span and all its descendants, depth first."""
        out: list[SpanNode] = []
        stack: list[SpanNode] = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def to_json(self) -> Json:
        return {
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
            "name": self.name,
            "kind": self.kind,
            "service": self.service,
            "start_ns": self.start_ns,
            "start": iso_utc(self.start_ns),
            "duration_s": self.duration_s,
            "status": self.status_code,
            "status_message": self.status_message,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "finish_reasons": self.finish_reasons,
            "context_fill_ratio": self.context_fill_ratio,
            "attributes": dict(self.attributes),
            "events": [e.to_json() for e in self.events],
            "children": [c.to_json() for c in self.children],
        }


@dataclass(frozen=True, slots=True)
class TraceDetail:
    """A whole trace: its summary and its span tree (``obs show``)."""

    summary: TraceSummary
    roots: tuple[SpanNode, ...]

    def spans(self) -> list[SpanNode]:
        return [node for root in self.roots for node in root.walk()]

    def to_json(self) -> Json:
        return {**self.summary.to_json(), "spans": [r.to_json() for r in self.roots]}


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
