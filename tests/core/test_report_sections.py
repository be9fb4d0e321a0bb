"""``obs report`` sections contributed through the ``obs.report`` entry-point group.

The plugins are real modules on sys.path named by real ``EntryPoint`` objects;
only the list the installed distributions would give is replaced, because no
installed package registers a section yet.
"""

from __future__ import annotations

import json
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from obs_core.cli import app
from obs_core.store import REPORT_ENTRY_POINT_GROUP, ReportSection, TelemetryStore, report_entry_points
from obs_core.store import _sections as sections_module
from typer.testing import CliRunner

from .sample_store import SampleStore

PLUGIN = textwrap.dedent(
    '''
    import sqlite3
    from obs_core.store import ReportSection

    def regeneration(conn: sqlite3.Connection) -> ReportSection:
        """A section computed from the store through the read-only connection it is given."""
        (chats,) = conn.execute(
            "SELECT count(*) FROM spans WHERE json_extract(attributes, '$.\\"gen_ai.operation.name\\"') = 'chat'"
        ).fetchone()
        return ReportSection(
            title="Regeneration rate",
            columns=("metric", "value"),
            rows=(("chat calls", chats), ("regenerated", 0)),
            data={"chat_calls": chats, "regeneration_rate": 0.0},
            note="No regenerations recorded.",
        )

    def nothing(conn: sqlite3.Connection) -> None:
        return None

    def broken(conn: sqlite3.Connection) -> ReportSection:
        raise RuntimeError("plugin bug")

    def wrong_type(conn: sqlite3.Connection) -> dict[str, int]:
        return {"not": 1}

    def ragged(conn: sqlite3.Connection) -> ReportSection:
        return ReportSection(title="Ragged", columns=("a", "b"), rows=(("only one",),))

    def writes(conn: sqlite3.Connection) -> ReportSection:
        conn.execute("DELETE FROM spans")
        return ReportSection(title="never")
    '''
)


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[EntryPoint]:
    (tmp_path / "obs_test_report_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    eps = [
        EntryPoint(name, f"obs_test_report_plugin:{name}", REPORT_ENTRY_POINT_GROUP)
        for name in ("regeneration", "nothing", "broken", "wrong_type", "ragged", "writes")
    ]
    eps.append(EntryPoint("missing", "obs_no_such_module:section", REPORT_ENTRY_POINT_GROUP))
    monkeypatch.setattr(sections_module, "report_entry_points", lambda: sorted(eps, key=lambda e: e.name))
    return eps


def test_no_sections_are_installed_by_default() -> None:
    assert all(ep.group == REPORT_ENTRY_POINT_GROUP for ep in report_entry_points())


def test_sections_and_failures_are_reported(sample_store: SampleStore, plugins: list[EntryPoint]) -> None:
    before = sample_store.path.read_bytes()
    with TelemetryStore.open(sample_store.path) as store:
        report = store.report()
    assert [s.to_json() for s in report.sections] == [
        {
            "name": "regeneration",
            "title": "Regeneration rate",
            "columns": ["metric", "value"],
            "rows": [["chat calls", 5], ["regenerated", 0]],
            "data": {"chat_calls": 5, "regeneration_rate": 0.0},
            "note": "No regenerations recorded.",
        }
    ]
    errors = {e.name: e.error for e in report.section_errors}
    assert errors == {
        "broken": "RuntimeError: plugin bug",
        "missing": "ModuleNotFoundError: No module named 'obs_no_such_module'",
        "ragged": "ValueError: row ('only one',) has 1 cells for 2 columns",
        "wrong_type": "TypeError: returned dict, expected ReportSection or None",
        "writes": "OperationalError: attempt to write a readonly database",
    }
    assert sample_store.path.read_bytes() == before  # the connection sections get is read-only


def test_cli_report_shows_sections_in_rich_and_json(sample_store: SampleStore, plugins: list[EntryPoint]) -> None:
    runner = CliRunner()
    rich = runner.invoke(app, ["report", "--store", str(sample_store.path)], env={"COLUMNS": "200"})
    assert rich.exit_code == 0
    assert "Regeneration rate" in rich.stdout
    assert "No regenerations recorded." in rich.stdout
    assert "obs: report section 'broken' failed and was left out: RuntimeError: plugin bug" in rich.stderr
    as_json = runner.invoke(app, ["report", "--json", "--store", str(sample_store.path)])
    assert as_json.exit_code == 0
    payload = json.loads(as_json.stdout)
    assert [s["name"] for s in payload["sections"]] == ["regeneration"]
    assert [e["name"] for e in payload["section_errors"]] == ["broken", "missing", "ragged", "writes", "wrong_type"]


def test_report_section_is_a_frozen_value() -> None:
    section = ReportSection(title="t")
    with pytest.raises(AttributeError):
        section.title = "u"  # type: ignore[misc]
    assert (section.columns, section.rows, dict(section.data), section.note) == ((), (), {}, "")
