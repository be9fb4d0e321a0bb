"""Telemetry names, units and histogram buckets against the project's semconv.md.

The expected values are copied from /work/shared/design/semconv.md (the spec
table the project follows); the design notes live outside the repository, so
they are restated here rather than parsed at test time.
"""

from __future__ import annotations

import re

import pytest
from obs_core import GenAIMetrics
from obs_core import semconv as sc
from obs_core.semconv import NameGeneration, catalogue, name_generation, reference_markdown
from obs_core.testing import TelemetryCapture

# --- names the spec table lists, by kind --------------------------------------------------------
SPEC_ATTRIBUTES = {
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "gen_ai.request.temperature",
    "gen_ai.request.max_tokens",
    "gen_ai.request.top_p",
    "gen_ai.request.stop_sequences",
    "gen_ai.response.id",
    "gen_ai.response.model",
    "gen_ai.response.finish_reasons",
    "gen_ai.response.finish_reason",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_write.input_tokens",
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.token.type",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.embeddings.dimension.count",
    "gen_ai.data_source.id",
    "gen_ai.tool.name",
    "gen_ai.tool.call.id",
    "gen_ai.tool.type",
    "gen_ai.agent.name",
    "gen_ai.conversation.id",
    "gen_ai.workflow.name",
    "gen_ai.prompt.name",
    "gen_ai.prompt.version",
    "server.address",
    "error.type",
    "mcp.method.name",
    "mcp.session.id",
    "mcp.protocol.version",
    "jsonrpc.request.id",
    "network.transport",
}
OBS_ATTRIBUTES = {
    "obs.gen_ai.usage.cost",
    "obs.pipeline.stage",
    "obs.prompt.hash",
    "obs.context.window.tokens",
    "obs.context.fill_ratio",
    "obs.context.section.<name>.tokens",
    "obs.context.tier",
    "obs.agent.iteration.index",
    "obs.retry.reason",
    "obs.breaker.state",
    "obs.guardrail.policy",
    "obs.guardrail.verdict",
    "obs.guardrail.action",
    "obs.pii.entity_type",
    "obs.user.hash",
    "obs.coding.phase",
    "obs.edit.outcome",
}
SPANS = {
    "chat {gen_ai.request.model}",
    "text_completion {gen_ai.request.model}",
    "embeddings {gen_ai.request.model}",
    "retrieval {gen_ai.data_source.id}",
    "execute_tool {gen_ai.tool.name}",
    "invoke_agent {gen_ai.agent.name}",
    "invoke_workflow {gen_ai.workflow.name}",
    "{mcp.method.name} {target}",
    "obs.agent.iteration",
}
EVENTS = {"gen_ai.client.inference.operation.details"}
# metric -> (instrument, unit)
METRICS = {
    "gen_ai.client.inference.duration": ("histogram", "s"),
    "gen_ai.client.operation.duration": ("histogram", "s"),
    "gen_ai.client.token.usage": ("histogram", "{token}"),
    "gen_ai.client.inference.time_to_first_chunk": ("histogram", "s"),
    "gen_ai.invoke_agent.duration": ("histogram", "s"),
    "gen_ai.execute_tool.duration": ("histogram", "s"),
    "mcp.client.operation.duration": ("histogram", "s"),
    "mcp.server.operation.duration": ("histogram", "s"),
    "mcp.client.session.duration": ("histogram", "s"),
    "mcp.server.session.duration": ("histogram", "s"),
    "obs.gen_ai.finish_reasons": ("counter", "{response}"),
    "obs.gen_ai.cost": ("counter", "USD"),
    "obs.context.tokens_by_tier": ("histogram", "{token}"),
    "obs.agent.retries": ("counter", "{retry}"),
    "obs.breaker.transitions": ("counter", "{transition}"),
    "obs.pii.entities": ("counter", "{entity}"),
}
OUTDATED = {
    "gen_ai.system",
    "gen_ai.usage.reasoning_tokens",
    "gen_ai.content.prompt",
    "gen_ai.content.completion",
    "gen_ai.tool_call",
    "mcp.notification",
    "llm_finish_reason_total",
}

# --- buckets (spec table) -----------------------------------------------------------------------
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (
    1.0,
    4.0,
    16.0,
    64.0,
    256.0,
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262144.0,
    1048576.0,
    4194304.0,
    16777216.0,
    67108864.0,
)
AGENT_BUCKETS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6)
MCP_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def _declared(kind: str) -> dict[str, sc.TelemetryName]:
    return {e.name: e for e in catalogue() if e.kind == kind}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("attribute", SPEC_ATTRIBUTES | OBS_ATTRIBUTES), ("span", SPANS), ("event", EVENTS), ("metric", set(METRICS))],
)
def test_every_name_in_the_spec_table_is_declared(kind: str, expected: set[str]) -> None:
    missing = expected - set(_declared(kind))
    assert not missing, f"declared nowhere in obs_core.semconv: {sorted(missing)}"


def test_metric_instruments_and_units_match_the_spec() -> None:
    declared = _declared("metric")
    assert {n: (declared[n].instrument, declared[n].unit) for n in METRICS} == METRICS


def test_units_of_the_attributes_the_spec_gives_one() -> None:
    attrs = _declared("attribute")
    assert attrs["obs.gen_ai.usage.cost"].unit == "USD"
    assert attrs["obs.context.fill_ratio"].unit == "1"
    for name in ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.usage.reasoning.output_tokens"):
        assert attrs[name].unit == "{token}"


def test_outdated_names_are_not_emitted() -> None:
    assert not OUTDATED & {e.name for e in catalogue()}


def test_every_entry_is_documented_and_namespaced() -> None:
    for entry in catalogue():
        assert entry.brief.strip(), entry
        assert entry.origin == ("obs" if entry.name.startswith("obs.") else "spec"), entry
        if entry.kind == "metric":
            assert entry.unit, entry
            assert entry.instrument in {"histogram", "counter", "up_down_counter", "gauge"}, entry


def test_reference_markdown_has_one_row_per_entry() -> None:
    lines = reference_markdown().splitlines()
    assert lines[0] == "| kind | name | unit | instrument | origin | meaning |"
    assert len(lines) == 2 + len(catalogue())
    assert all(len(re.split(r"(?<!\\)\|", line)) == 8 for line in lines[2:]), "an unescaped '|' breaks a row"


def test_bucket_constants_match_the_spec() -> None:
    assert sc.GEN_AI_DURATION_BUCKETS_S == DURATION_BUCKETS
    assert sc.GEN_AI_TOKEN_BUCKETS == TOKEN_BUCKETS
    assert sc.AGENT_DURATION_BUCKETS_S == AGENT_BUCKETS
    assert sc.MCP_BUCKETS_S == MCP_BUCKETS


def _record_everything(metrics: GenAIMetrics) -> None:
    metrics.record_model_call(
        {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"},
        duration_s=1.2,
        input_tokens=100,
        output_tokens=20,
        cost_usd=0.001,
        finish_reasons=["stop"],
        time_to_first_chunk_s=0.3,
    )
    metrics.record_agent(12.0, {"gen_ai.agent.name": "a"})
    metrics.record_tool(0.4, {"gen_ai.tool.name": "t"})


def test_genai_histograms_carry_the_spec_buckets(capture: TelemetryCapture) -> None:
    _record_everything(GenAIMetrics(capture.meter_provider, generation=NameGeneration.BOTH))
    assert {
        name: capture.histogram_bounds(name)
        for name in (
            "gen_ai.client.operation.duration",
            "gen_ai.client.inference.duration",
            "gen_ai.client.operation.time_to_first_chunk",
            "gen_ai.client.inference.time_to_first_chunk",
            "gen_ai.client.token.usage",
            "gen_ai.invoke_agent.duration",
            "gen_ai.execute_tool.duration",
        )
    } == {
        "gen_ai.client.operation.duration": DURATION_BUCKETS,
        "gen_ai.client.inference.duration": DURATION_BUCKETS,
        "gen_ai.client.operation.time_to_first_chunk": DURATION_BUCKETS,
        "gen_ai.client.inference.time_to_first_chunk": DURATION_BUCKETS,
        "gen_ai.client.token.usage": TOKEN_BUCKETS,
        "gen_ai.invoke_agent.duration": AGENT_BUCKETS,
        "gen_ai.execute_tool.duration": DURATION_BUCKETS,
    }


@pytest.mark.parametrize(
    "name",
    [
        "mcp.client.operation.duration",
        "mcp.server.operation.duration",
        "mcp.client.session.duration",
        "mcp.server.session.duration",
    ],
)
def test_mcp_histograms_with_the_shared_buckets_export_them(capture: TelemetryCapture, name: str) -> None:
    """obs-mcp builds its histograms from MCP_BUCKETS_S; the SDK must keep them as given."""
    meter = capture.meter_provider.get_meter("obs.mcp")
    meter.create_histogram(name, unit="s", explicit_bucket_boundaries_advisory=list(sc.MCP_BUCKETS_S)).record(0.3)
    assert capture.histogram_bounds(name) == MCP_BUCKETS


@pytest.mark.parametrize(
    ("opt_in", "generation", "durations", "ttfc"),
    [
        ("", NameGeneration.DEFAULT, {"gen_ai.client.operation.duration"}, "gen_ai.client.operation"),
        ("http", NameGeneration.DEFAULT, {"gen_ai.client.operation.duration"}, "gen_ai.client.operation"),
        (
            "gen_ai_latest_experimental",
            NameGeneration.LATEST,
            {"gen_ai.client.inference.duration"},
            "gen_ai.client.inference",
        ),
        (
            "http, gen_ai_latest_experimental",
            NameGeneration.LATEST,
            {"gen_ai.client.inference.duration"},
            "gen_ai.client.inference",
        ),
        (
            "gen_ai_latest_experimental/dup",
            NameGeneration.BOTH,
            {"gen_ai.client.operation.duration", "gen_ai.client.inference.duration"},
            None,
        ),
    ],
)
def test_stability_opt_in_selects_the_name_generation(
    capture: TelemetryCapture,
    monkeypatch: pytest.MonkeyPatch,
    opt_in: str,
    generation: NameGeneration,
    durations: set[str],
    ttfc: str | None,
) -> None:
    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", opt_in)
    assert name_generation() is generation
    _record_everything(GenAIMetrics(capture.meter_provider))  # reads the variable itself
    names = capture.metric_names()
    all_durations = {"gen_ai.client.operation.duration", "gen_ai.client.inference.duration"}
    assert names & all_durations == durations
    all_ttfc = {"gen_ai.client.operation.time_to_first_chunk", "gen_ai.client.inference.time_to_first_chunk"}
    expected_ttfc = all_ttfc if ttfc is None else {f"{ttfc}.time_to_first_chunk"}
    assert names & all_ttfc == expected_ttfc
    # Names that have one generation only are always there.
    assert {"gen_ai.client.token.usage", "gen_ai.invoke_agent.duration", "gen_ai.execute_tool.duration"} <= names
