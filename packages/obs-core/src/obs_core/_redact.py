"""Redaction of PII and secrets before content reaches any span, event, store or exporter.

Captured content (prompts, completions, tool arguments and results) passes
through a :class:`Redactor` at ingest. Detection is pattern-based and local —
no model download, no network — and tuned for precision: card numbers must
pass the Luhn check, keys must match their vendor's shape. Every redaction is
counted by entity type so PII exposure is a metric (``obs.pii.entities``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from opentelemetry import metrics

from . import semconv as sc


def _luhn_ok(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Pattern:
    """One detector: a regex and an optional validator that rejects look-alikes."""

    entity_type: str
    regex: re.Pattern[str]
    validate: Callable[[str], bool] | None = None


BUILTIN_PATTERNS: tuple[Pattern, ...] = (
    Pattern("private_key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----")),
    Pattern("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    Pattern("anthropic_api_key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    Pattern("openai_api_key", re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    Pattern("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    Pattern("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
    Pattern("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    Pattern("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    Pattern("bearer_token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
    Pattern("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    Pattern("credit_card", re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), _luhn_ok),
    Pattern("us_ssn", re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b")),
    Pattern("phone", re.compile(r"(?<![\w+])(?:\+?1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]\d{3}[ .-]\d{4}\b")),
    Pattern("phone", re.compile(r"(?<![\w+])\+[1-9]\d{0,2}[ .-]?\d{1,4}(?:[ .-]?\d{2,4}){2,4}\b")),
    Pattern("ipv4", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
)
"""Detectors in priority order: earlier ones claim a span of text first."""


@dataclass(frozen=True, slots=True)
class RedactionOptions:
    """How content is scrubbed; pass to :class:`Redactor` (``OBS_REDACT=0`` turns redaction of captured content off)."""

    disabled_types: frozenset[str] = frozenset()
    """Entity types to leave alone (e.g. ``{"ipv4"}`` for network tooling)."""
    extra_patterns: tuple[Pattern, ...] = ()
    """Project-specific detectors (internal ticket ids, customer numbers), applied first."""
    replacement: str = "[REDACTED:{type}]"
    """What a match becomes; ``{type}`` is the entity type."""


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """Scrubbed text and how many entities of each type were removed."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)


class Redactor:
    """Scrubs text and counts what it removed on ``obs.pii.entities``."""

    def __init__(
        self, options: RedactionOptions | None = None, *, meter_provider: metrics.MeterProvider | None = None
    ) -> None:
        self.options = options or RedactionOptions()
        self._patterns = tuple(
            p
            for p in (*self.options.extra_patterns, *BUILTIN_PATTERNS)
            if p.entity_type not in self.options.disabled_types
        )
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.redact")
        self._counter = meter.create_counter(
            sc.OBS_PII_ENTITIES, unit="{entity}", description="Entities redacted at ingest."
        )

    def redact(self, text: str, attributes: Mapping[str, str] | None = None) -> RedactionResult:
        """Replace every detected entity; counts are also added to the metric."""
        if not text:
            return RedactionResult(text)
        counts: dict[str, int] = {}
        for pattern in self._patterns:
            text = pattern.regex.sub(lambda m, p=pattern: self._replace(m, p, counts), text)  # type: ignore[misc]
        for entity_type, n in counts.items():
            self._counter.add(n, {**(attributes or {}), sc.OBS_PII_ENTITY_TYPE: entity_type})
        return RedactionResult(text, counts)

    def _replace(self, match: re.Match[str], pattern: Pattern, counts: dict[str, int]) -> str:
        value = match.group(0)
        if value.startswith("[REDACTED:"):
            return value
        if pattern.validate is not None and not pattern.validate(value):
            return value
        counts[pattern.entity_type] = counts.get(pattern.entity_type, 0) + 1
        return self.options.replacement.format(type=pattern.entity_type)

    def redact_all(self, texts: Iterable[str]) -> list[RedactionResult]:
        return [self.redact(t) for t in texts]


@lru_cache(maxsize=1)
def default_redactor() -> Redactor:
    """The process-wide redactor with default options (global meter provider)."""
    return Redactor()
