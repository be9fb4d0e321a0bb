"""The budget guarantee across languages, budgets and awkward content."""

from __future__ import annotations

import pytest
from obs_coding.harvest import ContextHarvester, TieredContext
from obs_core import ContextWindowMonitor, count_tokens, internal_error_counts
from obs_core.testing import TelemetryCapture

from .conftest import HarvesterFactory, RepoFactory

POLYGLOT: dict[str, str] = {
    "docs/guide.md": "# Guide\n\n```python\nprint('fenced')\n```\n\n````\nnested ``` fence\n````\n",
    "web/client.ts": (
        "import { Session } from './session';\n/** Fetches orders for a session. */\n"
        "export async function fetchOrders(s: Session): Promise<Order[]> { return s.get('/orders'); }\n"
        "export interface Order { id: string; total: number }\n"
    ),
    "web/session.ts": "/** An authenticated session. */\nexport class Session { get(path: string) { return path; } }\n",
    "web/View.tsx": "export function OrderView(o: Order) { return <div>{o.total}</div>; }\n",
    "svc/orders.go": (
        "package svc\n\n// OrderTotal sums an order.\nfunc OrderTotal(items []Item) int {\n"
        "\ttotal := 0\n\tfor _, i := range items { total += i.Price }\n\treturn total\n}\n"
    ),
    "svc/item.go": "package svc\n\n// Item is a line of an order.\ntype Item struct { Price int }\n",
    "core/src/ledger.rs": "/// Records an order.\npub fn record_order(total: u64) -> u64 { total }\n",
    "app/Orders.java": "/** Order service. */\npublic class Orders { public int count() { return 0; } }\n",
    "app/orders.js": "// Legacy orders client\nfunction listOrders(api) { return api.call('orders'); }\n",
    "scripts/report.py": "def order_report(rows):\n    '''Render ``` fenced orders.'''\n    return '\\n'.join(rows)\n",
}


def check(context: TieredContext, budget: int) -> None:
    exact = count_tokens(context.render(), context.model).tokens
    assert exact <= context.total_tokens <= budget
    assert context.total_tokens == sum(context.tokens_by_tier.values())


@pytest.mark.parametrize("budget", [120, 250, 400, 700, 1200, 3000])
@pytest.mark.parametrize("query", ["order totals", "session fetch orders", "render report"])
def test_polyglot_repository_stays_within_budget(
    make_repo: RepoFactory, harvester_for: HarvesterFactory, budget: int, query: str
) -> None:
    root = make_repo(POLYGLOT)
    check(harvester_for(root).harvest(query, budget_tokens=budget), budget)


def test_every_language_reaches_the_context(make_repo: RepoFactory, harvester_for: HarvesterFactory) -> None:
    root = make_repo(POLYGLOT)
    context = harvester_for(root).harvest("order total session", budget_tokens=6000)
    shown = {p for tier in context.tiers for p in tier.files}
    assert shown >= {"web/client.ts", "svc/orders.go", "core/src/ledger.rs", "app/Orders.java", "app/orders.js"}
    check(context, 6000)


def test_tier3_resolves_across_files_in_typescript_and_go(
    make_repo: RepoFactory, harvester_for: HarvesterFactory
) -> None:
    root = make_repo(POLYGLOT)
    harvester = harvester_for(root)
    ts = harvester.harvest("nothing relevant", open_files=["web/client.ts"], budget_tokens=400)
    assert "Session" in ts.tier("3").symbols or "web/session.ts" in ts.tier("2").files
    go = harvester.harvest("nothing relevant", open_files=["svc/orders.go"], budget_tokens=400)
    assert "Item" in go.tier("3").symbols or "svc/item.go" in go.tier("2").files


class BrokenMonitor(ContextWindowMonitor):
    def measure(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise RuntimeError("monitor down")


@pytest.mark.usefixtures("guard_swallows")
def test_a_telemetry_failure_never_fails_the_harvest(make_repo: RepoFactory, capture: TelemetryCapture) -> None:
    root = make_repo(POLYGLOT)
    before = internal_error_counts().get("harvest.telemetry.result", 0)
    with ContextHarvester(
        root, workers=1, monitor=BrokenMonitor(), tracer_provider=capture.tracer_provider
    ) as harvester:
        context = harvester.harvest("order totals", budget_tokens=800)
    assert context.window_fill_ratio is None
    assert context.total_tokens > 0
    assert internal_error_counts()["harvest.telemetry.result"] == before + 1
