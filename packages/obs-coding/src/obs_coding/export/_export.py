"""Turning recorded spans into real ones: exact ids, parents, start and end times.

Each pending row becomes one SDK span started with an explicit parent context
(a remote, sampled ``SpanContext`` built from the recorded parent ids) and an
explicit start time, then ended at its recorded end time. The SDK's processors,
samplers and exporters see an ordinary span, so the store, OTLP and any other
sink get it the same way as a live one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable

from obs_core import semconv as sc
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, SpanContext, Status, StatusCode, TraceFlags

from obs_coding.ledger import Ledger, PendingSpan
from obs_coding.telemetry import CodingMetrics, span_shape

from ._ids import PresetIdGenerator

_SCOPE = "obs.coding"


def preset_tracer_provider(resource: Resource | None = None) -> TracerProvider:
    """A tracer provider whose ids can be preset; add processors (or hand it to ``configure``) before use."""
    return TracerProvider(resource=resource or Resource.create(), id_generator=PresetIdGenerator())


def export_spans(
    spans: Iterable[PendingSpan],
    tracer_provider: TracerProvider,
    *,
    metrics: CodingMetrics | None = None,
) -> int:
    """Emit recorded spans through ``tracer_provider`` (built by :func:`preset_tracer_provider`)."""
    ids = tracer_provider.id_generator
    if not isinstance(ids, PresetIdGenerator):
        raise TypeError("export_spans needs a tracer provider made by preset_tracer_provider()")
    tracer = tracer_provider.get_tracer(_SCOPE)
    count = 0
    for pending in spans:
        name, attributes = span_shape(pending.kind, pending.facts)
        if pending.error:
            attributes[sc.ERROR_TYPE] = pending.error
        parent = Context()
        if pending.parent_span_id:
            parent = trace.set_span_in_context(
                NonRecordingSpan(
                    SpanContext(
                        int(pending.trace_id, 16),
                        int(pending.parent_span_id, 16),
                        is_remote=True,
                        trace_flags=TraceFlags(TraceFlags.SAMPLED),
                    )
                )
            )
        with ids.preset(int(pending.trace_id, 16), int(pending.span_id, 16)):
            span = tracer.start_span(name, context=parent, attributes=attributes, start_time=pending.start_ns)
        if pending.error:
            span.set_status(Status(StatusCode.ERROR, pending.error))
        span.end(end_time=max(pending.end_ns or pending.start_ns, pending.start_ns))
        if metrics is not None:
            metrics.record(pending.kind, pending.facts)
        count += 1
    return count


def flush_pending(
    ledger: Ledger,
    tracer_provider: TracerProvider,
    *,
    metrics: CodingMetrics | None = None,
    now_ns: int,
    kinds: Collection[str] | None = None,
) -> int:
    """Export every finished span in the ledger (of ``kinds``) once, even with several flushers running.

    Rows are deleted only after the provider's processors flushed them without
    an error: a store that was locked or full, or a process killed in between,
    leaves them for the next flush (the store replaces a span exported twice).
    Their metrics are recorded once the rows are gone, so a retry never counts
    them twice. Returns how many spans were exported (0 when they were kept).
    """
    token = uuid.uuid4().hex
    spans = ledger.claim_finished(token, now_ns, kinds=kinds)
    if not spans:
        return 0
    try:
        count = export_spans(spans, tracer_provider)
        flushed = tracer_provider.force_flush()
    except BaseException:
        ledger.release_claim(token)
        raise
    if not flushed:
        ledger.release_claim(token)
        return 0
    ledger.delete_claimed(token)
    if metrics is not None:
        for pending in spans:
            metrics.record(pending.kind, pending.facts)
    return count
