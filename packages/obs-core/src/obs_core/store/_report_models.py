"""Records behind ``obs report`` and ``obs prompts``, with their stable JSON form."""

from __future__ import annotations

from dataclasses import dataclass

from ._models import Json
from ._sections import NamedSection, SectionError
from ._stats import iso_utc

TRUNCATION_REASONS = frozenset({"length", "max_tokens"})
"""Finish reasons that mean the output hit its token cap (OpenAI ``length``; Anthropic/Gemini ``max_tokens``)."""
TRUNCATION_ALERT_SHARE = 0.05
"""Above this share of truncated responses the report flags it: answers are being cut off."""
CONTEXT_ALERT_FILL = 0.8
"""Sessions whose context fill ever exceeded this are listed: they are close to losing history."""
FILL_BUCKET_EDGES = (0.5, 0.8, 0.95, 1.0)
"""Edges of the context-fill distribution; the last bucket is 'over the window'."""


@dataclass(frozen=True, slots=True)
class ModelStats:
    """Calls, usage, cost and latency of one model."""

    model: str
    calls: int
    errors: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    latency_calls: int
    """chat / text_completion calls the percentiles are computed from."""
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None

    def to_json(self) -> Json:
        return {
            "model": self.model,
            "calls": self.calls,
            "errors": self.errors,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "latency_calls": self.latency_calls,
            "p50_s": self.p50_s,
            "p95_s": self.p95_s,
            "p99_s": self.p99_s,
        }


@dataclass(frozen=True, slots=True)
class StageCost:
    """Spend of one ``obs.pipeline.stage`` (None: calls without a stage)."""

    stage: str | None
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None

    def to_json(self) -> Json:
        return {
            "stage": self.stage,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
        }


@dataclass(frozen=True, slots=True)
class ReasonShare:
    reason: str
    count: int
    share: float

    def to_json(self) -> Json:
        return {"reason": self.reason, "count": self.count, "share": self.share}


@dataclass(frozen=True, slots=True)
class FinishReasons:
    """Shares of finish reasons over every choice of every response."""

    total: int
    reasons: tuple[ReasonShare, ...]
    truncation_share: float
    threshold: float = TRUNCATION_ALERT_SHARE

    @property
    def truncation_flagged(self) -> bool:
        return self.truncation_share > self.threshold

    def to_json(self) -> Json:
        return {
            "total": self.total,
            "reasons": [r.to_json() for r in self.reasons],
            "truncation_share": self.truncation_share,
            "truncation_threshold": self.threshold,
            "truncation_flagged": self.truncation_flagged,
        }


@dataclass(frozen=True, slots=True)
class FillBucket:
    label: str
    lower: float
    upper: float | None
    """Exclusive upper edge; None for the open last bucket."""
    count: int

    def to_json(self) -> Json:
        return {"label": self.label, "lower": self.lower, "upper": self.upper, "count": self.count}


@dataclass(frozen=True, slots=True)
class SessionFill:
    """A session (or conversation, or lone trace) whose context got close to full."""

    session: str
    kind: str
    """``session`` (obs.session.id), ``conversation`` (gen_ai.conversation.id) or ``trace``."""
    max_fill_ratio: float
    calls: int
    traces: int
    last_seen_ns: int

    def to_json(self) -> Json:
        return {
            "session": self.session,
            "kind": self.kind,
            "max_fill_ratio": self.max_fill_ratio,
            "calls": self.calls,
            "traces": self.traces,
            "last_seen_ns": self.last_seen_ns,
            "last_seen": iso_utc(self.last_seen_ns),
        }


@dataclass(frozen=True, slots=True)
class ContextFill:
    """Distribution of ``obs.context.fill_ratio`` and the sessions above the alert line."""

    calls: int
    p50: float | None
    p95: float | None
    max: float | None
    buckets: tuple[FillBucket, ...]
    sessions: tuple[SessionFill, ...]
    threshold: float = CONTEXT_ALERT_FILL

    def to_json(self) -> Json:
        return {
            "calls": self.calls,
            "p50": self.p50,
            "p95": self.p95,
            "max": self.max,
            "buckets": [b.to_json() for b in self.buckets],
            "threshold": self.threshold,
            "sessions_over_threshold": [s.to_json() for s in self.sessions],
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Everything ``obs report`` shows, plugin sections included."""

    model_calls: int
    unpriced_calls: int
    total_cost_usd: float | None
    models: tuple[ModelStats, ...]
    stages: tuple[StageCost, ...]
    finish_reasons: FinishReasons
    context: ContextFill
    sections: tuple[NamedSection, ...] = ()
    section_errors: tuple[SectionError, ...] = ()

    def to_json(self) -> Json:
        return {
            "model_calls": self.model_calls,
            "unpriced_calls": self.unpriced_calls,
            "total_cost_usd": self.total_cost_usd,
            "models": [m.to_json() for m in self.models],
            "stages": [s.to_json() for s in self.stages],
            "finish_reasons": self.finish_reasons.to_json(),
            "context": self.context.to_json(),
            "sections": [s.to_json() for s in self.sections],
            "section_errors": [e.to_json() for e in self.section_errors],
        }


@dataclass(frozen=True, slots=True)
class PromptVersion:
    """One version (hash) of a prompt and how calls with it went."""

    hash: str
    name: str | None
    version: str | None
    first_seen_ns: int
    last_seen_ns: int
    calls: int
    errors: int
    mean_input_tokens: float | None
    mean_output_tokens: float | None
    cost_usd: float | None
    p95_latency_s: float | None
    finish_reasons: tuple[ReasonShare, ...] = ()
    models: tuple[str, ...] = ()
    previous_hash: str | None = None
    """The version of the same prompt name seen just before this one."""

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def cost_per_call_usd(self) -> float | None:
        return self.cost_usd / self.calls if self.cost_usd is not None and self.calls else None

    def to_json(self) -> Json:
        return {
            "hash": self.hash,
            "name": self.name,
            "version": self.version,
            "first_seen_ns": self.first_seen_ns,
            "first_seen": iso_utc(self.first_seen_ns),
            "last_seen_ns": self.last_seen_ns,
            "last_seen": iso_utc(self.last_seen_ns),
            "calls": self.calls,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "finish_reasons": [r.to_json() for r in self.finish_reasons],
            "mean_input_tokens": self.mean_input_tokens,
            "mean_output_tokens": self.mean_output_tokens,
            "cost_usd": self.cost_usd,
            "cost_per_call_usd": self.cost_per_call_usd,
            "p95_latency_s": self.p95_latency_s,
            "models": list(self.models),
            "previous_hash": self.previous_hash,
        }
