"""Which generation of GenAI metric names to emit.

Backends read different generations. Following the OpenTelemetry habit,
``OTEL_SEMCONV_STABILITY_OPT_IN`` decides: ``gen_ai_latest_experimental``
emits only the newest names, ``gen_ai_latest_experimental/dup`` emits both,
and anything else keeps the names most dashboards read today.
"""

from __future__ import annotations

import enum
import os

from ._genai import (
    METRIC_INFERENCE_DURATION_LATEST,
    METRIC_OPERATION_DURATION_DEFAULT,
    METRIC_TTFC_DEFAULT,
    METRIC_TTFC_LATEST,
)


class NameGeneration(enum.Enum):
    """The generation of GenAI names selected by the opt-in variable."""

    DEFAULT = "default"
    LATEST = "latest"
    BOTH = "both"


def name_generation(environ: dict[str, str] | None = None) -> NameGeneration:
    """Read ``OTEL_SEMCONV_STABILITY_OPT_IN`` (comma-separated, as the spec defines it)."""
    env = os.environ if environ is None else environ
    tokens = {t.strip() for t in env.get("OTEL_SEMCONV_STABILITY_OPT_IN", "").split(",")}
    if "gen_ai_latest_experimental/dup" in tokens:
        return NameGeneration.BOTH
    if "gen_ai_latest_experimental" in tokens:
        return NameGeneration.LATEST
    return NameGeneration.DEFAULT


def inference_duration_names(generation: NameGeneration) -> tuple[str, ...]:
    """Metric names the model-call duration is recorded under."""
    return _pick(generation, METRIC_OPERATION_DURATION_DEFAULT, METRIC_INFERENCE_DURATION_LATEST)


def time_to_first_chunk_names(generation: NameGeneration) -> tuple[str, ...]:
    """Metric names the time-to-first-chunk is recorded under."""
    return _pick(generation, METRIC_TTFC_DEFAULT, METRIC_TTFC_LATEST)


def _pick(generation: NameGeneration, default: str, latest: str) -> tuple[str, ...]:
    if generation is NameGeneration.LATEST:
        return (latest,)
    if generation is NameGeneration.BOTH:
        return (default, latest)
    return (default,)
