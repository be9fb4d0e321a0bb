"""Cost of one model call from the usage the provider reported.

Token rules follow the GenAI spec: input tokens include cached tokens and
output tokens include reasoning tokens, so cached input is priced at its own
rate and subtracted from the uncached remainder, and reasoning is priced as
output. An unknown model yields None, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._catalogue import ModelCatalogue


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage of one call as reported by the provider."""

    input_tokens: int = 0
    """All input tokens, cache reads and writes included."""
    output_tokens: int = 0
    """All output tokens, reasoning included."""
    cache_read_input_tokens: int = 0
    """Part of input_tokens served from the prompt cache."""
    cache_write_input_tokens: int = 0
    """Part of input_tokens written to the prompt cache."""
    reasoning_output_tokens: int = 0
    """Part of output_tokens spent on reasoning."""


@dataclass(frozen=True, slots=True)
class Cost:
    """USD cost of one call, split so a dashboard can show where money went."""

    total_usd: float
    input_usd: float
    output_usd: float
    cache_read_usd: float
    cache_write_usd: float
    model_key: str
    """Catalogue entry the price came from."""


def compute_cost(model: str | None, usage: Usage, catalogue: ModelCatalogue | None = None) -> Cost | None:
    """Price ``usage`` for ``model``; None when the model is not in the catalogue."""
    info = (catalogue or ModelCatalogue.shipped()).lookup(model)
    if info is None:
        return None
    cached = max(0, usage.cache_read_input_tokens) + max(0, usage.cache_write_input_tokens)
    uncached = max(0, usage.input_tokens - cached)
    input_usd = uncached * info.input_per_mtok / 1e6
    read_usd = max(0, usage.cache_read_input_tokens) * info.cache_read_per_mtok / 1e6
    write_usd = max(0, usage.cache_write_input_tokens) * info.cache_write_per_mtok / 1e6
    output_usd = max(0, usage.output_tokens) * info.output_per_mtok / 1e6
    return Cost(
        total_usd=input_usd + read_usd + write_usd + output_usd,
        input_usd=input_usd,
        output_usd=output_usd,
        cache_read_usd=read_usd,
        cache_write_usd=write_usd,
        model_key=info.key,
    )
