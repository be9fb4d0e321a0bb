"""Trace listings and span trees.

A trace's root is its earliest span without a parent in the store: in a
distributed trace the true root may live in another service's store, and the
local entry point is what a reader of this store wants to see.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from pathlib import Path

from . import _sql as q
from ._errors import AmbiguousTraceIdError, InvalidTraceIdError, TraceNotFoundError
from ._models import SpanEvent, SpanNode, TraceDetail, TraceSummary
from ._stats import loads_object

_HEX = re.compile(r"^[0-9a-f]{1,32}$")

_SUMMARY_SQL = f"""
WITH t AS (
    SELECT trace_id,
           min(start_ns) AS start_ns,
           max(end_ns) AS end_ns,
           count(*) AS span_count,
           sum({q.failed()}) AS errors,
           sum(CASE WHEN {q.counts_usage()} THEN coalesce({q.input_tokens()}, 0) ELSE 0 END) AS input_tokens,
           sum(CASE WHEN {q.counts_usage()} THEN coalesce({q.output_tokens()}, 0) ELSE 0 END) AS output_tokens,
           sum(CASE WHEN {q.counts_usage()} THEN {q.cost()} END) AS cost
    FROM spans
    {{where}}
    GROUP BY trace_id
    ORDER BY start_ns DESC, trace_id
    LIMIT ?
)
SELECT t.trace_id, t.start_ns, t.end_ns, t.span_count, t.errors, t.input_tokens, t.output_tokens, t.cost,
       r.name, r.service_name
FROM t LEFT JOIN spans r ON r.trace_id = t.trace_id AND r.span_id = (
    SELECT s.span_id FROM spans s
    WHERE s.trace_id = t.trace_id AND (
        s.parent_span_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id))
    ORDER BY s.start_ns, s.span_id LIMIT 1)
ORDER BY t.start_ns DESC, t.trace_id
"""


def recent_traces(conn: sqlite3.Connection, limit: int) -> list[TraceSummary]:
    """The ``limit`` most recently started traces, newest first."""
    return _summaries(conn, "", (), limit)


def resolve_trace_id(conn: sqlite3.Connection, given: str, path: Path) -> str:
    """The full trace id for an id or unique prefix (case-insensitive)."""
    prefix = given.strip().lower()
    if not _HEX.match(prefix):
        raise InvalidTraceIdError(given)
    # A range over the primary key: every id with this prefix sorts between
    # the prefix and the prefix followed by a character above the hex digits.
    rows = conn.execute(
        "SELECT DISTINCT trace_id FROM spans WHERE trace_id >= ? AND trace_id < ? ORDER BY trace_id LIMIT 3",
        (prefix, prefix + "\x7f"),
    ).fetchall()
    if not rows:
        raise TraceNotFoundError(given, path)
    if len(rows) > 1:
        raise AmbiguousTraceIdError(given, [r[0] for r in rows])
    return str(rows[0][0])


def trace_detail(conn: sqlite3.Connection, trace_id: str) -> TraceDetail:
    """The span tree of one trace (a full id, see :func:`resolve_trace_id`)."""
    summaries = _summaries(conn, "WHERE trace_id = ?", (trace_id,), 1)
    events: dict[str, list[SpanEvent]] = defaultdict(list)
    for span_id, name, time_ns, attributes in conn.execute(
        "SELECT span_id, name, time_ns, attributes FROM span_events WHERE trace_id = ? ORDER BY time_ns, id",
        (trace_id,),
    ):
        events[span_id].append(SpanEvent(name, time_ns, loads_object(attributes)))
    rows = conn.execute(
        "SELECT span_id, parent_span_id, name, kind, service_name, start_ns, end_ns, status_code, status_message,"
        " attributes FROM spans WHERE trace_id = ? ORDER BY start_ns, span_id",
        (trace_id,),
    ).fetchall()
    return TraceDetail(summaries[0], _tree(rows, events))


def _summaries(conn: sqlite3.Connection, where: str, params: tuple[object, ...], limit: int) -> list[TraceSummary]:
    out: list[TraceSummary] = []
    for row in conn.execute(_SUMMARY_SQL.format(where=where), (*params, limit)):
        trace_id, start_ns, end_ns, span_count, errors, input_tokens, output_tokens, cost, name, service = row
        out.append(
            TraceSummary(
                trace_id=trace_id,
                root_name=name if name is not None else "(no root span)",
                service=service or "",
                start_ns=int(start_ns),
                end_ns=int(end_ns),
                span_count=int(span_count),
                input_tokens=int(input_tokens or 0),
                output_tokens=int(output_tokens or 0),
                cost_usd=float(cost) if cost is not None else None,
                error_count=int(errors or 0),
            )
        )
    return out


Row = tuple[str, str | None, str, str, str | None, int, int, str, str | None, str]


def _tree(rows: list[Row], events: dict[str, list[SpanEvent]]) -> tuple[SpanNode, ...]:
    """Assemble nodes bottom-up; spans whose parent is missing (or cyclic) become roots."""
    by_id = {r[0]: r for r in rows}
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    for r in rows:
        parent = r[1]
        if parent is None or parent == r[0] or parent not in by_id:
            roots.append(r[0])
        else:
            children[parent].append(r[0])
    built: dict[str, SpanNode] = {}

    def build(span_id: str, seen: frozenset[str]) -> SpanNode:
        r = by_id[span_id]
        kids = tuple(build(c, seen | {span_id}) for c in children[span_id] if c not in seen)
        node = SpanNode(
            span_id=r[0],
            parent_span_id=r[1],
            name=r[2],
            kind=r[3],
            service=r[4] or "",
            start_ns=int(r[5]),
            end_ns=int(r[6]),
            status_code=r[7],
            status_message=r[8],
            attributes=loads_object(r[9]),
            events=tuple(events.get(span_id, ())),
            children=kids,
        )
        built[span_id] = node
        return node

    result = [build(r, frozenset()) for r in roots]
    # Spans caught in a parent cycle are reachable from no root: show them as roots.
    for r in rows:
        if r[0] not in built:
            result.append(build(r[0], frozenset()))
    result.sort(key=lambda n: (n.start_ns, n.span_id))
    return tuple(result)
