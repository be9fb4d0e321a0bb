"""A realistic Claude Code session replayed through the hooks, then a developer's commits, then an outcome scan.

The agent reads a file, edits two functions (Edit), creates a module (Write),
rewrites two TypeScript helpers (MultiEdit), runs the tests (red), fixes a
third function and adds a docstring, runs ruff and the tests (green), stops.
The developer then commits the Python work with one line of the new module
changed, throws the TypeScript change away, and the next day reworks one line
and deletes the docstring; ten days later moves a function to another file.
Every outcome class and rate below is what that story implies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from obs_coding.hooks import ClaudeCodeHook
from obs_coding.ledger import Ledger, TaskRow
from obs_coding.model import Hunk
from obs_coding.outcome import record_outcome_spans, scan_repository
from obs_coding.recorder import Recorder
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import ReadableSpan

from ._support import DAY, HOUR, T0, ClaudeCode, Repo, ns

MODEL = "claude-sonnet-4-5-20250929"
PYPROJECT = '[project]\nname = "shop"\ndependencies = ["fastapi>=0.110", "httpx"]\n'
PACKAGE_JSON = '{"name": "shop-web", "dependencies": {"react": "^18.3.0"}}\n'
SERVICE = '''"""Order service."""

import time


def fetch_order(client, order_id):
    response = client.get(f"/orders/{order_id}")
    return response.json()


def cancel_order(client, order_id):
    response = client.post(f"/orders/{order_id}/cancel")
    return response.status_code == 200


def list_orders(client):
    return client.get("/orders").json()
'''
FORMAT_TS = """export function formatPrice(cents: number): string {
  return "$" + (cents / 100).toFixed(2);
}

export function formatDate(d: Date): string {
  return d.toISOString();
}
"""
RETRY = '''"""Retry helper."""

import time


def retry(call, attempts=3, base_delay=0.5):
    for attempt in range(attempts):
        try:
            return call()
        except ConnectionError:
            if attempt == attempts - 1:
                raise
            time.sleep(base_delay * 2**attempt)
'''
FETCH_OLD = '    response = client.get(f"/orders/{order_id}")\n    return response.json()\n'
FETCH_NEW = (
    "    for attempt in range(3):\n"
    '        response = client.get(f"/orders/{order_id}")\n'
    "        if response.status_code < 500:\n"
    "            return response.json()\n"
    "        time.sleep(2**attempt)\n"
    "    response.raise_for_status()\n"
)
PROMPT = "fetch_order should retry on 5xx; also accept 202 when cancelling"


def replay(repo: Repo, ledger: Ledger) -> dict[str, Any]:
    """Run the scripted Claude Code session through the hook handler; return what a test needs to check."""
    repo.write("pyproject.toml", PYPROJECT)
    repo.write("package.json", PACKAGE_JSON)
    repo.write("app/service.py", SERVICE)
    repo.write("web/format.ts", FORMAT_TS)
    repo.commit("initial", T0 - DAY)
    cc = ClaudeCode(repo)
    cc.write_transcript(MODEL)
    hook = ClaudeCodeHook(Recorder(ledger, client="claude-code", agent="claude-code"), project_dir=repo.root)
    events: list[tuple[float, dict[str, Any]]] = [(0, cc.session_start()), (1, cc.prompt(PROMPT))]
    read_pre, _ = cc.tool("Read", {"file_path": str(repo.path("app/service.py"))})
    events += [(2, read_pre), (3, cc.post(read_pre, {"type": "text", "file": {"numLines": 17}}))]
    e1 = cc.edit("app/service.py", FETCH_OLD, FETCH_NEW)
    e2 = cc.write("app/retry.py", RETRY)
    e3 = cc.multi_edit(
        "web/format.ts",
        [
            ('return "$" + (cents / 100).toFixed(2);', 'return new Intl.NumberFormat("en-US").format(cents / 100);'),
            ("return d.toISOString();", 'return d.toLocaleDateString("en-US");'),
        ],
    )
    red = cc.bash("uv run pytest -q", stdout="F....\nFAILED tests/test_service.py::test_fetch\n1 failed, 4 passed in 0.12s", exit_code=1)  # fmt: skip
    e4 = cc.edit("app/service.py", "return response.status_code == 200", "return response.status_code in (200, 202)")
    e5 = cc.edit(
        "app/service.py",
        "def list_orders(client):\n",
        'def list_orders(client):\n    """All orders, newest first."""\n',
    )
    lint = cc.bash("uv run ruff check app", stdout="All checks passed!")
    green = cc.bash("uv run pytest -q", stdout=".....\n5 passed in 0.10s")
    at = 10.0
    for pre, post in (e1, e2, e3, red, e4, e5, lint, green):
        events += [(at, pre), (at + 2, post)]
        at += 10
    events.append((at, cc.stop()))
    for offset, payload in events:
        hook.handle(payload, now_ns=ns(T0 + offset))
    return {"cc": cc, "edits": [e1, e2, e3, e4, e5], "checks": [red, lint, green], "stop_s": T0 + at}


def developer_commits(repo: Repo) -> None:
    """Keep the Python work (one line of retry.py changed), drop the TypeScript; rework, then move code."""
    repo.write("app/retry.py", RETRY.replace("except ConnectionError:", "except (ConnectionError, TimeoutError):"))
    repo.write("web/format.ts", FORMAT_TS)
    repo.commit("retry on 5xx", T0 + HOUR)
    service = repo.read("app/service.py")
    service = service.replace("(200, 202)", "(200, 201, 202)").replace('    """All orders, newest first."""\n', "")
    repo.write("app/service.py", service)
    repo.commit("accept 201 too", T0 + 27 * HOUR)
    start = service.index("def fetch_order")
    end = service.index("def cancel_order")
    repo.write("app/orders.py", '"""Order reads."""\n\nimport time\n\n\n' + service[start:end].rstrip() + "\n")
    repo.write("app/service.py", service[:start] + service[end:])
    repo.commit("move fetch_order to orders.py", T0 + 10 * DAY)


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_hook_replay_records_the_task_tools_edits_and_checks(
    repo: Repo, ledger: Ledger, capture: TelemetryCapture, flush: Callable[[], int]
) -> None:
    story = replay(repo, ledger)
    assert flush() == 1 + 9 + 5 + 3  # task, 9 tool calls (Read, 5 edits, 3 Bash), 5 edits, 3 checks
    [task] = capture.spans_named("obs.coding.task")
    assert attrs(task) == {
        "obs.coding.client": "claude-code",
        "gen_ai.agent.name": "claude-code",
        "gen_ai.request.model": MODEL,
        "gen_ai.conversation.id": story["cc"].session_id,
        "obs.coding.repo": str(repo.root.resolve()),
        "obs.coding.task.status": "completed",
        "obs.coding.task.edits": 5,
        "obs.coding.verification.attempts": 2,
        "obs.coding.verification.first_attempt_passed": False,
        "obs.coding.prompt.chars": len(PROMPT),
    }
    assert task.parent is None
    assert (task.start_time, task.end_time) == (ns(T0 + 1), ns(story["stop_s"]))
    assert task.context is not None
    trace_id = task.context.trace_id
    assert {s.context.trace_id for s in capture.spans() if s.context is not None} == {trace_id}

    tools = [s for s in capture.spans() if s.name.startswith("execute_tool ")]
    assert sorted(s.name for s in tools) == sorted(
        ["execute_tool Read"] + ["execute_tool Edit"] * 3 + ["execute_tool Write", "execute_tool MultiEdit"]
        + ["execute_tool Bash"] * 3
    )  # fmt: skip
    assert all(s.parent is not None and s.parent.span_id == task.context.span_id for s in tools)
    read = next(s for s in tools if s.name == "execute_tool Read")
    assert attrs(read) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "Read",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.call.id": "toulu_010001AbCdEf",
        "obs.coding.phase": "harvest",
    }
    assert (read.start_time, read.end_time) == (ns(T0 + 2), ns(T0 + 3))

    edits = sorted(capture.spans_named("obs.coding.edit"), key=lambda s: s.start_time or 0)
    by_tool = {s.context.span_id: s for s in tools if s.context is not None}
    first = attrs(edits[0])
    edit_id = first.pop("obs.edit.id")
    patch = story["edits"][0][1]["tool_response"]["structuredPatch"]
    assert first == {
        "obs.coding.phase": "execute",
        "obs.edit.file": "app/service.py",
        "obs.edit.language": "python",
        "obs.edit.type": "modify",
        "obs.edit.lines_added": 6,
        "obs.edit.lines_removed": 2,
        "obs.edit.hunks": tuple(Hunk.from_mapping(h).hunk_id("app/service.py") for h in patch),
    }
    assert isinstance(edit_id, str)
    assert len(edit_id) == 16
    assert [
        (a["obs.edit.file"], a["obs.edit.type"], a["obs.edit.lines_added"], a["obs.edit.lines_removed"])
        for a in map(attrs, edits)
    ] == [
        ("app/service.py", "modify", 6, 2),
        ("app/retry.py", "create", 13, 0),
        ("web/format.ts", "modify", 2, 2),
        ("app/service.py", "modify", 1, 1),
        ("app/service.py", "modify", 1, 0),
    ]
    for span in edits:
        assert span.parent is not None
        assert by_tool[span.parent.span_id].name in (
            "execute_tool Edit",
            "execute_tool Write",
            "execute_tool MultiEdit",
        )

    checks = sorted(capture.spans_named("obs.coding.verification"), key=lambda s: s.start_time or 0)
    assert [attrs(s) for s in checks] == [
        {
            "obs.coding.phase": "execute",
            "obs.coding.verification.command": "uv run pytest -q",
            "obs.coding.verification.kind": "test",
            "obs.coding.verification.exit_code": 1,
            "obs.coding.verification.passed": False,
            "obs.coding.verification.failing_tests": 1,
            "obs.coding.verification.attempt": 1,
            "error.type": "verification_failed",
        },
        {
            "obs.coding.phase": "execute",
            "obs.coding.verification.command": "uv run ruff check app",
            "obs.coding.verification.kind": "lint",
            "obs.coding.verification.exit_code": 0,
            "obs.coding.verification.passed": True,
            "obs.coding.verification.attempt": 2,
        },
        {
            "obs.coding.phase": "execute",
            "obs.coding.verification.command": "uv run pytest -q",
            "obs.coding.verification.kind": "test",
            "obs.coding.verification.exit_code": 0,
            "obs.coding.verification.passed": True,
            "obs.coding.verification.failing_tests": 0,
            "obs.coding.verification.attempt": 2,
        },
    ]
    assert [(s.start_time, s.end_time) for s in checks] == [
        (ns(T0 + 40), ns(T0 + 42)),
        (ns(T0 + 70), ns(T0 + 72)),
        (ns(T0 + 80), ns(T0 + 82)),
    ]
    red_tool = by_tool[checks[0].parent.span_id] if checks[0].parent else None
    assert red_tool is not None
    assert attrs(red_tool)["error.type"] == "tool_error"

    assert capture.metric_sum("obs.coding.edits") == 5
    assert capture.metric_sum("obs.coding.edits", obs__edit__language="typescript") == 1
    assert capture.metric_sum("obs.coding.verification.attempts") == 1  # one task observed
    [attempts] = capture.metric_points("obs.coding.verification.attempts")
    assert attempts.sum == 2  # type: ignore[union-attr]
    assert capture.metric_sum("obs.coding.verification.first_attempt", obs__coding__verification__passed=False) == 1


def test_outcomes_and_acceptance_rates_come_out_as_constructed(repo: Repo, ledger: Ledger) -> None:
    replay(repo, ledger)
    # Each hook remembers the commit HEAD was at, which later scans use to tell older commits from newer ones.
    assert {e.base_commit for e in ledger.edits()} == {repo.repo.head.commit.hexsha}
    developer_commits(repo)
    report = scan_repository(repo.root, ledger, now_s=T0 + 20 * DAY)
    assert [(r.edit.path, r.edit.edit_type, r.outcome, r.kept) for r in report.outcomes] == [
        ("app/service.py", "modify", "accepted", 1.0),
        ("app/retry.py", "create", "modified", 0.9),
        ("web/format.ts", "modify", "reverted", 0.0),
        ("app/service.py", "modify", "modified", 0.5),
        ("app/service.py", "modify", "reverted", 0.0),
    ]
    assert report.frameworks == {"python": "fastapi", "js": "react"}

    def table(dimension: str) -> dict[str, tuple[int, int, int, float | None]]:
        return {r.group: (r.accepted, r.modified, r.reverted, r.acceptance_rate) for r in report.rates[dimension]}

    assert table("all") == {"all": (1, 2, 2, 0.2)}
    assert table("language") == {"python": (1, 2, 1, 0.25), "typescript": (0, 0, 1, 0.0)}
    assert table("framework") == {"fastapi": (1, 2, 1, 0.25), "react": (0, 0, 1, 0.0)}
    assert table("edit_type") == {"create": (0, 1, 0, 0.0), "modify": (1, 1, 2, 0.25)}
    assert table("model") == {MODEL: (1, 2, 2, 0.2)}
    assert [(s.horizon_days, s.lines, s.survived, s.censored) for s in report.survival] == [
        (1, 16, 16, 0),
        (7, 16, 15, 0),
        (14, 16, 15, 0),  # fetch_order moved to app/orders.py: blame -M -C -C still finds its lines
        (30, 0, 0, 16),  # not 30 days old yet: censored, not counted as survivors
    ]


def test_outcome_spans_join_the_task_trace_and_only_changes_are_emitted(
    repo: Repo, ledger: Ledger, capture: TelemetryCapture, flush: Callable[[], int]
) -> None:
    replay(repo, ledger)
    flush()
    capture.clear()
    first = scan_repository(repo.root, ledger, now_s=T0 + 30)
    assert [r.outcome for r in first.outcomes] == ["pending"] * 5
    assert record_outcome_spans(ledger, first, now_ns=ns(T0 + 30)) == 5
    developer_commits(repo)
    later = scan_repository(repo.root, ledger, now_s=T0 + 20 * DAY)
    assert len(later.changed) == 5
    assert record_outcome_spans(ledger, later, now_ns=ns(T0 + 20 * DAY)) == 5
    again = scan_repository(repo.root, ledger, now_s=T0 + 21 * DAY)
    assert again.changed == ()
    assert record_outcome_spans(ledger, again, now_ns=ns(T0 + 21 * DAY)) == 0
    assert flush() == 1 + 10
    [phase] = capture.spans_named("obs.coding.outcome")
    task = ledger.tasks([r.edit.trace_id or "" for r in later.outcomes][:1])
    [row] = task.values()
    assert phase.context is not None
    assert phase.parent is not None
    assert format(phase.context.trace_id, "032x") == row.trace_id
    assert format(phase.parent.span_id, "016x") == row.span_id
    assert attrs(phase) == {
        "obs.coding.phase": "outcome",
        "obs.coding.outcome.accepted": 0,
        "obs.coding.outcome.modified": 0,
        "obs.coding.outcome.reverted": 0,
        "obs.coding.outcome.pending": 5,
        "obs.coding.outcome.superseded": 0,
    }
    outcomes = capture.spans_named("obs.coding.edit_outcome")
    assert all(s.parent is not None and s.parent.span_id == phase.context.span_id for s in outcomes)
    final = [attrs(s) for s in outcomes if attrs(s)["obs.edit.outcome"] != "pending"]
    modified = next(a for a in final if a["obs.edit.file"] == "app/retry.py")
    modified.pop("obs.edit.id")
    commit = modified.pop("obs.edit.commit")
    assert commit == repo.repo.git.rev_parse("HEAD~2")
    assert modified == {
        "obs.coding.phase": "outcome",
        "obs.edit.outcome": "modified",
        "obs.edit.file": "app/retry.py",
        "obs.edit.language": "python",
        "obs.edit.type": "create",
        "obs.edit.framework": "fastapi",
        "gen_ai.request.model": MODEL,
        "obs.edit.kept_fraction": 0.9,
    }
    assert capture.metric_sum("obs.edit.outcomes", obs__edit__outcome="reverted") == 2
    assert capture.metric_sum("obs.edit.outcomes", obs__edit__outcome="pending") == 5


@pytest.mark.parametrize(
    ("event", "extra"),
    [
        ("Notification", {"message": "Claude needs your permission to use Bash"}),
        ("PreCompact", {"trigger": "auto", "custom_instructions": ""}),
        ("SubagentStop", {"stop_hook_active": False}),
        ("SomeFutureEvent", {"whatever": [1, 2, 3]}),
    ],
)
def test_events_it_does_not_use_are_accepted_and_ignored(
    repo: Repo, ledger: Ledger, event: str, extra: dict[str, Any]
) -> None:
    cc = ClaudeCode(repo)
    hook = ClaudeCodeHook(Recorder(ledger, client="claude-code"), project_dir=repo.root)
    result = hook.handle({**cc.base(event), **extra}, now_ns=ns(T0))
    assert (result.event, result.flush) == (event, False)
    assert ledger.pending_count() == 0


class RacingLedger(Ledger):
    """A ledger whose first lookup of the open task lets another hook process run to completion first."""

    def __init__(self, path: Path, other_hook: Callable[[], object]) -> None:
        super().__init__(path)
        self.other_hook: Callable[[], object] | None = other_hook

    def open_task(self, session_id: str) -> TaskRow | None:
        found = super().open_task(session_id)
        if self.other_hook is not None:
            run, self.other_hook = self.other_hook, None
            run()  # the parallel hook opens its task between this lookup and whatever we do with it
        return found


def test_parallel_tool_calls_without_a_prompt_share_one_task(repo: Repo, tmp_path: Path) -> None:
    """Hooks installed mid-session: two tool calls run their hooks at once and there is no task yet."""
    cc = ClaudeCode(repo)
    path = tmp_path / "coding.db"
    first, _ = cc.tool("Read", {"file_path": str(repo.path("a.py"))})
    second, _ = cc.tool("Grep", {"pattern": "retry"})

    def other_process() -> None:
        with Ledger(path) as own:
            ClaudeCodeHook(Recorder(own, client="claude-code"), project_dir=repo.root).handle(second, now_ns=ns(T0))

    with RacingLedger(path, other_process) as ledger:
        ClaudeCodeHook(Recorder(ledger, client="claude-code"), project_dir=repo.root).handle(first, now_ns=ns(T0))
        rows = ledger._conn.execute("SELECT status FROM tasks").fetchall()
        assert [tuple(r) for r in rows] == [(None,)]  # one open task, nobody interrupted
        spans = ledger._conn.execute("SELECT kind, count(DISTINCT trace_id) FROM pending_spans GROUP BY kind")
        assert sorted(tuple(r) for r in spans) == [("task", 1), ("tool", 1)]
