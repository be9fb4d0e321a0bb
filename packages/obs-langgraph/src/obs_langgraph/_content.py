"""Opt-in message content in the spec's JSON shape, redacted and size-capped.

LangChain messages become ``[{"role", "parts": [...]}]`` with ``text``,
``tool_call``, ``tool_call_response`` and ``reasoning`` parts. The JSON text
is built first and redacted as a whole (one pass of the redactor's patterns;
their replacements hold no quotes, so the JSON stays valid), then fitted to
the size cap: oldest non-system messages go first, then long parts are cut,
so a capped attribute is still parseable JSON rather than a sliced string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from obs_core import Redactor, truncate

Part = dict[str, Any]
Message = dict[str, Any]


def _role(message: BaseMessage) -> str:
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, (ToolMessage, FunctionMessage)):
        return "tool"
    if isinstance(message, ChatMessage):
        return message.role
    return message.type


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for block in content:
            if isinstance(block, str):
                texts.append(block)
            elif isinstance(block, Mapping) and block.get("type") == "text":
                texts.append(str(block.get("text", "")))
        return "".join(texts)
    return str(content)


def _parts(message: BaseMessage, limit: int) -> list[Part]:
    parts: list[Part] = []
    if isinstance(message, AIMessage):
        reasoning = message.additional_kwargs.get("reasoning_content")
        if isinstance(message.content, list):
            for block in message.content:
                if isinstance(block, Mapping) and block.get("type") in ("reasoning", "thinking"):
                    text = block.get("reasoning") or block.get("thinking") or ""
                    parts.append({"type": "reasoning", "content": truncate(str(text), limit)})
        if isinstance(reasoning, str) and reasoning:
            parts.append({"type": "reasoning", "content": truncate(reasoning, limit)})
    if isinstance(message, (ToolMessage, FunctionMessage)):
        call_id = getattr(message, "tool_call_id", None)
        return [{"type": "tool_call_response", "id": call_id, "response": truncate(_text_of(message.content), limit)}]
    text = _text_of(message.content)
    if text:
        parts.append({"type": "text", "content": truncate(text, limit)})
    if isinstance(message, AIMessage):
        for call in message.tool_calls:
            parts.append({"type": "tool_call", "id": call.get("id"), "name": call["name"], "arguments": call["args"]})
    return parts


def to_spec_messages(messages: Sequence[BaseMessage], limit: int) -> list[Message]:
    """LangChain messages as spec JSON messages (parts cut to ``limit`` characters each)."""
    return [{"role": _role(m), "parts": _parts(m, limit)} for m in messages]


def output_messages(messages: Sequence[AIMessage], finish_reasons: Sequence[str], limit: int) -> list[Message]:
    out = []
    for i, message in enumerate(messages):
        entry: Message = {"role": "assistant", "parts": _parts(message, limit)}
        if i < len(finish_reasons):
            entry["finish_reason"] = finish_reasons[i]
        out.append(entry)
    return out


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def fit_messages(messages: list[Message], limit: int) -> str:
    """Serialise within ``limit`` characters: drop the oldest non-system messages, then shorten parts."""
    text = _dump(messages)
    if len(text) <= limit:
        return text
    kept = list(messages)
    while len(kept) > 1 and len(text) > limit:
        victim = next((i for i, m in enumerate(kept[:-1]) if m.get("role") != "system"), None)
        if victim is None:
            break
        del kept[victim]
        text = _dump(kept)
    part_limit = limit
    while len(text) > limit and part_limit > 16:
        part_limit //= 2
        kept = [{**m, "parts": [_shorten(p, part_limit) for p in m.get("parts", [])]} for m in kept]
        text = _dump(kept)
    return text if len(text) <= limit else _dump([])


def _shorten(part: Part, limit: int) -> Part:
    short = dict(part)
    for key in ("content", "response"):
        if isinstance(short.get(key), str):
            short[key] = truncate(short[key], limit)
    if "arguments" in short:
        args = _dump(short["arguments"])
        if len(args) > limit:
            short["arguments"] = truncate(args, limit)
    return short


class ContentRecorder:
    """Applies the redactor and the size cap to every payload that leaves the process."""

    def __init__(self, redactor: Redactor | None, limit: int) -> None:
        self._redactor = redactor
        self.limit = limit

    def scrub(self, text: str) -> str:
        if self._redactor is None:
            return text
        return self._redactor.redact(text).text

    def messages(self, messages: list[Message]) -> str:
        """Redacted, capped JSON for ``gen_ai.input.messages`` / ``gen_ai.output.messages``."""
        return fit_messages(json.loads(self.scrub(_dump(messages))), self.limit)

    def value(self, value: Any) -> str:
        """Redacted, capped text for a tool argument or result."""
        text = value if isinstance(value, str) else _dump(value)
        return truncate(self.scrub(text), self.limit)


def tool_result_text(output: Any) -> Any:
    """The content of a tool's output (a ToolMessage's content, or the raw value)."""
    if isinstance(output, ToolMessage):
        return output.content
    content = getattr(output, "content", None)
    return content if content is not None else output
