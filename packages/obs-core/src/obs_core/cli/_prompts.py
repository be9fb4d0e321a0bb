"""``obs prompts``: prompt versions side by side, the "what changed on Friday" view.

Each version of a prompt (same ``gen_ai.prompt.name``, different
``obs.prompt.hash``) is a row under the one before it, with the change in
error rate, output tokens, cost per call and p95 latency, so a regression
introduced by a prompt edit shows up as one row that differs from its
predecessor.
"""

from __future__ import annotations

from rich.text import Text

from ._app import app
from ._common import (
    JsonOption,
    StoreOption,
    console,
    fmt_cost,
    fmt_duration,
    fmt_share,
    fmt_time,
    open_store,
    print_json,
    titled,
)


@app.command("prompts")
def prompts(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Prompt versions with calls, errors, finish reasons, tokens, cost and latency, and their changes."""
    with open_store(store) as db:
        versions = db.prompt_versions()
        path = db.path
    if as_json:
        print_json({"store": str(path), "prompts": [v.to_json() for v in versions]})
        return
    out = console()
    if not versions:
        out.print("No prompt versions recorded: instrumented calls set obs.prompt.hash from the system prompt.")
        return
    by_hash = {v.hash: v for v in versions}
    table = titled("Prompt versions (oldest first within each prompt)")
    for header in ("prompt", "version", "hash", "first seen (UTC)"):
        table.add_column(header, no_wrap=True)
    for header in ("calls", "errors", "finish reasons", "mean in", "mean out", "cost/call", "p95"):
        table.add_column(header, justify="right", no_wrap=header == "finish reasons")
    current: str | None = None
    for v in versions:
        name = v.name if v.name is not None else "(unnamed)"
        if current is not None and name != current:
            table.add_section()
        current = name
        prev = by_hash.get(v.previous_hash) if v.previous_hash else None
        # Names, versions, hashes and finish reasons are recorded data: Text, never rich markup.
        table.add_row(
            Text(name),
            Text(v.version or "-"),
            Text(v.hash),
            fmt_time(v.to_json()["first_seen"]),
            str(v.calls),
            _with_delta(fmt_share(v.error_rate), v.error_rate, prev.error_rate if prev else None, pct=True),
            Text(", ".join(f"{r.reason} {r.share:.0%}" for r in v.finish_reasons) or "-"),
            _num(v.mean_input_tokens, prev.mean_input_tokens if prev else None),
            _num(v.mean_output_tokens, prev.mean_output_tokens if prev else None),
            _with_delta(fmt_cost(v.cost_per_call_usd), v.cost_per_call_usd, prev.cost_per_call_usd if prev else None),
            _with_delta(fmt_duration(v.p95_latency_s), v.p95_latency_s, prev.p95_latency_s if prev else None),
        )
    out.print(table)


def _num(value: float | None, previous: float | None) -> str:
    return _with_delta("-" if value is None else f"{value:,.0f}", value, previous)


def _with_delta(text: str, value: float | None, previous: float | None, *, pct: bool = False) -> str:
    """``text`` plus the relative change from the previous version (points for rates)."""
    if value is None or previous is None:
        return text
    if pct:
        points = (value - previous) * 100
        return text if abs(points) < 0.05 else f"{text} ({points:+.1f}pt)"
    if previous == 0:
        return text
    change = (value - previous) / previous
    return text if abs(change) < 0.005 else f"{text} ({change:+.0%})"
