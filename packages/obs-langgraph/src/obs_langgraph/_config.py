"""What the LangGraph instrumentation records, with ``OBS_*`` / ``OTEL_*`` environment fallbacks.

Every field has a documented default and one environment variable, so the same
settings work for ``ObsCallbackHandler(config=...)``, for
``LangChainInstrumentor().instrument(config=...)`` and for zero-code
``opentelemetry-instrument`` runs where only the environment can be used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from obs_core import CaptureMode, capture_mode, max_content_chars

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

DEFAULT_USER_HASH_SALT = "obs-user-hash-v1"
"""Used when ``OBS_USER_HASH_SALT`` is unset: hashes stay stable across processes but are guessable
for short ids, so production deployments should set their own salt."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    return default


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        return float(env.get(name, ""))
    except ValueError:
        return default


@dataclass(frozen=True, slots=True)
class LangGraphConfig:
    """Settings of the LangGraph / LangChain instrumentation (see :meth:`from_env` for the variables)."""

    node_spans: bool = False
    """``OBS_LANGGRAPH_NODE_SPANS``: give every LangGraph node its own span. Off by default so the tree reads
    agent → iteration → chat/tool; failed and retried node attempts get a span either way."""
    capture: CaptureMode = CaptureMode.NO_CONTENT
    """``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``: where prompts, completions and tool payloads
    go (NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT)."""
    max_content_chars: int = 16384
    """``OBS_CONTENT_MAX_CHARS``: size cap of each captured payload (a message list is cut to fit)."""
    redact: bool = True
    """``OBS_REDACT``: pass captured content through obs-core's redactor before it reaches any signal."""
    context_accounting: bool = True
    """``OBS_LANGGRAPH_CONTEXT``: count tokens per request section (system, tools, history, tool_results,
    input) and the window fill ratio on every chat span."""
    context_section_metrics: bool = False
    """``OBS_LANGGRAPH_SECTION_METRICS``: also record the ``obs.context.tokens`` histogram (five points per model
    call, the largest single cost of tracing a run); the per-section counts are on every chat span regardless."""
    context_threshold: float = 0.8
    """``OBS_CONTEXT_THRESHOLD``: fill ratio at which the ``obs.context.threshold_exceeded`` event fires."""
    user_hash_salt: str = DEFAULT_USER_HASH_SALT
    """``OBS_USER_HASH_SALT``: salt of ``obs.user.hash`` (the user id itself is never recorded)."""
    stage_key: str = "obs_stage"
    """Metadata key (or ``<key>:<value>`` tag) naming the pipeline stage of a call; default the node name."""
    user_id_keys: tuple[str, ...] = ("user_id", "langgraph_auth_user_id")
    """Config-metadata keys read, in order, for the user id that is hashed into ``obs.user.hash``."""
    session_id_keys: tuple[str, ...] = ("session_id",)
    """Config-metadata keys read, in order, for ``obs.session.id``."""
    max_live_runs: int = 50_000
    """Safety cap on runs tracked at once; past it the oldest root runs are closed (ended spans, freed memory)
    so a host that never finishes its runs cannot grow obs's memory."""
    agent_markers: frozenset[str] = field(default_factory=lambda: frozenset({"langchain_create_agent"}))
    """``ls_integration`` metadata values that mark a graph as an agent before its first model call."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LangGraphConfig:
        """Defaults overridden by the environment (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        plain = dict(env)
        return cls(
            node_spans=_flag(env, "OBS_LANGGRAPH_NODE_SPANS", False),
            capture=capture_mode(plain),
            max_content_chars=max_content_chars(plain),
            redact=_flag(env, "OBS_REDACT", True),
            context_accounting=_flag(env, "OBS_LANGGRAPH_CONTEXT", True),
            context_section_metrics=_flag(env, "OBS_LANGGRAPH_SECTION_METRICS", False),
            context_threshold=_float(env, "OBS_CONTEXT_THRESHOLD", 0.8),
            user_hash_salt=env.get("OBS_USER_HASH_SALT", "") or DEFAULT_USER_HASH_SALT,
        )
