"""`obs demo` end to end: the store it leaves answers the questions the README promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REQUIRED_CHAT_ATTRIBUTES = {
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.response.finish_reasons",
    "obs.gen_ai.usage.cost",
    "obs.prompt.hash",
}


def _obs(*args: str, cwd: Path) -> Any:
    env = {**os.environ, "OBS_STORE": str(cwd / ".obs" / "telemetry.db")}
    env.pop("PYTEST_CURRENT_TEST", None)
    proc = subprocess.run(
        [sys.executable, "-m", "obs_core.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if "--json" in args else proc.stdout


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("children", []) for n in _walk(child))]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the real command once, in a fresh directory, the way the README does."""
    workdir = tmp_path_factory.mktemp("demo")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTEST_CURRENT_TEST", "OBS_STORE")}
    proc = subprocess.run(
        [sys.executable, "-m", "obs_core.cli", "demo", "--workdir", str(workdir / "work")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "obs demo: task trace" in proc.stdout
    assert "Cost and latency by model" in proc.stdout
    return workdir


def test_demo_chat_spans_carry_the_promised_attributes(demo_dir: Path) -> None:
    listing = _obs("traces", "--json", cwd=demo_dir)
    assert len(listing["traces"]) == 1
    trace_id = listing["traces"][0]["trace_id"]
    detail = _obs("show", trace_id, "--json", cwd=demo_dir)
    spans = [n for root in detail["spans"] for n in _walk(root)]
    chats = [s for s in spans if s["name"].startswith("chat ")]
    assert len(chats) == 7  # one planning call and six turns of the ReAct loop
    for chat in chats:
        missing = REQUIRED_CHAT_ATTRIBUTES - set(chat["attributes"])
        assert not missing, f"{chat['name']} lacks {sorted(missing)}"
        assert chat["attributes"]["gen_ai.provider.name"] == "anthropic"
        assert chat["attributes"]["obs.gen_ai.usage.cost"] > 0


def test_demo_shows_all_four_coding_phases_and_the_agent_loop(demo_dir: Path) -> None:
    trace_id = _obs("traces", "--json", cwd=demo_dir)["traces"][0]["trace_id"]
    detail = _obs("show", trace_id, "--json", cwd=demo_dir)
    spans = [n for root in detail["spans"] for n in _walk(root)]
    phases = [s["attributes"].get("obs.coding.phase") for s in spans if s["name"].startswith("obs.coding.")]
    for phase in ("harvest", "plan", "execute", "outcome"):
        assert phase in phases
    iterations = [s for s in spans if s["name"] == "obs.agent.iteration"]
    assert [s["attributes"]["obs.agent.iteration.index"] for s in iterations] == [1, 2, 3, 4, 5, 6]
    verifications = [s for s in spans if s["name"] == "obs.coding.verification"]
    assert len(verifications) == 2
    assert len(detail["spans"]) == 1, "one root: every span of the task nests under obs.coding.task"


def test_demo_report_has_cost_stages_and_coding_sections(demo_dir: Path) -> None:
    report = _obs("report", "--json", cwd=demo_dir)
    assert report["model_calls"] == 7
    assert {m["model"] for m in report["models"]} == {"claude-sonnet-4-5"}
    assert {s["stage"] for s in report["stages"]} == {"plan", "execute"}
    assert report["total_cost_usd"] > 0
    titles = {s["title"] for s in report["sections"]}
    assert any("acceptance" in t for t in titles)
    assert any("time to good output" in t for t in titles)


def test_demo_edits_are_accepted_and_the_agents_own_refinement_is_not_held_against_it(demo_dir: Path) -> None:
    """The developer commits the agent's work unchanged, right after it (often in the same second)."""
    report = _obs("report", "--json", cwd=demo_dir)
    [section] = [s for s in report["sections"] if "acceptance" in s["title"]]
    [everything] = [g for g in section["data"]["groups"] if g["dimension"] == "all"]
    assert everything == {
        "dimension": "all",
        "group": "all",
        "accepted": 3,
        "modified": 0,
        "reverted": 0,
        "pending": 0,
        "superseded": 0,
        "acceptance_rate": 1.0,
    }
    trace_id = _obs("traces", "--json", cwd=demo_dir)["traces"][0]["trace_id"]
    detail = _obs("show", trace_id, "--json", cwd=demo_dir)
    outcomes = [n for root in detail["spans"] for n in _walk(root) if n["name"] == "obs.coding.edit_outcome"]
    # The first fix's `return taxable * ...` line was replaced by the agent's second fix: a draft, not judged.
    drafts = sorted(o["attributes"].get("obs.edit.superseded_fraction", 0.0) for o in outcomes)
    assert drafts == [0.0, 0.25, 0.5]


def test_demo_with_an_unusable_store_says_why_instead_of_a_traceback(tmp_path: Path) -> None:
    store = tmp_path / ".obs" / "telemetry.db"
    store.parent.mkdir()
    store.write_text("a file that is not a database\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTEST_CURRENT_TEST", "OBS_STORE")}
    proc = subprocess.run(
        [sys.executable, "-m", "obs_core.cli", "demo", "--workdir", str(tmp_path / "work")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"obs demo: {store} is not a readable obs store")
    assert store.read_text(encoding="utf-8") == "a file that is not a database\n"
    assert not (tmp_path / "work").exists()  # nothing ran


def test_demo_trace_continues_inside_the_mcp_server_process(demo_dir: Path) -> None:
    """run_tests goes over stdio MCP; the server process continues the agent's trace from params._meta."""
    trace_id = _obs("traces", "--json", cwd=demo_dir)["traces"][0]["trace_id"]
    detail = _obs("show", trace_id, "--json", cwd=demo_dir)
    spans = [n for root in detail["spans"] for n in _walk(root)]
    clients = [s for s in spans if s["name"] == "tools/call run_tests" and s["kind"] == "CLIENT"]
    servers = [s for s in spans if s["name"] == "tools/call run_tests" and s["kind"] == "SERVER"]
    assert len(clients) == len(servers) == 2
    assert {s["service"] for s in clients} == {"obs-demo"}
    assert {s["service"] for s in servers} == {"repo-tests-mcp"}
    assert sorted(s["parent_span_id"] for s in servers) == sorted(s["span_id"] for s in clients)
    for server in servers:
        assert server["attributes"]["network.transport"] == "pipe"
        assert server["attributes"]["gen_ai.tool.name"] == "run_tests"


def test_demo_records_the_content_events_as_log_records_in_the_task_trace(demo_dir: Path) -> None:
    """The README's first command promises traces, metrics, logs and events in the store."""
    import sqlite3

    trace_id = _obs("traces", "--json", cwd=demo_dir)["traces"][0]["trace_id"]
    conn = sqlite3.connect(demo_dir / ".obs" / "telemetry.db")
    try:
        events = conn.execute("SELECT event_name, trace_id, attributes FROM logs").fetchall()
        metrics = {row[0] for row in conn.execute("SELECT DISTINCT name FROM metric_points")}
    finally:
        conn.close()
    assert [(name, trace) for name, trace, _ in events] == [("gen_ai.client.inference.operation.details", trace_id)] * 7
    assert all("gen_ai.input.messages" in json.loads(attrs) for _, _, attrs in events)
    assert {"gen_ai.client.operation.duration", "obs.gen_ai.cost", "obs.coding.edits"} <= metrics
