"""Sampling settings, with ``OBS_SAMPLING_*`` environment fallbacks."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _float(env: str, default: float) -> float:
    raw = os.environ.get(env, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{env}={raw!r} is not a number; set it to a value like 0.25 or unset it") from None


@dataclass(frozen=True, slots=True)
class SamplingConfig:
    """What to keep. Head sampling decides at the root; tail sampling decides when the trace ends."""

    head_ratio: float = 1.0
    """Share of users (by salted user hash; by trace id when no user) whose traces are kept. ``OBS_SAMPLING_RATIO``."""
    canary_ratio: float = 0.0
    """Share of users in the canary cohort: always kept and marked ``obs.sampling.cohort=canary``. ``OBS_SAMPLING_CANARY_RATIO``."""
    tail: bool = False
    """Buffer each trace until its root ends and keep it when a tail rule fires, whatever the head said. ``OBS_SAMPLING_TAIL=1``."""
    tail_latency_s: float = 30.0
    """Tail rule: keep traces whose root took at least this long. ``OBS_SAMPLING_TAIL_LATENCY_S``."""
    tail_max_traces: int = 2048
    """Traces buffered at once; the oldest is decided early when more arrive (bounded memory)."""
    tail_max_spans_per_trace: int = 1024
    """Spans buffered per trace; past it the trace is decided early."""

    @classmethod
    def from_env(cls) -> SamplingConfig:
        return cls(
            head_ratio=_float("OBS_SAMPLING_RATIO", 1.0),
            canary_ratio=_float("OBS_SAMPLING_CANARY_RATIO", 0.0),
            tail=os.environ.get("OBS_SAMPLING_TAIL", "").lower() in {"1", "true", "yes", "on"},
            tail_latency_s=_float("OBS_SAMPLING_TAIL_LATENCY_S", 30.0),
        )

    def __post_init__(self) -> None:
        for name in ("head_ratio", "canary_ratio"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SamplingConfig.{name} must be within [0, 1], got {value}")

    @property
    def active(self) -> bool:
        """False when everything is kept anyway (no sampler needed)."""
        return self.head_ratio < 1.0 or self.canary_ratio > 0.0 or self.tail
