"""Recorded data that looks like rich markup is printed as it is by ``obs traces``, ``obs report`` and ``obs prompts``.

Span, service, model, stage, session and prompt names, finish reasons and plugin
sections come from telemetry: a ``[bold]`` in them must be shown literally, and
an unbalanced ``[/]`` must not end the command in a rich ``MarkupError``.
"""

from __future__ import annotations

import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from obs_core._batch import DroppingBatchSpanProcessor
from obs_core.cli import app
from obs_core.store import REPORT_ENTRY_POINT_GROUP, SpanStoreExporter, StoreWriter
from obs_core.store import _sections as sections_module
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import set_span_in_context
from typer.testing import CliRunner, Result

from .sample_store import T0, S

MARKUP = "[bold]x[/bold][/]"
"""Balanced markup plus an unbalanced closing tag: rich would style the first and raise on the second."""
ROOT = f"agent{MARKUP}"
SERVICE = f"svc{MARKUP}"
MODEL = f"model{MARKUP}"
STAGE = f"stage{MARKUP}"
REASON = f"reason{MARKUP}"
SESSION = f"sess{MARKUP}"
PROMPT = f"prompt{MARKUP}"
VERSION = f"v{MARKUP}"
HASH = f"hash{MARKUP}"

PLUGIN = textwrap.dedent(
    '''
    import sqlite3
    from obs_core.store import ReportSection

    def spans(conn: sqlite3.Connection) -> ReportSection:
        """A section whose title, cells and note carry span names read from the store."""
        names = [name for (name,) in conn.execute("SELECT DISTINCT name FROM spans ORDER BY name")]
        return ReportSection(
            title=f"Spans under {names[0]}",
            columns=("span [name]", "calls"),
            rows=tuple((name, 1) for name in names),
            note=f"first span: {names[0]}",
        )
    '''
)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def markup_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One agent run whose names and attribute values all contain markup."""
    path = tmp_path_factory.mktemp("markup") / "telemetry.db"
    writer = StoreWriter(path)
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}))
    processor = DroppingBatchSpanProcessor(SpanStoreExporter(writer), sink="store")
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("tests.markup")
    root = tracer.start_span(
        ROOT, start_time=T0, attributes={"gen_ai.operation.name": "invoke_agent", "obs.session.id": SESSION}
    )
    chat = tracer.start_span(
        f"chat {MODEL}",
        context=set_span_in_context(root),
        start_time=T0 + S,
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": MODEL,
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 10,
            "gen_ai.response.finish_reasons": (REASON,),
            "obs.pipeline.stage": STAGE,
            "obs.context.fill_ratio": 0.95,
            "obs.prompt.hash": HASH,
            "gen_ai.prompt.name": PROMPT,
            "gen_ai.prompt.version": VERSION,
        },
    )
    chat.end(end_time=T0 + 2 * S)
    root.end(end_time=T0 + 3 * S)
    assert processor.force_flush()
    provider.shutdown()
    writer.close()
    return path


@pytest.fixture
def spans_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a report section built from span names (the installed ones have nothing to say here anyway)."""
    (tmp_path / "obs_test_markup_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint("spans", "obs_test_markup_plugin:spans", REPORT_ENTRY_POINT_GROUP)
    monkeypatch.setattr(sections_module, "report_entry_points", lambda: [ep])


def _shown(result: Result, *literals: str) -> None:
    assert result.exit_code == 0, f"{result.exception!r}\n{result.output}"
    for literal in literals:
        assert literal in result.stdout


def test_traces_prints_markup_in_span_and_service_names_literally(markup_store: Path) -> None:
    _shown(run("traces", "--store", str(markup_store)), ROOT, SERVICE)


def test_report_prints_markup_in_recorded_values_literally(markup_store: Path) -> None:
    _shown(run("report", "--store", str(markup_store)), MODEL, STAGE, REASON, SESSION)


def test_report_prints_a_plugin_section_literally(markup_store: Path, spans_plugin: None) -> None:
    _shown(
        run("report", "--store", str(markup_store)),
        f"Spans under {ROOT}",
        "span [name]",
        ROOT,
        f"chat {MODEL}",
        f"first span: {ROOT}",
    )


def test_prompts_prints_markup_in_prompt_names_versions_hashes_and_reasons_literally(markup_store: Path) -> None:
    _shown(run("prompts", "--store", str(markup_store)), PROMPT, VERSION, HASH, f"{REASON} 100%")
