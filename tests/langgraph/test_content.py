"""Opt-in content: spec JSON messages on spans or in the details event, redacted and size-capped."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from obs_core import CaptureMode
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from obs_langgraph.testing import ScriptedChatModel, replay_policy

from .graphs import SpanTree, agent, attrs, make_tools, scripted

QUESTION = {"messages": [("user", "Add 1 and 2, then mail bob@example.com")]}


def _handler(capture: TelemetryCapture, mode: CaptureMode, **config: Any) -> ObsCallbackHandler:
    return ObsCallbackHandler(config=LangGraphConfig(capture=mode, **config), **capture.providers)


def test_no_content_by_default(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = ObsCallbackHandler(config=LangGraphConfig.from_env({}), **capture.providers)
    agent(scripted(), make_tools()[:1]).invoke(QUESTION, config={"callbacks": [handler]})
    keys = {k for s in tree.spans() for k in attrs(s)}
    assert not keys & {"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.tool.call.arguments"}
    assert "bob@example.com" not in str([s.attributes for s in tree.spans()])
    assert capture.logs() == ()


def test_span_content_in_spec_shape_and_redacted(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = _handler(capture, CaptureMode.SPAN_ONLY)
    agent(scripted([[{"name": "add", "args": {"a": 1, "b": 2}}]]), make_tools()[:1]).invoke(
        QUESTION, config={"callbacks": [handler]}
    )
    first, second = tree.named("chat gpt-4o-mini")
    assert json.loads(attrs(first)["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "You add numbers."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Add 1 and 2, then mail [REDACTED:email]"}]},
    ]
    assert json.loads(attrs(first)["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "call_1_1", "name": "add", "arguments": {"a": 1, "b": 2}}],
            "finish_reason": "tool_calls",
        }
    ]
    assert json.loads(attrs(second)["gen_ai.input.messages"])[-1] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1_1", "response": "3"}],
    }
    tool_span = tree.one("execute_tool add")
    assert json.loads(attrs(tool_span)["gen_ai.tool.call.arguments"]) == {"a": 1, "b": 2}
    assert attrs(tool_span)["gen_ai.tool.call.result"] == "3"
    assert capture.metric_sum("obs.pii.entities", obs__pii__entity_type="email") >= 1


def test_content_is_capped_and_still_valid_json(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = _handler(capture, CaptureMode.SPAN_ONLY, max_content_chars=300)
    long = {"messages": [("user", "history " * 200), ("ai", "ok"), ("user", "now add " + "x" * 500)]}
    agent(scripted([]), make_tools()[:1]).invoke(long, config={"callbacks": [handler]})
    text = attrs(tree.one("chat gpt-4o-mini"))["gen_ai.input.messages"]
    assert len(text) <= 300
    messages = json.loads(text)
    assert messages[0]["role"] == "system"
    assert messages[-1]["role"] == "user"
    assert "truncated" in messages[-1]["parts"][0]["content"]


def test_reasoning_parts(capture: TelemetryCapture, tree: SpanTree) -> None:
    reply = AIMessage(content=[{"type": "reasoning", "reasoning": "1+2 is 3"}, {"type": "text", "text": "3"}])
    model = ScriptedChatModel(policy=replay_policy([reply]), reasoning_tokens=7)
    handler = _handler(capture, CaptureMode.SPAN_ONLY)
    model.invoke([SystemMessage("Be brief."), HumanMessage("1+2?")], config={"callbacks": [handler]})
    chat = attrs(tree.one("chat gpt-4o-mini"))
    assert json.loads(chat["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "reasoning", "content": "1+2 is 3"}, {"type": "text", "content": "3"}],
            "finish_reason": "stop",
        }
    ]
    assert chat["gen_ai.usage.reasoning.output_tokens"] == 7


def test_details_event_only(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = _handler(capture, CaptureMode.EVENT_ONLY)
    agent(scripted([]), make_tools()[:1]).invoke(QUESTION, config={"callbacks": [handler]})
    chat = tree.one("chat gpt-4o-mini")
    assert "gen_ai.input.messages" not in attrs(chat)
    [record] = capture.logs()
    log = record.log_record
    assert log.event_name == "gen_ai.client.inference.operation.details"
    assert chat.context is not None
    assert (log.trace_id, log.span_id) == (chat.context.trace_id, chat.context.span_id)
    event: dict[str, Any] = dict(log.attributes or {})
    assert event["gen_ai.request.model"] == "gpt-4o-mini"
    assert event["gen_ai.response.finish_reasons"] == ("stop",)
    assert event["gen_ai.input.messages"][1]["parts"][0]["content"] == "Add 1 and 2, then mail [REDACTED:email]"
    assert event["gen_ai.output.messages"][0]["parts"][0] == {"type": "text", "content": "The answer is 21."}


def test_span_and_event(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = _handler(capture, CaptureMode.SPAN_AND_EVENT, redact=False)
    agent(scripted([]), make_tools()[:1]).invoke(QUESTION, config={"callbacks": [handler]})
    assert "bob@example.com" in attrs(tree.one("chat gpt-4o-mini"))["gen_ai.input.messages"]
    assert len(capture.logs()) == 1
