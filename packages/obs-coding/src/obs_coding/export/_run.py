"""The export process: obs's sinks around a preset-id provider, flushing the ledger.

Runs where nothing else configured OpenTelemetry: the background process a
Claude Code ``Stop`` hook starts, ``obs ingest`` (which flushes after every
task that ends, so a long event stream shows up as it goes), ``obs outcome
scan``, ``obs hook flush``. Each such process is its own
``service.instance.id``, so the cumulative metric points of many short-lived
exporters are never mistaken for one counter that reset.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Collection
from pathlib import Path
from types import TracebackType

from obs_core import ObsRuntime, configure, get_runtime
from opentelemetry.sdk.resources import Resource

from obs_coding.ledger import Ledger
from obs_coding.telemetry import CodingMetrics

from ._export import flush_pending, preset_tracer_provider


class ExportSession:
    """Owns the process's OpenTelemetry set-up for as long as it flushes one ledger."""

    def __init__(
        self, ledger: Ledger, *, store_path: Path | None, service_name: str, kinds: Collection[str] | None = None
    ) -> None:
        if get_runtime() is not None:
            raise RuntimeError("an ExportSession must own the process's OpenTelemetry set-up; use flush_pending")
        attributes = {"service.instance.id": uuid.uuid4().hex}
        if not os.environ.get("OTEL_SERVICE_NAME"):
            attributes["service.name"] = service_name
        self.ledger = ledger
        self.kinds = kinds
        self.provider = preset_tracer_provider(Resource.create(attributes))
        self.runtime: ObsRuntime = configure(
            store=store_path if store_path is not None else True,
            tracer_provider=self.provider,
            resource_attributes=attributes,
            metric_export_interval_s=3600.0,  # collected once at close: all a short process needs
        )
        self.metrics = CodingMetrics(self.runtime.meter_provider)
        self.exported = 0

    def flush(self) -> int:
        """Export what is finished now; returns how many spans."""
        count = flush_pending(self.ledger, self.provider, metrics=self.metrics, now_ns=time.time_ns(), kinds=self.kinds)
        self.exported += count
        return count

    def close(self) -> None:
        """Export what is left and flush every sink."""
        try:
            self.flush()
        finally:
            self.runtime.shutdown()

    def __enter__(self) -> ExportSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def run_export(
    ledger_path: Path, *, store_path: Path | None, service_name: str, kinds: Collection[str] | None = None
) -> int:
    """Export every finished span recorded in ``ledger_path`` (only ``kinds``, if given); return how many."""
    with Ledger(ledger_path) as ledger:
        session = ExportSession(ledger, store_path=store_path, service_name=service_name, kinds=kinds)
        session.close()
        return session.exported
