"""Overhead of LangGraph instrumentations on one ReAct graph (a benchmark, not a test).

The same ``create_agent`` graph (scripted model: 4 model calls + 3 tool calls
per run) runs with no instrumentation, obs's handler, OpenInference,
OpenLLMetry, Langfuse and the official ``opentelemetry-instrumentation-genai-langchain``.
Each variant lives in its own worker process, instrumented once; the parent
interleaves them in time (each round runs one batch per variant, in a
shuffled order, never two at once), every variant exports synchronously to
its own in-memory exporter, and the report gives medians, overhead over the
uninstrumented median, spans and attribute bytes per run, and obs's memory
growth over 2,000 runs. See bench/langgraph.md for the numbers and how to read them.

Run: ``uv run --group bench python bench/langgraph_overhead.py [--rounds 150] [--batch 3]``
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import multiprocessing.process
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from langchain.agents import create_agent
from langchain_core.tools import tool
from obs_langgraph import LangGraphConfig, ObsCallbackHandler
from obs_langgraph.testing import ScriptedChatModel, react_policy
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SCRIPT = [[{"name": "add", "args": {"a": i, "b": i + 1}}] for i in range(3)]
QUESTION = {"messages": [("user", "Add 0+1, then 1+2, then 2+3, one call at a time.")]}


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def build_graph() -> Any:
    model = ScriptedChatModel(policy=react_policy(SCRIPT, final_answer="Done: 1, 3, 5."))
    return create_agent(model, [add], system_prompt="You are a careful calculator.", name="calculator")


@dataclass
class Variant:
    """One way of running the graph: ``start`` returns the config extras, ``stop`` undoes ``start``."""

    name: str
    start: Callable[[], dict[str, Any]]
    stop: Callable[[], None] = lambda: None
    exporter: InMemorySpanExporter = field(default_factory=InMemorySpanExporter)
    error: str | None = None
    times_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    spans: list[int] = field(default_factory=list)
    attr_bytes: list[int] = field(default_factory=list)


def _providers(exporter: InMemorySpanExporter) -> tuple[TracerProvider, MeterProvider]:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return tracer_provider, MeterProvider(metric_readers=[InMemoryMetricReader()])


def none_variant() -> Variant:
    return Variant("uninstrumented", start=dict)


def obs_variant() -> Variant:
    variant = Variant("obs (handler)", start=dict)
    tracer_provider, meter_provider = _providers(variant.exporter)
    handler = ObsCallbackHandler(
        config=LangGraphConfig.from_env({}), tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    variant.start = lambda: {"callbacks": [handler]}
    return variant


def instrumentor_variant(name: str, factory: Callable[[], Any], **extra: Any) -> Variant:
    variant = Variant(name, start=dict)
    tracer_provider, meter_provider = _providers(variant.exporter)
    instrumentor = factory()

    def start() -> dict[str, Any]:
        instrumentor.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider, **extra)
        return {}

    variant.start = start
    variant.stop = instrumentor.uninstrument
    return variant


def openinference_variant() -> Variant:
    from openinference.instrumentation.langchain import LangChainInstrumentor

    return instrumentor_variant("OpenInference", LangChainInstrumentor)


def openllmetry_variant() -> Variant:
    from opentelemetry.instrumentation.langchain import LangchainInstrumentor

    return instrumentor_variant("OpenLLMetry", LangchainInstrumentor)


def official_variant() -> Variant:
    from opentelemetry.instrumentation.genai.langchain import LangChainInstrumentor
    from opentelemetry.sdk._logs import LoggerProvider

    return instrumentor_variant("OTel genai-langchain", LangChainInstrumentor, logger_provider=LoggerProvider())


def langfuse_variant() -> Variant:
    from langfuse import Langfuse
    from langfuse.langchain import CallbackHandler

    variant = Variant("Langfuse", start=dict)
    tracer_provider, _ = _providers(variant.exporter)
    # A local, unreachable base URL: nothing leaves the machine; spans go to the in-memory exporter.
    Langfuse(
        public_key="pk-lf-bench",
        secret_key="sk-lf-bench",
        base_url="http://127.0.0.1:9",
        tracer_provider=tracer_provider,
        span_exporter=variant.exporter,
        flush_at=1,
    )
    handler = CallbackHandler(public_key="pk-lf-bench")
    variant.start = lambda: {"callbacks": [handler]}
    return variant


FACTORIES: dict[str, Callable[[], Variant]] = {
    "uninstrumented": none_variant,
    "obs (handler)": obs_variant,
    "OpenInference": openinference_variant,
    "OpenLLMetry": openllmetry_variant,
    "Langfuse": langfuse_variant,
    "OTel genai-langchain": official_variant,
}


def attribute_bytes(exporter: InMemorySpanExporter) -> tuple[int, int]:
    spans = exporter.get_finished_spans()
    size = sum(len(k) + len(json.dumps(v, default=str)) for s in spans for k, v in (s.attributes or {}).items())
    size += sum(len(json.dumps(dict(e.attributes or {}), default=str)) for s in spans for e in s.events)
    exporter.clear()
    return len(spans), size


def run_batch(graph: Any, variant: Variant, extra: dict[str, Any], batch: int) -> list[tuple[float, float, int, int]]:
    """``batch`` timed runs: (wall ms, process CPU ms, spans, attribute bytes) each; export cost included."""
    results = []
    for _ in range(batch):
        started, cpu = time.perf_counter(), time.process_time()
        graph.invoke(QUESTION, config={**extra})
        elapsed = (time.perf_counter() - started) * 1000
        cpu_elapsed = (time.process_time() - cpu) * 1000
        results.append((elapsed, cpu_elapsed, *attribute_bytes(variant.exporter)))
    return results


def memory_growth(graph: Any, variant: Variant, extra: dict[str, Any], runs: int) -> tuple[float, int]:
    """tracemalloc growth (KiB) over ``runs`` runs after a warm-up, and the handler's live runs after.

    Tracing starts before the warm-up: bounded caches replace entries as they go, and an entry
    allocated before tracing started would not be subtracted when it is evicted.
    """
    tracemalloc.start()
    for _ in range(800):  # past the point where obs's bounded caches are full
        graph.invoke(QUESTION, config=extra)
        variant.exporter.clear()
    gc.collect()
    base = tracemalloc.take_snapshot()
    for _ in range(runs):
        graph.invoke(QUESTION, config=extra)
        variant.exporter.clear()
    gc.collect()
    growth = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(base, "filename"))
    tracemalloc.stop()
    handler = extra["callbacks"][0]
    return growth / 1024, int(handler.live_runs)


def worker(name: str, conn: Connection) -> None:
    """One variant per process, instrumented once for the whole benchmark.

    Global instrumentors patch LangChain in place; instrumenting and
    uninstrumenting several of them in one process leaves wrappers behind
    (the uninstrumented baseline drifted upwards and one peer slowed down
    exponentially when we tried), so each lives in its own process and the
    parent interleaves their batches in time.
    """
    try:
        variant = FACTORIES[name]()
        extra = variant.start()
        graph = build_graph()
        run_batch(graph, variant, extra, 10)  # warm-up
    except Exception as exc:  # noqa: BLE001 - a peer that fails to import or start is reported, not fatal
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        command, argument = conn.recv()
        if command == "batch":
            gc.collect()
            conn.send(("batch", run_batch(graph, variant, extra, argument)))
        elif command == "memory":
            conn.send(("memory", memory_growth(graph, variant, extra, argument)))
        else:
            variant.stop()
            return


@dataclass
class Worker:
    name: str
    process: multiprocessing.process.BaseProcess
    conn: Connection
    error: str | None = None
    results: list[tuple[float, float, int, int]] = field(default_factory=list)


def start_workers(names: list[str]) -> list[Worker]:
    context = multiprocessing.get_context("spawn")
    workers = []
    for name in names:
        parent, child = context.Pipe()
        process = context.Process(target=worker, args=(name, child), daemon=True)
        process.start()
        workers.append(Worker(name, process, parent))
    for w in workers:
        status, detail = w.conn.recv()
        if status == "error":
            w.error = detail
    return workers


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(workers: list[Worker], args: argparse.Namespace) -> None:
    """Overheads over the uninstrumented run at the median and at the lower quartile.

    On a shared machine other tenants only ever add time, so the lower quartile
    is the steadier estimate of what a variant costs; the median is shown beside it.
    """

    def col(w: Worker, i: int) -> list[float]:
        return [r[i] for r in w.results]

    none = next(w for w in workers if w.name == "uninstrumented")
    stats = {
        w.name: {
            "wall25": _quantile(col(w, 0), 0.25),
            "wall50": statistics.median(col(w, 0)),
            "wall90": _quantile(col(w, 0), 0.9),
            "cpu25": _quantile(col(w, 1), 0.25),
            "cpu50": statistics.median(col(w, 1)),
        }
        for w in workers
        if w.results
    }
    base = stats[none.name]
    official = next((w.name for w in workers if w.name.startswith("OTel") and w.results), None)

    def overhead(name: str, key: str) -> float:
        return stats[name][key] - base[key]

    def ratio(name: str, key: str) -> str:
        if official is None or name == none.name or overhead(official, key) <= 0:
            return "-"
        return f"{overhead(name, key) / overhead(official, key):.2f}"

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.rounds} rounds x {args.batch} runs per variant\n"
    )
    print(
        "| variant | wall ms p25 / median / p90 | CPU ms p25 / median | CPU overhead ms p25 / median "
        "| CPU overhead vs official p25 / median | wall overhead vs official median | spans/run | attr KB/run |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for w in workers:
        if w.error is not None:
            print(f"| {w.name} | failed: {w.error} | | | | | | |")
            continue
        st = stats[w.name]
        print(
            f"| {w.name} | {st['wall25']:.2f} / {st['wall50']:.2f} / {st['wall90']:.2f} "
            f"| {st['cpu25']:.2f} / {st['cpu50']:.2f} "
            f"| {overhead(w.name, 'cpu25'):+.2f} / {overhead(w.name, 'cpu50'):+.2f} "
            f"| {ratio(w.name, 'cpu25')} / {ratio(w.name, 'cpu50')} | {ratio(w.name, 'wall50')} "
            f"| {statistics.median(col(w, 2)):.0f} | {statistics.median(col(w, 3)) / 1024:.1f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--batch", type=int, default=3)
    parser.add_argument("--memory-runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated name prefixes to run (default: all)")
    args = parser.parse_args()

    names = list(FACTORIES)
    if args.only:
        prefixes = tuple(p.strip().lower() for p in args.only.split(","))
        names = [n for n in names if n == "uninstrumented" or n.lower().startswith(prefixes)]
    workers = start_workers(names)
    live = [w for w in workers if w.error is None]
    rng = random.Random(args.seed)
    for round_number in range(args.rounds):
        rng.shuffle(live)
        for w in live:  # one batch at a time: the variants never run concurrently
            w.conn.send(("batch", args.batch))
            w.results.extend(w.conn.recv()[1])
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    report(workers, args)
    obs = next((w for w in live if w.name.startswith("obs")), None)
    if args.memory_runs and obs is not None:
        obs.conn.send(("memory", args.memory_runs))
        growth, runs_left = obs.conn.recv()[1]
        print(f"\nobs memory growth over {args.memory_runs} runs: {growth:.1f} KiB (live runs after: {runs_left})")
    for w in live:
        w.conn.send(("stop", None))
        w.process.join(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
