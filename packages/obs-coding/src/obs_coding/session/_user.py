"""User decisions on a task's result, and time to good output (TTGO).

TTGO is the time from the user's request to a result they kept: the task's
start to its first ``accepted`` decision, regenerations included (the clock
keeps running while the user asks again). A decision may come from another
process, even days later (a VS Code extension reporting "kept"): it only needs
the task's ``traceparent``; the task's start comes from the coding ledger when
available, and from the store's task span when ``obs report`` computes TTGO.
"""

from __future__ import annotations

import time

from obs_core import internal_guard
from opentelemetry import metrics, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from obs_coding.ledger import Facts, Ledger
from obs_coding.model import parse_traceparent
from obs_coding.recorder import user_outcome_facts
from obs_coding.telemetry import CodingMetrics, span_shape


def record_user_outcome(
    traceparent: str,
    outcome: str,
    *,
    at_ns: int | None = None,
    ledger: Ledger | None = None,
    source: str = "sdk",
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    logger_provider: object | None = None,
) -> Facts:
    """Attach a user decision to the task identified by ``traceparent`` (from another process, later).

    Returns the recorded facts; empty when obs could not record the decision (a malformed
    ``traceparent``, an unknown ``outcome``): counted on ``obs.internal.errors``, never raised
    into the client, except under the test suite.
    """
    at = time.time_ns() if at_ns is None else at_ns
    facts: Facts = {}
    with internal_guard("coding.user_outcome"):
        parsed = parse_traceparent(traceparent)
        if parsed is None:
            raise ValueError(f"not a W3C traceparent: {traceparent!r}")
        trace_id, span_id = parsed
        task = ledger.task(trace_id) if ledger is not None else None
        regenerations = int(task.facts.get("regenerations", 0)) if task is not None else 0
        if outcome == "regenerated":
            regenerations += 1
        facts = user_outcome_facts(
            outcome, start_ns=task.start_ns if task else None, at_ns=at, regenerations=regenerations, source=source
        )
        parent = trace.set_span_in_context(
            NonRecordingSpan(
                SpanContext(
                    int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED)
                )
            )
        )
        tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.coding")
        name, attributes = span_shape("user_outcome", facts)
        tracer.start_span(name, context=parent, attributes=attributes, start_time=at).end(end_time=at)
        CodingMetrics(meter_provider).record("user_outcome", facts)
        if ledger is not None and task is not None and outcome == "regenerated":
            ledger.update_task(trace_id, facts={"regenerations": regenerations})
    return facts
