"""The demo's coding agent: a real LangGraph ReAct loop over real tools, with a scripted model.

Only the model is scripted (no paid API here); the graph, the tool calls, the
file edits and the test runs are real. The script makes the mistake agents
make — a first fix that forgets rounding — so the trace shows a failed
verification, a second edit and a passing run.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from mcp import Client
from obs_langgraph.testing import ScriptedChatModel, react_policy

MODEL = "claude-sonnet-4-5"
RESPONSE_MODEL = "claude-sonnet-4-5-20250929"
PROVIDER = "anthropic"

SYSTEM_PROMPT = (
    "You are a careful coding agent working in a git repository. Read before you edit, make the smallest change "
    "that fixes the task, and run the tests after every edit. Never edit tests to make them pass."
)

_BUGGY = "    gross = subtotal(invoice) * (1 + tax_rate(invoice.region))\n    return gross - invoice.coupon\n"
_FIRST_FIX = "    taxable = subtotal(invoice) - invoice.coupon\n    return taxable * (1 + tax_rate(invoice.region))\n"
_SECOND_FIX = (
    "    taxable = subtotal(invoice) - invoice.coupon\n"
    "    return (taxable * (1 + tax_rate(invoice.region))).quantize(CENT, rounding=ROUND_HALF_UP)\n"
)
_IMPORTS_OLD = "from decimal import Decimal\n"
_IMPORTS_NEW = 'from decimal import ROUND_HALF_UP, Decimal\n\nCENT = Decimal("0.01")\n'

EXECUTION_SCRIPT: list[list[dict[str, Any]]] = [
    [{"name": "read_file", "args": {"path": "invoices/totals.py"}}],
    [{"name": "edit_file", "args": {"path": "invoices/totals.py", "old": _BUGGY, "new": _FIRST_FIX}}],
    [{"name": "run_tests", "args": {}}],
    [
        {"name": "edit_file", "args": {"path": "invoices/totals.py", "old": _IMPORTS_OLD, "new": _IMPORTS_NEW}},
        {"name": "edit_file", "args": {"path": "invoices/totals.py", "old": _FIRST_FIX, "new": _SECOND_FIX}},
    ],
    [{"name": "run_tests", "args": {}}],
]
FINAL_ANSWER = (
    "Fixed invoice_total: the coupon is now subtracted before tax and the total is rounded to cents "
    "(ROUND_HALF_UP). All 3 tests pass."
)
TEST_COMMAND = [sys.executable, "-m", "unittest", "discover", "-s", "tests", "-t", "."]


@dataclass(frozen=True, slots=True)
class EditApplied:
    """A file change the agent made, with its unified diff."""

    path: str
    before: str
    after: str

    @property
    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


@dataclass(frozen=True, slots=True)
class TestRun:
    """One verification: the command, its exit code and output."""

    command: list[str]
    exit_code: int
    output: str
    duration_s: float


@dataclass
class Workspace:
    """The repository the tools act on, and callbacks that let the session observe them."""

    root: Path
    on_edit: Callable[[EditApplied], object] = lambda _e: None
    on_test_run: Callable[[TestRun], object] = lambda _t: None
    mcp: Client | None = None
    """When set, ``run_tests`` goes to the demo's MCP server instead of a local subprocess."""
    edits: list[EditApplied] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def read_file(self, path: str) -> str:
        """Return the text of a file in the repository."""
        return (self.root / path).read_text(encoding="utf-8")

    def edit_file(self, path: str, old: str, new: str) -> str:
        """Replace the exact text ``old`` with ``new`` in a file; fails if ``old`` is not there once."""
        target = self.root / path
        # ToolNode runs parallel tool calls on threads: edits to one file must not interleave.
        with self._lock:
            before = target.read_text(encoding="utf-8")
            if before.count(old) != 1:
                return f"error: the text to replace occurs {before.count(old)} times in {path}; give a unique snippet"
            after = before.replace(old, new)
            target.write_text(after, encoding="utf-8")
            edit = EditApplied(path, before, after)
            self.edits.append(edit)
        self.on_edit(edit)
        return edit.diff

    def run_tests(self) -> str:
        """Run the repository's unit tests and report the result."""
        started = time.perf_counter()
        proc = subprocess.run(TEST_COMMAND, cwd=self.root, capture_output=True, text=True, timeout=120, check=False)
        run = TestRun(TEST_COMMAND, proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - started)
        self.on_test_run(run)
        return f"exit code {proc.returncode}\n{run.output[-2000:]}"

    async def run_tests_over_mcp(self) -> str:
        """Run the repository's unit tests on the ``repo-tests`` MCP server and report the result."""
        if self.mcp is None:
            return self.run_tests()
        result = await self.mcp.call_tool("run_tests", {"repo": str(self.root)})
        text = "".join(getattr(block, "text", "") for block in result.content)
        if result.is_error:
            return f"error: the test server failed: {text}"
        payload = json.loads(text)
        run = TestRun(
            list(payload["command"]), int(payload["exit_code"]), str(payload["output"]), float(payload["duration_s"])
        )
        self.on_test_run(run)
        return f"exit code {run.exit_code}\n{run.output[-2000:]}"

    def tools(self) -> list[BaseTool]:
        run_tests = (
            StructuredTool.from_function(coroutine=self.run_tests_over_mcp, name="run_tests")
            if self.mcp is not None
            else StructuredTool.from_function(self.run_tests, name="run_tests")
        )
        return [
            StructuredTool.from_function(self.read_file, name="read_file"),
            StructuredTool.from_function(self.edit_file, name="edit_file"),
            run_tests,
        ]


def scripted_model(policy: Any) -> ScriptedChatModel:
    """The stand-in for a paid Anthropic model: realistic usage, cache reads, finish reasons."""
    return ScriptedChatModel(
        policy=policy,
        model_name=MODEL,
        response_model=RESPONSE_MODEL,
        provider=PROVIDER,
        temperature=0.0,
        max_tokens=4096,
        cache_read_ratio=0.6,
        reasoning_tokens=48,
    )


def build_agent(workspace: Workspace) -> CompiledStateGraph[Any, Any, Any, Any]:
    """A hand-built ReAct graph: agent ⇄ tools until the model answers without tool calls."""
    tools = workspace.tools()
    model = scripted_model(react_policy(EXECUTION_SCRIPT, FINAL_ANSWER)).bind_tools(tools)

    async def agent(state: MessagesState) -> dict[str, list[BaseMessage]]:
        reply = await model.ainvoke(state["messages"])
        assert isinstance(reply, AIMessage)
        return {"messages": [reply]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "agent")
    return graph.compile(name="obs-demo-coder")


def initial_messages(task: str, context: str) -> list[BaseMessage]:
    return [SystemMessage(SYSTEM_PROMPT), HumanMessage(f"Task: {task}\n\nRepository context:\n{context}")]
