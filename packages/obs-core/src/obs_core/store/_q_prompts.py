"""Prompt versions side by side: the "what changed on Friday" view.

The registry (``prompts`` table) knows every hash the exporters saw, with
first/last sighting and the app's prompt name/version; joining it with the
spans that carry the hash shows what each version did to errors, finish
reasons, tokens, cost and latency. Versions of one prompt name are ordered by
first sighting and linked to their predecessor, so a regression reads as a
row-to-row change.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from . import _sql as q
from ._report_models import PromptVersion, ReasonShare
from ._stats import parse_reasons, percentile, seconds

# One pass over the spans with a primary-key lookup into the registry (SQLite
# would rescan every span per version for the LEFT JOIN the other way round);
# versions without spans come from the registry query.
_REGISTRY_SQL = "SELECT hash, name, version, first_seen_ns, last_seen_ns FROM prompts"
_CALLS_SQL = f"""
SELECT p.hash, s.start_ns, s.end_ns, {q.failed("s")},
       {q.input_tokens("s")}, {q.output_tokens("s")}, {q.cost("s")}, {q.finish_reasons("s")}, {q.model("s")}
FROM spans s JOIN prompts p ON p.hash = {q.prompt_hash("s")}
"""


@dataclass
class _Acc:
    name: str | None
    version: str | None
    first_seen_ns: int
    last_seen_ns: int
    calls: int = 0
    errors: int = 0
    tokens_in: list[int] = field(default_factory=list)
    tokens_out: list[int] = field(default_factory=list)
    cost: float | None = None
    durations: list[float] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    models: set[str] = field(default_factory=set)


def prompt_versions(conn: sqlite3.Connection) -> list[PromptVersion]:
    """Every prompt version, grouped by prompt name (unnamed last), oldest version first."""
    accs: dict[str, _Acc] = {
        hash_: _Acc(name, version, int(first_ns), int(last_ns))
        for hash_, name, version, first_ns, last_ns in conn.execute(_REGISTRY_SQL)
    }
    for hash_, start_ns, end_ns, failed, t_in, t_out, cost, fr, model in conn.execute(_CALLS_SQL):
        acc = accs[hash_]
        acc.calls += 1
        acc.errors += int(bool(failed))
        if t_in is not None:
            acc.tokens_in.append(int(t_in))
        if t_out is not None:
            acc.tokens_out.append(int(t_out))
        if cost is not None:
            acc.cost = (acc.cost or 0.0) + float(cost)
        acc.durations.append(seconds(start_ns, end_ns))
        acc.reasons.update(parse_reasons(fr))
        if model:
            acc.models.add(str(model))
    ordered = sorted(accs.items(), key=lambda kv: (kv[1].name is None, kv[1].name or "", kv[1].first_seen_ns, kv[0]))
    out: list[PromptVersion] = []
    previous: dict[str | None, str] = {}
    for hash_, acc in ordered:
        total_reasons = sum(acc.reasons.values())
        out.append(
            PromptVersion(
                hash=hash_,
                name=acc.name,
                version=acc.version,
                first_seen_ns=acc.first_seen_ns,
                last_seen_ns=acc.last_seen_ns,
                calls=acc.calls,
                errors=acc.errors,
                mean_input_tokens=sum(acc.tokens_in) / len(acc.tokens_in) if acc.tokens_in else None,
                mean_output_tokens=sum(acc.tokens_out) / len(acc.tokens_out) if acc.tokens_out else None,
                cost_usd=acc.cost,
                p95_latency_s=percentile(acc.durations, 95),
                finish_reasons=tuple(
                    ReasonShare(r, c, c / total_reasons)
                    for r, c in sorted(acc.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
                models=tuple(sorted(acc.models)),
                previous_hash=previous.get(acc.name),
            )
        )
        previous[acc.name] = hash_
    return out
