from __future__ import annotations

import random
from pathlib import Path

import pytest
from obs_core import internal_error_counts
from obs_core.signals import (
    ConfidenceRecorder,
    DriftBaseline,
    DriftMonitor,
    GuardrailRecorder,
    population_stability_index,
)
from obs_core.testing import TelemetryCapture


def test_guardrail_verdicts_land_on_span_and_counters(capture: TelemetryCapture) -> None:
    recorder = GuardrailRecorder(meter_provider=capture.meter_provider)
    tracer = capture.tracer_provider.get_tracer("t")
    with tracer.start_as_current_span("chat"):
        recorder.record("toxicity", "pass")
        recorder.record("pii-leak", "block", "block")
    recorder.mark_false_positive("pii-leak")
    (span,) = capture.spans()
    assert [dict(e.attributes or {}) for e in span.events] == [
        {"obs.guardrail.policy": "toxicity", "obs.guardrail.verdict": "pass", "obs.guardrail.action": "allow"},
        {"obs.guardrail.policy": "pii-leak", "obs.guardrail.verdict": "block", "obs.guardrail.action": "block"},
    ]
    assert dict(span.attributes or {}) == {
        "obs.guardrail.policy": "pii-leak",
        "obs.guardrail.verdict": "block",
        "obs.guardrail.action": "block",
    }
    assert capture.metric_sum("obs.guardrail.verdicts", obs__guardrail__verdict="block") == 1
    assert capture.metric_sum("obs.guardrail.verdicts") == 2
    assert capture.metric_sum("obs.guardrail.false_positives", obs__guardrail__policy="pii-leak") == 1


def test_guardrail_rejects_unknown_verdicts() -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        GuardrailRecorder().record("p", "maybe")


def test_confidence_attribute_and_histogram(capture: TelemetryCapture) -> None:
    recorder = ConfidenceRecorder(meter_provider=capture.meter_provider)
    with capture.tracer_provider.get_tracer("t").start_as_current_span("plan"):
        recorder.record(0.42)
    assert dict(capture.spans()[0].attributes or {}) == {"obs.signal.confidence": 0.42}
    assert capture.metric_sum("obs.signal.confidence") == 1
    with pytest.raises(ValueError, match=r"within \[0, 1\]"):
        recorder.record(1.2)


def test_psi_is_zero_for_identical_and_large_for_shifted() -> None:
    assert population_stability_index([0.5, 0.5], [0.5, 0.5]) == 0
    assert population_stability_index([0.5, 0.5], [0.9, 0.1]) > 0.25


def test_drift_monitor_sees_a_shift_but_not_noise(capture: TelemetryCapture, tmp_path: Path) -> None:
    rng = random.Random(7)
    baseline = DriftBaseline.from_values({"output_tokens": [rng.gauss(300, 40) for _ in range(2000)]})
    baseline.save(tmp_path / "golden.json")
    loaded = DriftBaseline.load(tmp_path / "golden.json")
    assert loaded == baseline
    stable = DriftMonitor(loaded, window=500, meter_provider=capture.meter_provider)
    for _ in range(500):
        stable.observe("output_tokens", rng.gauss(300, 40))
    assert stable.psi()["output_tokens"] < 0.1
    shifted = DriftMonitor(loaded, window=500)
    for _ in range(500):
        shifted.observe("output_tokens", rng.gauss(420, 40))
    assert shifted.psi()["output_tokens"] > 0.25
    assert stable.observe("unknown_feature", 1.0) is None
    points = capture.metric_points("obs.signal.drift")
    assert [dict(p.attributes or {}) for p in points] == [{"obs.signal.feature": "output_tokens"}]


def test_baseline_errors_are_actionable(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 10 values"):
        DriftBaseline.from_values({"x": [1.0, 2.0]})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"DriftBaseline\.save"):
        DriftBaseline.load(tmp_path / "bad.json")


@pytest.mark.usefixtures("guard_swallows")
def test_a_bad_signal_value_is_counted_not_raised_into_the_app() -> None:
    before = internal_error_counts()
    GuardrailRecorder().record("p", "maybe")
    ConfidenceRecorder().record(1.2)
    after = internal_error_counts()
    assert after.get("signals.guardrail", 0) == before.get("signals.guardrail", 0) + 1
    assert after.get("signals.confidence", 0) == before.get("signals.confidence", 0) + 1
