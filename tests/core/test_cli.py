"""The ``obs`` core commands against a store written by real spans, and every bad-input path.

Bad input must produce exactly one line on stderr that says what to do, exit
1 (store problems) or 2 (usage problems), and leave the file byte-for-byte as
it was.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from obs_core.cli import EXIT_FAILURE, EXIT_USAGE, app
from obs_core.semconv import catalogue, reference_markdown
from obs_core.store import SCHEMA_VERSION
from typer.testing import CliRunner, Result

from .sample_store import PROMPT_V1, PROMPT_V2, TRACE_A, TRACE_B, TRACE_C, SampleStore


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


def ok_json(*args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


@pytest.fixture
def store(sample_store: SampleStore) -> str:
    return str(sample_store.path)


def test_traces_table(store: str) -> None:
    result = run("traces", "--store", store)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if any(t in line for t in (TRACE_A, TRACE_B, TRACE_C))]
    assert [r.split()[1] for r in rows] == [TRACE_C, TRACE_B, TRACE_A]  # newest first
    assert "invoke_agent support" in rows[1]
    assert "$0.0075" in rows[1]
    assert "2,000" in rows[1]


def test_traces_json_and_store_from_env(store: str) -> None:
    result = run("traces", "--limit", "2", "--json", env={"OBS_STORE": store})
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["store"] == store
    assert [t["trace_id"] for t in payload["traces"]] == [TRACE_C, TRACE_B]
    assert list(payload["traces"][0]) == [
        "trace_id",
        "root_name",
        "service",
        "start_ns",
        "start",
        "duration_s",
        "span_count",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "error_count",
    ]


def test_show_tree(store: str) -> None:
    result = run("show", "aaaa0001", "--store", store)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"trace {TRACE_A}" in out
    lines = out.splitlines()
    answer = next(line for line in lines if "finish=length" in line)
    for part in ("chat gpt-4o", "2.00s", "model=gpt-4o", "tokens=3,000/500", "cost=$0.0125", "fill=85.0%"):
        assert part in answer
    assert any("obs.context.threshold_exceeded" in line for line in lines)
    assert lines[1].lstrip("└─ ").startswith("invoke_agent support")


def test_show_marks_errors(store: str) -> None:
    result = run("show", TRACE_B, "--store", store)
    assert result.exit_code == 0
    assert "ERROR request timed out" in result.stdout


def test_show_json(store: str) -> None:
    payload = ok_json("show", "bbbb", "--store", store)
    assert payload["trace_id"] == TRACE_C
    (root,) = payload["spans"]
    assert (root["name"], root["model"], root["finish_reasons"], root["cost_usd"]) == (
        "chat mystery-model",
        "mystery-model",
        ["stop", "stop"],
        None,
    )
    (child,) = root["children"]
    assert child["name"] == "embeddings text-embedding-3-small"
    assert child["parent_span_id"] == root["span_id"]
    assert set(child) == {
        "span_id",
        "parent_span_id",
        "name",
        "kind",
        "service",
        "start_ns",
        "start",
        "duration_s",
        "status",
        "status_message",
        "model",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "finish_reasons",
        "context_fill_ratio",
        "attributes",
        "events",
        "children",
    }


def test_report_rich(store: str) -> None:
    result = run("report", "--store", store)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for title in (
        "Cost and latency by model",
        "Cost by pipeline stage",
        "Finish reasons (5 choices)",
        "Context fill (4 calls)",
        "Sessions whose context went over 80.0%",
    ):
        assert title in out
    gpt = next(line for line in out.splitlines() if "gpt-4o" in line)
    assert [cell.strip() for cell in gpt.split("│")[6:10]] == ["$0.0170", "1.50s", "1.95s", "1.99s"]
    assert "20.0% of responses stopped at the token limit (max_tokens/length), above 5.0%" in out
    assert "2 unpriced" in out
    assert "conv-9" in out
    assert "sess-1" in out


def test_report_json_keys(store: str) -> None:
    payload = ok_json("report", "--store", store)
    assert list(payload) == [
        "store",
        "model_calls",
        "unpriced_calls",
        "total_cost_usd",
        "models",
        "stages",
        "finish_reasons",
        "context",
        "sections",
        "section_errors",
    ]
    assert [m["model"] for m in payload["models"]] == [
        "gpt-4o",
        "claude-sonnet-4-5",
        "text-embedding-3-small",
        "mystery-model",
    ]
    assert payload["finish_reasons"]["truncation_flagged"] is True
    assert [s["session"] for s in payload["context"]["sessions_over_threshold"]] == ["conv-9", "sess-1"]


def test_prompts(store: str) -> None:
    result = run("prompts", "--store", store)
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if PROMPT_V1 in line or PROMPT_V2 in line]
    assert [PROMPT_V1 in rows[0], PROMPT_V2 in rows[1]] == [True, True]
    assert "50.0%" in rows[1]  # v2's error rate...
    assert "(+50.0pt)" in result.stdout  # ...and its change from v1
    payload = ok_json("prompts", "--store", store)
    assert [(p["name"], p["version"], p["previous_hash"]) for p in payload["prompts"]] == [
        ("support-system", "1", None),
        ("support-system", "2", PROMPT_V1),
        (None, None, None),
    ]


def test_empty_store_says_so(tmp_path: Path) -> None:
    from obs_core.store import StoreWriter

    StoreWriter(tmp_path / "t.db").close()
    for command in ("traces", "report", "prompts"):
        result = run(command, "--store", str(tmp_path / "t.db"))
        assert result.exit_code == 0
        assert "obs_core.configure()" in result.stdout or "obs.prompt.hash" in result.stdout


def test_semconv_outputs() -> None:
    payload = ok_json("semconv")
    assert len(payload["names"]) == len(catalogue())
    assert set(payload["names"][0]) == {"name", "kind", "unit", "brief", "origin", "instrument"}
    markdown = run("semconv", "--markdown")
    assert markdown.exit_code == 0
    assert markdown.stdout == reference_markdown()
    table = run("semconv")
    assert table.exit_code == 0
    assert "gen_ai.client.operation.duration" in table.stdout
    both = run("semconv", "--json", "--markdown")
    assert both.exit_code == EXIT_USAGE
    assert both.stderr.count("\n") == 1


# --- bad input -----------------------------------------------------------------------------------


def _future(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO orders (total) VALUES (9.5)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("command", [["traces"], ["show", "aaaa0001"], ["report"], ["prompts"]])
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "no obs store at"),
        ("garbage", "is not a readable obs store (file is not a database); it was left untouched"),
        ("foreign", "is not a readable obs store (an SQLite file with other tables and no obs schema version)"),
        ("future", f"has schema version {SCHEMA_VERSION + 1}, newer than this obs understands"),
    ],
)
def test_bad_store_one_line_exit_1_untouched(
    tmp_path: Path, sample_store: SampleStore, command: list[str], case: str, message: str
) -> None:
    path = tmp_path / "telemetry.db"
    if case == "garbage":
        path.write_bytes(b"\x00\x01not sqlite at all" * 64)
    elif case == "foreign":
        _foreign(path)
    elif case == "future":
        shutil.copy(sample_store.path, path)
        _future(path)
    before = path.read_bytes() if path.exists() else None
    for as_json in ([], ["--json"]):
        result = run(*command, "--store", str(path), *as_json)
        assert result.exit_code == EXIT_FAILURE
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("obs: ")
        assert message in result.stderr
    assert (path.read_bytes() if path.exists() else None) == before


@pytest.mark.parametrize(
    ("trace_id", "code", "message"),
    [
        ("cccc", EXIT_FAILURE, "no trace whose id starts with 'cccc'"),
        ("aaaa", EXIT_USAGE, "trace id prefix 'aaaa' matches several traces"),
        ("xyz!", EXIT_USAGE, "'xyz!' is not a trace id: give the 32 hex digits or a unique prefix"),
    ],
)
def test_show_bad_trace_id(tmp_path: Path, sample_store: SampleStore, trace_id: str, code: int, message: str) -> None:
    path = tmp_path / "telemetry.db"
    shutil.copy(sample_store.path, path)
    before = path.read_bytes()
    result = run("show", trace_id, "--store", str(path))
    assert result.exit_code == code
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert path.read_bytes() == before


def test_click_usage_errors_exit_2() -> None:
    assert run("traces", "--limit", "0").exit_code == EXIT_USAGE
    assert run("show").exit_code == EXIT_USAGE


def test_migrate_command(tmp_path: Path, sample_store: SampleStore) -> None:
    path = tmp_path / "telemetry.db"
    shutil.copy(sample_store.path, path)
    result = run("migrate", "--store", str(path))
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path} is already at schema version {SCHEMA_VERSION}"
    missing = run("migrate", "--store", str(tmp_path / "nope.db"))
    assert missing.exit_code == EXIT_FAILURE
    assert missing.stderr.count("\n") == 1
    assert not (tmp_path / "nope.db").exists()
    _foreign(tmp_path / "foreign.db")
    before = (tmp_path / "foreign.db").read_bytes()
    foreign = run("migrate", "--store", str(tmp_path / "foreign.db"))
    assert foreign.exit_code == EXIT_FAILURE
    assert "no obs schema" in foreign.stderr
    assert (tmp_path / "foreign.db").read_bytes() == before


def test_console_entry_point_end_to_end(tmp_path: Path, store: str) -> None:
    """``python -m obs_core.cli`` runs main(): plugins loaded, core commands registered, exit codes kept."""
    done = subprocess.run(
        [sys.executable, "-m", "obs_core.cli", "traces", "--json", "--store", store],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [t["trace_id"] for t in json.loads(done.stdout)["traces"]] == [TRACE_C, TRACE_B, TRACE_A]
    missing = subprocess.run(
        [sys.executable, "-m", "obs_core.cli", "report", "--store", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == EXIT_FAILURE
    # Plugins that fail to load report themselves on stderr first; the command's error is the last line.
    assert missing.stderr.splitlines()[-1].startswith(f"obs: no obs store at {tmp_path / 'none.db'}")


def test_the_core_cli_starts_without_the_sdk_or_the_tokenizer() -> None:
    """`obs --help` and the read commands need neither: the lazy facades keep them out of the import."""
    heavy = (
        "opentelemetry.sdk",
        "tiktoken",
        "obs_core._setup",
        "obs_core._catalogue",
        "obs_core.store._exporters",
        "typer.rich_utils",  # typer's rich help formatting: most of the import time of `obs --help`
    )
    code = (
        "import sys, contextlib, io, obs_core.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    obs_core.cli.app(['--help'])\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
