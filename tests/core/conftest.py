"""Fixtures for obs-core tests: fresh OpenTelemetry globals and a store written by real spans."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import _logs, trace
from opentelemetry._logs import _internal as logs_internal
from opentelemetry.metrics import _internal as metrics_internal
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.util._once import Once

from .sample_store import SampleStore, write_sample_store


@pytest.fixture
def otel_globals() -> Iterator[None]:
    """Run with unset global providers and restore the previous ones afterwards.

    ``configure()`` sets the global tracer/meter/logger providers, which the API
    allows once per process; tests of it get a fresh slate each.
    """
    saved = (
        trace._TRACER_PROVIDER,
        trace._TRACER_PROVIDER_SET_ONCE,
        metrics_internal._METER_PROVIDER,
        metrics_internal._METER_PROVIDER_SET_ONCE,
        metrics_internal._PROXY_METER_PROVIDER,
        logs_internal._LOGGER_PROVIDER,
        logs_internal._LOGGER_PROVIDER_SET_ONCE,
    )
    _reset_globals()
    try:
        yield
    finally:
        (
            trace._TRACER_PROVIDER,
            trace._TRACER_PROVIDER_SET_ONCE,
            metrics_internal._METER_PROVIDER,
            metrics_internal._METER_PROVIDER_SET_ONCE,
            metrics_internal._PROXY_METER_PROVIDER,
            logs_internal._LOGGER_PROVIDER,
            logs_internal._LOGGER_PROVIDER_SET_ONCE,
        ) = saved


def _reset_globals() -> None:
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    metrics_internal._METER_PROVIDER = None
    metrics_internal._METER_PROVIDER_SET_ONCE = Once()
    metrics_internal._PROXY_METER_PROVIDER = metrics_internal._ProxyMeterProvider()
    logs_internal._LOGGER_PROVIDER = None
    logs_internal._LOGGER_PROVIDER_SET_ONCE = Once()
    assert not isinstance(trace.get_tracer_provider(), TracerProvider)
    assert _logs.get_logger_provider() is logs_internal._PROXY_LOGGER_PROVIDER


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> SampleStore:
    """A store with the three sample traces; tests only read it (copy it before any write)."""
    path = tmp_path_factory.mktemp("sample") / "telemetry.db"
    write_sample_store(path)
    return SampleStore(path)
