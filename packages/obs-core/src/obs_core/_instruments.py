"""Metric instruments for GenAI calls, with the spec's bucket boundaries.

Instruments are created per ``GenAIMetrics`` object from a meter provider the
caller passes (or the global one), never cached in module globals, so tests and
users with several providers get what they configured. Bucket boundaries are
given as advisory boundaries, which any SDK meter provider honours.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from opentelemetry import metrics
from opentelemetry.util.types import AttributeValue

from . import semconv as sc
from .semconv import NameGeneration, inference_duration_names, name_generation, time_to_first_chunk_names

Attrs = Mapping[str, AttributeValue]

DEPLOYMENT_ENVIRONMENT = "deployment.environment.name"


def deployment_environment() -> str | None:
    """The deployment environment from ``OTEL_RESOURCE_ATTRIBUTES`` (either spec spelling)."""
    for item in os.environ.get("OTEL_RESOURCE_ATTRIBUTES", "").split(","):
        key, _, value = item.partition("=")
        if key.strip() in (DEPLOYMENT_ENVIRONMENT, "deployment.environment") and value.strip():
            return value.strip()
    return None


class GenAIMetrics:
    """The GenAI metric instruments obs records, built from one meter."""

    def __init__(
        self,
        meter_provider: metrics.MeterProvider | None = None,
        *,
        generation: NameGeneration | None = None,
        scope: str = "obs",
    ) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter(scope)
        gen = generation or name_generation()
        buckets = list(sc.GEN_AI_DURATION_BUCKETS_S)
        self._durations = [
            meter.create_histogram(
                n, unit="s", description="GenAI operation duration.", explicit_bucket_boundaries_advisory=buckets
            )
            for n in inference_duration_names(gen)
        ]
        self._ttfc = [
            meter.create_histogram(
                n, unit="s", description="Time to first streamed chunk.", explicit_bucket_boundaries_advisory=buckets
            )
            for n in time_to_first_chunk_names(gen)
        ]
        self._tokens = meter.create_histogram(
            sc.METRIC_TOKEN_USAGE,
            unit="{token}",
            description="Tokens per call.",
            explicit_bucket_boundaries_advisory=list(sc.GEN_AI_TOKEN_BUCKETS),
        )
        self._agent = meter.create_histogram(
            sc.METRIC_INVOKE_AGENT_DURATION,
            unit="s",
            description="Agent run duration.",
            explicit_bucket_boundaries_advisory=list(sc.AGENT_DURATION_BUCKETS_S),
        )
        self._tool = meter.create_histogram(
            sc.METRIC_EXECUTE_TOOL_DURATION,
            unit="s",
            description="Tool execution duration.",
            explicit_bucket_boundaries_advisory=buckets,
        )
        self._cost = meter.create_counter(sc.OBS_GEN_AI_COST, unit="USD", description="Spend on model calls.")
        self._unpriced = meter.create_counter(
            sc.OBS_GEN_AI_UNPRICED_CALLS, unit="{call}", description="Calls with no known price."
        )
        self._finish = meter.create_counter(
            sc.OBS_GEN_AI_FINISH_REASONS, unit="{response}", description="Responses by finish reason."
        )
        self._retries = meter.create_counter(
            sc.OBS_AGENT_RETRIES, unit="{retry}", description="Retried attempts by reason."
        )
        self.environment = deployment_environment()

    def record_model_call(
        self,
        attributes: Attrs,
        *,
        duration_s: float,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        cost_usd: float | None = None,
        stage: str | None = None,
        finish_reasons: Sequence[str] = (),
        time_to_first_chunk_s: float | None = None,
    ) -> None:
        """Record one finished model call; ``attributes`` are the low-cardinality call attributes."""
        for hist in self._durations:
            hist.record(duration_s, attributes)
        if time_to_first_chunk_s is not None:
            for hist in self._ttfc:
                hist.record(time_to_first_chunk_s, attributes)
        if input_tokens is not None:
            self._tokens.record(input_tokens, {**attributes, sc.GEN_AI_TOKEN_TYPE: "input"})
        if output_tokens is not None:
            self._tokens.record(output_tokens, {**attributes, sc.GEN_AI_TOKEN_TYPE: "output"})
        cost_attrs = dict(attributes)
        cost_attrs.pop(sc.ERROR_TYPE, None)
        if stage:
            cost_attrs[sc.OBS_PIPELINE_STAGE] = stage
        if self.environment:
            cost_attrs[DEPLOYMENT_ENVIRONMENT] = self.environment
        if cost_usd is not None:
            self._cost.add(cost_usd, cost_attrs)
        elif input_tokens is not None or output_tokens is not None:
            self._unpriced.add(1, cost_attrs)
        for reason in finish_reasons:
            self._finish.add(1, {**cost_attrs, sc.GEN_AI_RESPONSE_FINISH_REASON: reason})

    def record_agent(self, duration_s: float, attributes: Attrs) -> None:
        self._agent.record(duration_s, attributes)

    def record_tool(self, duration_s: float, attributes: Attrs) -> None:
        self._tool.record(duration_s, attributes)

    def record_retry(self, reason: str, attributes: Attrs | None = None) -> None:
        self._retries.add(1, {**(attributes or {}), sc.OBS_RETRY_REASON: reason})
