"""Recorded spans leave the ledger only once a sink has them: a failed export is retried, never lost or doubled."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from obs_coding.export import flush_pending, preset_tracer_provider
from obs_coding.ledger import Ledger
from obs_coding.model import edit_from_texts
from obs_coding.recorder import Recorder
from obs_coding.telemetry import CodingMetrics
from obs_core._batch import DroppingBatchSpanProcessor
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ._support import T0, ns


class LockedOnceExporter(SpanExporter):
    """A sink that fails its first export (a store locked by another process), then keeps everything."""

    def __init__(self) -> None:
        self.failures = 1
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.failures:
            self.failures -= 1
            raise OSError("database is locked")
        self.exported.extend(s.name for s in spans)
        return SpanExportResult.SUCCESS


@pytest.mark.usefixtures("guard_swallows")
def test_a_failed_export_keeps_the_spans_for_the_next_flush(ledger: Ledger, capture: TelemetryCapture) -> None:
    recorder = Recorder(ledger, client="test", agent="coder")
    task = recorder.start_task(at_ns=ns(T0), session_id="s")
    recorder.edit(task, edit_from_texts("a.py", None, "a = 1\n"), repo="/r", at_ns=ns(T0 + 1), after_text="a = 1\n")
    recorder.end_task(task, at_ns=ns(T0 + 2))
    sink = LockedOnceExporter()
    provider = preset_tracer_provider()
    provider.add_span_processor(DroppingBatchSpanProcessor(sink, sink="store", meter_provider=capture.meter_provider))
    metrics = CodingMetrics(capture.meter_provider)

    assert flush_pending(ledger, provider, metrics=metrics, now_ns=ns(T0 + 3)) == 0
    assert ledger.pending_count() == 2  # still there: the next Stop hook (or `obs hook flush`) exports them
    assert capture.metric_sum("obs.coding.edits") == 0

    assert flush_pending(ledger, provider, metrics=metrics, now_ns=ns(T0 + 4)) == 2
    assert ledger.pending_count() == 0
    assert sorted(sink.exported) == ["obs.coding.edit", "obs.coding.task"]
    assert capture.metric_sum("obs.coding.edits") == 1  # counted once, for the export that stuck
    provider.shutdown()
