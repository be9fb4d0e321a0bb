"""``obs traces`` and ``obs show``: what ran, and what one run did step by step."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text
from rich.tree import Tree

from obs_core.store import SpanNode, TraceDetail

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


@app.command("traces")
def traces(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many traces to list.")] = 20,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the most recent traces: root span, duration, spans, tokens, cost, errors."""
    with open_store(store) as db:
        summaries = db.recent_traces(limit)
        if as_json:
            print_json({"store": str(db.path), "traces": [s.to_json() for s in summaries]})
            return
    out = console()
    if not summaries:
        out.print("No traces recorded yet: run a program that calls obs_core.configure().")
        return
    table = titled(f"Recent traces ({len(summaries)})")
    table.add_column("trace id", no_wrap=True, min_width=32)
    for header in ("root span", "service", "start (UTC)"):
        table.add_column(header)
    for header in ("duration", "spans", "in tok", "out tok", "cost", "errors"):
        table.add_column(header, justify="right")
    for s in summaries:
        # Span and service names are data: Text, so "[...]" in them is shown, not parsed as rich markup.
        table.add_row(
            s.trace_id,
            Text(s.root_name),
            Text(s.service),
            fmt_time(s.to_json()["start"]),
            fmt_duration(s.duration_s),
            str(s.span_count),
            fmt_int(s.input_tokens),
            fmt_int(s.output_tokens),
            fmt_cost(s.cost_usd),
            Text(str(s.error_count), style="bold red" if s.error_count else ""),
        )
    out.print(table)
    out.print("Show one with `obs show <trace id or unique prefix>`.")


@app.command("show")
def show(
    trace_id: Annotated[str, typer.Argument(help="Trace id, or a unique prefix of it.")],
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one trace as a tree: durations, model, tokens, cost, finish reasons, context fill."""
    with open_store(store) as db:
        detail = db.trace(trace_id)
    if as_json:
        print_json(detail.to_json())
        return
    console().print(_tree(detail))


def _tree(detail: TraceDetail) -> Tree:
    s = detail.summary
    head = Text.assemble(
        (f"trace {s.trace_id}", "bold"),
        f"  {fmt_time(s.to_json()['start'])} UTC  {fmt_duration(s.duration_s)}  {s.span_count} spans"
        f"  tokens {fmt_int(s.input_tokens)} in / {fmt_int(s.output_tokens)} out  cost {fmt_cost(s.cost_usd)}",
        (f"  {s.error_count} errors" if s.error_count else "", "bold red"),
    )
    tree = Tree(head)
    for root in detail.roots:
        _add(tree, root)
    return tree


def _add(parent: Tree, node: SpanNode) -> None:
    branch = parent.add(_label(node))
    for event in node.events:
        attrs = ", ".join(f"{k}={v}" for k, v in event.attributes.items())
        branch.add(Text(f"• {event.name}" + (f" ({attrs})" if attrs else ""), style="dim"))
    for child in node.children:
        _add(branch, child)


def _label(node: SpanNode) -> Text:
    failed = node.status_code == "ERROR"
    parts = [f"  {fmt_duration(node.duration_s)}"]
    if node.model:
        parts.append(f"model={node.model}")
    if node.input_tokens is not None or node.output_tokens is not None:
        parts.append(f"tokens={fmt_int(node.input_tokens)}/{fmt_int(node.output_tokens)}")
    if node.cost_usd is not None:
        parts.append(f"cost={fmt_cost(node.cost_usd)}")
    if node.finish_reasons:
        parts.append("finish=" + ",".join(node.finish_reasons))
    if node.context_fill_ratio is not None:
        parts.append(f"fill={fmt_share(node.context_fill_ratio)}")
    text = Text.assemble((node.name, "bold red" if failed else "bold"), "  ".join(parts))
    if failed:
        text.append(f"  ERROR {node.status_message or ''}".rstrip(), style="red")
    return text
