"""MCP metric instruments with the spec's bucket boundaries.

Built per observer from the meter provider the caller passes (never cached
at import). The duration histograms use ``MCP_BUCKETS_S`` as advisory
boundaries, which any SDK meter provider honours, so dashboards built on the
spec's buckets line up.

A data point costs the SDK a copy, a clean and a hash of its attribute dict,
so callers pass prebuilt dicts and an error adds its keys to a copy only when
there is one; the request count is the duration histogram's count rather than
a counter of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from obs_core import semconv as sc
from opentelemetry import metrics
from opentelemetry.context import Context
from opentelemetry.util.types import AttributeValue

Attrs = Mapping[str, AttributeValue]

_SCOPE = "obs.mcp"


class _SideMetrics:
    """What both sides record: an operation and a session duration histogram, and notifications seen."""

    def __init__(self, meter_provider: metrics.MeterProvider | None, operation: str, session: str, whose: str) -> None:
        self.meter = (meter_provider or metrics.get_meter_provider()).get_meter(_SCOPE)
        buckets = list(sc.MCP_BUCKETS_S)
        self._duration = self.meter.create_histogram(
            operation,
            unit="s",
            description=f"Duration of MCP requests {whose}.",
            explicit_bucket_boundaries_advisory=buckets,
        )
        self._session = self.meter.create_histogram(
            session, unit="s", description="Lifetime of MCP sessions.", explicit_bucket_boundaries_advisory=buckets
        )
        self._notifications = self.meter.create_counter(
            sc.OBS_MCP_NOTIFICATIONS, unit="{notification}", description="MCP notifications seen."
        )
        self._errors: metrics.Counter | None = None

    def record_operation(
        self,
        duration_s: float,
        attributes: Attrs,
        error_type: str | None,
        status_code: str | None = None,
        context: Context | None = None,
    ) -> None:
        """One finished request (``status_code``: the JSON-RPC error code the peer answered with, if any).

        ``context`` carries the request's span, so exemplars point at it rather than at whatever happens to be
        current where the outcome was seen.
        """
        if error_type is not None:
            attributes = with_error(attributes, error_type, status_code)
            if self._errors is not None:
                self._errors.add(1, attributes, context)
        self._duration.record(duration_s, attributes, context)

    def record_session(self, duration_s: float, attributes: Attrs) -> None:
        self._session.record(duration_s, attributes)

    def record_notification(self, method: str, direction: str, attributes: Attrs) -> None:
        self._notifications.add(1, {**attributes, sc.MCP_METHOD_NAME: method, sc.OBS_MCP_DIRECTION: direction})


class ClientMetrics(_SideMetrics):
    """What an MCP client (or the proxy, which is one) records."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        super().__init__(
            meter_provider,
            sc.METRIC_MCP_CLIENT_OPERATION_DURATION,
            sc.METRIC_MCP_CLIENT_SESSION_DURATION,
            "sent by the client",
        )
        self._errors = self._client_errors = self.meter.create_counter(
            sc.OBS_MCP_CLIENT_ERRORS, unit="{request}", description="Failed MCP requests by error.type."
        )
        self._retries = self.meter.create_counter(
            sc.OBS_MCP_CLIENT_RETRIES, unit="{request}", description="tools/call requests repeating a failed call."
        )
        self._malformed = self.meter.create_counter(
            sc.OBS_MCP_PROXY_MALFORMED, unit="{message}", description="Unparseable lines the proxy skipped."
        )

    def record_refused(self, attributes: Attrs, error_type: str, context: Context | None = None) -> None:
        """A call the breaker answered without asking the server: an error, but no duration to record."""
        self._client_errors.add(1, {**attributes, sc.ERROR_TYPE: error_type}, context)

    def record_retry(self, reason: str, attributes: Attrs) -> None:
        self._retries.add(1, {**attributes, sc.OBS_RETRY_REASON: reason})

    def record_malformed(self, direction: str, attributes: Attrs) -> None:
        self._malformed.add(1, {**attributes, sc.OBS_MCP_DIRECTION: direction})


class ServerMetrics(_SideMetrics):
    """What the server middleware records."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        super().__init__(
            meter_provider,
            sc.METRIC_MCP_SERVER_OPERATION_DURATION,
            sc.METRIC_MCP_SERVER_SESSION_DURATION,
            "handled by the server",
        )


def with_error(attributes: Attrs, error_type: str, status_code: str | None) -> dict[str, AttributeValue]:
    """``attributes`` plus ``error.type`` and, when the peer answered with one, ``rpc.response.status_code``."""
    out = {**attributes, sc.ERROR_TYPE: error_type}
    if status_code is not None:
        out[sc.RPC_RESPONSE_STATUS_CODE] = status_code
    return out
