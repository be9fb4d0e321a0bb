"""The scripted chat model other packages reuse: realistic metadata, tool calls, streaming."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from obs_langgraph.testing import ScriptedChatModel, react_policy, replay_policy

from .graphs import make_tools


def test_invoke_reports_usage_and_response_metadata() -> None:
    model = ScriptedChatModel(policy=replay_policy(["hello there"]), reasoning_tokens=4, cache_write_tokens=2)
    reply = model.invoke([HumanMessage("hi")])
    assert isinstance(reply, AIMessage)
    assert reply.content == "hello there"
    assert reply.usage_metadata == {
        "input_tokens": 4,
        "output_tokens": 7,
        "total_tokens": 11,
        "input_token_details": {"cache_read": 2, "cache_creation": 2},
        "output_token_details": {"reasoning": 4},
    }
    assert reply.response_metadata["finish_reason"] == "stop"
    assert reply.response_metadata["model_name"] == "gpt-4o-mini-2024-07-18"
    assert reply.response_metadata["id"] == "chatcmpl-scripted-1"


def test_react_policy_is_a_pure_function_of_the_conversation() -> None:
    model = ScriptedChatModel(policy=react_policy([[{"name": "add", "args": {"a": 1, "b": 2}}]]))
    bound = model.bind_tools(make_tools()[:1])
    first = bound.invoke([HumanMessage("hi")])
    assert isinstance(first, AIMessage)
    assert first.tool_calls == [{"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1_1", "type": "tool_call"}]
    assert first.response_metadata["finish_reason"] == "tool_calls"
    again = bound.invoke([HumanMessage("hi")])
    assert isinstance(again, AIMessage)
    assert again.tool_calls == first.tool_calls


def test_streaming_aggregates_to_the_same_message() -> None:
    model = ScriptedChatModel(policy=replay_policy(["a streamed answer"]), chunk_chars=3)
    chunks = list(model.stream([HumanMessage("hi")]))
    assert len(chunks) > 3
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.content == "a streamed answer"
    assert total.usage_metadata is not None
    assert total.usage_metadata["output_tokens"] == 5
    assert total.response_metadata["finish_reason"] == "stop"


def test_streamed_tool_calls() -> None:
    model = ScriptedChatModel(policy=react_policy([[{"name": "add", "args": {"a": 1, "b": 2}}]]))

    async def collect() -> AIMessageChunk:
        total: AIMessageChunk | None = None
        async for chunk in model.astream([HumanMessage("hi")]):
            total = chunk if total is None else total + chunk
        assert total is not None
        return total

    total = asyncio.run(collect())
    assert total.tool_calls == [{"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1_1", "type": "tool_call"}]


def test_scripted_failures_come_first() -> None:
    model = ScriptedChatModel(policy=replay_policy(["ok"]), failures=[TimeoutError("slow")])
    with pytest.raises(TimeoutError):
        model.invoke([HumanMessage("hi")])
    assert model.invoke([HumanMessage("hi")]).content == "ok"
