"""Which tools/call repeats a failed one: a heuristic, with memory that cannot grow.

MCP has no retry marker, so an agent's retry looks like any other call.
obs counts a tools/call as a retry when the last finished call of the same
tool failed *and* carried the same arguments (compared by a hash of their
canonical JSON). That catches the common "call, fail, call again" loop; it
misses a retry with changed arguments, and counts a deliberate repeat of a
failed call as a retry. The reason given is the earlier call's ``error.type``.

Memory is bounded whatever callers send: at most ``max_tools`` tools are
remembered (the least recently failed are forgotten first), each as one int
and one short string, never the arguments themselves.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

MAX_TOOLS = 256
"""Tools whose last failure is remembered; a host inventing tool names cannot make this grow."""


def arguments_digest(params: Mapping[str, Any] | None) -> int:
    """A hash of a tools/call's ``arguments``, equal for equal JSON whatever the key order."""
    arguments = params.get("arguments") if params is not None else None
    try:
        text = json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=repr)
    except (TypeError, ValueError):  # keys of mixed types cannot be sorted; still a stable text
        text = repr(arguments)
    return hash(text)


class RetryTracker:
    """The last failure per tool, for :func:`retry_reason`; one per client connection."""

    def __init__(self, max_tools: int = MAX_TOOLS) -> None:
        self._max_tools = max_tools
        self._last_failure: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._last_failure)

    def has_failed(self, tool: str) -> bool:
        """Cheap pre-check, so the arguments are only hashed after a failure of this tool."""
        return tool in self._last_failure

    def retry_reason(self, tool: str, digest: int) -> str | None:
        """The failed call's ``error.type`` when this call repeats it, else None."""
        last = self._last_failure.get(tool)
        return last[1] if last is not None and last[0] == digest else None

    def succeeded(self, tool: str) -> None:
        self._last_failure.pop(tool, None)

    def failed(self, tool: str, digest: int, error_type: str) -> None:
        self._last_failure[tool] = (digest, error_type)
        self._last_failure.move_to_end(tool)
        while len(self._last_failure) > self._max_tools:
            self._last_failure.popitem(last=False)
