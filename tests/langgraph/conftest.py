"""Fixtures for the LangGraph tests: real graphs, a scripted model, in-memory telemetry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from obs_core import internal_error_counts
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangChainInstrumentor, LangGraphConfig, ObsCallbackHandler
from opentelemetry import context as otel_context

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


@pytest.fixture(autouse=True)
def otel_context_is_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A real run must leave the caller's OpenTelemetry context exactly as it found it.

    The replay tests of test_robustness call the callbacks of a multi-threaded run
    from one thread (and drop some on purpose), so their per-run attach/detach
    pairs cannot nest as they do in the real run: those tests get the context
    restored instead of checked, so they cannot leak into later tests.
    """
    before = otel_context.get_current()
    yield
    after = otel_context.get_current()
    if after is before:
        return
    otel_context.attach(before)
    if request.module.__name__.rsplit(".", 1)[-1] != "test_robustness":
        raise AssertionError(f"the test left another OpenTelemetry context current: {dict(after)}")
