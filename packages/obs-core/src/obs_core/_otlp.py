"""Which signals go to OTLP, over which protocol — read from the standard variables.

Per signal, as the OpenTelemetry SDK specification defines it:
``OTEL_{TRACES,METRICS,LOGS}_EXPORTER`` decides when set (``otlp`` on,
``none`` or any other exporter off); otherwise an endpoint
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or the signal's own ``..._{SIGNAL}_ENDPOINT``)
turns it on. The protocol is the signal's ``..._{SIGNAL}_PROTOCOL``, then
``OTEL_EXPORTER_OTLP_PROTOCOL``, then ``http/protobuf`` (the spec's default).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from opentelemetry.sdk._logs.export import LogRecordExporter
from opentelemetry.sdk.metrics.export import MetricExporter
from opentelemetry.sdk.trace.export import SpanExporter

Protocol = Literal["grpc", "http/protobuf"]
Signal = Literal["traces", "metrics", "logs"]
SIGNALS: tuple[Signal, ...] = ("traces", "metrics", "logs")

_log = logging.getLogger("obs.setup")


@dataclass(frozen=True, slots=True)
class OtlpPlan:
    """The OTLP protocol per signal, None where that signal is not exported over OTLP."""

    traces: Protocol | None
    metrics: Protocol | None
    logs: Protocol | None


def otlp_plan(force: bool | None, environ: Mapping[str, str] | None = None) -> OtlpPlan:
    """Decide per signal; ``force`` True/False overrides the environment for all three."""
    env = os.environ if environ is None else environ
    chosen: dict[Signal, Protocol | None] = {}
    for signal in SIGNALS:
        on = force if force is not None else _requested(signal, env)
        chosen[signal] = _protocol(signal, env) if on else None
    return OtlpPlan(chosen["traces"], chosen["metrics"], chosen["logs"])


def _requested(signal: Signal, env: Mapping[str, str]) -> bool:
    exporters = env.get(f"OTEL_{signal.upper()}_EXPORTER")
    if exporters is not None and exporters.strip():
        names = {n.strip().lower() for n in exporters.split(",")}
        return "otlp" in names
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT"))


def _protocol(signal: Signal, env: Mapping[str, str]) -> Protocol:
    name = f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL"
    value = env.get(name) or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf"
    if value == "grpc":
        return "grpc"
    if value not in ("http/protobuf", "http"):
        _log.warning("obs: %s=%r is not supported; using http/protobuf (use grpc or http/protobuf)", name, value)
    return "http/protobuf"


def span_exporter(protocol: Protocol) -> SpanExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpan

        return GrpcSpan()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpan

    return HttpSpan()


def metric_exporter(protocol: Protocol) -> MetricExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcMetric

        return GrpcMetric()
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpMetric

    return HttpMetric()


def log_exporter(protocol: Protocol) -> LogRecordExporter:
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLog

        return GrpcLog()
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLog

    return HttpLog()
