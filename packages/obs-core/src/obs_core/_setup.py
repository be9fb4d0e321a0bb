"""``configure()``: one call that gives an application traces, metrics and logs.

Users who have no OpenTelemetry set-up get providers, the embedded store as
default sink, and OTLP when the standard ``OTEL_EXPORTER_OTLP_*`` variables ask
for it. Users who already configured OpenTelemetry keep their providers: obs
attaches its store processors to them instead of replacing anything.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from opentelemetry import _logs, metrics, trace
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import LogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from ._batch import DroppingBatchLogProcessor, DroppingBatchSpanProcessor
from ._otlp import OtlpPlan, Protocol, log_exporter, metric_exporter, otlp_plan, span_exporter
from .sampling import SamplingConfig, TailSamplingProcessor, UserHashSampler
from .store import (
    LogStoreExporter,
    MetricStoreExporter,
    SpanStoreExporter,
    StoreError,
    StoreWriter,
    default_store_path,
)

_log = logging.getLogger("obs.setup")
_lock = threading.Lock()
_runtime: ObsRuntime | None = None


@dataclass
class ObsRuntime:
    """What ``configure()`` set up; flush or shut it down, inspect where data goes."""

    tracer_provider: TracerProvider
    """The SDK tracer provider obs exports from (the user's own when one existed)."""
    meter_provider: metrics.MeterProvider
    """The meter provider obs instruments record into."""
    logger_provider: LoggerProvider | None
    """The SDK logger provider (None when the user's existing one is not an SDK provider)."""
    store_path: Path | None
    """Where the embedded store writes, or None when disabled."""
    otlp_protocol: Protocol | None
    """The OTLP protocol of traces, or None when traces are not exported over OTLP."""
    otlp: OtlpPlan = field(default_factory=lambda: OtlpPlan(None, None, None))
    """The OTLP protocol per signal (traces, metrics, logs)."""
    store_error: str | None = None
    """Why the embedded store is not in use when it was asked for (the app keeps running without it)."""
    owns_tracer_provider: bool = False
    owns_meter_provider: bool = False
    owns_logger_provider: bool = False
    _span_processors: list[DroppingBatchSpanProcessor] = field(default_factory=list)
    _tail: TailSamplingProcessor | None = None
    _log_processors: list[DroppingBatchLogProcessor] = field(default_factory=list)
    _metric_readers: list[MetricReader] = field(default_factory=list)
    _writer: StoreWriter | None = None
    _closed: bool = False

    @property
    def dropped_spans(self) -> int:
        """Spans dropped on full queues since start (also on ``obs.export.dropped``)."""
        return sum(p.dropped for p in self._span_processors)

    def force_flush(self, timeout_s: float = 30.0) -> bool:
        """Export everything queued so far; the CLI calls this before reading the store."""
        ok = all(p.force_flush(int(timeout_s * 1000)) for p in self._span_processors)
        ok = all(p.force_flush(int(timeout_s * 1000)) for p in self._log_processors) and ok
        for reader in self._metric_readers:
            ok = reader.force_flush(int(timeout_s * 1000)) and ok
        return ok

    def shutdown(self) -> None:
        """Flush and stop obs's own processors; providers the user owns stay running."""
        global _runtime
        if self._closed:
            return
        self._closed = True
        # Metric readers are collected once by their shutdown below; flushing
        # them here as well would export the same cumulative points twice.
        if self._tail is not None:
            self._tail.decide_open_traces()
        for sp in self._span_processors:
            sp.force_flush()
        for lp in self._log_processors:
            lp.force_flush()
        for p in self._span_processors:
            p.shutdown()
        for lp in self._log_processors:
            lp.shutdown()
        if self.owns_meter_provider and isinstance(self.meter_provider, MeterProvider):
            self.meter_provider.shutdown()
        else:
            for reader in self._metric_readers:
                reader.shutdown()
        if self._writer is not None:
            self._writer.close()
        with _lock:
            if _runtime is self:
                _runtime = None


def configure(
    *,
    service_name: str | None = None,
    store: str | os.PathLike[str] | bool = True,
    otlp: bool | None = None,
    tracer_provider: TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
    logger_provider: LoggerProvider | None = None,
    resource_attributes: dict[str, str] | None = None,
    metric_export_interval_s: float | None = None,
    span_exporters: tuple[SpanExporter, ...] = (),
    metric_exporters: tuple[MetricExporter, ...] = (),
    log_exporters: tuple[LogRecordExporter, ...] = (),
    sampling: SamplingConfig | None = None,
) -> ObsRuntime:
    """Set up (or attach to) the OpenTelemetry providers and obs's sinks.

    ``store``: True for the default path (``OBS_STORE`` or ``.obs/telemetry.db``),
    a path, or False for no embedded store. ``otlp``: None follows the standard
    environment per signal (see ``_otlp``), True forces it on, False off. A store
    that cannot be opened (corrupt, newer schema) is reported once and skipped:
    telemetry never stops the application. Extra exporters are added beside the defaults.
    ``sampling``: head/canary/tail sampling (default: ``SamplingConfig.from_env()``; when
    inactive, the SDK's ``OTEL_TRACES_SAMPLER`` applies as usual).
    Calling it again returns the runtime already running.
    """
    global _runtime
    with _lock:
        if _runtime is not None and not _runtime._closed:
            return _runtime
        attrs: dict[str, str] = dict(resource_attributes or {})
        if service_name:
            attrs["service.name"] = service_name
        elif not os.environ.get("OTEL_SERVICE_NAME") and "service.name=" not in os.environ.get(
            "OTEL_RESOURCE_ATTRIBUTES", ""
        ):
            attrs["service.name"] = "obs-app"
        resource = Resource.create(attrs)
        plan = otlp_plan(otlp)
        store_path = _resolve_store(store)
        writer: StoreWriter | None = None
        store_error: str | None = None
        if store_path is not None:
            try:
                writer = StoreWriter(store_path)
            except StoreError as exc:
                # Never break the host over telemetry: run without the store and say why once.
                store_error = str(exc)
                store_path = None
                _log.warning("obs: the embedded store is disabled for this run: %s", exc)

        sampling_config = sampling if sampling is not None else SamplingConfig.from_env()
        # Metrics first: the batch processors count drops on obs.export.dropped
        # through the meter provider in use, which must exist before them.
        meters, owns_meters, readers = _setup_metrics(
            meter_provider, resource, writer, plan.metrics, metric_exporters, metric_export_interval_s
        )
        runtime = _setup_traces(tracer_provider, resource, writer, plan.traces, span_exporters, sampling_config, meters)
        runtime.owns_meter_provider = owns_meters
        runtime._metric_readers = readers
        runtime.store_path = store_path
        runtime.otlp_protocol = plan.traces
        runtime.otlp = plan
        runtime.store_error = store_error
        runtime._writer = writer
        _setup_logs(runtime, logger_provider, resource, writer, plan.logs, log_exporters)
        _runtime = runtime
    atexit.register(runtime.shutdown)
    return runtime


def get_runtime() -> ObsRuntime | None:
    """The runtime ``configure()`` started, if any."""
    return _runtime


def _resolve_store(store: str | os.PathLike[str] | bool) -> Path | None:
    if store is False:
        return None
    if store is True:
        return default_store_path()
    return Path(store)


def _setup_traces(
    given: TracerProvider | None,
    resource: Resource,
    writer: StoreWriter | None,
    protocol: Protocol | None,
    extra: tuple[SpanExporter, ...],
    sampling: SamplingConfig,
    meter_provider: metrics.MeterProvider,
) -> ObsRuntime:
    existing = trace.get_tracer_provider()
    owns = False
    if given is not None:
        provider = given
    elif isinstance(existing, TracerProvider):
        provider = existing
    else:
        # Without obs sampling, the SDK reads OTEL_TRACES_SAMPLER itself (sampler=None).
        sampler = (
            UserHashSampler(sampling.head_ratio, sampling.canary_ratio, record_all=sampling.tail)
            if sampling.active
            else None
        )
        provider = TracerProvider(resource=resource, sampler=sampler)
        trace.set_tracer_provider(provider)
        owns = True
    processors: list[DroppingBatchSpanProcessor] = []
    exporters: list[tuple[str, SpanExporter]] = []
    if writer is not None:
        exporters.append(("store", SpanStoreExporter(writer)))
    if protocol is not None:
        exporters.append(("otlp", span_exporter(protocol)))
    exporters.extend((f"custom{i}", e) for i, e in enumerate(extra))
    for sink, exporter in exporters:
        processors.append(DroppingBatchSpanProcessor(exporter, sink=sink, meter_provider=meter_provider))
    tail: TailSamplingProcessor | None = None
    if sampling.tail:
        tail = TailSamplingProcessor(processors, sampling, meter_provider=meter_provider)
        provider.add_span_processor(tail)
    else:
        for processor in processors:
            provider.add_span_processor(processor)
    # The logger provider is filled in by the next step.
    return ObsRuntime(
        tracer_provider=provider,
        meter_provider=meter_provider,
        logger_provider=None,
        store_path=None,
        otlp_protocol=None,
        owns_tracer_provider=owns,
        _span_processors=processors,
        _tail=tail,
    )


def _setup_metrics(
    given: metrics.MeterProvider | None,
    resource: Resource,
    writer: StoreWriter | None,
    protocol: Protocol | None,
    extra: tuple[MetricExporter, ...],
    interval_s: float | None,
) -> tuple[metrics.MeterProvider, bool, list[MetricReader]]:
    """The meter provider obs records into, whether obs owns it, and obs's readers."""
    existing = metrics.get_meter_provider()
    if given is not None or isinstance(existing, MeterProvider):
        # An SDK meter provider cannot take new readers after creation: obs
        # instruments record into the user's provider and its readers.
        return (given if given is not None else existing), False, []
    interval_ms = int(
        (interval_s if interval_s is not None else float(os.environ.get("OTEL_METRIC_EXPORT_INTERVAL", "60000")) / 1000)
        * 1000
    )
    readers: list[MetricReader] = []
    if writer is not None:
        readers.append(PeriodicExportingMetricReader(MetricStoreExporter(writer), export_interval_millis=interval_ms))
    if protocol is not None:
        readers.append(PeriodicExportingMetricReader(metric_exporter(protocol), export_interval_millis=interval_ms))
    readers.extend(PeriodicExportingMetricReader(e, export_interval_millis=interval_ms) for e in extra)
    provider = MeterProvider(resource=resource, metric_readers=readers)
    metrics.set_meter_provider(provider)
    return provider, True, readers


def _setup_logs(
    runtime: ObsRuntime,
    given: LoggerProvider | None,
    resource: Resource,
    writer: StoreWriter | None,
    protocol: Protocol | None,
    extra: tuple[LogRecordExporter, ...],
) -> None:
    existing = _logs.get_logger_provider()
    if given is not None:
        provider = given
    elif isinstance(existing, LoggerProvider):
        provider = existing
    else:
        provider = LoggerProvider(resource=resource)
        _logs.set_logger_provider(provider)
        runtime.owns_logger_provider = True
    exporters: list[tuple[str, LogRecordExporter]] = []
    if writer is not None:
        exporters.append(("store", LogStoreExporter(writer)))
    if protocol is not None:
        exporters.append(("otlp", log_exporter(protocol)))
    exporters.extend((f"custom{i}", e) for i, e in enumerate(extra))
    for sink, exporter in exporters:
        processor = DroppingBatchLogProcessor(exporter, sink=sink, meter_provider=runtime.meter_provider)
        provider.add_log_record_processor(processor)
        runtime._log_processors.append(processor)
    runtime.logger_provider = provider
