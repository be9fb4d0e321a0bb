"""``configure()``: sinks, OTLP selection from the environment, and respect for existing providers."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from obs_core import GenAIMetrics, configure, get_runtime
from obs_core._setup import ObsRuntime
from obs_core.store import TelemetryStore
from opentelemetry import _logs, metrics, trace
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogs
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcMetrics
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpans
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLogs
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpMetrics
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpans
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_OTLP_ENV = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    "OTEL_TRACES_EXPORTER",
    "OTEL_METRICS_EXPORTER",
    "OTEL_LOGS_EXPORTER",
    "OBS_SAMPLING_RATIO",
    "OBS_SAMPLING_CANARY_RATIO",
    "OBS_SAMPLING_TAIL",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
)


@pytest.fixture
def clean_env(otel_globals: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in _OTLP_ENV:
        monkeypatch.delenv(name, raising=False)
    yield
    runtime = get_runtime()
    if runtime is not None:
        runtime.shutdown()


def _exporter_types(runtime: ObsRuntime) -> tuple[list[type], list[type], list[type]]:
    return (
        [type(p.exporter) for p in runtime._span_processors],
        [type(p.exporter) for p in runtime._log_processors],
        [type(r._exporter) for r in runtime._metric_readers],  # type: ignore[attr-defined]
    )


@pytest.mark.usefixtures("clean_env")
def test_configure_writes_spans_logs_and_metrics_to_the_store(tmp_path: Path) -> None:
    path = tmp_path / "telemetry.db"
    runtime = configure(service_name="svc", store=path, metric_export_interval_s=3600)
    assert configure() is runtime  # a second call returns the running runtime
    assert (runtime.owns_tracer_provider, runtime.owns_meter_provider, runtime.owns_logger_provider) == (True,) * 3
    assert runtime.store_path == path
    assert runtime.otlp_protocol is None
    with trace.get_tracer("t").start_as_current_span(
        "chat gpt-4o", attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
    ):
        _logs.get_logger("t").emit(body="inside the span")
    GenAIMetrics(metrics.get_meter_provider()).record_model_call({"gen_ai.request.model": "gpt-4o"}, duration_s=0.5)
    runtime.shutdown()
    assert get_runtime() is None

    with TelemetryStore.open(path) as store:
        (summary,) = store.recent_traces()
        assert (summary.root_name, summary.service, summary.span_count) == ("chat gpt-4o", "svc", 1)
        conn = store.connection
        ((body, trace_id, service),) = conn.execute("SELECT body, trace_id, service_name FROM logs").fetchall()
        assert (body, trace_id, service) == ("inside the span", summary.trace_id, "svc")
        names = {r[0] for r in conn.execute("SELECT name FROM metric_points")}
        assert "gen_ai.client.operation.duration" in names


@pytest.mark.usefixtures("clean_env")
def test_configure_attaches_to_an_existing_sdk_tracer_provider(tmp_path: Path) -> None:
    theirs = TracerProvider()
    their_exporter = InMemorySpanExporter()
    theirs.add_span_processor(SimpleSpanProcessor(their_exporter))
    trace.set_tracer_provider(theirs)
    their_meters = MeterProvider()
    metrics.set_meter_provider(their_meters)

    runtime = configure(store=tmp_path / "telemetry.db")
    assert runtime.tracer_provider is theirs
    assert trace.get_tracer_provider() is theirs
    assert runtime.owns_tracer_provider is False
    assert runtime.meter_provider is their_meters
    assert runtime.owns_meter_provider is False
    with theirs.get_tracer("t").start_as_current_span("their span"):
        pass
    runtime.shutdown()
    assert [s.name for s in their_exporter.get_finished_spans()] == ["their span"]  # their pipeline still runs
    with TelemetryStore.open(tmp_path / "telemetry.db") as store:
        assert [t.root_name for t in store.recent_traces()] == ["their span"]  # and obs's store got it too
    their_meters.shutdown()
    theirs.shutdown()


@pytest.mark.usefixtures("clean_env")
def test_configure_takes_explicit_providers(tmp_path: Path) -> None:
    given = TracerProvider()
    runtime = configure(store=tmp_path / "t.db", tracer_provider=given)
    assert runtime.tracer_provider is given
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)  # the global was left alone
    runtime.shutdown()
    given.shutdown()


@pytest.mark.parametrize(
    ("env", "protocol", "types"),
    [
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"},
            "http/protobuf",
            ([HttpSpans], [HttpLogs], [HttpMetrics]),
        ),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
            "grpc",
            ([GrpcSpans], [GrpcLogs], [GrpcMetrics]),
        ),
        (
            # OTEL_TRACES_EXPORTER speaks for traces only; the other signals stay off.
            {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"},
            "grpc",
            ([GrpcSpans], [], []),
        ),
        (
            # An endpoint turns every signal on except the ones whose exporter is set to none.
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_LOGS_EXPORTER": "none"},
            "http/protobuf",
            ([HttpSpans], [], [HttpMetrics]),
        ),
        (
            {
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://127.0.0.1:9",
                "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc",
            },
            None,
            ([], [], [GrpcMetrics]),
        ),
        ({}, None, ([], [], [])),
    ],
)
@pytest.mark.usefixtures("clean_env")
def test_otlp_exporters_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], protocol: str | None, types: tuple[list[type], ...]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runtime = configure(store=False, metric_export_interval_s=3600)
    assert runtime.otlp_protocol == protocol
    assert _exporter_types(runtime) == types
    runtime.shutdown()  # nothing was recorded, so nothing is sent


@pytest.mark.usefixtures("clean_env")
def test_unsupported_otlp_protocol_falls_back_to_http_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
    with caplog.at_level(logging.WARNING, logger="obs.setup"):
        runtime = configure(store=False, otlp=True, metric_export_interval_s=3600)
    assert runtime.otlp_protocol == "http/protobuf"
    assert "http/json" in caplog.text
    runtime.shutdown()


@pytest.mark.usefixtures("clean_env")
def test_drop_counter_uses_the_configured_meter_provider(tmp_path: Path) -> None:
    """Drops must be counted where obs's metrics go, also when the user passes a meter provider."""
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    given = MeterProvider(metric_readers=[reader])
    runtime = configure(store=tmp_path / "t.db", meter_provider=given)
    processor = runtime._span_processors[0]
    processor._worker._dropped_counter.add(1, {"probe": "yes"})
    data = reader.get_metrics_data()
    assert data is not None
    names = [m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics]
    assert "obs.export.dropped" in names
    runtime.shutdown()
    given.shutdown()


def test_store_writer_never_touches_a_foreign_sqlite_file(tmp_path: Path) -> None:
    """configure() on someone else's database refuses before switching it to WAL."""
    from obs_core.store import StoreCorruptError, StoreWriter

    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError, match="other tables and no obs schema"):
        StoreWriter(path)
    assert path.read_bytes() == before


@pytest.mark.usefixtures("clean_env")
def test_an_unusable_store_disables_the_sink_instead_of_breaking_the_app(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="obs.setup"):
        runtime = configure(store=path, metric_export_interval_s=3600)
    assert runtime.store_path is None
    assert runtime.store_error is not None
    assert "no obs schema" in runtime.store_error
    assert "embedded store is disabled" in caplog.text
    with trace.get_tracer("t").start_as_current_span("still traced"):
        pass
    runtime.shutdown()
    assert path.read_bytes() == before


@pytest.mark.usefixtures("clean_env")
def test_tail_sampling_keeps_open_traces_at_shutdown(tmp_path: Path) -> None:
    """A process exiting inside a trace still writes what ended: the tail buffer is decided, not dropped."""
    from obs_core.sampling import SamplingConfig

    path = tmp_path / "telemetry.db"
    runtime = configure(store=path, metric_export_interval_s=3600, sampling=SamplingConfig(tail=True))
    tracer = trace.get_tracer("t")
    root = tracer.start_span("request that never ends")
    with tracer.start_as_current_span("finished step", context=trace.set_span_in_context(root)):
        pass
    runtime.shutdown()
    with TelemetryStore.open(path) as store:
        assert store.connection.execute("SELECT name FROM spans").fetchall() == [("finished step",)]
