"""Per-``tools/call`` overhead of MCP instrumentation (a benchmark, not a test).

One tiny tool (``add``) is called over two transports:

- in-memory JSON-RPC (``Client(server, mode="legacy")``), and the SDK's direct
  in-process path (``Client(server)``, no JSON-RPC at all);
- stdio (a server subprocess), and stdio through ``obs mcp proxy``.

Variants: ``sdk`` (the SDK with no tracer: its spans are non-recording),
``native`` (the SDK's own client and server spans recorded), ``obs`` (obs's
client instrumentation and server middleware: spans, metrics, the tool
breaker; it completes the SDK's client span instead of adding one) and, for
stdio, ``proxy`` (an uninstrumented SDK client -> obs proxy -> uninstrumented
server; ``proxy-bare`` is the same with the proxy's telemetry and breaker
off; ``native-again`` is a second, identical native client, a control that
shows how far two equal setups drift on a shared machine). Every span is exported synchronously to a dropping exporter, so
"recorded" includes the export call. Variants are interleaved: each round
runs a batch of calls on every variant in shuffled order; the report gives
medians over rounds. In-process variants are compared on CPU time (the
machine is shared; wall time there mostly measures the neighbours), stdio
variants on wall time. See bench/mcp.md for the numbers.

Run: ``uv run python bench/mcp_overhead.py [--rounds 25] [--batch 40]``
(the script re-executes itself as the stdio server with ``--serve MODE``), and
``--isolated N`` for the in-process variants each alone in a fresh process,
alternating N times (the steadier comparison on a shared machine).

``--baseline DIR`` adds ``obs-before`` variants for the in-process transports:
the same instrumentation from an earlier copy of the ``obs_mcp`` package (for
example ``git archive HEAD packages/obs-mcp/src/obs_mcp | tar -x -C /tmp/before``
then ``--baseline /tmp/before/packages/obs-mcp/src/obs_mcp``), measured in the
same run, so a before/after comparison shares the machine's load.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from types import ModuleType
from typing import Any

import anyio
import obs_mcp
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp.shared import _otel as sdk_otel
from obs_mcp import ObsTransport, instrument_server
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

Call = Callable[[], Awaitable[Any]]


class DroppingExporter(SpanExporter):
    """Counts spans and drops them: the cost of recording and exporting, without I/O."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.spans += len(spans)
        return SpanExportResult.SUCCESS


def make_server() -> MCPServer:
    server = MCPServer("bench")

    @server.tool()
    async def add(a: int, b: int) -> int:  # async: a sync tool would add a worker-thread hop to every call
        return a + b

    return server


def load_baseline(path: str) -> ModuleType:
    """An earlier copy of the ``obs_mcp`` package, imported as ``obs_mcp_baseline`` beside the current one."""
    name = "obs_mcp_baseline"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(path, "__init__.py"), submodule_search_locations=[path]
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"--baseline {path}: not a package directory")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def tracer_provider() -> tuple[TracerProvider, DroppingExporter]:
    exporter = DroppingExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


# --- the stdio server (this file run with --serve MODE) ----------------------------------------------


def serve(mode: str) -> None:
    server = make_server()
    if mode in ("native", "obs"):
        provider, _ = tracer_provider()
        trace.set_tracer_provider(provider)
        if mode == "obs":
            instrument_server(server, tracer_provider=provider, meter_provider=MeterProvider())
    server.run("stdio")


def server_params(
    mode: str, *, proxy: bool = False, proxy_options: Sequence[str] = (), proxy_from: str | None = None
) -> StdioServerParameters:
    """The stdio server; ``proxy_from``: a directory holding an ``obs_mcp`` package the proxy runs from instead."""
    command = [sys.executable, os.path.abspath(__file__), "--serve", mode]
    if proxy:
        command = [sys.executable, "-m", "obs_mcp", "proxy", "--name", "bench", *proxy_options, "--", *command]
    env = dict(os.environ, OBS_STORE=os.path.join(tempfile.gettempdir(), "obs-mcp-bench.db"))
    if proxy_from is not None:  # ahead of the installed package on the proxy's path (the server imports none)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [proxy_from, env.get("PYTHONPATH")]))
    return StdioServerParameters(command=command[0], args=command[1:], env=env)


# --- variants ----------------------------------------------------------------------------------------


class Variant:
    """A connected client plus the SDK tracer its calls must run with."""

    def __init__(self, name: str, sdk_tracer: trace.Tracer) -> None:
        self.name = name
        self.sdk_tracer = sdk_tracer
        self.call: Call | None = None
        self.per_call_us: list[float] = []
        self.cpu_per_call_us: list[float] = []

    @property
    def in_process(self) -> bool:
        return not self.name.startswith("stdio")

    async def run_batch(self, batch: int) -> None:
        assert self.call is not None
        sdk_otel._tracer = self.sdk_tracer  # the SDK's module tracer: recording or not, per variant
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(batch):
            await self.call()
        self.per_call_us.append((time.perf_counter() - start) / batch * 1e6)
        self.cpu_per_call_us.append((time.process_time() - cpu) / batch * 1e6)

    def cost(self) -> float:
        """CPU per call in one process (robust to other load on the machine); wall time across processes."""
        return statistics.median(self.cpu_per_call_us if self.in_process else self.per_call_us)

    def floor(self) -> float:
        """The 10th percentile of the batches: the uncontended cost (other load only ever adds time)."""
        values = sorted(self.cpu_per_call_us if self.in_process else self.per_call_us)
        return values[len(values) // 10]


async def connect(stack: AsyncExitStack, variant: Variant, client: Client) -> None:
    sdk_otel._tracer = variant.sdk_tracer
    entered = await stack.enter_async_context(client)
    arguments = {"a": 1, "b": 2}

    async def call() -> Any:
        return await entered.call_tool("add", arguments)

    variant.call = call


async def build(
    stack: AsyncExitStack, transports: set[str], baseline: str | None = None
) -> tuple[list[Variant], DroppingExporter]:
    provider, exporter = tracer_provider()
    meters = MeterProvider(metric_readers=[InMemoryMetricReader()])
    recording = provider.get_tracer("mcp-python-sdk")
    silent = trace.NoOpTracer()
    obs_kwargs: dict[str, Any] = {"tracer_provider": provider, "meter_provider": meters}
    variants: list[Variant] = []

    async def add(name: str, tracer: trace.Tracer, client: Client) -> None:
        variant = Variant(name, tracer)
        await connect(stack, variant, client)
        variants.append(variant)

    before = load_baseline(baseline) if baseline else None

    def instrumented(module: Any, mode: str) -> Client:
        server = make_server()
        module.instrument_server(server, **obs_kwargs)
        client: Client = module.instrument_client(Client(server, mode=mode), **obs_kwargs)
        return client

    if "memory" in transports:
        await add("memory sdk", silent, Client(make_server(), mode="legacy"))
        await add("memory native", recording, Client(make_server(), mode="legacy"))
        await add("memory native-again", recording, Client(make_server(), mode="legacy"))  # noise-floor control
        await add("memory obs", recording, instrumented(obs_mcp, "legacy"))
        if before is not None:
            await add("memory obs-before", recording, instrumented(before, "legacy"))
    if "direct" in transports:
        await add("direct sdk", silent, Client(make_server()))
        await add("direct native", recording, Client(make_server()))
        await add("direct obs", recording, instrumented(obs_mcp, "auto"))
        if before is not None:
            await add("direct obs-before", recording, instrumented(before, "auto"))
    if "stdio" in transports:
        await add("stdio sdk", silent, Client(server_params("sdk")))
        await add("stdio native", recording, Client(server_params("native")))
        await add("stdio obs", recording, Client(ObsTransport.stdio(server_params("obs"), **obs_kwargs)))
        await add("stdio proxy", silent, Client(server_params("sdk", proxy=True)))
        bare = server_params("sdk", proxy=True, proxy_options=("--no-telemetry", "--no-breaker"))
        await add("stdio proxy-bare", silent, Client(bare))
        if baseline and os.path.basename(os.path.normpath(baseline)) == "obs_mcp":
            proxy_before = server_params("sdk", proxy=True, proxy_from=os.path.dirname(os.path.normpath(baseline)))
            await add("stdio proxy-before", silent, Client(proxy_before))
    return variants, exporter


async def measure(
    rounds: int, batch: int, warmup: int, transports: set[str], baseline: str | None = None
) -> list[Variant]:
    async with AsyncExitStack() as stack:
        variants, _ = await build(stack, transports, baseline)
        for variant in variants:
            await variant.run_batch(warmup)
            variant.per_call_us.clear()
            variant.cpu_per_call_us.clear()
        rng = random.Random(7)
        for _ in range(rounds):
            order = list(variants)
            rng.shuffle(order)
            for variant in order:
                await variant.run_batch(batch)
        return variants


def report(variants: list[Variant]) -> str:
    costs = {v.name: v.cost() for v in variants}
    floors = {v.name: v.floor() for v in variants}
    lines = [
        "| transport | variant | wall µs / call (median, p25-p75) | CPU µs / call (median, p10) | vs sdk "
        "| vs native | vs native, p10 |",
        "|---|---|---|---|---:|---:|---:|",
    ]
    for v in variants:
        transport, kind = v.name.split(" ", 1)
        q = statistics.quantiles(v.per_call_us, n=4)
        cpu = f"{statistics.median(v.cpu_per_call_us):,.0f} ({floors[v.name]:,.0f})" if v.in_process else "-"
        sdk = costs.get(f"{transport} sdk")
        native = costs.get(f"{transport} native")
        vs_sdk = f"{costs[v.name] / sdk:.2f}x" if sdk else "-"
        comparable = native and not kind.startswith("proxy")
        vs_native = f"{costs[v.name] / native:.2f}x" if comparable and native else "-"
        vs_floor = f"{floors[v.name] / floors[f'{transport} native']:.2f}x" if comparable else "-"
        wall = f"{statistics.median(v.per_call_us):,.0f} ({q[0]:,.0f}-{q[2]:,.0f})"
        lines.append(f"| {transport} | {kind} | {wall} | {cpu} | {vs_sdk} | {vs_native} | {vs_floor} |")
    lines.append("")
    lines.append("Ratios use CPU time for the in-process transports and wall time for stdio.")
    if "stdio proxy" in costs and "stdio sdk" in costs:
        added = costs["stdio proxy"] - costs["stdio sdk"]
        bare = costs.get("stdio proxy-bare", 0.0) - costs["stdio sdk"]
        lines.append(
            f"Proxy hop adds {added:,.0f} µs per tools/call over the uninstrumented stdio path "
            f"({bare:,.0f} µs with its telemetry and breaker off: the extra process hop itself)."
        )
    return "\n".join(lines)


async def _one_variant(transport: str, kind: str, batches: int, batch: int, baseline: str | None) -> list[float]:
    """CPU µs per call, one batch at a time, for a single in-process variant (run in its own process)."""
    async with AsyncExitStack() as stack:
        variants, _ = await build(stack, {transport}, baseline if kind == "obs-before" else None)
        (variant,) = [v for v in variants if v.name == f"{transport} {kind}"]
        await variant.run_batch(300)
        variant.cpu_per_call_us.clear()
        for _ in range(batches):
            await variant.run_batch(batch)
        return variant.cpu_per_call_us


def isolated(repetitions: int, batches: int, batch: int, baseline: str | None = None) -> str:
    """Each in-process variant alone in a fresh process, alternating: no variant shares a heap or a warm
    cache with another, which on a busy 2-core machine is the steadier comparison."""
    import subprocess

    kinds = ["sdk", "native", "obs", *(["obs-before"] if baseline else [])]
    results: dict[str, list[float]] = {}
    for _ in range(repetitions):
        for transport in ("memory", "direct"):
            for kind in kinds:
                command = [sys.executable, os.path.abspath(__file__), "--one", f"{transport}:{kind}:{batches}:{batch}"]
                if baseline:
                    command += ["--baseline", baseline]
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
                results.setdefault(f"{transport} {kind}", []).append(float(out.strip()))
    lines = [
        "| transport | variant | CPU µs / call, best run | median run | runs (p10 of batches) | best vs native |"
        " median vs native |",
        "|---|---|---:|---:|---|---:|---:|",
    ]
    for name, values in results.items():
        transport, kind = name.split(" ")
        native = results[f"{transport} native"]
        best, med = min(values), statistics.median(values)
        runs = ", ".join(f"{v:.0f}" for v in values)
        lines.append(
            f"| {transport} | {kind} | {best:,.0f} | {med:,.0f} | {runs} | {best / min(native):.2f}x "
            f"| {med / statistics.median(native):.2f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=["sdk", "native", "obs"], help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--transports", default="memory,direct,stdio", help="comma-separated: memory,direct,stdio")
    parser.add_argument("--isolated", type=int, metavar="N", help="instead: N alternating single-variant processes")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", metavar="DIR", help="an earlier obs_mcp package dir, measured as obs-before")
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return
    if args.one:
        transport, kind, batches, batch = args.one.split(":")
        values = sorted(anyio.run(_one_variant, transport, kind, int(batches), int(batch), args.baseline))
        print(values[len(values) // 10])  # p10: the uncontended cost; neighbours only ever add time
        return
    if args.isolated:
        print(isolated(args.isolated, args.rounds, args.batch, args.baseline))
        return
    transports = set(args.transports.split(","))
    variants = anyio.run(measure, args.rounds, args.batch, args.warmup, transports, args.baseline)
    print(report(variants))


if __name__ == "__main__":
    main()
