"""MCP metric instruments with the spec's bucket boundaries.

Built per observer from the meter provider the caller passes (never cached
at import). The duration histograms use ``MCP_BUCKETS_S`` as advisory
boundaries, which any SDK meter provider honours, so dashboards built on the
spec's buckets line up.
"""

from __future__ import annotations

from collections.abc import Mapping

from obs_core import semconv as sc
from opentelemetry import metrics
from opentelemetry.util.types import AttributeValue

Attrs = Mapping[str, AttributeValue]

_SCOPE = "obs.mcp"


class ClientMetrics:
    """What an MCP client (or the proxy, which is one) records."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter(_SCOPE)
        buckets = list(sc.MCP_BUCKETS_S)
        self._duration = meter.create_histogram(
            sc.METRIC_MCP_CLIENT_OPERATION_DURATION,
            unit="s",
            description="Duration of MCP requests sent by the client.",
            explicit_bucket_boundaries_advisory=buckets,
        )
        self._session = meter.create_histogram(
            sc.METRIC_MCP_CLIENT_SESSION_DURATION,
            unit="s",
            description="Lifetime of MCP client sessions.",
            explicit_bucket_boundaries_advisory=buckets,
        )
        self._errors = meter.create_counter(
            sc.OBS_MCP_CLIENT_ERRORS, unit="{request}", description="Failed MCP requests by error.type."
        )
        self._retries = meter.create_counter(
            sc.OBS_MCP_CLIENT_RETRIES, unit="{request}", description="tools/call requests repeating a failed call."
        )
        self._notifications = meter.create_counter(
            sc.OBS_MCP_NOTIFICATIONS, unit="{notification}", description="MCP notifications seen."
        )
        self._malformed = meter.create_counter(
            sc.OBS_MCP_PROXY_MALFORMED, unit="{message}", description="Unparseable lines the proxy skipped."
        )

    def record_call(self, duration_s: float, attributes: Attrs, error_type: str | None) -> None:
        """One answered request; the histogram's count is the request counter (by ``error.type``), so no
        separate counter pays the SDK's per-point attribute hashing on every call."""
        if error_type is not None:
            attributes = {**attributes, sc.ERROR_TYPE: error_type}
            self._errors.add(1, attributes)
        self._duration.record(duration_s, attributes)

    def record_refused(self, attributes: Attrs, error_type: str) -> None:
        """A call the breaker answered without asking the server: an error, but no duration to record."""
        self._errors.add(1, {**attributes, sc.ERROR_TYPE: error_type})

    def record_retry(self, reason: str, attributes: Attrs) -> None:
        self._retries.add(1, {**attributes, sc.OBS_RETRY_REASON: reason})

    def record_session(self, duration_s: float, attributes: Attrs) -> None:
        self._session.record(duration_s, attributes)

    def record_notification(self, method: str, direction: str, attributes: Attrs) -> None:
        self._notifications.add(1, {**attributes, sc.MCP_METHOD_NAME: method, sc.OBS_MCP_DIRECTION: direction})

    def record_malformed(self, direction: str, attributes: Attrs) -> None:
        self._malformed.add(1, {**attributes, sc.OBS_MCP_DIRECTION: direction})


class ServerMetrics:
    """What the server middleware records."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter(_SCOPE)
        self._duration = meter.create_histogram(
            sc.METRIC_MCP_SERVER_OPERATION_DURATION,
            unit="s",
            description="Duration of MCP requests handled by the server.",
            explicit_bucket_boundaries_advisory=list(sc.MCP_BUCKETS_S),
        )
        self._notifications = meter.create_counter(
            sc.OBS_MCP_NOTIFICATIONS, unit="{notification}", description="MCP notifications seen."
        )

    def record_operation(self, duration_s: float, attributes: Attrs) -> None:
        self._duration.record(duration_s, attributes)

    def record_notification(self, method: str, direction: str, attributes: Attrs) -> None:
        self._notifications.add(1, {**attributes, sc.MCP_METHOD_NAME: method, sc.OBS_MCP_DIRECTION: direction})
