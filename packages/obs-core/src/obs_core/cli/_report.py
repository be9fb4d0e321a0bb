"""``obs report``: where money and time went, and what is about to go wrong.

Core sections cover every agent (cost and latency by model, cost by stage,
finish reasons with the truncation canary, context fill); packages add their
own through the ``obs.report`` entry points (see ``obs_core.store.ReportSection``).
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text

from obs_core.store import NamedSection, Report

from ._app import app
from ._common import (
    JsonOption,
    StoreOption,
    console,
    fmt_cost,
    fmt_duration,
    fmt_int,
    fmt_share,
    fmt_time,
    open_store,
    print_json,
    titled,
)


@app.command("report")
def report(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Cost by model and stage, latency percentiles, finish reasons, context fill, plugin sections."""
    with open_store(store) as db:
        result = db.report()
        path = db.path
    for error in result.section_errors:
        typer.echo(f"obs: report section {error.name!r} failed and was left out: {error.error}", err=True)
    if as_json:
        print_json({"store": str(path), **result.to_json()})
        return
    out = console()
    if result.model_calls == 0 and not result.sections:
        out.print("No model calls recorded yet: run a program that calls obs_core.configure().")
        return
    _models(out, result)
    _stages(out, result)
    _finish_reasons(out, result)
    _context(out, result)
    for section in result.sections:
        _section(out, section)


def _models(out: Console, r: Report) -> None:
    table = titled("Cost and latency by model")
    table.add_column("model")
    for header in ("calls", "errors", "in tok", "out tok", "cost", "p50", "p95", "p99"):
        table.add_column(header, justify="right")
    for m in r.models:
        table.add_row(
            Text(m.model),  # recorded data: Text, so "[...]" in a model name is not parsed as rich markup
            str(m.calls),
            str(m.errors),
            fmt_int(m.input_tokens),
            fmt_int(m.output_tokens),
            fmt_cost(m.cost_usd),
            fmt_duration(m.p50_s),
            fmt_duration(m.p95_s),
            fmt_duration(m.p99_s),
        )
    out.print(table)
    line = f"Total {fmt_cost(r.total_cost_usd)} over {r.model_calls} model calls"
    if r.unpriced_calls:
        line += f"; {r.unpriced_calls} unpriced (model not in the price table: add it with OBS_MODEL_CATALOGUE)"
    out.print(line)


def _stages(out: Console, r: Report) -> None:
    table = titled("Cost by pipeline stage (obs.pipeline.stage)")
    table.add_column("stage")
    for header in ("calls", "in tok", "out tok", "cost", "share"):
        table.add_column(header, justify="right")
    total = r.total_cost_usd or 0.0
    for s in r.stages:
        share = s.cost_usd / total if total and s.cost_usd is not None else None
        table.add_row(
            Text(s.stage if s.stage is not None else "(no stage)"),
            str(s.calls),
            fmt_int(s.input_tokens),
            fmt_int(s.output_tokens),
            fmt_cost(s.cost_usd),
            fmt_share(share),
        )
    out.print(table)


def _finish_reasons(out: Console, r: Report) -> None:
    fr = r.finish_reasons
    table = titled(f"Finish reasons ({fr.total} choices)")
    table.add_column("reason")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    for share in fr.reasons:
        table.add_row(Text(share.reason), str(share.count), fmt_share(share.share))
    out.print(table)
    if fr.truncation_flagged:
        out.print(
            Text(
                f"! {fmt_share(fr.truncation_share)} of responses stopped at the token limit (max_tokens/length), "
                f"above {fmt_share(fr.threshold)}: answers are being cut off; raise max_tokens or ask for less.",
                style="bold yellow",
            )
        )


def _context(out: Console, r: Report) -> None:
    c = r.context
    table = titled(f"Context fill ({c.calls} calls)")
    table.add_column("fill")
    table.add_column("calls", justify="right")
    for bucket in c.buckets:
        table.add_row(bucket.label, str(bucket.count))
    out.print(table)
    out.print(f"p50 {fmt_share(c.p50)}  p95 {fmt_share(c.p95)}  max {fmt_share(c.max)}")
    if not c.sessions:
        return
    sessions = titled(f"Sessions whose context went over {fmt_share(c.threshold)}")
    for header in ("session", "kind"):
        sessions.add_column(header, no_wrap=True)
    for header in ("max fill", "calls", "traces", "last seen (UTC)"):
        sessions.add_column(header, justify="right")
    for s in c.sessions:
        sessions.add_row(
            Text(s.session),
            s.kind,
            fmt_share(s.max_fill_ratio),
            str(s.calls),
            str(s.traces),
            fmt_time(s.to_json()["last_seen"]),
        )
    out.print(sessions)


def _section(out: Console, named: NamedSection) -> None:
    # A plugin's title, columns, cells and note are plain text (cells are often recorded data: models,
    # file types, outcomes), so all of it goes to rich as Text, never as markup.
    section = named.section
    if section.columns:
        table = titled(section.title)
        for column in section.columns:
            table.add_column(Text(column))
        for row in section.rows:
            table.add_row(*(Text("-" if cell is None else str(cell)) for cell in row))
        out.print(table)
    else:
        out.print(Text(section.title, style="bold"))
    if section.note:
        out.print(Text(section.note))
