"""The model's self-assessed confidence, recorded where the decision was made."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import metrics, trace
from opentelemetry.util.types import AttributeValue

from obs_core._guard import internal_guard
from obs_core.semconv import OBS_SIGNAL_CONFIDENCE

CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


class ConfidenceRecorder:
    """Confidence in [0, 1] as a span attribute and a histogram (low values are review candidates)."""

    def __init__(self, *, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.signals")
        self._hist = meter.create_histogram(
            OBS_SIGNAL_CONFIDENCE,
            unit="1",
            description="Self-assessed confidence of model outputs.",
            explicit_bucket_boundaries_advisory=list(CONFIDENCE_BUCKETS),
        )

    def record(
        self,
        confidence: float,
        *,
        span: trace.Span | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> None:
        """Record one confidence; a value outside [0, 1] is counted as obs's error, never raised into the app."""
        with internal_guard("signals.confidence"):
            if not 0.0 <= confidence <= 1.0:
                raise ValueError(f"confidence must be within [0, 1], got {confidence}")
            self._hist.record(confidence, attributes or {})
            target = span or trace.get_current_span()
            if target.is_recording():
                target.set_attribute(OBS_SIGNAL_CONFIDENCE, confidence)
