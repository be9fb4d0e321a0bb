"""Guardrail verdicts as telemetry, and their false-positive rate.

A guardrail that blocks good answers costs as much as one that lets bad ones
through, but nobody sees it unless false positives are counted. Every verdict
is a span event plus a counter; when a human (or a later check) overturns a
verdict, :meth:`GuardrailRecorder.mark_false_positive` counts it, and the
false-positive rate per policy is false positives / (flag + block) verdicts.
"""

from __future__ import annotations

from opentelemetry import metrics, trace

from obs_core._guard import internal_guard
from obs_core.semconv import (
    OBS_GUARDRAIL_ACTION,
    OBS_GUARDRAIL_EVALUATION_EVENT,
    OBS_GUARDRAIL_FALSE_POSITIVES,
    OBS_GUARDRAIL_POLICY,
    OBS_GUARDRAIL_VERDICT,
    OBS_GUARDRAIL_VERDICTS,
)

VERDICTS = frozenset({"pass", "flag", "block"})
ACTIONS = frozenset({"allow", "redact", "block", "escalate", "rewrite"})


class GuardrailRecorder:
    """Records verdicts on the current (or given) span and on counters."""

    def __init__(self, *, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.signals")
        self._verdicts = meter.create_counter(
            OBS_GUARDRAIL_VERDICTS, unit="{verdict}", description="Guardrail verdicts."
        )
        self._false_positives = meter.create_counter(
            OBS_GUARDRAIL_FALSE_POSITIVES, unit="{verdict}", description="Verdicts later overturned."
        )

    def record(self, policy: str, verdict: str, action: str = "allow", *, span: trace.Span | None = None) -> None:
        """One guardrail evaluation. ``verdict``: pass, flag or block; ``action``: what the app did.

        An unknown verdict or action is obs's problem to report, not the app's: it is
        counted on ``obs.internal.errors`` and logged once (raised under the test suite).
        """
        with internal_guard("signals.guardrail"):
            if verdict not in VERDICTS:
                raise ValueError(f"guardrail verdict must be one of {sorted(VERDICTS)}, got {verdict!r}")
            if action not in ACTIONS:
                raise ValueError(f"guardrail action must be one of {sorted(ACTIONS)}, got {action!r}")
            attrs = {OBS_GUARDRAIL_POLICY: policy, OBS_GUARDRAIL_VERDICT: verdict, OBS_GUARDRAIL_ACTION: action}
            self._verdicts.add(1, attrs)
            target = span or trace.get_current_span()
            if target.is_recording():
                target.add_event(OBS_GUARDRAIL_EVALUATION_EVENT, attrs)
                if verdict != "pass":
                    # On the span too, so tail sampling and `obs show` see the worst verdict.
                    target.set_attributes(attrs)

    def mark_false_positive(self, policy: str, verdict: str = "block") -> None:
        """A flag/block verdict of ``policy`` was overturned (user appeal, reviewer, later evidence)."""
        with internal_guard("signals.guardrail"):
            self._false_positives.add(1, {OBS_GUARDRAIL_POLICY: policy, OBS_GUARDRAIL_VERDICT: verdict})
