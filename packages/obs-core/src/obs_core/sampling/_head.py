"""Head sampling by user: keep all of a user's traces or none of them.

Per-trace coin flips scatter one user's session across kept and dropped
traces; sampling on a salted hash of the user id keeps whole journeys, which
is what debugging a complaint needs. Users in the canary cohort are always
kept and marked, so a rollout can be watched at full fidelity.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, get_current_span
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from obs_core.semconv import OBS_SAMPLING_COHORT, OBS_SAMPLING_HEAD_KEPT, OBS_USER_HASH

_MAX = float(1 << 64)


def unit_interval(user_hash: str) -> float:
    """Map a hex user hash to [0, 1) deterministically (first 16 hex digits)."""
    try:
        return int(user_hash[:16], 16) / _MAX
    except ValueError:
        return (hash(user_hash) & 0xFFFFFFFFFFFFFFFF) / _MAX


class UserHashSampler(Sampler):
    """Root decisions by ``obs.user.hash`` (trace id when absent); children follow their parent."""

    def __init__(self, ratio: float, canary_ratio: float = 0.0, *, record_all: bool = False) -> None:
        self.ratio = ratio
        self.canary_ratio = canary_ratio
        self.record_all = record_all
        """Tail mode: record every root so the tail processor can decide later."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        parent = get_current_span(parent_context).get_span_context()
        if parent.is_valid:
            decision = Decision.RECORD_AND_SAMPLE if parent.trace_flags.sampled else Decision.DROP
            return SamplingResult(decision, attributes, parent.trace_state)
        user_hash = (attributes or {}).get(OBS_USER_HASH)
        point = unit_interval(user_hash) if isinstance(user_hash, str) else (trace_id & 0xFFFFFFFFFFFFFFFF) / _MAX
        extra: dict[str, str] = {}
        if isinstance(user_hash, str) and point < self.canary_ratio:
            extra[OBS_SAMPLING_COHORT] = "canary"
            keep = True
        else:
            keep = point < self.ratio
        if keep or self.record_all:
            merged = {**(attributes or {}), **extra, OBS_SAMPLING_HEAD_KEPT: keep}
            return SamplingResult(Decision.RECORD_AND_SAMPLE, merged, trace_state)
        return SamplingResult(Decision.DROP, None, trace_state)

    def get_description(self) -> str:
        return f"UserHashSampler{{ratio={self.ratio},canary={self.canary_ratio},record_all={self.record_all}}}"
