"""``stream`` / ``astream`` in every ``stream_mode``: usage, time to first chunk, and early exits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from typing import Any, cast

import pytest
from obs_core.testing import TelemetryCapture
from obs_langgraph import ObsCallbackHandler
from opentelemetry.trace import StatusCode

from .graphs import SpanTree, agent, attrs, make_tools, scripted

HI = {"messages": [("user", "hi")]}
OUTLINE = [
    "invoke_agent adder",
    "  obs.agent.iteration",
    "    chat gpt-4o-mini",
    "    execute_tool add",
    "    execute_tool add",
    "  obs.agent.iteration",
    "    chat gpt-4o-mini",
    "    execute_tool add",
    "  obs.agent.iteration",
    "    chat gpt-4o-mini",
]


@pytest.mark.parametrize("mode", ["values", "updates", "messages", "debug", ["updates", "messages", "custom"]])
def test_stream_modes_give_the_same_tree_and_usage(handler: ObsCallbackHandler, tree: SpanTree, mode: Any) -> None:
    chunks = list(agent(scripted(), make_tools()[:1]).stream(HI, config={"callbacks": [handler]}, stream_mode=mode))
    assert chunks
    assert tree.outline() == OUTLINE
    usage = [
        (attrs(s)["gen_ai.usage.input_tokens"], attrs(s)["gen_ai.usage.output_tokens"])
        for s in tree.named("chat gpt-4o-mini")
    ]
    assert usage == [(12, 41), (25, 21), (33, 5)]
    streamed = "messages" in mode
    for chat in tree.named("chat gpt-4o-mini"):
        assert ("gen_ai.response.time_to_first_chunk" in attrs(chat)) is streamed
        assert attrs(chat).get("gen_ai.request.stream", False) is streamed


def test_astream_messages_records_time_to_first_chunk(
    handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture
) -> None:
    async def main() -> int:
        count = 0
        async for _ in agent(scripted(), make_tools()[:1]).astream(
            HI, config={"callbacks": [handler]}, stream_mode="messages"
        ):
            count += 1
        return count

    assert asyncio.run(main()) > 3
    assert tree.outline() == OUTLINE
    assert capture.metric_sum("gen_ai.client.operation.time_to_first_chunk") == 3
    assert all(attrs(c)["gen_ai.response.time_to_first_chunk"] >= 0 for c in tree.named("chat gpt-4o-mini"))


def test_breaking_out_of_a_stream_is_a_cancellation_not_an_error(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    stream = cast(
        Generator[Any, None, None],
        agent(scripted(), make_tools()[:1]).stream(HI, config={"callbacks": [handler]}, stream_mode="updates"),
    )
    next(stream)
    next(stream)
    stream.close()
    assert tree.outline() == [
        "invoke_agent adder",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool add",
        "    execute_tool add",
    ]
    assert attrs(tree.one("invoke_agent adder"))["obs.agent.outcome"] == "cancelled"
    assert all(s.status.status_code is StatusCode.UNSET for s in tree.spans())
    assert handler.live_runs == 0


def test_closing_an_async_stream_mid_message_ends_every_span(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    async def main() -> None:
        stream = cast(
            AsyncGenerator[Any, None],
            agent(scripted(), make_tools()[:1]).astream(HI, config={"callbacks": [handler]}, stream_mode="messages"),
        )
        async for _ in stream:
            break
        await stream.aclose()

    asyncio.run(main())
    assert tree.outline() == ["invoke_agent adder", "  obs.agent.iteration", "    chat gpt-4o-mini"]
    assert attrs(tree.one("invoke_agent adder"))["obs.agent.outcome"] == "cancelled"
    assert all(s.status.status_code is StatusCode.UNSET for s in tree.spans())
    assert handler.live_runs == 0


def test_cancelling_a_task_mid_run(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    started = asyncio.Event()

    async def main() -> None:
        from langchain_core.tools import tool

        @tool
        async def add(a: int, b: int) -> int:
            """Add slowly."""
            started.set()
            await asyncio.sleep(30)
            return a + b

        task = asyncio.create_task(agent(scripted(), [add]).ainvoke(HI, config={"callbacks": [handler]}))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert attrs(tree.one("invoke_agent adder"))["obs.agent.outcome"] == "cancelled"
    assert all(s.status.status_code is StatusCode.UNSET for s in tree.spans())
    assert handler.live_runs == 0
