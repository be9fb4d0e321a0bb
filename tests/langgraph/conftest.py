"""Fixtures for the LangGraph tests: real graphs, a scripted model, in-memory telemetry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from obs_core import internal_error_counts
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangChainInstrumentor, LangGraphConfig, ObsCallbackHandler

from .graphs import SpanTree


@pytest.fixture(autouse=True)
def no_internal_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """LangChain swallows handler exceptions into a log line; fail the test instead if obs erred."""
    if "guard_swallows" in request.fixturenames:
        yield
        return
    before = internal_error_counts()
    yield
    after = internal_error_counts()
    new = {site: n - before.get(site, 0) for site, n in after.items() if n != before.get(site, 0)}
    assert not new, f"obs internal errors during the test: {new}"


@pytest.fixture
def config() -> LangGraphConfig:
    return LangGraphConfig()


@pytest.fixture
def handler(capture: TelemetryCapture, config: LangGraphConfig) -> ObsCallbackHandler:
    return ObsCallbackHandler(config=config, **capture.providers)


@pytest.fixture
def instrumented(capture: TelemetryCapture, config: LangGraphConfig) -> Iterator[LangChainInstrumentor]:
    instrumentor = LangChainInstrumentor()
    instrumentor.instrument(config=config, **capture.providers)
    try:
        yield instrumentor
    finally:
        instrumentor.uninstrument()


@pytest.fixture
def tree(capture: TelemetryCapture) -> SpanTree:
    return SpanTree(capture)
