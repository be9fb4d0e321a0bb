"""Every telemetry name obs emits, in one place.

Spec names come from ``opentelemetry-semantic-conventions`` where its strings
match the GenAI/MCP spec of today, literals where it lags, and ``obs.*`` for
the project's own. ``catalogue()`` lists them all with unit and meaning.
"""

from . import _coding, _genai, _mcp, _obs
from ._coding import *  # noqa: F403
from ._genai import *  # noqa: F403
from ._mcp import *  # noqa: F403
from ._obs import *  # noqa: F403
from ._registry import TelemetryName, catalogue, declare, reference_markdown
from ._stability import NameGeneration, inference_duration_names, name_generation, time_to_first_chunk_names

GEN_AI_DURATION_BUCKETS_S: tuple[float, ...] = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)
"""Spec bucket boundaries for GenAI durations (inference, time to first chunk, tool)."""

GEN_AI_TOKEN_BUCKETS: tuple[float, ...] = tuple(float(4**i) for i in range(14))
"""Spec bucket boundaries for gen_ai.client.token.usage: 1, 4, 16, ... 67108864."""

AGENT_DURATION_BUCKETS_S: tuple[float, ...] = tuple(round(0.1 * 2**i, 1) for i in range(13))
"""Spec bucket boundaries for gen_ai.invoke_agent.duration: 0.1 doubling to 409.6."""


def _public(module: object) -> list[str]:
    return [k for k in vars(module) if k.isupper() and not k.startswith("_")]


__all__ = [
    *_public(_coding),
    *_public(_genai),
    *_public(_mcp),
    *_public(_obs),
    "AGENT_DURATION_BUCKETS_S",
    "GEN_AI_DURATION_BUCKETS_S",
    "GEN_AI_TOKEN_BUCKETS",
    "NameGeneration",
    "TelemetryName",
    "catalogue",
    "declare",
    "inference_duration_names",
    "name_generation",
    "reference_markdown",
    "time_to_first_chunk_names",
]
