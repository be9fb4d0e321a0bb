"""Context-window sections of a chat request: system, tools, history, tool results, new input.

An agent's request grows every turn, and most of it was already counted on
the previous turn. Counts are cached per message text (by length and hash, so
the cache holds integers, never the text) in a bounded table: a 40-turn
conversation costs one tokenisation per new message, not per message per turn.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from obs_core import ContextWindowMonitor, ContextWindowReport, count_tokens, encoding_for_model
from opentelemetry.trace import Span
from opentelemetry.util.types import AttributeValue

MESSAGE_OVERHEAD_TOKENS = 3
"""Tokens a chat format spends per message on role and separators (OpenAI's documented framing)."""

SECTIONS = ("system", "tools", "history", "tool_results", "input")
_MAX_MESSAGES = 2048
"""Message counts remembered by id (bounded, oldest first out); one encoding per process in practice."""


class TokenCache:
    """Token counts by (encoding, text length, text hash); bounded, FIFO-evicted."""

    def __init__(self, max_entries: int = 8192) -> None:
        self._counts: dict[tuple[str, int, int], int] = {}
        self._max = max_entries
        self._lock = threading.Lock()

    def count(self, text: str, model: str | None, encoding: str | None = None) -> int:
        """Tokens of ``text`` for ``model``; pass ``encoding`` when counting many texts of one request."""
        if not text:
            return 0
        if encoding is None:
            encoding, _ = encoding_for_model(model)
        key = (encoding, len(text), hash(text))
        cached = self._counts.get(key)
        if cached is not None:
            return cached
        tokens = count_tokens(text, model).tokens
        with self._lock:
            if len(self._counts) >= self._max:
                del self._counts[next(iter(self._counts))]
            self._counts[key] = tokens
        return tokens

    def __len__(self) -> int:
        return len(self._counts)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b if isinstance(b, str) else str(b.get("text", "")) for b in content if isinstance(b, (str, Mapping))
        )
    return str(content)


class SectionCounter:
    """Splits a request into sections, counts them and hands the counts to obs-core's monitor."""

    def __init__(self, monitor: ContextWindowMonitor, cache: TokenCache | None = None) -> None:
        self.monitor = monitor
        self._cache = cache or TokenCache()
        self._by_id: dict[tuple[str, int, int], int] = {}
        self._lock = threading.Lock()

    def sections(self, model: str | None, messages: Sequence[BaseMessage], tools: Any) -> dict[str, int]:
        """Token count per section; the most recent user message is the new input."""
        counts = dict.fromkeys(SECTIONS, 0)
        encoding, _ = encoding_for_model(model)
        latest_user = next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), -1)
        for i, message in enumerate(messages):
            tokens = self._message_tokens(message, model, encoding)
            if isinstance(message, SystemMessage):
                counts["system"] += tokens
            elif isinstance(message, ToolMessage):
                counts["tool_results"] += tokens
            elif i == latest_user:
                counts["input"] += tokens
            else:
                counts["history"] += tokens
        if tools:
            counts["tools"] = self._cache.count(json.dumps(tools, sort_keys=True, default=str), model, encoding)
        return counts

    def _message_tokens(self, message: BaseMessage, model: str | None, encoding: str) -> int:
        """Tokens of one message, remembered by message id: history is re-sent every turn unchanged."""
        text = _text(message.content)
        # Hash of the id, not the id: the table then holds only integers, never the host's strings.
        key = (encoding, hash(message.id), len(text)) if message.id else None
        if key is not None:
            known = self._by_id.get(key)
            if known is not None:
                return known
        tokens = MESSAGE_OVERHEAD_TOKENS + self._cache.count(text, model, encoding)
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = json.dumps([[c["name"], c["args"]] for c in message.tool_calls], default=str)
            tokens += self._cache.count(calls, model, encoding)
        if key is not None:
            with self._lock:
                if len(self._by_id) >= _MAX_MESSAGES:
                    del self._by_id[next(iter(self._by_id))]
                self._by_id[key] = tokens
        return tokens

    def measure(
        self,
        model: str | None,
        messages: Sequence[BaseMessage],
        tools: Any,
        *,
        session_key: str | None,
        span: Span,
        attributes: Mapping[str, AttributeValue],
    ) -> ContextWindowReport:
        counts: dict[str, str | int] = dict(self.sections(model, messages, tools))
        return self.monitor.measure(model, counts, session_key=session_key, span=span, attributes=attributes)
