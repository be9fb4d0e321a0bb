"""Drift against a golden baseline, measured with the population stability index.

A golden run (a regression suite, last week's traffic) fixes what normal looks
like per feature: output tokens, tool calls per task, latency, confidence. The
monitor bins the baseline at its deciles and compares a rolling window of live
values with it. PSI below 0.1 is usually read as stable, 0.1 to 0.25 as a shift
worth a look, above 0.25 as drift.
"""

from __future__ import annotations

import bisect
import json
import math
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from opentelemetry import metrics

from obs_core._guard import internal_guard
from obs_core.semconv import OBS_SIGNAL_DRIFT, OBS_SIGNAL_FEATURE

_EPS = 1e-4


@dataclass(frozen=True, slots=True)
class DriftBaseline:
    """Bin edges and expected shares per feature, computed once from golden values."""

    edges: Mapping[str, tuple[float, ...]]
    expected: Mapping[str, tuple[float, ...]]

    @classmethod
    def from_values(cls, values: Mapping[str, Sequence[float]], bins: int = 10) -> DriftBaseline:
        edges: dict[str, tuple[float, ...]] = {}
        expected: dict[str, tuple[float, ...]] = {}
        for feature, raw in values.items():
            data = sorted(float(v) for v in raw)
            if len(data) < bins:
                raise ValueError(f"drift baseline for {feature!r} needs at least {bins} values, got {len(data)}")
            cuts = sorted({data[int(len(data) * i / bins)] for i in range(1, bins)})
            edges[feature] = tuple(cuts)
            expected[feature] = _shares(data, cuts)
        return cls(edges, expected)

    def save(self, path: Path) -> None:
        payload = {f: {"edges": list(self.edges[f]), "expected": list(self.expected[f])} for f in self.edges}
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> DriftBaseline:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                {f: tuple(float(x) for x in v["edges"]) for f, v in payload.items()},
                {f: tuple(float(x) for x in v["expected"]) for f, v in payload.items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(
                f"cannot read drift baseline {path}: {exc}; recreate it with DriftBaseline.save()"
            ) from exc


def _shares(data: Sequence[float], cuts: Sequence[float]) -> tuple[float, ...]:
    counts = [0] * (len(cuts) + 1)
    for value in data:
        counts[bisect.bisect_right(cuts, value)] += 1
    return tuple(c / len(data) for c in counts)


def population_stability_index(expected: Sequence[float], actual: Sequence[float]) -> float:
    """PSI = sum((a - e) * ln(a / e)), with empty bins floored to avoid infinities."""
    return sum(
        (max(a, _EPS) - max(e, _EPS)) * math.log(max(a, _EPS) / max(e, _EPS))
        for e, a in zip(expected, actual, strict=True)
    )


class DriftMonitor:
    """Rolling comparison of live feature values with a baseline; PSI per feature on a gauge."""

    def __init__(
        self, baseline: DriftBaseline, *, window: int = 500, meter_provider: metrics.MeterProvider | None = None
    ) -> None:
        self.baseline = baseline
        self._windows: dict[str, deque[float]] = {f: deque(maxlen=window) for f in baseline.edges}
        self._lock = threading.Lock()
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.signals")
        self._gauge = meter.create_gauge(
            OBS_SIGNAL_DRIFT, unit="1", description="PSI of live values vs the golden baseline."
        )

    def observe(self, feature: str, value: float) -> float | None:
        """Add one live value; returns the feature's current PSI once the window has 10+ values."""
        window = self._windows.get(feature)
        if window is None:
            return None  # features outside the baseline are ignored, not errors
        psi: float | None = None
        with internal_guard("signals.drift"):
            with self._lock:
                window.append(float(value))
                if len(window) < 10:
                    return None
                psi = population_stability_index(
                    self.baseline.expected[feature], _shares(list(window), self.baseline.edges[feature])
                )
            self._gauge.set(psi, {OBS_SIGNAL_FEATURE: feature})
        return psi

    def psi(self) -> dict[str, float]:
        """Current PSI per feature that has enough live values."""
        with self._lock:
            return {
                f: population_stability_index(self.baseline.expected[f], _shares(list(w), self.baseline.edges[f]))
                for f, w in self._windows.items()
                if len(w) >= 10
            }
