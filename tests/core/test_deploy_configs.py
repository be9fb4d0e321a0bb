"""The shipped backend configs parse and only query metrics obs actually declares."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from obs_core.semconv import catalogue

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
_SERIES_SUFFIXES = ("_bucket", "_sum", "_count")
_PROMQL_WORDS = {
    "sum",
    "by",
    "rate",
    "increase",
    "histogram_quantile",
    "max",
    "ignoring",
    "group_left",
    "or",
    "vector",
    "le",
}


def _declared_metrics() -> set[str]:
    return {entry.name.replace(".", "_") for entry in catalogue() if entry.kind == "metric"}


def _metric_names(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "", expr)
    without_groupings = re.sub(r"\b(?:by|ignoring)\s*\([^)]*\)", "", without_labels)
    words = set(re.findall(r"[a-z_][a-z0-9_]*", without_groupings)) - _PROMQL_WORDS
    names = set()
    for word in words:
        for suffix in _SERIES_SUFFIXES:
            if word.endswith(suffix):
                word = word[: -len(suffix)]
        names.add(word)
    return {n for n in names if "_" in n and not re.fullmatch(r"\d+[smhd]", n)}


def _dashboard_exprs() -> list[str]:
    dashboard: dict[str, Any] = json.loads((DEPLOY / "grafana" / "dashboards" / "obs-genai.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def _alert_exprs() -> list[str]:
    rules: dict[str, Any] = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


@pytest.mark.parametrize("expr", _dashboard_exprs() + _alert_exprs())
def test_every_queried_metric_is_declared(expr: str) -> None:
    unknown = _metric_names(expr) - _declared_metrics()
    assert not unknown, f"query uses metrics obs does not emit: {sorted(unknown)}"


@pytest.mark.parametrize(
    "name", ["otel-collector.yaml", "prometheus.yml", "alerts.yml", "tempo.yaml", "docker-compose.yaml"]
)
def test_yaml_files_parse(name: str) -> None:
    assert isinstance(yaml.safe_load((DEPLOY / name).read_text()), dict)


def test_collector_pipelines_use_defined_components() -> None:
    config: dict[str, Any] = yaml.safe_load((DEPLOY / "otel-collector.yaml").read_text())
    for pipeline in config["service"]["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in config[kind], f"{component} used but not defined under {kind}"


def test_metric_name_extraction_sees_every_series() -> None:
    expr = 'sum by (le) (rate(gen_ai_client_operation_duration_bucket{a="b"}[5m])) / sum(rate(obs_gen_ai_cost[1h]))'
    assert _metric_names(expr) == {"gen_ai_client_operation_duration", "obs_gen_ai_cost"}
