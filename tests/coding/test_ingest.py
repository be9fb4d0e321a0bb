"""The JSON-lines format (docs/ingest-format.md): a client's session in, the same telemetry out."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from obs_coding.ingest import EventError, Ingestor, parse_event, parse_time
from obs_coding.ledger import Ledger
from obs_coding.recorder import Recorder
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import ReadableSpan

from ._support import T0, Repo, ns, structured_patch

SERVICE = "def fetch_order(client, url):\n    return client.get(url).json()\n"
RETRY = (
    "def fetch_order(client, url):\n    for attempt in range(3):\n        response = client.get(url)\n"
    "        if response.status_code < 500:\n            return response.json()\n"
)


def lines(repo: Repo) -> list[str]:
    hunks = [
        {"old_start": h["oldStart"], "old_lines": h["oldLines"], "new_start": h["newStart"],
         "new_lines": h["newLines"], "lines": h["lines"]}
        for h in structured_patch(SERVICE, RETRY)
    ]  # fmt: skip
    events: list[dict[str, Any]] = [
        {"v": 1, "type": "session_start", "time": T0, "session_id": "s-1", "agent": "my-cli", "model": "gpt-5",
         "cwd": str(repo.root)},
        {"type": "prompt", "time": T0 + 1, "session_id": "s-1", "task_id": "t-42", "prompt": "retry on 5xx"},
        {"type": "plan", "time": T0 + 3, "task_id": "t-42", "summary": "loop", "confidence": 0.3,
         "edits": [{"path": "app/service.py", "edit_type": "modify", "estimated_lines": 6}]},
        {"type": "tool_start", "time": T0 + 5, "task_id": "t-42", "call_id": "c1", "tool_name": "apply_patch"},
        {"type": "edit", "time": T0 + 9, "task_id": "t-42", "path": "app/service.py", "hunks": hunks,
         "base_commit": "0" * 40},
        {"type": "tool_end", "time": T0 + 9, "task_id": "t-42", "call_id": "c1", "tool_name": "apply_patch"},
        {"type": "verification", "time": T0 + 15, "task_id": "t-42", "command": "pytest -q", "exit_code": 1,
         "duration_ms": 4200, "output": "1 failed, 11 passed in 3.9s"},
        {"type": "edit", "time": "2025-03-01T10:00:21Z", "task_id": "t-42", "path": "app/retry.py", "before": None,
         "after": "RETRIES = 3\n"},
        {"type": "verification", "time": T0 + 27, "task_id": "t-42", "command": "pytest -q", "exit_code": 0,
         "duration_s": 4.1, "failing_tests": 0},
        {"type": "end", "time": T0 + 30, "task_id": "t-42"},
        {"type": "telemetry_from_the_future", "time": T0 + 31},
        {"type": "decision", "time": T0 + 70, "task_id": "t-42", "decision": "regenerate"},
    ]  # fmt: skip
    return [json.dumps(e) for e in events] + ["{not json", '{"type": "edit", "task_id": "t-42"}']


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_a_client_session_becomes_a_task_trace(
    repo: Repo, ledger: Ledger, capture: TelemetryCapture, flush: Callable[[], int]
) -> None:
    repo.write("app/service.py", RETRY)  # the client already applied its edit
    out = io.StringIO()
    stats = Ingestor(Recorder(ledger, client="ingest"), out=out).ingest_lines(lines(repo))
    assert (stats.events, stats.skipped, stats.tasks) == (11, 1, 1)
    assert stats.errors == ["line 13: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
                            "line 14: edit: path is required"]  # fmt: skip
    [handle] = [json.loads(line) for line in out.getvalue().splitlines()]
    task = ledger.task_by_key("t-42")
    assert task is not None
    assert handle == {
        "task_id": "t-42",
        "session_id": "s-1",
        "trace_id": task.trace_id,
        "traceparent": f"00-{task.trace_id}-{task.span_id}-01",
    }

    # The client's HEAD at the edit is kept for outcome scans; an edit without it is judged by commit time.
    assert [(e.path, e.base_commit) for e in ledger.edits()] == [("app/service.py", "0" * 40), ("app/retry.py", None)]

    # A later run (another process, minutes later) sends the acceptance with the traceparent only.
    late = Ingestor(Recorder(ledger, client="ingest"))
    accept = {"type": "decision", "time": T0 + 180, "traceparent": handle["traceparent"], "decision": "accept"}
    assert late.ingest_lines([json.dumps(accept)]).errors == []
    assert flush() == 1 + 2 + 1 + 2 + 2 + 2  # task, plan + speculation, tool, 2 edits, 2 checks, 2 decisions

    [root] = capture.spans_named("obs.coding.task")
    assert (root.start_time, root.end_time) == (ns(T0 + 1), ns(T0 + 30))
    assert attrs(root) == {
        "obs.coding.client": "ingest",
        "gen_ai.agent.name": "my-cli",
        "gen_ai.request.model": "gpt-5",
        "gen_ai.conversation.id": "s-1",
        "obs.coding.task.id": "t-42",
        "obs.coding.repo": str(repo.root.resolve()),
        "obs.coding.task.status": "completed",
        "obs.coding.task.edits": 2,
        "obs.coding.verification.attempts": 2,
        "obs.coding.verification.first_attempt_passed": False,
        "obs.coding.prompt.chars": len("retry on 5xx"),
    }
    [speculation] = capture.spans_named("obs.coding.speculation")
    assert attrs(speculation)["obs.signal.confidence"] == 0.3
    edits = sorted(capture.spans_named("obs.coding.edit"), key=lambda s: s.start_time or 0)
    assert [
        (attrs(e)["obs.edit.file"], attrs(e)["obs.edit.type"], attrs(e)["obs.edit.lines_added"]) for e in edits
    ] == [
        ("app/service.py", "modify", 4),
        ("app/retry.py", "create", 1),
    ]
    [tool] = capture.spans_named("execute_tool apply_patch")
    assert edits[0].parent is not None
    assert edits[0].parent.span_id == (root.context.span_id if root.context else 0)
    assert (tool.start_time, tool.end_time) == (ns(T0 + 5), ns(T0 + 9))
    checks = sorted(capture.spans_named("obs.coding.verification"), key=lambda s: s.start_time or 0)
    assert [(c.start_time, c.end_time) for c in checks] == [(ns(T0 + 10.8), ns(T0 + 15)), (ns(T0 + 22.9), ns(T0 + 27))]
    assert [attrs(c)["obs.coding.verification.failing_tests"] for c in checks] == [1, 0]
    decisions = sorted(capture.spans_named("obs.coding.user_outcome"), key=lambda s: s.start_time or 0)
    assert [attrs(d) for d in decisions] == [
        {"obs.user.outcome": "regenerated", "obs.user.outcome.source": "client", "obs.coding.regenerations": 1},
        {
            "obs.user.outcome": "accepted",
            "obs.user.outcome.source": "client",
            "obs.coding.regenerations": 1,
            "obs.coding.ttgo": 179.0,
        },
    ]
    assert capture.metric_sum("obs.user.outcomes", obs__user__outcome="regenerated") == 1
    assert capture.metric_sum("obs.review.required") == 1


def test_a_new_prompt_interrupts_the_open_task_and_task_ids_are_unique(repo: Repo, ledger: Ledger) -> None:
    ingest = Ingestor(Recorder(ledger, client="ingest"))
    first = {"type": "prompt", "time": T0, "session_id": "s", "task_id": "a"}
    second = {"type": "prompt", "time": T0 + 5, "session_id": "s", "task_id": "b"}
    stats = ingest.ingest_lines([json.dumps(first), json.dumps(second), json.dumps(first)])
    assert stats.errors == ["line 3: prompt: task_id 'a' was already used"]
    a, b = ledger.task_by_key("a"), ledger.task_by_key("b")
    assert a is not None
    assert b is not None
    assert (a.status, a.end_ns, b.end_ns) == ("interrupted", ns(T0), None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"time": 1}, "type: missing"),
        ({"type": "verification", "command": "pytest"}, "exit_code is required"),
        ({"type": "decision", "decision": "maybe"}, "decision: must be one of"),
        ({"type": "prompt", "v": 2, "session_id": "s"}, "newer than"),
        ({"type": "end", "time": "yesterday"}, "not RFC 3339"),
        ({"type": "end", "time": "2025-03-01T10:00:00"}, "no UTC offset"),
    ],
)
def test_bad_events_say_why(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError, match=message):
        parse_event(raw, now_ns=0)


def test_times() -> None:
    assert parse_time("2025-03-01T10:00:00.250Z", 0) == ns(T0) + 250_000_000
    assert parse_time("2025-03-01T11:00:00+01:00", 0) == ns(T0)
    assert parse_time(T0 + 0.5, 0) == ns(T0) + 500_000_000
    assert parse_time(None, 42) == 42


def test_secrets_in_a_command_are_masked_before_the_ledger_and_redacted_before_export(
    ledger: Ledger, capture: TelemetryCapture, flush: Callable[[], int]
) -> None:
    command = "API_TOKEN=hunter2 uv run pytest -q -k sk-proj-abcdefghijklmnopqrstuvwx"
    ingest = Ingestor(Recorder(ledger, client="ingest"))
    ingest.ingest_lines(
        [
            json.dumps({"type": "prompt", "time": T0, "session_id": "s", "task_id": "t"}),
            json.dumps({"type": "verification", "time": T0 + 1, "task_id": "t", "command": command, "exit_code": 0}),
        ]
    )
    with ledger.transaction() as conn:
        stored = " ".join(row[0] for row in conn.execute("SELECT facts FROM pending_spans"))
    assert "hunter2" not in stored
    flush()
    [check] = capture.spans_named("obs.coding.verification")
    assert attrs(check)["obs.coding.verification.command"] == (
        "API_TOKEN=[REDACTED] uv run pytest -q -k [REDACTED:openai_api_key]"
    )


def test_a_stream_is_exported_task_by_task(ledger: Ledger, capture: TelemetryCapture, flush: Callable[[], int]) -> None:
    exported: list[int] = []
    ingest = Ingestor(Recorder(ledger, client="ingest"), on_task_done=lambda: exported.append(flush()))
    ingest.ingest_lines(
        json.dumps(e)
        for e in [
            {"type": "prompt", "time": T0, "session_id": "s", "task_id": "a"},
            {"type": "end", "time": T0 + 1, "task_id": "a"},
            {"type": "prompt", "time": T0 + 2, "session_id": "s", "task_id": "b"},
            {"type": "decision", "time": T0 + 3, "task_id": "a", "decision": "accept"},
            {"type": "end", "time": T0 + 4, "task_id": "b"},
        ]
    )
    assert exported == [1, 1, 1]  # task a when it ends, a's decision, then task b
    assert len(capture.spans_named("obs.coding.task")) == 2
