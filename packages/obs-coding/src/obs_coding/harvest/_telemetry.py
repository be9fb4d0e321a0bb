"""Spans and metrics of a harvest, made from the providers the caller passes.

The harvest span carries what a reader of a trace needs to judge the context
an agent got: how many files were considered and chosen, the score threshold,
cache effectiveness, and tokens per tier. Per-tier tokens also go to the
``obs.context.tokens_by_tier`` histogram, and the total goes through obs-core's
``ContextWindowMonitor`` so the fill ratio against the model's window is
computed (and alerted on) the same way as for model calls. Recording is
guarded: a telemetry failure never fails the harvest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from obs_core import ContextWindowMonitor, ContextWindowReport, internal_guard
from obs_core import semconv as sc
from opentelemetry import metrics, trace
from opentelemetry.util.types import AttributeValue

from ._index import RefreshStats
from ._model import HarvestStats

SCOPE = "obs.coding.harvest"


def tier_attribute(tier_id: str) -> str:
    return sc.OBS_HARVEST_TIER_TOKENS.replace("<tier>", tier_id)


class HarvestTelemetry:
    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
        monitor: ContextWindowMonitor | None,
    ) -> None:
        self.tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer(SCOPE)
        meter = (meter_provider or metrics.get_meter_provider()).get_meter(SCOPE)
        self._tokens_by_tier = meter.create_histogram(
            sc.OBS_CONTEXT_TOKENS_BY_TIER,
            unit="{token}",
            description="Tokens selected per harvest tier.",
            explicit_bucket_boundaries_advisory=list(sc.GEN_AI_TOKEN_BUCKETS),
        )
        self.monitor = monitor or ContextWindowMonitor(meter_provider=meter_provider)

    @contextlib.contextmanager
    def span(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[trace.Span]:
        """A child span that records an escaping exception (and re-raises it: it is the caller's error)."""
        with self.tracer.start_as_current_span(name, attributes=attributes or {}) as span:
            yield span

    def scanned(self, span: trace.Span, stats: RefreshStats) -> None:
        with internal_guard("harvest.telemetry.scan"):
            span.set_attributes(
                {
                    sc.OBS_HARVEST_FILES_SCANNED: stats.files,
                    sc.OBS_HARVEST_FILES_CHANGED: stats.changed,
                    sc.OBS_HARVEST_FILES_SKIPPED: sum(stats.skipped.values()),
                }
            )

    def embedded(self, span: trace.Span, stats: RefreshStats) -> None:
        with internal_guard("harvest.telemetry.embed"):
            span.set_attributes(
                {
                    sc.OBS_HARVEST_FILES_ANALYZED: stats.analysed,
                    sc.OBS_HARVEST_EMBEDDING_CACHE_HITS: stats.embedding_hits,
                    sc.OBS_HARVEST_EMBEDDING_CACHE_MISSES: stats.embedding_misses,
                    sc.OBS_HARVEST_CHUNKS_EMBEDDED: stats.chunks_embedded,
                }
            )

    def harvested(
        self,
        span: trace.Span,
        *,
        model: str | None,
        budget: int,
        tokens_by_tier: Mapping[str, int],
        total: int,
        stats: HarvestStats,
    ) -> ContextWindowReport | None:
        report: ContextWindowReport | None = None
        with internal_guard("harvest.telemetry.result"):
            attributes: dict[str, AttributeValue] = {
                sc.OBS_HARVEST_FILES_SCANNED: stats.files_scanned,
                sc.OBS_HARVEST_FILES_SELECTED: stats.files_selected,
                sc.OBS_HARVEST_FILES_RATIO: round(stats.selection_ratio, 6),
                sc.OBS_HARVEST_SIMILARITY_THRESHOLD: round(stats.similarity_threshold, 6),
                sc.OBS_HARVEST_EMBEDDING_CACHE_HITS: stats.embedding_cache_hits,
                sc.OBS_HARVEST_EMBEDDING_CACHE_MISSES: stats.embedding_cache_misses,
                sc.OBS_HARVEST_BUDGET_TOKENS: budget,
            }
            for tier_id, tokens in tokens_by_tier.items():
                attributes[tier_attribute(tier_id)] = tokens
            span.set_attributes(attributes)
            metric_attributes: dict[str, AttributeValue] = {sc.OBS_CODING_PHASE: "harvest"}
            if model:
                metric_attributes[sc.GEN_AI_REQUEST_MODEL] = model
            for tier_id, tokens in tokens_by_tier.items():
                self._tokens_by_tier.record(tokens, {**metric_attributes, sc.OBS_CONTEXT_TIER: tier_id})
            report = self.monitor.measure(model, {"harvest": total}, span=span, attributes=metric_attributes)
        return report  # noqa: RET504 - None when the guard swallowed a telemetry failure
