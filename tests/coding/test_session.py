"""``CodingSession``: four phases under one task span, the verification loop, review, TTGO, and the guard."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from obs_coding import CodingSession, Plan, PlannedEdit, record_user_outcome
from obs_coding.ledger import Ledger
from obs_core import internal_error_counts
from obs_core.testing import TelemetryCapture
from opentelemetry.sdk.trace import ReadableSpan

from ._support import Repo

CALC = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"
TESTS = (
    "import unittest\n\nfrom calc import add\n\n\nclass T(unittest.TestCase):\n"
    "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n\n    def test_zero(self):\n"
    "        self.assertEqual(add(0, 0), 0)\n"
)
UNITTEST = [sys.executable, "-m", "unittest", "discover", "-s", ".", "-p", "test_*.py"]


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def children(capture: TelemetryCapture, parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    found = [s for s in capture.spans() if s.parent is not None and s.parent.span_id == parent.context.span_id]
    return sorted(found, key=lambda s: s.start_time or 0)


@pytest.fixture
def calc_repo(repo: Repo) -> Repo:
    repo.write("calc.py", CALC)
    repo.write("test_calc.py", TESTS)
    repo.commit("initial", 1_700_000_000)
    return repo


def test_four_phases_one_trace(calc_repo: Repo, ledger: Ledger, capture: TelemetryCapture) -> None:
    harvested: list[str] = []

    def harvester(query: str) -> dict[str, list[str]]:
        harvested.append(query)
        return {"files": ["calc.py"]}

    with CodingSession(
        "fix add()",
        repo=calc_repo.root,
        agent="coder",
        model="claude-sonnet-4-5",
        harvester=harvester,
        ledger=ledger,
        tracer_provider=capture.tracer_provider,
        meter_provider=capture.meter_provider,
    ) as session:
        assert session.harvest("add") == {"files": ["calc.py"]}
        assert not session.plan(Plan((PlannedEdit("calc.py", "modify", 1),), confidence=0.9, summary="fix sign"))
        with session.execute() as ex:
            ex.write_file("calc.py", CALC.replace("a - b", "a * b"))
            first = ex.verify(UNITTEST)
            ex.write_file("calc.py", FIXED)
            second = ex.verify(UNITTEST)
            assert (ex.attempts, ex.first_attempt_passed) == (2, False)
        report = session.outcome()
        trace_id = session.trace_id
    assert harvested == ["add"]
    assert (first.exit_code != 0, first.failing_tests, second.exit_code, second.failing_tests) == (True, 1, 0, 0)
    # the a * b draft was replaced by the agent's own fix before any commit: superseded, not a verdict
    assert report is not None
    assert [r.outcome for r in report.outcomes] == ["superseded", "pending"]

    [task] = capture.spans_named("obs.coding.task")
    assert task.parent is None
    assert task.context is not None
    assert format(task.context.trace_id, "032x") == trace_id
    assert attrs(task) == {
        "obs.coding.client": "sdk",
        "gen_ai.agent.name": "coder",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "obs.coding.repo": str(calc_repo.root.resolve()),
        "obs.coding.task.status": "completed",
        "obs.coding.task.edits": 2,
        "obs.coding.verification.attempts": 2,
        "obs.coding.verification.first_attempt_passed": False,
        "obs.coding.prompt.chars": len("fix add()"),
    }
    phases = children(capture, task)
    assert [(s.name, attrs(s).get("obs.coding.phase")) for s in phases] == [
        ("obs.coding.harvest", "harvest"),
        ("obs.coding.plan", "plan"),
        ("obs.coding.execute", "execute"),
        ("obs.coding.outcome", "outcome"),
    ]
    assert attrs(phases[1]) == {
        "obs.coding.phase": "plan",
        "obs.coding.plan.edits": 1,
        "obs.coding.plan.files": ("calc.py",),
        "obs.coding.plan.estimated_files": 1,
        "obs.coding.plan.estimated_lines": 1,
        "obs.signal.confidence": 0.9,
        "obs.review.required": False,
        "obs.review.threshold": 0.6,
    }
    execute = children(capture, phases[2])
    assert [s.name for s in execute] == ["obs.coding.edit", "obs.coding.verification"] * 2
    assert [attrs(s).get("obs.coding.verification.attempt") for s in execute] == [None, 1, None, 2]
    assert attrs(phases[2])["obs.coding.verification.attempts"] == 2
    assert [attrs(s)["obs.edit.outcome"] for s in children(capture, phases[3])] == ["superseded", "pending"]
    row = ledger.task(trace_id)
    assert row is not None
    assert (row.status, row.attempts, row.first_attempt_passed, row.edits, row.client) == (
        "completed",
        2,
        False,
        2,
        "sdk",
    )
    assert phases[3].context is not None
    assert row.outcome_span_id == format(phases[3].context.span_id, "016x")
    assert capture.metric_sum("obs.coding.verification.first_attempt", obs__coding__verification__passed=False) == 1


def test_a_low_confidence_plan_asks_for_review(calc_repo: Repo, capture: TelemetryCapture) -> None:
    with CodingSession("risky", repo=calc_repo.root, ledger=False, review_threshold=0.7, **capture.providers) as s:
        needs_review = s.plan(
            {"summary": "rewrite", "edits": [{"path": "calc.py"}, {"path": "x.py"}], "confidence": 0.35}
        )
    assert needs_review
    assert s.review_required
    [plan] = capture.spans_named("obs.coding.plan")
    [speculation] = capture.spans_named("obs.coding.speculation")
    assert speculation.parent is not None
    assert plan.context is not None
    assert speculation.parent.span_id == plan.context.span_id
    assert attrs(speculation) == {
        "obs.coding.phase": "plan",
        "obs.review.required": True,
        "obs.signal.confidence": 0.35,
        "obs.review.threshold": 0.7,
        "obs.coding.plan.files": ("calc.py", "x.py"),
    }
    assert capture.metric_sum("obs.review.required") == 1


def test_time_to_good_output_counts_regenerations(calc_repo: Repo, ledger: Ledger, capture: TelemetryCapture) -> None:
    with CodingSession("task", repo=calc_repo.root, ledger=ledger, **capture.providers) as s:
        pass
    [task] = capture.spans_named("obs.coding.task")
    start = task.start_time or 0
    assert s.record_user_outcome("regenerated", at_ns=start + 4_000_000_000)["regenerations"] == 1
    accepted = record_user_outcome(
        s.traceparent, "accepted", at_ns=start + 9_500_000_000, ledger=ledger, **capture.providers
    )
    assert accepted == {"outcome": "accepted", "source": "sdk", "regenerations": 1, "ttgo_s": 9.5}
    decisions = sorted(capture.spans_named("obs.coding.user_outcome"), key=lambda sp: sp.start_time or 0)
    assert task.context is not None
    assert all(d.parent is not None and d.parent.span_id == task.context.span_id for d in decisions)
    assert [attrs(d) for d in decisions] == [
        {"obs.user.outcome": "regenerated", "obs.user.outcome.source": "sdk", "obs.coding.regenerations": 1},
        {
            "obs.user.outcome": "accepted",
            "obs.user.outcome.source": "sdk",
            "obs.coding.regenerations": 1,
            "obs.coding.ttgo": 9.5,
        },
    ]
    [ttgo] = capture.metric_points("obs.coding.ttgo")
    assert (ttgo.count, ttgo.sum) == (1, 9.5)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="user outcome"):
        s.record_user_outcome("loved-it")


def test_agent_errors_propagate_and_mark_the_task(calc_repo: Repo, capture: TelemetryCapture) -> None:
    with (
        pytest.raises(RuntimeError, match="model quota"),
        CodingSession("boom", repo=calc_repo.root, ledger=False, **capture.providers) as s,
        s.execute(),
    ):
        raise RuntimeError("model quota")
    [task] = capture.spans_named("obs.coding.task")
    [execute] = capture.spans_named("obs.coding.execute")
    assert attrs(task)["obs.coding.task.status"] == "error"
    assert attrs(task)["error.type"] == "RuntimeError"
    assert attrs(execute)["error.type"] == "RuntimeError"


@pytest.mark.usefixtures("guard_swallows")
def test_an_obs_failure_never_reaches_the_agent(calc_repo: Repo, tmp_path: Any, capture: TelemetryCapture) -> None:
    broken = Ledger(tmp_path / "broken.db")
    broken.close()  # every ledger write now raises inside obs
    with CodingSession("task", repo=calc_repo.root, ledger=broken, **capture.providers) as s:
        with s.execute() as ex:
            row = ex.write_file("calc.py", FIXED)
            result = ex.verify(UNITTEST)
        assert s.plan("Plan: edit calc.py. Confidence: 20%")
        assert s.record_user_outcome("loved-it") == {}  # not a decision obs knows: counted, not raised
    assert record_user_outcome("not-a-traceparent", "accepted", **capture.providers) == {}
    assert internal_error_counts()["coding.session.user_outcome"] >= 1
    assert internal_error_counts()["coding.user_outcome"] >= 1
    assert internal_error_counts()["coding.execute.edit"] >= 1  # the ledger write failed and was swallowed...
    assert row is not None
    assert calc_repo.read("calc.py") == FIXED
    assert result.exit_code == 0
    assert capture.spans_named("obs.coding.speculation")


def test_asking_for_the_outcome_again_emits_only_what_changed(
    calc_repo: Repo, ledger: Ledger, capture: TelemetryCapture
) -> None:
    with CodingSession("fix add()", repo=calc_repo.root, ledger=ledger, **capture.providers) as s:
        with s.execute() as ex:
            ex.write_file("calc.py", FIXED)
        assert s.outcome() is not None
        assert s.outcome() is not None  # nothing changed in git in between
        calc_repo.commit("fix", 1_700_000_100)
        assert s.outcome() is not None
    outcomes = [attrs(o)["obs.edit.outcome"] for o in capture.spans_named("obs.coding.edit_outcome")]
    assert outcomes == ["pending", "accepted"]
    assert capture.metric_sum("obs.edit.outcomes") == 2
    assert [attrs(p)["obs.coding.outcome.pending"] for p in capture.spans_named("obs.coding.outcome")] == [1, 1, 0]
