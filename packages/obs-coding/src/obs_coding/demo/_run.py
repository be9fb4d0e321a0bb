"""``obs demo``: the end-to-end coding agent, observed by every obs package at once.

One task on a throw-away repository, through :class:`~obs_coding.CodingSession`:

1. harvest — the tiered context harvester picks what goes into the window;
2. plan — the (scripted) model proposes a plan with a confidence;
3. execute — a real LangGraph ReAct loop, traced by ``ObsCallbackHandler``,
   edits the code and runs the real tests twice (the first fix is incomplete)
   through an MCP server in another process, which continues the same trace
   from the ``traceparent`` obs-mcp puts into ``params._meta``;
4. outcome — the developer commits the change, obs classifies the AI edits
   from git and records the user's decision (time to good output).

Everything lands in the embedded store; the demo then prints the trace tree
and ``obs report``. Only the model is scripted: no API key, no network.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from obs_core import CaptureMode, configure
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from obs_mcp import instrument_client

from ._agent import MODEL, SYSTEM_PROMPT, TestRun, Workspace, build_agent, initial_messages, scripted_model
from ._sample_repo import AUTHOR, create_sample_repo

TASK = "Invoices: coupons must come off the subtotal before tax, and totals must be rounded to cents"
PLAN = {
    "summary": "Subtract the coupon before applying tax in invoice_total, then round to cents (half up).",
    "edits": [{"file": "invoices/totals.py", "action": "modify", "lines": 4}],
    "confidence": 0.72,
}
USER_ID = "dana@example.com"
SESSION_ID = "demo-session-1"


class DemoError(Exception):
    """The demo cannot run here (its store or work directory is unusable); the message says what to do."""


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Where the demo left things, for the CLI and the tests."""

    trace_id: str
    store: Path
    repo: Path
    verification_attempts: int
    first_attempt_passed: bool | None
    outcomes: dict[str, int]


def run_demo(store: Path | None = None, workdir: Path | None = None) -> DemoResult:
    """Run the demo task once and return its identifiers (the store keeps everything else)."""
    from obs_coding import CodingSession
    from obs_coding.harvest import ContextHarvester

    runtime = configure(service_name="obs-demo", store=store if store is not None else True)
    if runtime.store_path is None:
        # A demo that records nowhere shows nothing: say why instead of running the agent for no one.
        runtime.shutdown()
        raise DemoError(runtime.store_error or "the embedded store is disabled")
    base = workdir if workdir is not None else Path(tempfile.mkdtemp(prefix="obs-demo-"))
    repo_dir = base / "invoices"
    try:
        repo = create_sample_repo(repo_dir)
    except OSError as exc:
        runtime.shutdown()
        raise DemoError(f"cannot create the demo repository in {base}: {exc.strerror or exc}; pass --workdir") from exc
    handler = ObsCallbackHandler(config=_demo_config())

    def run_config(stage: str) -> RunnableConfig:
        # thread_id becomes gen_ai.conversation.id; user_id is hashed; obs_stage labels cost by stage.
        return {
            "callbacks": [handler],
            "configurable": {"thread_id": "demo-thread-1"},
            "metadata": {"user_id": USER_ID, "session_id": SESSION_ID, "obs_stage": stage},
        }

    with CodingSession(TASK, repo=repo_dir, agent="obs-demo-coder", model=MODEL, session_id=SESSION_ID) as session:
        harvester = ContextHarvester(repo_dir, model=MODEL, budget_tokens=4000, index_dir=base / "index")
        context = session.harvest(TASK, open_files=["invoices/totals.py"], harvester=harvester)

        with session.planning() as planning:
            planner = scripted_model(lambda _messages: json.dumps(PLAN))
            reply = planner.invoke(
                [SystemMessage(SYSTEM_PROMPT), HumanMessage(f"Plan the change for: {TASK}")],
                config=run_config("plan"),
            )
            planning.record(str(reply.content))

        with session.execute() as execute:

            def on_test_run(run: TestRun) -> None:
                execute.record_command(
                    run.command, exit_code=run.exit_code, duration_s=run.duration_s, output=run.output
                )

            workspace = Workspace(
                repo_dir,
                on_edit=lambda edit: execute.record_edit(edit.path, before=edit.before, after=edit.after),
                on_test_run=on_test_run,
            )
            assert runtime.store_path is not None, runtime.store_error
            asyncio.run(
                _run_agent(
                    workspace, initial_messages(TASK, context.render()), run_config("execute"), runtime.store_path
                )
            )

        # The developer reviews the diff and commits it unchanged: the AI edits are accepted.
        repo.index.add(["invoices/totals.py"])
        repo.index.commit("Apply coupons before tax and round totals to cents", author=AUTHOR, committer=AUTHOR)
        session.record_user_outcome("accepted")
        report = session.outcome()
        attempts, first_passed = execute.attempts, execute.first_attempt_passed

    runtime.force_flush()
    outcomes = report.counts() if report is not None else {}
    return DemoResult(session.trace_id, runtime.store_path, repo_dir, attempts, first_passed, dict(outcomes))


def _demo_config() -> LangGraphConfig:
    """The environment's LangGraph settings, with content events on unless the environment chose a mode.

    Content capture is opt-in. The demo's model is scripted and its content
    synthetic, so it turns on the event form: the store then shows every lens
    the README lists, including the redacted prompt/completion events
    (``gen_ai.client.inference.operation.details`` log records) beside the spans.
    """
    config = LangGraphConfig.from_env()
    if config.capture is CaptureMode.NO_CONTENT:
        config = replace(config, capture=CaptureMode.EVENT_ONLY)
    return config


async def _run_agent(workspace: Workspace, messages: list[BaseMessage], config: RunnableConfig, store: Path) -> None:
    """The ReAct loop with ``run_tests`` served by the demo's MCP server over stdio."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "obs_coding.demo._test_server"],
        env={**os.environ, "OBS_STORE": str(store.resolve())},
    )
    async with instrument_client(Client(params), server_name="repo-tests") as client:
        workspace.mcp = client
        try:
            await build_agent(workspace).ainvoke({"messages": messages}, config=config)
        finally:
            workspace.mcp = None
