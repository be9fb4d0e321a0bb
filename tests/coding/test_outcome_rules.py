"""Edge cases of outcome classification, each on a real repository with dated commits."""

from __future__ import annotations

from obs_coding.ledger import Ledger, TaskRow
from obs_coding.model import edit_from_texts, head_commit
from obs_coding.outcome import scan_repository
from obs_coding.recorder import Recorder

from ._support import DAY, HOUR, T0, Repo, ns

BASE = "def a():\n    return None\n\n\ndef b():\n    value = compute()\n    return value\n"


def start(repo: Repo, ledger: Ledger) -> tuple[Recorder, TaskRow]:
    repo.write("m.py", BASE)
    repo.commit("initial", T0 - DAY)
    recorder = Recorder(ledger, client="test", agent="coder")
    return recorder, recorder.start_task(at_ns=ns(T0), session_id="s", repo=str(repo.root), model="m-1")


def ai_edit(
    recorder: Recorder, task: TaskRow, repo: Repo, rel: str, after: str | None, at_s: float, *, live: bool = True
) -> None:
    """Apply a change the way an agent would and record it (``live``: with HEAD at the edit, as hooks do)."""
    path = repo.path(rel)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    if after is None:
        path.unlink()
    else:
        repo.write(rel, after)
    base = head_commit(repo.root) if live else None
    edit = edit_from_texts(rel, before, after)
    recorder.edit(task, edit, repo=repo.root, at_ns=ns(at_s), after_text=after, base_commit=base)


def outcomes(repo: Repo, ledger: Ledger, now_s: int = T0 + 30 * DAY) -> list[tuple[str, str, float | None]]:
    report = scan_repository(repo.root, ledger, now_s=now_s)
    return [(r.edit.path, r.outcome, r.kept) for r in report.outcomes]


def test_a_duplicate_line_counts_only_above_its_baseline(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(
        recorder,
        task,
        repo,
        "m.py",
        BASE.replace("    value = compute()\n    return value\n", "    return None\n"),
        T0 + 10,
    )
    # The developer reverts b() before committing; "return None" is still in a(): that copy is the baseline.
    repo.write("m.py", BASE.replace("def a", "# helpers\n\ndef a"))
    repo.commit("comment", T0 + HOUR)
    assert outcomes(repo, ledger) == [("m.py", "reverted", 0.0)]


def test_a_draft_replaced_by_the_agent_itself_is_superseded(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    draft = BASE.replace("    value = compute()\n", "    value = compute(retries=1)\n")
    final = BASE.replace("    value = compute()\n", "    value = compute(retries=3)\n")
    ai_edit(recorder, task, repo, "m.py", draft, T0 + 10)
    ai_edit(recorder, task, repo, "m.py", final, T0 + 20)
    repo.commit("retries", T0 + HOUR)
    assert outcomes(repo, ledger) == [("m.py", "superseded", None), ("m.py", "accepted", 1.0)]


def test_nothing_committed_yet_is_pending_and_a_discarded_change_is_reverted(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "new.py", "print('hello')\n", T0 + 10)
    ai_edit(recorder, task, repo, "m.py", BASE.replace("compute()", "compute(fast=True)"), T0 + 20)
    assert outcomes(repo, ledger) == [("new.py", "pending", 1.0), ("m.py", "pending", 1.0)]
    repo.repo.git.checkout("--", "m.py")  # the developer throws the change away (git CLI through GitPython)
    assert outcomes(repo, ledger) == [("new.py", "pending", 1.0), ("m.py", "reverted", 0.0)]


def test_deletes_and_changes_after_the_window(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    repo.write("old.py", "x = 1\n")
    repo.write("gone.py", "y = 2\n")
    repo.commit("two files", T0 - HOUR)
    ai_edit(recorder, task, repo, "old.py", None, T0 + 10)
    ai_edit(recorder, task, repo, "gone.py", None, T0 + 20)
    ai_edit(recorder, task, repo, "m.py", BASE.replace("compute()", "compute(fast=True)"), T0 + 30)
    repo.write("gone.py", "y = 2\n")  # restored before the commit
    repo.commit("cleanup", T0 + HOUR)
    repo.write("m.py", BASE)  # undone, but four days later: outside the 72 h window
    repo.commit("undo", T0 + 4 * DAY)
    assert outcomes(repo, ledger) == [
        ("old.py", "accepted", 1.0),
        ("gone.py", "reverted", 0.0),
        ("m.py", "accepted", 1.0),
    ]
    report = scan_repository(repo.root, ledger, now_s=T0 + 30 * DAY, window_s=5 * DAY)
    assert [r.outcome for r in report.outcomes] == ["accepted", "reverted", "reverted"]


def test_since_limits_the_edits_scanned(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "a.py", "a = 1\n", T0 + 10)
    ai_edit(recorder, task, repo, "b.py", "b = 1\n", T0 + 2 * DAY)
    report = scan_repository(repo.root, ledger, since_ns=ns(T0 + DAY), now_s=T0 + 3 * DAY)
    assert [r.edit.path for r in report.outcomes] == ["b.py"]


# The agent's first draft of b() and its refinement of one of the draft's lines, as in `obs demo`.
DRAFT = BASE.replace(
    "    value = compute()\n    return value\n", "    value = compute(retries=1)\n    return value or 0\n"
)
REFINED = DRAFT.replace("compute(retries=1)", "compute(retries=3)")


def scan(repo: Repo, ledger: Ledger) -> list[tuple[str, float | None, float]]:
    report = scan_repository(repo.root, ledger, now_s=T0 + 30 * DAY)
    return [(r.outcome, r.kept, r.superseded) for r in report.outcomes]


def test_a_line_the_agent_refined_before_a_commit_in_the_same_second_is_judged_in_its_final_form(
    repo: Repo, ledger: Ledger
) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "m.py", DRAFT, T0 + 10.2, live=False)
    ai_edit(recorder, task, repo, "m.py", REFINED, T0 + 10.6, live=False)
    repo.commit("retries", T0 + 10)  # git keeps whole seconds: the commit reads as made before the refinement
    # The first edit's `retries=1` line is a draft (a quarter of its changed lines); the rest went in as written.
    assert scan(repo, ledger) == [("accepted", 1.0, 0.25), ("accepted", 1.0, 0.5)]


def test_the_head_at_each_edit_orders_commits_made_in_the_same_second(repo: Repo, ledger: Ledger) -> None:
    repo.write("m.py", BASE)
    repo.commit("initial", T0)  # same second as the edits and the commit that takes them, as in `obs demo`
    recorder = Recorder(ledger, client="test", agent="coder")
    task = recorder.start_task(at_ns=ns(T0), session_id="s", repo=str(repo.root), model="m-1")
    ai_edit(recorder, task, repo, "m.py", DRAFT, T0 + 0.2)
    ai_edit(recorder, task, repo, "m.py", REFINED, T0 + 0.6)
    repo.commit("retries", T0)
    assert scan(repo, ledger) == [("accepted", 1.0, 0.25), ("accepted", 1.0, 0.5)]


def test_commits_of_one_second_keep_their_history_order(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "m.py", REFINED, T0 + 10, live=False)
    taken = repo.commit("retries", T0 + HOUR)
    repo.write("m.py", "# helpers\n" + REFINED)
    repo.commit("comment", T0 + HOUR)  # same second: only the history says which came first
    report = scan_repository(repo.root, ledger, now_s=T0 + 30 * DAY)
    assert [(r.outcome, r.commit.sha if r.commit else None) for r in report.outcomes] == [("accepted", taken)]


def test_a_removal_the_agent_takes_back_is_a_draft(repo: Repo, ledger: Ledger) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "m.py", BASE.replace("    return None\n", ""), T0 + 10)
    ai_edit(recorder, task, repo, "m.py", BASE, T0 + 20)  # puts the line back: nothing of either edit remains
    repo.write("m.py", BASE.replace("def a", "# helpers\n\ndef a"))
    repo.commit("comment", T0 + HOUR)
    assert scan(repo, ledger) == [("superseded", None, 1.0), ("superseded", None, 1.0)]


def test_discarding_a_refined_change_reverts_every_edit_that_reached_the_final_state(
    repo: Repo, ledger: Ledger
) -> None:
    recorder, task = start(repo, ledger)
    ai_edit(recorder, task, repo, "m.py", DRAFT, T0 + 10)
    ai_edit(recorder, task, repo, "m.py", REFINED, T0 + 20)
    repo.repo.git.checkout("--", "m.py")  # the developer throws the task's work away before committing
    # The refinement's removal of the draft line only cancels the draft: it is not a line the developer kept.
    assert scan(repo, ledger) == [("reverted", 0.0, 0.25), ("reverted", 0.0, 0.5)]


def test_a_later_task_replacing_an_earlier_tasks_lines_does_not_excuse_them(repo: Repo, ledger: Ledger) -> None:
    recorder, first = start(repo, ledger)
    ai_edit(recorder, first, repo, "m.py", DRAFT, T0 + 10)
    recorder.end_task(first, at_ns=ns(T0 + 30))
    second = recorder.start_task(at_ns=ns(T0 + 60), session_id="s", repo=str(repo.root), model="m-1")
    ai_edit(recorder, second, repo, "m.py", REFINED, T0 + 70)  # the user asked again after seeing the result
    repo.commit("retries", T0 + HOUR)
    assert scan(repo, ledger) == [("modified", 0.75, 0.0), ("accepted", 1.0, 0.0)]
