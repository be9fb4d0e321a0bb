"""From coding facts to OpenTelemetry: span shapes and metric instruments (names from obs_core.semconv)."""

from ._attributes import OUTCOME_CLASSES, PHASE_SPANS, Attributes, span_shape
from ._metrics import ATTEMPT_BUCKETS, TTGO_BUCKETS_S, CodingMetrics

__all__ = [
    "ATTEMPT_BUCKETS",
    "OUTCOME_CLASSES",
    "PHASE_SPANS",
    "TTGO_BUCKETS_S",
    "Attributes",
    "CodingMetrics",
    "span_shape",
]
