"""Trace a LangGraph agent with obs: one handler, everything recorded.

Run it with ``uv run python examples/langgraph_quickstart.py``, then look with
``uv run obs traces`` / ``uv run obs show <id>`` / ``uv run obs report``.

The chat model is scripted so the example needs no API key; swap in
``ChatAnthropic(model="claude-sonnet-4-5")`` or ``ChatOpenAI(model="gpt-4o")``
and nothing else changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from obs_core import configure
from obs_langgraph import ObsCallbackHandler
from obs_langgraph.testing import ScriptedChatModel, react_policy


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return {"Paris": "14°C, light rain", "Lisbon": "21°C, sunny"}.get(city, "unknown city")


def main(store: Path | None = None) -> str:
    runtime = configure(service_name="weather-agent", store=store if store is not None else True)
    model = ScriptedChatModel(
        policy=react_policy(
            [[{"name": "get_weather", "args": {"city": "Paris"}}, {"name": "get_weather", "args": {"city": "Lisbon"}}]],
            final_answer="Paris: 14°C and light rain. Lisbon: 21°C and sunny — pack sunglasses for Lisbon.",
        ),
        model_name="gpt-4o",
        response_model="gpt-4o-2024-08-06",
        provider="openai",
    )
    agent = create_agent(
        model, [get_weather], system_prompt="You are a concise travel assistant.", name="weather-agent"
    )
    result = agent.invoke(
        {"messages": [HumanMessage("What's the weather in Paris and Lisbon?")]},
        config={
            "callbacks": [ObsCallbackHandler()],
            "configurable": {"thread_id": "conversation-42"},
            "metadata": {"user_id": "alice@example.com", "obs_stage": "answer"},
        },
    )
    runtime.force_flush()
    answer = str(result["messages"][-1].content)
    print(answer)
    print(f"\nrecorded in {runtime.store_path}: try `uv run obs traces` and `uv run obs report`")
    return answer


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
