"""The guard at core's integration points, and counted drops on full queues.

Production behaviour (``guard_swallows``): a failing exporter costs the batch
it was exporting and nothing else: the application's spans still end, other
sinks still receive them, later batches are written, and the failure is
counted on ``obs.internal.errors``. Under pytest the guard re-raises.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from obs_core import guarded, internal_error_counts, internal_guard
from obs_core._batch import DroppingBatchLogProcessor, DroppingBatchSpanProcessor
from obs_core.store import LogStoreExporter, MetricStoreExporter, SpanStoreExporter, StoreWriter
from obs_core.testing import TelemetryCapture
from opentelemetry import metrics
from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExportResult, MetricsData, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


@pytest.fixture
def global_meter(otel_globals: None, capture: TelemetryCapture) -> TelemetryCapture:
    """The guard counts on the global meter provider: point it at the capture."""
    metrics.set_meter_provider(capture.meter_provider)
    return capture


class FlakySpanExporter(SpanExporter):
    """Raises on the first ``failures`` batches, then keeps what it is given."""

    def __init__(self, failures: int = 1) -> None:
        self.failures = failures
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("collector went away")
        self.exported.extend(s.name for s in spans)
        return SpanExportResult.SUCCESS


def _errors(capture: TelemetryCapture, site: str) -> float:
    return capture.metric_sum("obs.internal.errors", obs__internal__site=site)


def test_guard_reraises_under_pytest() -> None:
    with pytest.raises(ZeroDivisionError), internal_guard("test.site"):
        _ = 1 / 0

    @guarded("test.decorated", default=-1)
    def broken() -> int:
        raise KeyError("x")

    with pytest.raises(KeyError):
        broken()


@pytest.mark.usefixtures("guard_swallows")
def test_guard_swallows_counts_and_logs_once(global_meter: TelemetryCapture, caplog: pytest.LogCaptureFixture) -> None:
    @guarded("test.swallow", default=-1)
    def broken() -> int:
        raise KeyError("x")

    before = internal_error_counts().get("test.swallow", 0)
    with caplog.at_level(logging.WARNING, logger="obs.internal"):
        assert broken() == -1
        assert broken() == -1
    assert internal_error_counts()["test.swallow"] == before + 2
    assert _errors(global_meter, "test.swallow") == 2
    assert [r.getMessage().split(" was ")[0] for r in caplog.records] == ["obs: internal error at test.swallow"]


@pytest.mark.usefixtures("guard_swallows")
def test_batch_worker_export_failure_loses_only_that_batch(global_meter: TelemetryCapture) -> None:
    flaky = FlakySpanExporter(failures=1)
    processor = DroppingBatchSpanProcessor(flaky, sink="flaky", meter_provider=global_meter.meter_provider)
    global_meter.tracer_provider.add_span_processor(processor)
    tracer = global_meter.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("first"):
        pass
    assert not processor.force_flush()  # the flush says the batch it covered was lost
    for name in ("second", "third"):
        with tracer.start_as_current_span(name):
            pass
    assert processor.force_flush()
    assert flaky.exported == ["second", "third"]
    assert [s.name for s in global_meter.spans()] == ["first", "second", "third"]  # the other sink lost nothing
    assert _errors(global_meter, "export.spans.flaky") == 1
    assert processor.dropped == 0
    processor.shutdown()
    with tracer.start_as_current_span("after shutdown"):
        pass
    assert processor.dropped == 1  # nothing can export it any more: counted, not silently gone


@pytest.mark.usefixtures("guard_swallows")
def test_store_exporter_failure_is_swallowed_and_counted(global_meter: TelemetryCapture, tmp_path: Path) -> None:
    writer = StoreWriter(tmp_path / "telemetry.db")
    processor = DroppingBatchSpanProcessor(
        SpanStoreExporter(writer), sink="store", meter_provider=global_meter.meter_provider
    )
    global_meter.tracer_provider.add_span_processor(processor)
    tracer = global_meter.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("kept"):
        pass
    assert processor.force_flush()
    # The store file is locked by another process mid-export: simulated by an open write transaction.
    blocker = sqlite3.connect(tmp_path / "telemetry.db", timeout=0, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    writer._require().execute("PRAGMA busy_timeout = 0")
    with tracer.start_as_current_span("lost while locked"):
        pass
    assert not processor.force_flush()
    blocker.execute("ROLLBACK")
    blocker.close()
    with tracer.start_as_current_span("kept after"):
        pass
    assert processor.force_flush()
    processor.shutdown()
    writer.close()
    names = [
        r[0] for r in sqlite3.connect(tmp_path / "telemetry.db").execute("SELECT name FROM spans ORDER BY start_ns")
    ]
    assert names == ["kept", "kept after"]
    assert _errors(global_meter, "export.spans.store") == 1
    assert [s.name for s in global_meter.spans()] == ["kept", "lost while locked", "kept after"]


@pytest.mark.usefixtures("guard_swallows")
def test_metric_store_exporter_failure_is_counted(global_meter: TelemetryCapture, tmp_path: Path) -> None:
    writer = StoreWriter(tmp_path / "telemetry.db")
    exporter = MetricStoreExporter(writer)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(metric_readers=[reader])
    provider.get_meter("t").create_counter("c").add(1)
    writer.close()  # every later write fails
    reader.collect()
    assert _errors(global_meter, "export.metrics.store") == 1
    # Nothing to write is no failure, even with the writer gone.
    assert exporter.export(MetricsData(resource_metrics=[])) is MetricExportResult.SUCCESS
    provider.shutdown()


class FailingLogExporter(LogRecordExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        self.calls += 1
        raise OSError("disk full")

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


@pytest.mark.usefixtures("guard_swallows")
def test_log_export_failure_is_swallowed_and_counted(global_meter: TelemetryCapture, tmp_path: Path) -> None:
    failing = FailingLogExporter()
    processor = DroppingBatchLogProcessor(failing, sink="failing", meter_provider=global_meter.meter_provider)
    writer = StoreWriter(tmp_path / "telemetry.db")
    store = DroppingBatchLogProcessor(LogStoreExporter(writer), sink="store")
    provider = LoggerProvider()
    provider.add_log_record_processor(processor)
    provider.add_log_record_processor(store)
    provider.get_logger("t").emit(body="hello")
    assert not processor.force_flush()
    assert store.force_flush()
    assert failing.calls == 1
    assert _errors(global_meter, "export.logs.failing") == 1
    bodies = [r[0] for r in sqlite3.connect(tmp_path / "telemetry.db").execute("SELECT body FROM logs")]
    assert bodies == ["hello"]
    provider.shutdown()
    writer.close()


class GatedExporter(SpanExporter):
    """Blocks inside export until released, so the queue behind it fills deterministically."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.entered.set()
        assert self.release.wait(30)
        self.exported.extend(s.name for s in spans)
        return SpanExportResult.SUCCESS


@pytest.fixture
def gated() -> Iterator[GatedExporter]:
    exporter = GatedExporter()
    yield exporter
    exporter.release.set()


def test_full_queue_drops_are_counted(capture: TelemetryCapture, gated: GatedExporter) -> None:
    processor = DroppingBatchSpanProcessor(
        gated, sink="slow", max_queue_size=2, max_batch_size=1, meter_provider=capture.meter_provider
    )
    capture.tracer_provider.add_span_processor(processor)
    tracer = capture.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("in flight"):
        pass
    assert gated.entered.wait(30)  # the worker holds "in flight" inside export
    for i in range(5):
        with tracer.start_as_current_span(f"queued {i}"):
            pass
    gated.release.set()
    assert processor.force_flush()
    assert gated.exported == ["in flight", "queued 0", "queued 1"]
    assert processor.dropped == 3
    assert capture.metric_points("obs.export.dropped")[0].attributes == {
        "obs.export.signal": "spans",
        "obs.export.sink": "slow",
    }
    assert capture.metric_sum("obs.export.dropped") == 3
    processor.shutdown()
