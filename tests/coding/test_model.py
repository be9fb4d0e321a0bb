"""The stdlib-only domain: hunks, fingerprints, plans, verification commands, ids, the attempt loop."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from obs_coding.model import (
    Hunk,
    LineFingerprint,
    Plan,
    PlannedEdit,
    classify_command,
    count_failing_tests,
    diff_hunks,
    edit_from_patch,
    edit_from_texts,
    fingerprint,
    format_traceparent,
    head_commit,
    language_of,
    line_key,
    parse_confidence,
    parse_traceparent,
)
from obs_coding.recorder import AttemptTracker

from ._support import Repo, structured_patch

BEFORE = "".join(f"line {i}\n" for i in range(1, 21))
AFTER = BEFORE.replace("line 3\n", "line three\n").replace("line 15\n", "line 15\nline 15b\n")


def test_diff_hunks_match_unified_diff_headers() -> None:
    hunks = diff_hunks(BEFORE, AFTER)
    headers = [
        line
        for line in difflib.unified_diff(BEFORE.splitlines(), AFTER.splitlines(), lineterm="")
        if line.startswith("@@")
    ]
    assert [f"@@ -{h.old_start},{h.old_lines} +{h.new_start},{h.new_lines} @@" for h in hunks] == headers
    assert [(h.added, h.removed) for h in hunks] == [(["line three"], ["line 3"]), (["line 15b"], [])]


def test_structured_patch_and_texts_give_the_same_edit() -> None:
    from_patch = edit_from_patch("pkg/mod.py", structured_patch(BEFORE, AFTER))
    from_texts = edit_from_texts("pkg/mod.py", BEFORE, AFTER)
    assert from_patch == from_texts
    assert (from_patch.language, from_patch.lines_added, from_patch.lines_removed) == ("python", 2, 1)
    assert len(set(from_patch.hunk_ids)) == 2


def test_hunk_tolerates_partial_entries() -> None:
    hunk = Hunk.from_mapping({"newStart": 3, "lines": [" a", "-b", "+c", "+d"], "extra": True})
    assert hunk == Hunk(old_start=0, old_lines=2, new_start=3, new_lines=3, lines=(" a", "-b", "+c", "+d"))


@pytest.mark.parametrize(
    ("before", "after", "old_path", "edit_type"),
    [
        (None, "x\n", None, "create"),
        ("x\n", None, None, "delete"),
        ("x\n", "y\n", None, "modify"),
        ("x\n", "x\n", "a.py", "rename"),
    ],
)
def test_edit_type_follows_the_texts(
    before: str | None, after: str | None, old_path: str | None, edit_type: str
) -> None:
    assert edit_from_texts("b.py", before, after, old_path=old_path).edit_type == edit_type


def test_fingerprint_keeps_a_baseline_for_duplicate_lines_and_ignores_moves_and_blanks() -> None:
    before = "def f():\n    return None\n\ndef g():\n    x = 1\n    return x\n"
    after = "def f():\n    return None\n\ndef g():\n    return None\n\n\n    x = 1\n"
    fp = fingerprint(edit_from_texts("m.py", before, after), after)
    none_key = line_key("    return None")
    assert none_key is not None
    # one "return None" added; the file has two after the edit, so one copy is the baseline
    assert fp.added == {none_key: (1, 2)}
    assert fp.removed == {line_key("    return x"): (1, 0)}
    assert LineFingerprint.from_json(fp.to_json()) == fp
    assert fp.units == 2


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("uv run pytest -q tests/coding", "test"),
        ("cd web && npm test", "test"),
        ("pnpm run test -- --watch=false", "test"),
        ("go test ./...", "test"),
        ("cargo test --all", "test"),
        ("python -m unittest discover", "test"),
        ("./gradlew test", "test"),
        ("ruff check . --fix", "lint"),
        ("npx eslint src", "lint"),
        ("cargo clippy", "lint"),
        ("black --check .", "lint"),
        ("uv run mypy packages", "typecheck"),
        ("npx tsc --noEmit", "typecheck"),
        ("cargo build --release", "build"),
        ("npm run build", "build"),
        ("git status", None),
        ("ls -la", None),
        ("black .", None),
    ],
)
def test_classify_command(command: str, kind: str | None) -> None:
    assert classify_command(command) == kind


@pytest.mark.parametrize(
    ("output", "failing"),
    [
        ("FAILED tests/a.py::t - assert 1\n2 failed, 5 passed in 0.3s", 2),
        ("======== 7 passed in 0.12s ========", 0),
        ("Tests:       3 failed, 10 passed, 13 total", 3),
        ("--- FAIL: TestA (0.00s)\n--- FAIL: TestB (0.00s)\nFAIL\tpkg\t0.01s", 2),
        ("test result: FAILED. 4 passed; 1 failed; 0 ignored", 1),
        ("  2 passing (10ms)\n  1 failing", 1),
        ("Ran 3 tests in 0.001s\n\nFAILED (failures=1, errors=1)", 2),
        ("Ran 3 tests in 0.001s\n\nOK", 0),
        ("10 examples, 0 failures", 0),
        ("compiling...", None),
        ("", None),
    ],
)
def test_count_failing_tests(output: str, failing: int | None) -> None:
    assert count_failing_tests(output) == failing


def test_plan_from_mapping_and_markdown() -> None:
    plan = Plan.from_mapping(
        {
            "summary": "retry",
            "edits": [
                {"path": "app/service.py", "edit_type": "modify", "estimated_lines": 6},
                {"file": "app/retry.py", "type": "create", "lines": 12},
                "README.md",
                {"nothing": 1},
            ],
            "confidence": "55%",
        }
    )
    assert plan.edits == (
        PlannedEdit("app/service.py", "modify", 6),
        PlannedEdit("app/retry.py", "create", 12),
        PlannedEdit("README.md"),
    )
    assert (plan.files, plan.estimated_lines, plan.confidence) == (
        ("README.md", "app/retry.py", "app/service.py"),
        18,
        0.55,
    )
    markdown = Plan.from_markdown(
        "# Add retries\n\n1. Edit `app/service.py` (fetch_order)\n2. Create app/retry.py, see https://x.io/a.html\n"
        "\nConfidence: 0.4\n"
    )
    assert (markdown.summary, markdown.files, markdown.confidence) == (
        "Add retries",
        ("app/retry.py", "app/service.py"),
        0.4,
    )


@pytest.mark.parametrize(
    ("raw", "value"), [(0.7, 0.7), ("0.7", 0.7), ("70%", 0.7), (70, 0.7), (True, None), ("x", None), (150, None)]
)
def test_parse_confidence(raw: object, value: float | None) -> None:
    assert parse_confidence(raw) == value


def test_traceparent_round_trip() -> None:
    header = format_traceparent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
    assert header == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    assert parse_traceparent(header) == ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")
    assert parse_traceparent("00-" + "0" * 32 + "-b7ad6b7169203331-01") is None
    assert parse_traceparent("garbage") is None


def test_language_of() -> None:
    assert [language_of(p) for p in ("a/b.py", "x.TSX", "Dockerfile", "Makefile", "notes.txt")] == [
        "python",
        "typescript",
        "dockerfile",
        "make",
        "other",
    ]


def test_attempts_group_checks_between_edits() -> None:
    loop = AttemptTracker()
    assert loop.on_check(passed=True) == 0  # baseline before any edit
    loop.on_edit()
    assert [loop.on_check(passed=True), loop.on_check(passed=False)] == [1, 1]  # ruff ok, tests red: one attempt
    loop.on_edit()
    loop.on_edit()
    assert loop.on_check(passed=True) == 2
    assert (loop.attempts, loop.first_attempt_passed, loop.edits) == (2, False, 3)


def test_head_commit_reads_git_files_like_git_does(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    assert head_commit(repo.root) == ""  # no commit yet: every later commit is after an edit made now
    repo.write("a.py", "a = 1\n")
    first = repo.commit("one", 1_700_000_000)
    assert head_commit(repo.root) == first
    subprocess.run(["git", "pack-refs", "--all"], cwd=repo.root, check=True, capture_output=True)
    assert not (repo.root / ".git" / "refs" / "heads" / "main").exists()
    assert head_commit(repo.root) == first  # the branch now lives in packed-refs
    subprocess.run(["git", "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "side"], cwd=repo.root, check=True)
    assert head_commit(tmp_path / "wt") == first  # .git is a file naming the worktree's git dir
    repo.write("a.py", "a = 2\n")
    second = repo.commit("two", 1_700_000_100)
    subprocess.run(["git", "checkout", "-q", "--detach", first], cwd=repo.root, check=True)
    assert (head_commit(repo.root), second) == (first, repo.repo.git.rev_parse("main"))
    assert head_commit(tmp_path / "elsewhere") is None
