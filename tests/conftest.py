"""Shared fixtures: in-memory providers and a guard that can be told to swallow."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from obs_core import set_guard_raises
from obs_core.testing import TelemetryCapture


@pytest.fixture
def capture() -> Iterator[TelemetryCapture]:
    telemetry = TelemetryCapture()
    yield telemetry
    telemetry.shutdown()


@pytest.fixture
def guard_swallows() -> Iterator[None]:
    """Run the test as production would: internal errors are swallowed and counted."""
    previous = set_guard_raises(False)
    yield
    set_guard_raises(previous)
