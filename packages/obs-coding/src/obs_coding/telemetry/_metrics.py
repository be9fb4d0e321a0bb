"""Coding metrics, recorded from the same facts as the spans.

Instruments are built per object from the meter provider the caller passes
(never cached at import). Attributes stay low-cardinality: language, edit type,
model, framework, client, outcome; never paths, commands or ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obs_core import semconv as sc
from opentelemetry import metrics
from opentelemetry.util.types import AttributeValue

ATTEMPT_BUCKETS: tuple[float, ...] = (1, 2, 3, 4, 5, 6, 8, 10, 15, 20)
"""Attempts per task: the interesting range is 1 to a handful."""
TTGO_BUCKETS_S: tuple[float, ...] = (5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 86400)
"""Time to good output: seconds for a quick fix up to a day for a task revisited."""


class CodingMetrics:
    """The instruments a coding task feeds, with one ``record(kind, facts)`` entry point."""

    def __init__(self, meter_provider: metrics.MeterProvider | None = None) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.coding")
        self._edits = meter.create_counter(sc.OBS_CODING_EDITS, unit="{edit}", description="AI edits.")
        self._attempts = meter.create_histogram(
            sc.OBS_VERIFICATION_ATTEMPTS,
            unit="{attempt}",
            description="Edit-then-verify attempts per task.",
            explicit_bucket_boundaries_advisory=list(ATTEMPT_BUCKETS),
        )
        self._first_attempt = meter.create_counter(
            sc.OBS_VERIFICATION_FIRST_ATTEMPT, unit="{task}", description="Tasks by first-attempt verification result."
        )
        self._reviews = meter.create_counter(
            sc.OBS_REVIEW_REQUESTS, unit="{plan}", description="Plans below the confidence threshold."
        )
        self._user_outcomes = meter.create_counter(
            sc.OBS_USER_OUTCOMES, unit="{decision}", description="User decisions on task results."
        )
        self._ttgo = meter.create_histogram(
            sc.OBS_CODING_TTGO_METRIC,
            unit="s",
            description="Time to good output per task.",
            explicit_bucket_boundaries_advisory=list(TTGO_BUCKETS_S),
        )
        self._edit_outcomes = meter.create_counter(
            sc.OBS_EDIT_OUTCOMES, unit="{edit}", description="AI edits by outcome class."
        )

    def record(self, kind: str, facts: Mapping[str, Any]) -> None:
        """Record whatever metric a finished span of ``kind`` contributes."""
        if kind == "edit":
            self._edits.add(1, _attrs(facts, (sc.OBS_EDIT_LANGUAGE, "language"), (sc.OBS_EDIT_TYPE, "edit_type")))
        elif kind == "task":
            attempts = facts.get("attempts")
            base = _attrs(facts, (sc.OBS_CODING_CLIENT, "client"), (sc.GEN_AI_AGENT_NAME, "agent"))
            if isinstance(attempts, int) and attempts > 0:
                self._attempts.record(attempts, base)
                passed = facts.get("first_attempt_passed")
                if isinstance(passed, bool):
                    self._first_attempt.add(1, {**base, sc.OBS_VERIFICATION_PASSED: passed})
        elif kind == "speculation":
            self._reviews.add(1, {})
        elif kind == "user_outcome":
            attrs = _attrs(facts, (sc.OBS_USER_OUTCOME, "outcome"), (sc.OBS_USER_OUTCOME_SOURCE, "source"))
            self._user_outcomes.add(1, attrs)
            ttgo = facts.get("ttgo_s")
            if isinstance(ttgo, (int, float)):
                self._ttgo.record(float(ttgo), {sc.OBS_USER_OUTCOME_SOURCE: str(facts.get("source", ""))})
        elif kind == "edit_outcome":
            self._edit_outcomes.add(
                1,
                _attrs(
                    facts,
                    (sc.OBS_EDIT_OUTCOME, "outcome"),
                    (sc.OBS_EDIT_LANGUAGE, "language"),
                    (sc.OBS_EDIT_TYPE, "edit_type"),
                    (sc.OBS_EDIT_FRAMEWORK, "framework"),
                    (sc.GEN_AI_REQUEST_MODEL, "model"),
                ),
            )


def _attrs(facts: Mapping[str, Any], *pairs: tuple[str, str]) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for name, key in pairs:
        value = facts.get(key)
        if isinstance(value, (str, bool, int, float)):
            out[name] = value
    return out
