"""A scripted LangGraph coding agent run through ``CodingSession``: ``obs show`` has all four phases.

Real pieces throughout: the harvester indexes the repository, a LangGraph ReAct
graph calls real tools that edit files and run ``unittest``, ``ObsCallbackHandler``
traces the graph, spans go to a real store file, and ``obs show`` reads it.
Only the paid model is replaced, by ``ScriptedChatModel`` with realistic usage.
The script's first fix is wrong (the tests fail), the second is right.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from obs_coding import CodingSession, ExecutePhase
from obs_coding.harvest import ContextHarvester
from obs_coding.ledger import Ledger
from obs_core.cli import app
from obs_core.store import SpanStoreExporter, StoreWriter
from obs_core.testing import TelemetryCapture
from obs_langgraph import ObsCallbackHandler
from obs_langgraph.testing import ScriptedChatModel, react_policy, replay_policy
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from typer.testing import CliRunner

from ._support import Repo

CALC = '"""Arithmetic helpers."""\n\n\ndef add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n'
TESTS = (
    "import unittest\n\nfrom calc import add, mul\n\n\nclass CalcTest(unittest.TestCase):\n"
    "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n"
    "    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n"
)
PLAN = {"summary": "fix the sign in add()", "edits": [{"path": "calc.py", "estimated_lines": 1}], "confidence": 0.8}
SCRIPT: list[list[dict[str, Any]]] = [
    [{"name": "read_file", "args": {"path": "calc.py"}}],
    [{"name": "edit_file", "args": {"path": "calc.py", "old": "return a - b", "new": "return abs(a - b)"}}],
    [{"name": "run_tests", "args": {}}],
    [{"name": "edit_file", "args": {"path": "calc.py", "old": "return abs(a - b)", "new": "return a + b"}}],
    [{"name": "run_tests", "args": {}}],
]
UNITTEST = [sys.executable, "-m", "unittest", "discover", "-s", ".", "-p", "test_*.py"]


def model(policy: Any) -> ScriptedChatModel:
    return ScriptedChatModel(policy=policy, model_name="claude-sonnet-4-5", response_model="claude-sonnet-4-5-20250929",
                             provider="anthropic", temperature=0.0)  # fmt: skip


def coding_graph(root: Path, ex: ExecutePhase) -> Any:
    """A ReAct graph whose tools report edits and test runs to the execute phase."""

    def read_file(path: str) -> str:
        """Return a file of the repository."""
        return (root / path).read_text(encoding="utf-8")

    def edit_file(path: str, old: str, new: str) -> str:
        """Replace ``old`` with ``new`` in a file."""
        target = root / path
        before = target.read_text(encoding="utf-8")
        after = before.replace(old, new, 1)
        target.write_text(after, encoding="utf-8")
        ex.record_edit(target, before=before, after=after)
        return "edited"

    def run_tests() -> str:
        """Run the unit tests."""
        result = ex.verify(UNITTEST)
        return f"exit code {result.exit_code}\n{result.output[-500:]}"

    tools = [StructuredTool.from_function(f) for f in (read_file, edit_file, run_tests)]
    chat = model(react_policy(SCRIPT, "Fixed add(); both tests pass.")).bind_tools(tools)

    def agent(state: MessagesState) -> dict[str, list[BaseMessage]]:
        reply = chat.invoke(state["messages"])
        assert isinstance(reply, AIMessage)
        return {"messages": [reply]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", ToolNode(tools))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "agent")
    return graph.compile(name="scripted-coder")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Path, TracerProvider]]:
    path = tmp_path / "store" / "telemetry.db"
    writer = StoreWriter(path)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(SpanStoreExporter(writer)))
    yield path, provider
    provider.shutdown()
    writer.close()


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node["children"]:
        yield from walk(child)


def test_obs_show_has_all_four_phases(
    tmp_path: Path, repo: Repo, ledger: Ledger, capture: TelemetryCapture, store: tuple[Path, TracerProvider]
) -> None:
    store_path, provider = store
    repo.write("calc.py", CALC)
    repo.write("test_calc.py", TESTS)
    repo.commit("initial", int(time.time()) - 3600)
    handler = ObsCallbackHandler(tracer_provider=provider, meter_provider=capture.meter_provider)
    harvester = ContextHarvester(
        repo.root,
        index_dir=tmp_path / "index",
        workers=0,
        tracer_provider=provider,
        meter_provider=capture.meter_provider,
    )
    with CodingSession(
        "add() returns the wrong sum",
        repo=repo.root,
        agent="scripted-coder",
        model="claude-sonnet-4-5",
        harvester=harvester,
        ledger=ledger,
        tracer_provider=provider,
        meter_provider=capture.meter_provider,
    ) as session:
        context = session.harvest("add returns the wrong sum")
        with session.planning() as planning:
            reply = model(replay_policy([json.dumps(PLAN)])).invoke(
                [HumanMessage(f"Plan the fix.\n{context.render()}")], config={"callbacks": [handler]}
            )
            assert not planning.record(str(reply.content))
        with session.execute() as ex:
            graph = coding_graph(repo.root, ex)
            final = graph.invoke({"messages": [HumanMessage("Fix add() in calc.py.")]}, config={"callbacks": [handler]})
            assert (ex.attempts, ex.first_attempt_passed) == (2, False)
        report = session.outcome()
        trace_id = session.trace_id
    assert final["messages"][-1].content == "Fixed add(); both tests pass."
    assert repo.read("calc.py") == CALC.replace("a - b", "a + b")
    assert report is not None
    # The second edit replaced the only line the first one added (a draft); its removal of the draft line is
    # a cancellation, so it is judged on the line it added.
    assert [(r.outcome, r.superseded) for r in report.outcomes] == [("superseded", 1.0), ("pending", 0.5)]

    runner = CliRunner()
    shown = runner.invoke(app, ["show", trace_id, "--store", str(store_path), "--json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    [root] = detail["spans"]
    assert root["name"] == "obs.coding.task"
    assert [c["name"] for c in root["children"]] == [
        "obs.coding.harvest",
        "obs.coding.plan",
        "obs.coding.execute",
        "obs.coding.outcome",
    ]
    harvest, plan, execute, outcome = root["children"]
    assert "obs.harvest" in {n["name"] for n in walk(harvest)}
    assert "chat claude-sonnet-4-5" in {n["name"] for n in walk(plan)}
    below_execute = [n["name"] for n in walk(execute)]
    assert "invoke_agent scripted-coder" in below_execute
    assert below_execute.count("obs.coding.edit") == 2
    assert below_execute.count("obs.coding.verification") == 2
    assert below_execute.count("execute_tool edit_file") == 2
    assert [n["name"] for n in outcome["children"]] == ["obs.coding.edit_outcome"] * 2

    text = runner.invoke(app, ["show", trace_id, "--store", str(store_path)], env={"COLUMNS": "200"})
    assert text.exit_code == 0
    for phase in ("obs.coding.harvest", "obs.coding.plan", "obs.coding.execute", "obs.coding.outcome"):
        assert phase in text.stdout
