"""The commands end to end, as a user runs them: ``obs ingest``, ``obs outcome scan``, ``obs report``, ``obs hook install``.

Each runs the real ``obs`` console script in a subprocess, so the entry points
(``obs.cli``, ``obs.report``), the store and the ledger files are all real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ._support import HOUR, T0, Repo

OBS = str(Path(sys.executable).parent / "obs")
BEFORE = "def total(items):\n    return sum(items)\n"
AFTER = "def total(items):\n    return round(sum(items), 2)\n"
CONFIG_BEFORE = "DEBUG = True\n"
CONFIG_AFTER = "DEBUG = False\nLOG_LEVEL = 'info'\n"


def obs(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OBS_", "OTEL_", "PYTEST_"))}
    env["COLUMNS"] = "200"
    return subprocess.run([OBS, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip


def events(repo: Repo, model: str = "gpt-5") -> str:
    items: list[dict[str, Any]] = [
        {"type": "prompt", "time": T0, "session_id": "s", "task_id": "t1", "repo": str(repo.root),
         "model": model, "agent": "cli-agent"},
        {"type": "edit", "time": T0 + 5, "task_id": "t1", "path": "calc.py", "before": BEFORE, "after": AFTER},
        {"type": "edit", "time": T0 + 6, "task_id": "t1", "path": "settings.py", "before": CONFIG_BEFORE,
         "after": CONFIG_AFTER},
        {"type": "verification", "time": T0 + 9, "task_id": "t1", "command": "pytest -q", "exit_code": 0,
         "duration_ms": 900, "output": "3 passed in 0.1s"},
        {"type": "end", "time": T0 + 10, "task_id": "t1"},
        {"type": "decision", "time": T0 + 40, "task_id": "t1", "decision": "accept"},
    ]  # fmt: skip
    return "".join(json.dumps(e) + "\n" for e in items)


def test_ingest_scan_report(tmp_path: Path, repo: Repo) -> None:
    repo.write("calc.py", BEFORE)
    repo.write("settings.py", CONFIG_BEFORE)
    repo.commit("initial", T0 - HOUR)
    repo.write("calc.py", AFTER)
    repo.write("settings.py", CONFIG_AFTER)
    store = tmp_path / "store" / "telemetry.db"

    ingested = obs("ingest", "-", "--store", str(store), cwd=tmp_path, stdin=events(repo))
    assert ingested.returncode == 0, ingested.stderr
    [handle] = [json.loads(line) for line in ingested.stdout.splitlines()]
    assert handle["task_id"] == "t1"
    assert handle["traceparent"].startswith(f"00-{handle['trace_id']}-")
    assert '"exported_spans": 5' in ingested.stderr

    repo.write("settings.py", CONFIG_BEFORE)  # the developer keeps calc.py, drops the settings change
    repo.commit("round totals", T0 + HOUR)
    scanned = obs("outcome", "scan", "--repo", str(repo.root), "--store", str(store), "--json", cwd=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    report = json.loads(scanned.stdout)
    assert [(e["path"], e["outcome"], e["model"]) for e in report["edits"]] == [
        ("calc.py", "accepted", "gpt-5"),
        ("settings.py", "reverted", "gpt-5"),
    ]
    assert report["counts"] == {"accepted": 1, "modified": 0, "reverted": 1, "pending": 0, "superseded": 0}
    assert report["rates"]["all"] == [
        {
            "dimension": "all",
            "group": "all",
            "accepted": 1,
            "modified": 0,
            "reverted": 1,
            "pending": 0,
            "superseded": 0,
            "acceptance_rate": 0.5,
            "kept_rate": 0.5,
        }
    ]
    assert report["emitted"] == 2
    assert [s["horizon_days"] for s in report["survival"]] == [1, 7, 14, 30]
    assert report["survival"][0] == {"horizon_days": 1, "lines": 1, "survived": 1, "censored": 0, "rate": 1.0}

    tables = obs("outcome", "scan", "--repo", str(repo.root), "--store", str(store), cwd=tmp_path)
    assert tables.returncode == 0, tables.stderr
    assert "Acceptance" in tables.stdout
    assert "Line survival" in tables.stdout
    assert "emitted" not in tables.stdout  # nothing changed since the last scan

    shown = obs("show", handle["trace_id"], "--store", str(store), cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    for name in ("obs.coding.task", "obs.coding.edit", "obs.coding.verification", "obs.coding.outcome",
                 "obs.coding.edit_outcome", "obs.coding.user_outcome"):  # fmt: skip
        assert name in shown.stdout

    full = obs("report", "--store", str(store), "--json", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    sections = {s["name"]: s["data"] for s in json.loads(full.stdout)["sections"]}
    assert sections["coding-ttgo"]["ttgo_s"] == {"tasks": 1, "p50": 40.0, "p90": 40.0, "mean": 40.0}
    assert sections["coding-ttgo"]["regeneration_rate"] == 0.0
    assert sections["coding-loop"]["first_attempt_pass_rate"] == 1.0
    groups = {(g["dimension"], g["group"]): g["acceptance_rate"] for g in sections["coding-acceptance"]["groups"]}
    assert groups[("all", "all")] == 0.5
    assert groups[("file type", "python")] == 0.5


def test_scan_and_report_tables_print_markup_in_recorded_values_literally(tmp_path: Path) -> None:
    """A model name or a repository path holding rich markup is shown as it is, never parsed (nor a crash)."""
    markup = "[bold]x[/bold][/]"  # styled by rich if parsed; the unbalanced [/] would raise MarkupError
    model = f"gpt{markup}"
    repo = Repo(tmp_path / f"r{markup}")  # "/" in the tags nests directories: the path string holds the markup
    assert str(repo.root).endswith(markup)
    repo.write("calc.py", BEFORE)
    repo.write("settings.py", CONFIG_BEFORE)
    repo.commit("initial", T0 - HOUR)
    repo.write("calc.py", AFTER)
    repo.write("settings.py", CONFIG_AFTER)
    store = tmp_path / "store" / "telemetry.db"
    ingested = obs("ingest", "-", "--store", str(store), cwd=tmp_path, stdin=events(repo, model=model))
    assert ingested.returncode == 0, ingested.stderr
    repo.commit("round totals", T0 + HOUR)

    tables = obs("outcome", "scan", "--repo", str(repo.root), "--store", str(store), cwd=tmp_path)
    assert tables.returncode == 0, tables.stderr
    assert f"{repo.root}: 2 AI edits" in tables.stdout
    assert model in tables.stdout

    report = obs("report", "--store", str(store), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Coding: AI edit acceptance (from git)" in report.stdout
    assert model in report.stdout


def test_outcome_scan_without_a_ledger_says_what_to_do(tmp_path: Path, repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("initial", T0)
    done = obs("outcome", "scan", "--repo", str(repo.root), "--store", str(tmp_path / "none.db"), cwd=tmp_path)
    assert done.returncode == 1
    assert "no coding ledger" in done.stderr


@pytest.mark.parametrize("scope", ["--project", "--local"])
def test_hook_install_and_uninstall(tmp_path: Path, scope: str) -> None:
    settings = tmp_path / ".claude" / ("settings.json" if scope == "--project" else "settings.local.json")
    settings.parent.mkdir()
    settings.write_text('{"model": "opus"}\n', encoding="utf-8")
    added = obs("hook", "install", "--claude-code", scope, "--dir", str(tmp_path), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"{settings}: added 7 obs hook entries"
    installed = json.loads(settings.read_text(encoding="utf-8"))
    commands = {h["command"] for groups in installed["hooks"].values() for g in groups for h in g["hooks"]}
    assert len(commands) == 1
    assert next(iter(commands)).endswith("claude-code")
    removed = obs("hook", "install", "--claude-code", scope, "--uninstall", "--dir", str(tmp_path), cwd=tmp_path)
    assert removed.stdout.strip() == f"{settings}: removed 7 obs hook entries"
    assert settings.read_text(encoding="utf-8") == '{\n  "model": "opus"\n}\n'
    assert obs("hook", "install", "--project", cwd=tmp_path).returncode == 2


def _one_line_error(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("obs: ")
    assert expected in line


def test_bad_input_ends_in_one_line_that_says_what_to_do(tmp_path: Path, repo: Repo) -> None:
    repo.write("a.py", "x = 1\n")
    repo.commit("initial", T0)
    store = tmp_path / "obs" / "telemetry.db"

    _one_line_error(obs("ingest", "missing.jsonl", "--store", str(store), cwd=tmp_path), "cannot read missing.jsonl")
    _one_line_error(obs("hook", "flush", "--store", str(store), cwd=tmp_path), "no coding ledger")
    assert not store.parent.exists()  # flushing nothing created nothing

    store.parent.mkdir()
    (store.parent / "coding.db").write_text("not a database, a note someone saved here\n", encoding="utf-8")
    for args in (
        ("outcome", "scan", "--repo", str(repo.root)),
        ("hook", "flush"),
        ("ingest", "-"),
    ):
        done = obs(*args, "--store", str(store), cwd=tmp_path, stdin="")
        _one_line_error(done, "is not a readable coding ledger")
        assert "move it aside" in done.stderr
    assert (store.parent / "coding.db").read_text(encoding="utf-8").startswith("not a database")


def test_ingest_reports_impossible_values_as_bad_lines(tmp_path: Path, repo: Repo) -> None:
    stream = events(repo).replace('"time": 1740823240', '"time": 1e400', 1)  # the decision: a time past any clock
    done = obs("ingest", "-", "--store", str(tmp_path / "telemetry.db"), "--no-export", cwd=tmp_path, stdin=stream)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "obs ingest: line 6: " in done.stderr
    assert '"events": 5' in done.stderr
