"""A scripted chat model for tests, examples and benchmarks.

Only paid model APIs are replaced in obs's tests; everything around them is
the real LangChain / LangGraph machinery. :class:`ScriptedChatModel` therefore
behaves like a provider integration as far as instrumentation can see: it
reports ``usage_metadata`` with cache and reasoning details, ``response_metadata``
with ``finish_reason`` / ``model_name`` / ``id``, binds tools in the OpenAI
format, streams chunks (usage on the last one, as OpenAI does with
``stream_usage``) and names its provider through ``_get_ls_params``.

Replies come from a *policy*: a function of the conversation so far. A policy
is stateless, so one model instance can serve 100 concurrent runs without
cross-talk; :func:`react_policy` and :func:`replay_policy` cover the common
scripts.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr

Reply = AIMessage | str
"""What a policy returns: a full message (tool calls allowed) or plain text."""
Policy = Callable[[Sequence[BaseMessage]], Reply]

__all__ = ["Policy", "Reply", "ScriptedChatModel", "react_policy", "replay_policy"]


def react_policy(
    tool_calls: Sequence[Sequence[Mapping[str, Any]]],
    final_answer: str = "Done.",
) -> Policy:
    """A ReAct loop: turn *n* asks for ``tool_calls[n]``, after the last turn it answers.

    The turn is the number of AI messages since the last human message, so the
    policy is a pure function of the conversation and safe under concurrency.
    Each tool call is ``{"name": ..., "args": {...}}``; ids are derived from
    the turn so results pair with their requests.
    """

    def policy(messages: Sequence[BaseMessage]) -> Reply:
        turn = 0
        for message in reversed(messages):
            if isinstance(message, HumanMessage):
                break
            if isinstance(message, AIMessage):
                turn += 1
        if turn >= len(tool_calls):
            return final_answer
        calls = [
            ToolCall(name=str(call["name"]), args=dict(call.get("args", {})), id=f"call_{turn + 1}_{i + 1}")
            for i, call in enumerate(tool_calls[turn])
        ]
        return AIMessage(content="", tool_calls=calls)

    return policy


def replay_policy(replies: Sequence[Reply]) -> Policy:
    """Replies in order, one per call, shared by every conversation (not for concurrent runs)."""
    lock = threading.Lock()
    position = itertools.count()

    def policy(messages: Sequence[BaseMessage]) -> Reply:
        with lock:
            index = next(position)
        return replies[min(index, len(replies) - 1)]

    return policy


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a policy and reports realistic provider metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    policy: Policy = Field(default_factory=lambda: react_policy([]))
    """Decides each reply from the conversation."""
    model_name: str = "gpt-4o-mini"
    """Requested model (``ls_model_name``)."""
    response_model: str = "gpt-4o-mini-2024-07-18"
    """Model the "provider" says answered (``response_metadata['model_name']``)."""
    provider: str = "openai"
    """``ls_provider`` reported to tracers."""
    temperature: float | None = 0.2
    max_tokens: int | None = 512
    cache_read_ratio: float = 0.5
    """Share of input tokens reported as served from the prompt cache."""
    cache_write_tokens: int = 0
    """Input tokens reported as written to the cache on every call."""
    reasoning_tokens: int = 0
    """Reasoning tokens reported on every call (included in output tokens)."""
    failures: Sequence[BaseException] = ()
    """Raised by the first ``len(failures)`` calls, in order, before any reply (for retry tests)."""
    chunk_chars: int = 8
    """Characters per streamed text chunk."""

    _calls: Iterator[int] = PrivateAttr(default_factory=itertools.count)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "scripted-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self.provider
        params["ls_model_name"] = str(kwargs.get("model", self.model_name))
        return params

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools the way provider integrations do: OpenAI tool schemas in the ``tools`` kwarg."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    # --- generation ---------------------------------------------------------------

    def _next_call(self) -> int:
        with self._lock:
            index = next(self._calls)
        if index < len(self.failures):
            raise self.failures[index]
        return index

    def _reply(self, messages: Sequence[BaseMessage]) -> AIMessage:
        reply = self.policy(messages)
        return AIMessage(content=reply) if isinstance(reply, str) else reply

    def _usage(self, messages: Sequence[BaseMessage], reply: AIMessage) -> UsageMetadata:
        # ~4 characters per token, as a provider's count would roughly be.
        input_tokens = max(1, sum(len(str(m.content)) + 16 for m in messages) // 4)
        visible = len(str(reply.content)) // 4 + 20 * len(reply.tool_calls) + 1
        output_tokens = visible + self.reasoning_tokens
        cache_read = int(input_tokens * self.cache_read_ratio)
        return UsageMetadata(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
            input_token_details=InputTokenDetails(cache_read=cache_read, cache_creation=self.cache_write_tokens),
            output_token_details=OutputTokenDetails(reasoning=self.reasoning_tokens),
        )

    def _metadata(self, index: int, reply: AIMessage) -> dict[str, Any]:
        return {
            "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            "model_name": self.response_model,
            "id": f"chatcmpl-scripted-{index + 1}",
            "model_provider": self.provider,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        index = self._next_call()
        reply = self._reply(messages)
        message = AIMessage(
            content=reply.content,
            tool_calls=reply.tool_calls,
            usage_metadata=self._usage(messages, reply),
            response_metadata=self._metadata(index, reply),
            id=f"run-scripted-{index + 1}",
        )
        return ChatResult(
            generations=[ChatGeneration(message=message)],
            llm_output={"model_name": self.response_model, "id": message.response_metadata["id"]},
        )

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # No I/O to wait for: answering inline keeps async runs free of executor threads.
        return self._generate(messages, stop, None, **kwargs)

    def _chunks(self, messages: Sequence[BaseMessage]) -> Iterator[ChatGenerationChunk]:
        index = self._next_call()
        reply = self._reply(messages)
        text = str(reply.content)
        step = max(1, self.chunk_chars)
        for start in range(0, len(text), step):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[start : start + step]))
        if reply.tool_calls:
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        tool_call_chunk(name=call["name"], args=_json(call["args"]), id=call["id"], index=i)
                        for i, call in enumerate(reply.tool_calls)
                    ],
                )
            )
        # Usage and finish reason arrive on the last chunk, as with OpenAI's stream_usage.
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=self._usage(messages, reply),
                response_metadata=self._metadata(index, reply),
                chunk_position="last",
            )
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages):
            if run_manager is not None and chunk.text:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(messages):
            if run_manager is not None and chunk.text:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def _json(args: Mapping[str, Any]) -> str:
    return json.dumps(dict(args))
