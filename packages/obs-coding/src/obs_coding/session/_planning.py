"""The plan phase: what the agent intends, its scope, and whether it should ask a human first.

A plan below the confidence threshold gets an ``obs.coding.speculation`` span
with ``obs.review.required=true`` and bumps the ``obs.review.required`` counter:
the hook a UI watches to stop and ask for review before any file changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from obs_core import internal_guard
from opentelemetry import trace

from obs_coding.model import Plan
from obs_coding.recorder import plan_facts
from obs_coding.telemetry import span_shape

if TYPE_CHECKING:
    from ._session import CodingSession


class PlanPhase:
    """Handle of an open plan phase: record the plan once the agent has it."""

    def __init__(self, session: CodingSession, span: trace.Span) -> None:
        self._session = session
        self._span = span
        self.plan: Plan | None = None

    def record(self, plan: Plan | Mapping[str, Any] | str) -> bool:
        """Scope and confidence on the phase span; below the threshold a speculation span and a counter.

        ``plan`` may be a :class:`Plan`, a JSON-like mapping or the model's text (JSON or markdown).
        Returns whether the plan asks for human review (the hook a UI uses to stop and ask).
        """
        review = False
        with internal_guard("coding.session.plan"):
            parsed = _parse_plan(plan)  # the model's own text: whatever it holds, the agent keeps running
            self.plan = parsed
            session = self._session
            facts = plan_facts(parsed, session.threshold)
            _, attributes = span_shape("plan", facts)
            self._span.set_attributes(attributes)
            review = bool(facts["review_required"])
            if review:
                name, spec_attributes = span_shape("speculation", facts)
                context_ = trace.set_span_in_context(self._span)
                session.tracer.start_span(name, context=context_, attributes=spec_attributes).end()
                session.metrics.record("speculation", facts)
                session.review_required = True
        return review


def _parse_plan(plan: Plan | Mapping[str, Any] | str) -> Plan:
    if isinstance(plan, Plan):
        return plan
    if isinstance(plan, Mapping):
        return Plan.from_mapping(plan)
    text = plan.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return Plan.from_mapping(data)
    return Plan.from_markdown(plan)
