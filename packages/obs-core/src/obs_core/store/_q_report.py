"""Aggregates behind ``obs report``: cost, latency, finish reasons, context fill.

Usage and cost are summed over model-call spans (chat, text_completion,
embeddings, generate_content); latency percentiles come only from generation
calls, because an embeddings call's duration says nothing about how long users
wait for an answer.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import _sql as q
from ._report_models import (
    FILL_BUCKET_EDGES,
    TRUNCATION_REASONS,
    ContextFill,
    FillBucket,
    FinishReasons,
    ModelStats,
    ReasonShare,
    SessionFill,
    StageCost,
)
from ._stats import parse_reasons, percentile, seconds

_CALLS_SQL = f"""
SELECT coalesce({q.model()}, '(unknown)'), {q.op()}, start_ns, end_ns, {q.failed()},
       {q.input_tokens()}, {q.output_tokens()}, {q.cost()}, {q.stage()}
FROM spans WHERE {q.op()} IN ({q.quoted(q.MODEL_CALL_OPERATIONS)})
"""


@dataclass
class _Acc:
    """Running totals for one group of calls."""

    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    durations: list[float] = field(default_factory=list)

    def add(self, failed: bool, tokens_in: int | None, tokens_out: int | None, cost: float | None) -> None:
        self.calls += 1
        self.errors += int(failed)
        self.input_tokens += tokens_in or 0
        self.output_tokens += tokens_out or 0
        if cost is not None:
            self.cost = (self.cost or 0.0) + cost


@dataclass(frozen=True, slots=True)
class CallTotals:
    model_calls: int
    unpriced_calls: int
    total_cost_usd: float | None
    models: tuple[ModelStats, ...]
    stages: tuple[StageCost, ...]


def call_totals(conn: sqlite3.Connection) -> CallTotals:
    """Per-model and per-stage totals in one pass over the model-call spans."""
    models: dict[str, _Acc] = defaultdict(_Acc)
    stages: dict[str | None, _Acc] = defaultdict(_Acc)
    total = _Acc()
    unpriced = 0
    for model, op, start_ns, end_ns, failed, tokens_in, tokens_out, cost, stage in conn.execute(_CALLS_SQL):
        for acc in (models[str(model)], stages[str(stage) if stage is not None else None], total):
            acc.add(bool(failed), tokens_in, tokens_out, cost)
        if op in q.LATENCY_OPERATIONS:
            models[str(model)].durations.append(seconds(start_ns, end_ns))
        unpriced += cost is None
    model_rows = tuple(
        ModelStats(
            model=name,
            calls=acc.calls,
            errors=acc.errors,
            input_tokens=acc.input_tokens,
            output_tokens=acc.output_tokens,
            cost_usd=acc.cost,
            latency_calls=len(acc.durations),
            p50_s=percentile(acc.durations, 50),
            p95_s=percentile(acc.durations, 95),
            p99_s=percentile(acc.durations, 99),
        )
        for name, acc in sorted(models.items(), key=lambda kv: (-(kv[1].cost or 0.0), -kv[1].calls, kv[0]))
    )
    stage_rows = tuple(
        StageCost(stage, acc.calls, acc.input_tokens, acc.output_tokens, acc.cost)
        for stage, acc in sorted(
            stages.items(), key=lambda kv: (kv[0] is None, -(kv[1].cost or 0.0), -kv[1].calls, kv[0] or "")
        )
    )
    return CallTotals(total.calls, unpriced, total.cost, model_rows, stage_rows)


def finish_reasons(conn: sqlite3.Connection) -> FinishReasons:
    """Shares of each finish reason, counted per choice (a response with n choices counts n times)."""
    counts: Counter[str] = Counter()
    for (raw,) in conn.execute(f"SELECT {q.finish_reasons()} FROM spans WHERE {q.finish_reasons()} IS NOT NULL"):
        counts.update(parse_reasons(raw))
    total = sum(counts.values())
    shares = tuple(
        ReasonShare(reason, count, count / total)
        for reason, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    truncated = sum(c for r, c in counts.items() if r in TRUNCATION_REASONS)
    return FinishReasons(total=total, reasons=shares, truncation_share=truncated / total if total else 0.0)


_FILL_SQL = f"""
WITH ts AS (
    SELECT trace_id, max({q.session_id()}) AS sid, max({q.conversation_id()}) AS cid
    FROM spans WHERE {q.session_id()} IS NOT NULL OR {q.conversation_id()} IS NOT NULL
    GROUP BY trace_id
)
SELECT s.trace_id, CAST({q.fill_ratio("s")} AS REAL), s.end_ns,
       coalesce({q.session_id("s")}, ts.sid), coalesce({q.conversation_id("s")}, ts.cid)
FROM spans s LEFT JOIN ts ON ts.trace_id = s.trace_id
WHERE {q.fill_ratio("s")} IS NOT NULL
"""


@dataclass
class _Session:
    max_fill: float = 0.0
    calls: int = 0
    traces: set[str] = field(default_factory=set)
    last_seen_ns: int = 0


def context_fill(conn: sqlite3.Connection, threshold: float) -> ContextFill:
    """Fill-ratio distribution and the sessions whose fill ever went above ``threshold``.

    A call belongs to the session named by ``obs.session.id`` on its span or
    anywhere in its trace, else to its ``gen_ai.conversation.id``, else to its
    trace, so apps without sessions still see which runs came close to full.
    """
    fills: list[float] = []
    sessions: dict[tuple[str, str], _Session] = defaultdict(_Session)
    for trace_id, fill, end_ns, sid, cid in conn.execute(_FILL_SQL):
        if fill is None:
            continue
        fills.append(float(fill))
        key = ("session", str(sid)) if sid is not None else ("conversation", str(cid)) if cid is not None else None
        acc = sessions[key or ("trace", str(trace_id))]
        acc.max_fill = max(acc.max_fill, float(fill))
        acc.calls += 1
        acc.traces.add(str(trace_id))
        acc.last_seen_ns = max(acc.last_seen_ns, int(end_ns))
    over = tuple(
        SessionFill(name, kind, acc.max_fill, acc.calls, len(acc.traces), acc.last_seen_ns)
        for (kind, name), acc in sorted(sessions.items(), key=lambda kv: (-kv[1].max_fill, kv[0]))
        if acc.max_fill > threshold
    )
    return ContextFill(
        calls=len(fills),
        p50=percentile(fills, 50),
        p95=percentile(fills, 95),
        max=max(fills) if fills else None,
        buckets=_buckets(fills),
        sessions=over,
        threshold=threshold,
    )


def _buckets(fills: list[float]) -> tuple[FillBucket, ...]:
    lowers = (0.0, *FILL_BUCKET_EDGES)
    uppers: tuple[float | None, ...] = (*FILL_BUCKET_EDGES, None)
    out: list[FillBucket] = []
    for lower, upper in zip(lowers, uppers, strict=True):
        count = sum(1 for f in fills if (f >= lower or lower == 0.0) and (upper is None or f < upper))
        label = f"{lower:.0%}-{upper:.0%}" if upper is not None else f">={lower:.0%}"
        out.append(FillBucket(label, lower, upper, count))
    return tuple(out)
