"""obs-langgraph: OpenTelemetry tracing, metrics and a tool circuit breaker for LangChain / LangGraph.

Trace one run::

    graph.invoke(inputs, config={"callbacks": [ObsCallbackHandler()]})

or every run in the process (also what ``opentelemetry-instrument`` does)::

    LangChainInstrumentor().instrument()

Spans: ``invoke_agent {name}`` → ``obs.agent.iteration`` → ``chat {model}`` /
``execute_tool {name}`` / ``retrieval {name}``, with usage, cost, pipeline
stage, prompt hash and context-window accounting on chat spans. Tools behind
:class:`ToolBreakerMiddleware` or :func:`breaker_tool` get a circuit breaker.
``ToolBreakerMiddleware`` needs the ``langchain`` package (extra ``agents``)
and is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._breaker import BreakerTool, ToolBreaker, breaker_tool, unavailable_message
from ._config import LangGraphConfig
from ._handler import ObsCallbackHandler
from ._instrumentor import LangChainInstrumentor

if TYPE_CHECKING:
    from ._middleware import ToolBreakerMiddleware

__all__ = [
    "BreakerTool",
    "LangChainInstrumentor",
    "LangGraphConfig",
    "ObsCallbackHandler",
    "ToolBreaker",
    "ToolBreakerMiddleware",
    "breaker_tool",
    "unavailable_message",
]


def __getattr__(name: str) -> Any:
    if name == "ToolBreakerMiddleware":
        from ._middleware import ToolBreakerMiddleware

        return ToolBreakerMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
