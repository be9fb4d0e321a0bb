"""The harvest span tree, its attributes and the per-tier metric."""

from __future__ import annotations

from obs_core import semconv as sc
from obs_core.testing import TelemetryCapture

from .conftest import SMALL_PROJECT, HarvesterFactory, RepoFactory


def test_harvest_span_tree_and_attributes(
    make_repo: RepoFactory, harvester_for: HarvesterFactory, capture: TelemetryCapture
) -> None:
    root = make_repo(SMALL_PROJECT)
    context = harvester_for(root, model="gpt-4o").harvest(
        "retry with backoff", open_files=["app/retry.py"], budget_tokens=2000
    )
    spans = {span.name: span for span in capture.spans()}
    harvest = spans["obs.harvest"]
    children = [s.name for s in capture.spans() if s.parent is not None and s.parent.span_id == harvest.context.span_id]
    assert children == [
        "obs.harvest.scan",
        "obs.harvest.embed",
        "obs.harvest.history",
        "obs.harvest.search",
        "obs.harvest.resolve",
    ]
    by_tier = context.tokens_by_tier
    assert dict(harvest.attributes or {}) == {
        sc.OBS_CODING_PHASE: "harvest",
        "obs.harvest.files.scanned": 5,
        "obs.harvest.files.selected": context.stats.files_selected,
        "obs.harvest.files.ratio": round(context.stats.files_selected / 5, 6),
        "obs.harvest.similarity.threshold": round(context.stats.similarity_threshold, 6),
        "obs.harvest.embedding.cache.hits": 0,
        "obs.harvest.embedding.cache.misses": 5,
        "obs.harvest.budget.tokens": 2000,
        "obs.harvest.tier.1.tokens": by_tier["1"],
        "obs.harvest.tier.2.tokens": by_tier["2"],
        "obs.harvest.tier.3.tokens": by_tier["3"],
        "obs.harvest.tier.4.tokens": by_tier["4"],
        "obs.harvest.tier.history.tokens": by_tier["history"],
        sc.OBS_CONTEXT_INPUT_TOKENS: context.total_tokens,
        "obs.context.section.harvest.tokens": context.total_tokens,
        sc.OBS_CONTEXT_WINDOW_TOKENS: 128_000,
        sc.OBS_CONTEXT_FILL_RATIO: round(context.total_tokens / 128_000, 6),
    }
    assert context.window_tokens == 128_000
    assert dict(spans["obs.harvest.scan"].attributes or {}) == {
        "obs.harvest.files.scanned": 5,
        "obs.harvest.files.changed": 5,
        "obs.harvest.files.skipped": 0,
    }
    assert dict(spans["obs.harvest.embed"].attributes or {}) == {
        "obs.harvest.files.analyzed": 5,
        "obs.harvest.embedding.cache.hits": 0,
        "obs.harvest.embedding.cache.misses": 5,
        "obs.harvest.chunks.embedded": 5,
    }
    assert dict(spans["obs.harvest.history"].attributes or {}) == {"obs.harvest.commits": 1}
    assert dict(spans["obs.harvest.search"].attributes or {}) == {
        "obs.harvest.candidates": 5,
        "obs.harvest.similarity.threshold": round(context.stats.similarity_threshold, 6),
    }
    assert set((spans["obs.harvest.resolve"].attributes or {}).keys()) == {"obs.harvest.symbols.resolved"}


def test_tokens_by_tier_metric_and_fill(
    make_repo: RepoFactory, harvester_for: HarvesterFactory, capture: TelemetryCapture
) -> None:
    root = make_repo(SMALL_PROJECT)
    context = harvester_for(root).harvest("render a table", budget_tokens=1500)
    points = {
        str((p.attributes or {})[sc.OBS_CONTEXT_TIER]): p for p in capture.metric_points(sc.OBS_CONTEXT_TOKENS_BY_TIER)
    }
    assert sorted(points) == ["1", "2", "3", "4", "history"]
    for tier_id, point in points.items():
        assert dict(point.attributes or {}) == {
            sc.OBS_CODING_PHASE: "harvest",
            sc.GEN_AI_REQUEST_MODEL: "claude-sonnet-4-5",
            sc.OBS_CONTEXT_TIER: tier_id,
        }
        assert capture.metric_sum(sc.OBS_CONTEXT_TOKENS_BY_TIER, obs__context__tier=tier_id) == 1
    fill = capture.metric_points(sc.OBS_CONTEXT_FILL)
    assert len(fill) == 1
    assert context.window_fill_ratio == context.total_tokens / 200_000


def test_second_harvest_reports_cache_hits(
    make_repo: RepoFactory, harvester_for: HarvesterFactory, capture: TelemetryCapture
) -> None:
    harvester = harvester_for(make_repo(SMALL_PROJECT))
    harvester.harvest("render")
    capture.clear()
    harvester.harvest("render")
    harvest = capture.spans_named("obs.harvest")[0]
    attributes = harvest.attributes or {}
    assert (attributes["obs.harvest.embedding.cache.hits"], attributes["obs.harvest.embedding.cache.misses"]) == (5, 0)
    assert capture.spans_named("obs.harvest.history") == []  # history is read once per HEAD


def test_index_span(make_repo: RepoFactory, harvester_for: HarvesterFactory, capture: TelemetryCapture) -> None:
    harvester_for(make_repo(SMALL_PROJECT)).index()
    index = capture.spans_named("obs.harvest.index")[0]
    assert dict(index.attributes or {}) == {sc.OBS_CODING_PHASE: "harvest", "obs.harvest.files.scanned": 5}
    assert sorted(s.name for s in capture.spans() if s.parent is not None) == ["obs.harvest.embed", "obs.harvest.scan"]
