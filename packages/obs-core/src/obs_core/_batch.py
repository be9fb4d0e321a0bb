"""Batching off the application thread with a bounded queue and counted drops.

The SDK's batch processors drop silently when their queue is full; a user who
cannot see drops cannot trust totals. These processors keep the same shape
(bounded queue, background worker, periodic flush) and count every dropped
item on ``obs.export.dropped`` by signal and sink.

The drop counter is created from the meter provider passed in (``configure()``
passes its own), not from whatever global provider exists at construction
time, so drops are recorded where the rest of obs's metrics go.

``force_flush`` answers whether everything queued since the previous flush
reached the exporter: False after an export raised (a local sink such as the
store failed; the guard counted it) or the timeout passed. Callers that delete
their own copy once spans are exported (obs-coding's ledger) rely on it.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from opentelemetry import metrics
from opentelemetry.context import Context
from opentelemetry.sdk._logs import LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter

from ._guard import internal_guard
from .semconv import OBS_EXPORT_DROPPED, OBS_EXPORT_SIGNAL, OBS_EXPORT_SINK

T = TypeVar("T")


class _FlushRequest:
    """One caller waiting for a flush, and whether every export since the last flush succeeded."""

    __slots__ = ("done", "ok")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False


class _BatchWorker(Generic[T]):
    """A daemon thread that drains a bounded deque into ``export`` in batches."""

    def __init__(
        self,
        export: Callable[[Sequence[T]], object],
        *,
        signal: str,
        sink: str,
        max_queue_size: int,
        max_batch_size: int,
        schedule_delay_s: float,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._export = export
        self._attrs = {OBS_EXPORT_SIGNAL: signal, OBS_EXPORT_SINK: sink}
        self._queue: collections.deque[T] = collections.deque()
        self._max_queue = max_queue_size
        self._max_batch = max_batch_size
        self._delay = schedule_delay_s
        self._cond = threading.Condition()
        self._flush_requests: list[_FlushRequest] = []
        self._failed = False
        """An export raised since the last flush request was answered."""
        self._stopped = False
        self.dropped = 0
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.export")
        self._dropped_counter = meter.create_counter(
            OBS_EXPORT_DROPPED, unit="{item}", description="Items dropped because an export queue was full."
        )
        self._thread = threading.Thread(target=self._run, name=f"obs-export-{signal}-{sink}", daemon=True)
        self._thread.start()

    def put(self, item: T) -> None:
        with self._cond:
            if self._stopped:
                # Ended after shutdown (an atexit hook of the app's own): lost, so at least counted
                # here; the meter provider is usually shut down as well by now.
                self.dropped += 1
                return
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
                full = True
            else:
                self._queue.append(item)
                full = False
                if len(self._queue) >= self._max_batch:
                    self._cond.notify()
        if full:
            self._dropped_counter.add(1, self._attrs)

    def flush(self, timeout_s: float) -> bool:
        """Export everything queued; True when it all reached the exporter without an exception."""
        request = _FlushRequest()
        with self._cond:
            if self._stopped:
                return True
            self._flush_requests.append(request)
            self._cond.notify()
        return request.done.wait(timeout_s) and request.ok

    def shutdown(self, timeout_s: float = 30.0) -> bool:
        """Drain and stop; False when already stopped (providers and obs may both call it)."""
        with self._cond:
            if self._stopped:
                return False
            self._stopped = True
            self._cond.notify()
        self._thread.join(timeout_s)
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._stopped and not self._flush_requests and len(self._queue) < self._max_batch:
                    self._cond.wait(self._delay)
                stopping = self._stopped
                requests, self._flush_requests = self._flush_requests, []
            try:
                self._drain(everything=bool(requests) or stopping)
            finally:
                # Waiters are released even when an export raised (under tests the
                # guard re-raises): a flush must never hang on a dead batch.
                if requests:
                    with self._cond:
                        ok, self._failed = not self._failed, False
                    for request in requests:
                        request.ok = ok
                        request.done.set()
            if stopping:
                return

    def _drain(self, *, everything: bool) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
            exported = False
            try:
                with internal_guard(f"export.{self._attrs[OBS_EXPORT_SIGNAL]}.{self._attrs[OBS_EXPORT_SINK]}"):
                    self._export(batch)
                    exported = True
            finally:
                if not exported:
                    with self._cond:
                        self._failed = True
            if not everything:
                with self._cond:
                    if len(self._queue) < self._max_batch:
                        return


class _Batching(Generic[T]):
    """What the span and log processors share: the worker, counted drops, flush, and one shutdown."""

    _worker: _BatchWorker[T]
    exporter: SpanExporter | LogRecordExporter

    @property
    def dropped(self) -> int:
        return self._worker.dropped

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._worker.flush(timeout_millis / 1000)

    def shutdown(self) -> None:
        # The SDK provider's atexit hook and ObsRuntime.shutdown both get here:
        # shut the exporter down once (OTLP exporters complain on the second call).
        if self._worker.shutdown():
            self.exporter.shutdown()  # type: ignore[no-untyped-call,unused-ignore]


class DroppingBatchSpanProcessor(_Batching[ReadableSpan], SpanProcessor):
    """Batch span processor whose drops are counted (``obs.export.dropped``)."""

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        sink: str,
        max_queue_size: int = 8192,
        max_batch_size: int = 512,
        schedule_delay_s: float = 1.0,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self.exporter = exporter
        self._worker: _BatchWorker[ReadableSpan] = _BatchWorker(
            exporter.export,
            signal="spans",
            sink=sink,
            max_queue_size=max_queue_size,
            max_batch_size=max_batch_size,
            schedule_delay_s=schedule_delay_s,
            meter_provider=meter_provider,
        )

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        # Runs on the application's thread when its span ends: never let it raise there.
        with internal_guard("export.spans.enqueue"):
            if span.context is not None and span.context.trace_flags.sampled:
                self._worker.put(span)


class DroppingBatchLogProcessor(_Batching[ReadableLogRecord], LogRecordProcessor):
    """Batch log processor whose drops are counted (``obs.export.dropped``)."""

    def __init__(
        self,
        exporter: LogRecordExporter,
        *,
        sink: str,
        max_queue_size: int = 8192,
        max_batch_size: int = 512,
        schedule_delay_s: float = 1.0,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self.exporter = exporter
        self._worker: _BatchWorker[ReadableLogRecord] = _BatchWorker(
            exporter.export,
            signal="logs",
            sink=sink,
            max_queue_size=max_queue_size,
            max_batch_size=max_batch_size,
            schedule_delay_s=schedule_delay_s,
            meter_provider=meter_provider,
        )

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        # Runs inside the application's logging call: never let it raise there.
        with internal_guard("export.logs.enqueue"):
            self._worker.put(
                ReadableLogRecord(
                    log_record=log_record.log_record,
                    resource=log_record.resource if log_record.resource is not None else Resource.get_empty(),
                    instrumentation_scope=log_record.instrumentation_scope,
                    limits=log_record.limits,
                )
            )
