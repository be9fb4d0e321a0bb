"""Fixtures for obs-coding tests: a ledger in a temp dir, and an exporter wired to the in-memory capture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from obs_coding.export import flush_pending, preset_tracer_provider
from obs_coding.ledger import Ledger
from obs_coding.telemetry import CodingMetrics
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from ._support import Repo


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    db = Ledger(tmp_path / "obs" / "coding.db")
    yield db
    db.close()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def preset_provider(capture: TelemetryCapture) -> Iterator[TracerProvider]:
    """A preset-id tracer provider that exports into ``capture``."""
    provider = preset_tracer_provider()
    provider.add_span_processor(SimpleSpanProcessor(capture.span_exporter))
    yield provider
    provider.shutdown()


@pytest.fixture
def flush(ledger: Ledger, preset_provider: TracerProvider, capture: TelemetryCapture) -> Callable[[], int]:
    """Export what the ledger holds into ``capture`` (as the Stop hook's exporter would)."""
    metrics = CodingMetrics(capture.meter_provider)

    def run() -> int:
        return flush_pending(ledger, preset_provider, metrics=metrics, now_ns=2_000_000_000_000_000_000)

    return run
