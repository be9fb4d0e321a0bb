"""Context-window accounting: what fills the window, how full it is, how fast it grows.

Given the sections of a request (system prompt, tool definitions, history, tool
results, new input, or any named section) the monitor counts tokens per
section before the call, relates the total to the model's window, tracks the
growth per turn within a session, and raises a span event plus a counter when
the fill ratio reaches the alert threshold (0.8 by default) — the point where
agents start to lose early instructions and truncate tool output.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.util.types import AttributeValue

from . import semconv as sc
from ._catalogue import ModelCatalogue
from ._guard import internal_guard
from ._tokens import count_tokens

FILL_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.25)
"""Fill-ratio histogram boundaries: fine near the alert zone, one bucket past overflow."""


@dataclass(frozen=True, slots=True)
class ContextWindowReport:
    """Token accounting of one request, as measured before the call."""

    model: str | None
    section_tokens: dict[str, int]
    """Tokens per named section, in the order given."""
    total_tokens: int
    window_tokens: int | None
    """The model's context window; None when the catalogue does not know the model."""
    fill_ratio: float | None
    """total / window; None when the window is unknown."""
    growth_tokens: int | None
    """Change since the previous request of the same session; None on the first."""
    threshold: float
    threshold_crossed: bool
    estimated: bool
    """True when any section was counted with an approximate tokenizer."""


def _window_overrides_from_env() -> dict[str, int]:
    """``OBS_CONTEXT_WINDOWS="my-model=32000,other=8192"`` adds or replaces windows."""
    result: dict[str, int] = {}
    for item in os.environ.get("OBS_CONTEXT_WINDOWS", "").split(","):
        name, _, value = item.partition("=")
        if name.strip() and value.strip().isdigit():
            result[name.strip()] = int(value.strip())
    return result


class ContextWindowMonitor:
    """Measures requests against the model's window; safe to share across threads."""

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        meter_provider: metrics.MeterProvider | None = None,
        catalogue: ModelCatalogue | None = None,
        window_overrides: Mapping[str, int] | None = None,
        max_sessions: int = 10_000,
        section_metrics: bool = True,
    ) -> None:
        """``section_metrics=False`` keeps ``obs.context.tokens`` (one histogram point per section per request,
        the largest metric cost of tracing an agent) off the metrics; spans still carry every section's count."""
        if not 0 < threshold <= 1.5:
            raise ValueError(f"context-window threshold must be in (0, 1.5], got {threshold}")
        self.threshold = threshold
        self._catalogue = catalogue or ModelCatalogue.shipped()
        self._windows = {**_window_overrides_from_env(), **(window_overrides or {})}
        self._last_total: OrderedDict[str, int] = OrderedDict()
        self._max_sessions = max_sessions
        self._lock = threading.Lock()
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.context")
        self._section_hist = (
            meter.create_histogram(
                sc.OBS_CONTEXT_TOKENS,
                unit="{token}",
                description="Tokens per request section.",
                explicit_bucket_boundaries_advisory=list(sc.GEN_AI_TOKEN_BUCKETS),
            )
            if section_metrics
            else None
        )
        self._fill_hist = meter.create_histogram(
            sc.OBS_CONTEXT_FILL,
            unit="1",
            description="Context fill ratio.",
            explicit_bucket_boundaries_advisory=list(FILL_BUCKETS),
        )
        self._exceeded = meter.create_counter(
            sc.OBS_CONTEXT_THRESHOLD_EXCEEDED, unit="{call}", description="Calls over the fill threshold."
        )

    def window_for(self, model: str | None) -> int | None:
        """The window of ``model``: explicit overrides first, then the shipped catalogue."""
        if model and model in self._windows:
            return self._windows[model]
        return self._catalogue.context_window(model)

    def measure(
        self,
        model: str | None,
        sections: Mapping[str, str | int],
        *,
        session_key: str | None = None,
        span: trace.Span | None = None,
        attributes: Mapping[str, AttributeValue] | None = None,
    ) -> ContextWindowReport:
        """Count ``sections`` (text, or a count the caller already has) and record the result."""
        counts: dict[str, int] = {}
        estimated = False
        for name, value in sections.items():
            if isinstance(value, int):
                counts[name] = max(0, value)
            else:
                tc = count_tokens(value, model)
                counts[name] = tc.tokens
                estimated = estimated or tc.estimated
        total = sum(counts.values())
        window = self.window_for(model)
        ratio = total / window if window else None
        growth = self._growth(session_key, total)
        crossed = ratio is not None and ratio >= self.threshold
        report = ContextWindowReport(model, counts, total, window, ratio, growth, self.threshold, crossed, estimated)
        with internal_guard("context_window.record"):  # the caller gets its report even if recording fails
            self._record(report, span, attributes or {})
        return report

    def _growth(self, session_key: str | None, total: int) -> int | None:
        if session_key is None:
            return None
        with self._lock:
            previous = self._last_total.pop(session_key, None)
            self._last_total[session_key] = total
            while len(self._last_total) > self._max_sessions:
                self._last_total.popitem(last=False)
        return None if previous is None else total - previous

    def forget(self, session_key: str) -> None:
        """Drop a finished session's growth baseline."""
        with self._lock:
            self._last_total.pop(session_key, None)

    def _record(self, report: ContextWindowReport, span: trace.Span | None, base: Mapping[str, AttributeValue]) -> None:
        metric_attrs: dict[str, AttributeValue] = dict(base)
        if report.model:
            metric_attrs.setdefault(sc.GEN_AI_REQUEST_MODEL, report.model)
        if self._section_hist is not None:
            for name, tokens in report.section_tokens.items():
                self._section_hist.record(tokens, {**metric_attrs, sc.OBS_CONTEXT_SECTION: name})
        if report.fill_ratio is not None:
            self._fill_hist.record(report.fill_ratio, metric_attrs)
        if report.threshold_crossed:
            self._exceeded.add(1, metric_attrs)
        if span is None or not span.is_recording():
            return
        attrs: dict[str, AttributeValue] = {sc.OBS_CONTEXT_INPUT_TOKENS: report.total_tokens}
        for name, tokens in report.section_tokens.items():
            attrs[section_attribute(name)] = tokens
        if report.window_tokens is not None:
            attrs[sc.OBS_CONTEXT_WINDOW_TOKENS] = report.window_tokens
        if report.fill_ratio is not None:
            attrs[sc.OBS_CONTEXT_FILL_RATIO] = round(report.fill_ratio, 6)
        if report.growth_tokens is not None:
            attrs[sc.OBS_CONTEXT_GROWTH_TOKENS] = report.growth_tokens
        span.set_attributes(attrs)
        if report.threshold_crossed and report.fill_ratio is not None and report.window_tokens is not None:
            span.add_event(
                sc.OBS_CONTEXT_THRESHOLD_EVENT,
                {
                    sc.OBS_CONTEXT_FILL_RATIO: round(report.fill_ratio, 6),
                    sc.OBS_CONTEXT_THRESHOLD: report.threshold,
                    sc.OBS_CONTEXT_WINDOW_TOKENS: report.window_tokens,
                    sc.OBS_CONTEXT_INPUT_TOKENS: report.total_tokens,
                },
            )


def section_attribute(section: str) -> str:
    """``obs.context.section.<name>.tokens`` for a section name (lower-case, dots and spaces → _)."""
    clean = "".join(ch if ch.isalnum() else "_" for ch in section.strip().lower()) or "unnamed"
    return f"obs.context.section.{clean}.tokens"
