"""Tail sampling: decide when the trace is complete, so failures are never sampled away.

Head sampling drops a trace before anyone knows it will fail. This processor
sits in front of the exporting processors, buffers each trace's finished spans
until its local root ends, then keeps the trace when the head kept it or a rule
fires: an error status anywhere, a guardrail that flagged or blocked, or a slow
root. Memory is bounded: past ``tail_max_traces`` the oldest trace is decided
early with what it has. At shutdown every trace still open is decided the same
way, so spans of a root that never ended (the process is exiting) are not lost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from opentelemetry import metrics
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import StatusCode

from obs_core.semconv import (
    OBS_GUARDRAIL_VERDICT,
    OBS_SAMPLING_COHORT,
    OBS_SAMPLING_DECISION,
    OBS_SAMPLING_HEAD_KEPT,
    OBS_SAMPLING_REASON,
    OBS_SAMPLING_TRACES,
)

from ._config import SamplingConfig

_FIRING_VERDICTS = frozenset({"block", "flag", "fail"})


class TailSamplingProcessor(SpanProcessor):
    """Buffers spans per trace and forwards the kept traces to ``downstream`` processors."""

    def __init__(
        self,
        downstream: Sequence[SpanProcessor],
        config: SamplingConfig,
        *,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._downstream = list(downstream)
        self._config = config
        self._buffers: OrderedDict[int, list[ReadableSpan]] = OrderedDict()
        self._decided: OrderedDict[int, bool] = OrderedDict()
        self._lock = threading.Lock()
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.sampling")
        self._counter = meter.create_counter(
            OBS_SAMPLING_TRACES, unit="{trace}", description="Tail-sampling decisions."
        )

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for processor in self._downstream:
            processor.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        ctx = span.context
        if ctx is None:
            return
        forward: list[ReadableSpan] = []
        with self._lock:
            decided = self._decided.get(ctx.trace_id)
            if decided is not None:
                forward = [span] if decided else []
            else:
                buffer = self._buffers.setdefault(ctx.trace_id, [])
                buffer.append(span)
                is_root = span.parent is None or span.parent.is_remote
                if is_root or len(buffer) >= self._config.tail_max_spans_per_trace:
                    forward = self._decide_locked(ctx.trace_id, root=span if is_root else None)
                while len(self._buffers) > self._config.tail_max_traces:
                    oldest = next(iter(self._buffers))
                    forward.extend(self._decide_locked(oldest, root=None))
        for kept in forward:
            for processor in self._downstream:
                processor.on_end(kept)

    def _decide_locked(self, trace_id: int, root: ReadableSpan | None) -> list[ReadableSpan]:
        spans = self._buffers.pop(trace_id, [])
        reason = self._reason(spans, root)
        keep = reason is not None
        self._decided[trace_id] = keep
        while len(self._decided) > 4 * self._config.tail_max_traces:
            self._decided.popitem(last=False)
        self._counter.add(
            1, {OBS_SAMPLING_DECISION: "kept" if keep else "dropped", OBS_SAMPLING_REASON: reason or "none"}
        )
        return spans if keep else []

    def _reason(self, spans: Sequence[ReadableSpan], root: ReadableSpan | None) -> str | None:
        if any(s.status.status_code is StatusCode.ERROR for s in spans):
            return "error"
        if any(str((s.attributes or {}).get(OBS_GUARDRAIL_VERDICT, "")).lower() in _FIRING_VERDICTS for s in spans):
            return "guardrail"
        if (
            root is not None
            and root.end_time is not None
            and root.start_time is not None
            and (root.end_time - root.start_time) / 1e9 >= self._config.tail_latency_s
        ):
            return "latency"
        for s in spans:
            attrs = s.attributes or {}
            if attrs.get(OBS_SAMPLING_COHORT) == "canary":
                return "canary"
            if attrs.get(OBS_SAMPLING_HEAD_KEPT) is True:
                return "head"
        if root is None:
            return "incomplete"  # decided early (overflow): keep rather than lose a partial trace silently
        return None

    def decide_open_traces(self) -> None:
        """Decide every buffered trace now, as at an overflow (its root has not ended and never will)."""
        forward: list[ReadableSpan] = []
        with self._lock:
            while self._buffers:
                forward.extend(self._decide_locked(next(iter(self._buffers)), root=None))
        for kept in forward:
            for processor in self._downstream:
                processor.on_end(kept)

    def shutdown(self) -> None:
        self.decide_open_traces()
        self.force_flush()
        for processor in self._downstream:
            processor.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Forward nothing undecided: open traces stay buffered until their root ends."""
        return all(p.force_flush(timeout_millis) for p in self._downstream)
