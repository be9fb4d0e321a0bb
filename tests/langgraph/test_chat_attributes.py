"""Reading chat-call attributes from what provider integrations put in callbacks."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from obs_core import ContextWindowMonitor, ModelCatalogue, Usage
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from obs_langgraph._chat import provider_name, read_response, request_attributes, request_model
from obs_langgraph.testing import ScriptedChatModel, replay_policy

from .graphs import SpanTree, attrs

CATALOGUE = ModelCatalogue.shipped()


@pytest.mark.parametrize(
    ("serialized", "metadata", "model", "provider"),
    [
        (None, {"ls_provider": "openai"}, "gpt-4o", "openai"),
        (None, {"ls_provider": "azure"}, "gpt-4o", "azure.ai.openai"),
        (None, {"ls_provider": "bedrock_converse"}, "anthropic.claude-3-5-sonnet", "aws.bedrock"),
        (None, {"ls_provider": "google_genai"}, "gemini-2.5-pro", "gcp.gemini"),
        ({"id": ["langchain", "chat_models", "anthropic", "ChatAnthropic"]}, {}, "x", "anthropic"),
        (None, {}, "claude-sonnet-4-5", "anthropic"),
        (None, {"ls_provider": "acme"}, "acme-1", "acme"),
        (None, {}, "mystery", "unknown"),
    ],
)
def test_provider_name(serialized: Any, metadata: dict[str, Any], model: str, provider: str) -> None:
    assert provider_name(serialized, metadata, model, CATALOGUE) == provider


def test_request_model_and_params() -> None:
    params = {
        "model_id": "m-1",
        "temperature": 0,
        "top_p": 0.9,
        "max_completion_tokens": 100,
        "stop": "END",
        "seed": 3,
        "base_url": "https://llm.internal:8443/v1",
    }
    assert request_model(None, params, {}) == "m-1"
    assert request_model({"kwargs": {"model_name": "k"}}, {}, {}) == "k"
    assert request_attributes(params, {}) == {
        "gen_ai.request.temperature": 0.0,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.max_tokens": 100,
        "gen_ai.request.seed": 3,
        "gen_ai.request.stop_sequences": ["END"],
        "server.address": "llm.internal",
        "server.port": 8443,
    }


def _result(message: AIMessage, llm_output: dict[str, Any] | None = None) -> LLMResult:
    return LLMResult(generations=[[ChatGeneration(message=message)]], llm_output=llm_output)


def test_usage_from_openai_llm_output_when_metadata_is_missing() -> None:
    out = read_response(
        _result(
            AIMessage(content="x", response_metadata={"finish_reason": "length"}),
            {
                "model_name": "gpt-4o-2024-08-06",
                "id": "chatcmpl-1",
                "token_usage": {
                    "prompt_tokens": 100,
                    "completion_tokens": 50,
                    "prompt_tokens_details": {"cached_tokens": 40},
                    "completion_tokens_details": {"reasoning_tokens": 20},
                },
            },
        )
    )
    assert (out.response_id, out.response_model, out.finish_reasons) == ("chatcmpl-1", "gpt-4o-2024-08-06", ["length"])
    assert out.usage == Usage(100, 50, 40, 0, 20)


def test_anthropic_raw_usage_counts_cache_in_input() -> None:
    out = read_response(
        _result(
            AIMessage(content="x", response_metadata={"stop_reason": "end_turn", "model": "claude-sonnet-4-5"}),
            {
                "usage": {
                    "input_tokens": 10,
                    "output_tokens": 5,
                    "cache_read_input_tokens": 90,
                    "cache_creation_input_tokens": 20,
                }
            },
        )
    )
    assert out.finish_reasons == ["end_turn"]
    assert out.usage == Usage(120, 5, 90, 20, 0)


def test_reasoning_reported_beside_output_is_added_so_it_is_priced() -> None:
    usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 45, "output_token_details": {"reasoning": 30}}
    out = read_response(_result(AIMessage(content="x", usage_metadata=usage)))
    assert out.usage == Usage(10, 35, 0, 0, 30)


def test_stage_prompt_name_and_reasoning_cost(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = ObsCallbackHandler(config=LangGraphConfig(), **capture.providers)
    model = ScriptedChatModel(
        policy=replay_policy(["ok"]), model_name="o3-mini", response_model="o3-mini", reasoning_tokens=500
    )
    model.invoke(
        [SystemMessage("Plan carefully."), HumanMessage("go")],
        config={
            "callbacks": [handler],
            "tags": ["obs_stage:planning"],
            "metadata": {"obs_prompt_name": "planner", "obs_prompt_version": "7"},
        },
    )
    chat = attrs(tree.one("chat o3-mini"))
    assert (chat["obs.pipeline.stage"], chat["gen_ai.prompt.name"], chat["gen_ai.prompt.version"]) == (
        "planning",
        "planner",
        "7",
    )
    assert chat["gen_ai.usage.reasoning.output_tokens"] == 500
    from obs_core import compute_cost

    expected = compute_cost(
        "o3-mini",
        Usage(
            chat["gen_ai.usage.input_tokens"],
            chat["gen_ai.usage.output_tokens"],
            chat["gen_ai.usage.cache_read.input_tokens"],
            0,
            500,
        ),
    )
    assert expected is not None
    assert chat["obs.gen_ai.usage.cost"] == pytest.approx(expected.total_usd)
    assert capture.metric_sum("obs.gen_ai.cost", obs__pipeline__stage="planning") == pytest.approx(expected.total_usd)


def test_context_threshold_event(capture: TelemetryCapture, tree: SpanTree) -> None:
    monitor = ContextWindowMonitor(0.8, meter_provider=capture.meter_provider, window_overrides={"tiny-model": 100})
    handler = ObsCallbackHandler(config=LangGraphConfig(), context_monitor=monitor, **capture.providers)
    model = ScriptedChatModel(policy=replay_policy(["ok"]), model_name="tiny-model")
    model.invoke([HumanMessage("word " * 120)], config={"callbacks": [handler]})
    chat = tree.one("chat tiny-model")
    [event] = [e for e in chat.events if e.name == "obs.context.threshold_exceeded"]
    assert dict(event.attributes or {})["obs.context.window.tokens"] == 100
    assert attrs(chat)["obs.context.fill_ratio"] > 1.0
    assert capture.metric_sum("obs.context.threshold_exceeded") == 1
