"""The public surface of obs-langgraph, pinned: changing it is a deliberate, reviewed act."""

from __future__ import annotations

import dataclasses
import inspect

import obs_langgraph
import obs_langgraph.testing
from obs_langgraph import LangGraphConfig


def test_facade_exports() -> None:
    assert obs_langgraph.__all__ == [
        "BreakerTool",
        "LangChainInstrumentor",
        "LangGraphConfig",
        "ObsCallbackHandler",
        "ToolBreaker",
        "ToolBreakerMiddleware",
        "breaker_tool",
        "unavailable_message",
    ]
    for name in obs_langgraph.__all__:
        assert getattr(obs_langgraph, name) is not None


def test_testing_exports() -> None:
    assert obs_langgraph.testing.__all__ == ["Policy", "Reply", "ScriptedChatModel", "react_policy", "replay_policy"]


def test_handler_signature() -> None:
    params = inspect.signature(obs_langgraph.ObsCallbackHandler).parameters
    assert list(params) == [
        "config",
        "tracer_provider",
        "meter_provider",
        "logger_provider",
        "catalogue",
        "redactor",
        "context_monitor",
        "propagate_context",
    ]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


def test_config_fields_and_env() -> None:
    assert [f.name for f in dataclasses.fields(LangGraphConfig)] == [
        "node_spans",
        "capture",
        "max_content_chars",
        "redact",
        "context_accounting",
        "context_section_metrics",
        "context_threshold",
        "user_hash_salt",
        "stage_key",
        "user_id_keys",
        "session_id_keys",
        "max_live_runs",
        "agent_markers",
    ]
    config = LangGraphConfig.from_env(
        {
            "OBS_LANGGRAPH_NODE_SPANS": "true",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
            "OBS_CONTENT_MAX_CHARS": "2048",
            "OBS_REDACT": "0",
            "OBS_LANGGRAPH_CONTEXT": "off",
            "OBS_LANGGRAPH_SECTION_METRICS": "1",
            "OBS_CONTEXT_THRESHOLD": "0.9",
            "OBS_USER_HASH_SALT": "pepper",
        }
    )
    assert (
        config.node_spans,
        config.capture.value,
        config.max_content_chars,
        config.redact,
        config.context_accounting,
        config.context_section_metrics,
        config.context_threshold,
        config.user_hash_salt,
    ) == (True, "SPAN_ONLY", 2048, False, False, True, 0.9, "pepper")
    assert LangGraphConfig.from_env({}) == LangGraphConfig()
