"""obs-coding's sections of ``obs report``, computed from the spans in the store.

Each is an ``obs.report`` entry point ``(conn) -> ReportSection | None`` and
reads only the telemetry store (any client's tasks count, wherever they were
recorded):

- time to good output and regeneration rate, from ``obs.coding.user_outcome``
  spans and their task spans (TTGO = first acceptance - task start);
- the verification loop: attempts per task and first-attempt pass rate, from
  ``obs.coding.task`` spans; plans that asked for review;
- edit acceptance by file type, framework, edit type and model, from the latest
  ``obs.coding.edit_outcome`` span per edit (scans emit one when a class changes).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import Counter
from typing import Any

from obs_core import semconv as sc
from obs_core.store import ReportSection


def _attr(name: str) -> str:
    """SQLite JSON path of an attribute whose name contains dots."""
    return f'$."{name}"'


def ttgo_section(conn: sqlite3.Connection) -> ReportSection | None:
    """Time to good output per task and the regeneration rate."""
    rows = conn.execute(
        "SELECT trace_id, start_ns, json_extract(attributes, ?), json_extract(attributes, ?) FROM spans"
        " WHERE name = ? ORDER BY start_ns",
        (_attr(sc.OBS_USER_OUTCOME), _attr(sc.OBS_CODING_TTGO), sc.SPAN_CODING_USER_OUTCOME),
    ).fetchall()
    if not rows:
        return None
    starts = dict(
        conn.execute(
            "SELECT trace_id, min(start_ns) FROM spans WHERE name = ? GROUP BY trace_id", (sc.SPAN_CODING_TASK,)
        ).fetchall()
    )
    decisions: Counter[str] = Counter()
    ttgo: dict[str, float] = {}
    regenerated_tasks: set[str] = set()
    for trace_id, at_ns, outcome, recorded in rows:
        decisions[str(outcome)] += 1
        if outcome == "regenerated":
            regenerated_tasks.add(trace_id)
        if outcome == "accepted" and trace_id not in ttgo:
            start = starts.get(trace_id)
            if start is not None:
                ttgo[trace_id] = max(at_ns - start, 0) / 1e9
            elif isinstance(recorded, (int, float)):
                ttgo[trace_id] = float(recorded)
    tasks = len({r[0] for r in rows})
    total = sum(decisions.values())
    values = sorted(ttgo.values())
    regeneration_rate = decisions["regenerated"] / total if total else None
    data: dict[str, Any] = {
        "tasks": tasks,
        "decisions": dict(sorted(decisions.items())),
        "regeneration_rate": regeneration_rate,
        "tasks_regenerated": len(regenerated_tasks),
        "ttgo_s": {
            "tasks": len(values),
            "p50": _quantile(values, 0.5),
            "p90": _quantile(values, 0.9),
            "mean": statistics.fmean(values) if values else None,
        },
    }
    table_rows = [
        ("tasks with a decision", tasks),
        *((f"decisions: {k}", v) for k, v in sorted(decisions.items())),
        ("regeneration rate (regenerated / decisions)", _pct(regeneration_rate)),
        ("tasks accepted (with TTGO)", len(values)),
        ("TTGO p50", _secs(data["ttgo_s"]["p50"])),
        ("TTGO p90", _secs(data["ttgo_s"]["p90"])),
    ]
    return ReportSection(
        title="Coding: time to good output and regenerations",
        columns=("measure", "value"),
        rows=tuple(table_rows),
        data=data,
        note="TTGO: from the task's request to the first result the user accepted, regenerations included.",
    )


def loop_section(conn: sqlite3.Connection) -> ReportSection | None:
    """Verification attempts per task, first-attempt pass rate, and plans that asked for review."""
    rows = conn.execute(
        "SELECT json_extract(attributes, ?), json_extract(attributes, ?), json_extract(attributes, ?)"
        " FROM spans WHERE name = ?",
        (
            _attr(sc.OBS_VERIFICATION_ATTEMPTS_ATTR),
            _attr(sc.OBS_VERIFICATION_FIRST_ATTEMPT_PASSED),
            _attr(sc.OBS_CODING_CLIENT),
            sc.SPAN_CODING_TASK,
        ),
    ).fetchall()
    if not rows:
        return None
    reviews = conn.execute("SELECT count(*) FROM spans WHERE name = ?", (sc.SPAN_CODING_SPECULATION,)).fetchone()[0]
    verified = [(int(a), p) for a, p, _ in rows if isinstance(a, int) and a > 0]
    passed = sum(1 for _, p in verified if p in (1, True))
    attempts = [a for a, _ in verified]
    data: dict[str, Any] = {
        "tasks": len(rows),
        "tasks_verified": len(verified),
        "attempts_mean": statistics.fmean(attempts) if attempts else None,
        "attempts_max": max(attempts) if attempts else None,
        "first_attempt_pass_rate": passed / len(verified) if verified else None,
        "plans_needing_review": reviews,
        "clients": dict(sorted(Counter(str(c) for _, _, c in rows).items())),
    }
    return ReportSection(
        title="Coding: verification loop",
        columns=("measure", "value"),
        rows=(
            ("tasks", len(rows)),
            ("tasks with verification", len(verified)),
            ("attempts per task (mean)", "-" if not attempts else f"{data['attempts_mean']:.2f}"),
            ("first-attempt pass rate", _pct(data["first_attempt_pass_rate"])),
            ("plans that asked for review", reviews),
        ),
        data=data,
        note="An attempt is an edit batch and the checks run after it; checks before the first edit are a baseline.",
    )


def acceptance_section(conn: sqlite3.Connection) -> ReportSection | None:
    """Edit acceptance (latest class per edit) by file type, framework, edit type and model."""
    rows = conn.execute(
        "SELECT attributes FROM spans WHERE name = ? ORDER BY start_ns", (sc.SPAN_CODING_EDIT_OUTCOME,)
    ).fetchall()
    if not rows:
        return None
    latest: dict[str, dict[str, Any]] = {}
    for (raw,) in rows:
        attrs = json.loads(raw)
        latest[str(attrs.get(sc.OBS_EDIT_ID))] = attrs
    dims = (
        ("file type", sc.OBS_EDIT_LANGUAGE),
        ("framework", sc.OBS_EDIT_FRAMEWORK),
        ("edit type", sc.OBS_EDIT_TYPE),
        ("model", sc.GEN_AI_REQUEST_MODEL),
    )
    counts: dict[tuple[str, str], Counter[str]] = {}
    for attrs in latest.values():
        outcome = str(attrs.get(sc.OBS_EDIT_OUTCOME))
        counts.setdefault(("all", "all"), Counter())[outcome] += 1
        for label, key in dims:
            counts.setdefault((label, str(attrs.get(key, "unknown"))), Counter())[outcome] += 1
    table: list[tuple[Any, ...]] = []
    groups: list[dict[str, Any]] = []
    for (dimension, group), c in sorted(counts.items(), key=lambda kv: (kv[0][0] != "all", kv[0])):
        final = c["accepted"] + c["modified"] + c["reverted"]
        rate = c["accepted"] / final if final else None
        row = (c["accepted"], c["modified"], c["reverted"], c["pending"], c["superseded"])
        table.append((dimension, group, *row, _pct(rate)))
        groups.append(
            {
                "dimension": dimension,
                "group": group,
                **{k: c[k] for k in ("accepted", "modified", "reverted", "pending", "superseded")},
                "acceptance_rate": rate,
            }
        )
    return ReportSection(
        title="Coding: AI edit acceptance (from git)",
        columns=("by", "group", "accepted", "modified", "reverted", "pending", "superseded", "acceptance"),
        rows=tuple(table),
        data={"edits": len(latest), "groups": groups},
        note=(
            "acceptance = accepted / (accepted + modified + reverted); superseded edits are drafts the agent "
            "replaced itself; run `obs outcome scan` to refresh."
        ),
    )


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(round(q * (len(values) - 1)), len(values) - 1)
    return values[index]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"
