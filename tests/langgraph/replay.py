"""Record the callbacks a real graph run makes, and replay them with fresh run ids.

Replaying lets robustness tests drive the handler through thousands of
realistic runs (or shuffled, truncated ones) without paying for LangGraph's
own work each time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

EVENTS = (
    "on_chain_start",
    "on_chain_end",
    "on_chain_error",
    "on_chat_model_start",
    "on_llm_start",
    "on_llm_new_token",
    "on_llm_end",
    "on_llm_error",
    "on_tool_start",
    "on_tool_end",
    "on_tool_error",
    "on_retriever_start",
    "on_retriever_end",
    "on_retriever_error",
)


@dataclass(frozen=True)
class Call:
    event: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class Recorder(BaseCallbackHandler):
    """Keeps every callback it receives, in order."""

    run_inline = True

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def __getattribute__(self, name: str) -> Any:
        if name in EVENTS:
            calls = object.__getattribute__(self, "calls")

            def record(*args: Any, **kwargs: Any) -> None:
                calls.append(Call(name, args, dict(kwargs)))

            return record
        return object.__getattribute__(self, name)


def replay(calls: list[Call], handler: BaseCallbackHandler, mapping: dict[UUID, UUID] | None = None) -> None:
    """Send ``calls`` to ``handler`` with every run id replaced by a fresh one (consistently within a replay)."""
    ids: dict[UUID, UUID] = {} if mapping is None else mapping

    def fresh(value: Any) -> Any:
        if isinstance(value, UUID):
            return ids.setdefault(value, uuid.uuid4())
        return value

    for call in calls:
        kwargs = {k: fresh(v) for k, v in call.kwargs.items()}
        getattr(handler, call.event)(*call.args, **kwargs)
