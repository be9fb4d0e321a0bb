"""The span tree: graph runs, agent-loop iterations, node attempts, and where each child hangs.

LangGraph tells us, in each run's metadata, which node (``langgraph_node``),
superstep (``langgraph_step``) and checkpoint namespace a run belongs to. A
run is a *node* when LangGraph opened a new namespace for it; a node under a
run that is not yet known as a graph reveals that run as a (sub)graph, which
then gets its span, back-dated to its start. An *iteration* (one agent-loop
turn) begins at the first model call of a later superstep, or, once a graph
has shown which of its nodes call the model, as soon as such a node starts
again, so code in that node already runs inside the new turn.

Only structure lives here; attributes, status and metrics are the handler's.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from obs_core import semconv as sc
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.util.types import AttributeValue

from ._config import LangGraphConfig
from ._state import Failure, GraphState, Iteration, Kind, Run

_LEARNED_GRAPHS = 256
"""Graph names whose model-calling nodes are remembered (bounded; oldest forgotten first)."""


def graph_span_name(agent: bool, name: str) -> str:
    return f"{sc.OP_INVOKE_AGENT if agent else sc.OP_INVOKE_WORKFLOW} {name}"


def graph_operation(agent: bool) -> dict[str, AttributeValue]:
    """What a graph span carries at start; its name attribute waits for the end, when the kind is certain."""
    return {sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT if agent else sc.OP_INVOKE_WORKFLOW}


def graph_identity(agent: bool, name: str) -> dict[str, AttributeValue]:
    if agent:
        return {sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT, sc.GEN_AI_AGENT_NAME: name}
    return {sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_WORKFLOW, sc.GEN_AI_WORKFLOW_NAME: name}


class RunTree:
    """Live runs by id under one lock, and the rules that place their spans."""

    def __init__(self, tracer: Tracer, config: LangGraphConfig) -> None:
        self._tracer = tracer
        self._config = config
        self._runs: dict[UUID, Run] = {}
        self._roots: dict[UUID, Run] = {}
        self._learned: OrderedDict[str, set[str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._runs)

    def get(self, run_id: UUID | None) -> Run | None:
        return self._runs.get(run_id) if run_id is not None else None

    # --- starting ----------------------------------------------------------------------

    def start_chain(
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        name: str,
        metadata: Mapping[str, Any],
        root_attributes: Mapping[str, AttributeValue],
    ) -> tuple[Run, list[Span]]:
        """Register a chain run; returns it and any spans (iterations) it closed, to end outside the lock."""
        closed: list[Span] = []
        with self._lock:
            parent = self.get(parent_run_id)
            if parent is None:
                run = self._start_root(run_id, name, metadata, root_attributes)
                return run, closed
            ns = metadata.get("langgraph_checkpoint_ns")
            step = metadata.get("langgraph_step")
            # Only a graph, or a chain not yet known as one (a subgraph's own run), can hold nodes.
            is_node = (
                parent.kind in (Kind.GRAPH, Kind.CHAIN)
                and isinstance(ns, str)
                and ns != parent.ns
                and metadata.get("langgraph_node") == name
                and isinstance(step, int)
            )
            if is_node and isinstance(ns, str) and isinstance(step, int):
                graph_run = parent if parent.kind is Kind.GRAPH else self._promote(parent)
                run = self._start_node(run_id, graph_run, name, ns, step, closed)
            else:
                run = Run(run_id, Kind.CHAIN, name, parent, time.time_ns(), ns=ns if isinstance(ns, str) else parent.ns)
                run.anchor = parent if (parent.span is not None or parent.kind is Kind.GRAPH) else parent.anchor
                run.graph = parent.graph
                run.step = step if isinstance(step, int) else parent.step
                run.node = parent.node
            self._register(run, parent)
            return run, closed

    def _start_root(
        self, run_id: UUID, name: str, metadata: Mapping[str, Any], attributes: Mapping[str, AttributeValue]
    ) -> Run:
        learned = self._learned_nodes(name)
        marker = metadata.get("ls_integration")
        agent = bool(learned) or (isinstance(marker, str) and marker in self._config.agent_markers)
        state = GraphState(name=name, agent=agent, model_nodes=learned, announced_agent=agent)
        span = self._tracer.start_span(
            graph_span_name(agent, name),
            kind=SpanKind.INTERNAL,
            attributes={**graph_operation(agent), **attributes},
        )
        run = Run(run_id, Kind.GRAPH, name, None, time.time_ns(), span=span, graph=state)
        run.descendants = set()
        self._runs[run_id] = run
        self._roots[run_id] = run
        return run

    def _promote(self, run: Run) -> Run:
        """A chain turned out to be a (sub)graph: give it a graph state and a back-dated span."""
        learned = self._learned_nodes(run.name)
        agent = bool(learned)
        state = GraphState(name=run.name, agent=agent, model_nodes=learned, parent=run.graph, announced_agent=agent)
        if run.graph is not None:
            state.conversation_id = run.graph.conversation_id
            state.session_key = run.graph.session_key
        parent_span = run.context_span()
        run.span = self._tracer.start_span(
            graph_span_name(state.agent, run.name),
            context=trace.set_span_in_context(parent_span) if parent_span is not None else None,
            kind=SpanKind.INTERNAL,
            attributes=graph_operation(state.agent),
            start_time=run.start_ns,
        )
        run.kind = Kind.GRAPH
        run.graph = state
        return run

    def _start_node(self, run_id: UUID, graph_run: Run, name: str, ns: str, step: int, closed: list[Span]) -> Run:
        state = graph_run.graph
        assert state is not None
        # A known agent opens its first turn with its first node; later turns open when a node
        # that called the model before starts in a later superstep.
        first_turn = state.agent and state.iteration is None
        if first_turn or (name in state.model_nodes and self._turn_boundary(state, step)):
            self._open_iteration(graph_run, closed)
        if state.iteration is not None and name not in state.iteration.nodes:
            state.iteration.nodes.append(name)
        run = Run(run_id, Kind.NODE, name, graph_run, time.time_ns(), anchor=graph_run, graph=state, ns=ns)
        run.step = step
        run.node = name
        run.retry_key = ("node", ns)
        failure = state.failures.get(run.retry_key)
        if failure is not None:
            run.attempt = failure.attempt + 1
            run.retry_reason = failure.reason
        if self._config.node_spans or failure is not None:
            run.span = self.start_child(run, node_span_name(name), SpanKind.INTERNAL, node_attributes(run, failure))
        return run

    def start_leaf(
        self,
        kind: Kind,
        run_id: UUID,
        parent_run_id: UUID | None,
        name: str,
        span_name: str,
        span_kind: SpanKind,
        attributes: Mapping[str, AttributeValue],
        *,
        chat_step: int | None = None,
        chat_node: str | None = None,
        tools: bool = False,
    ) -> tuple[Run, list[Span]]:
        """Register a chat/tool/retriever run and start its span under the right parent."""
        closed: list[Span] = []
        with self._lock:
            parent = self.get(parent_run_id)
            run = Run(run_id, kind, name, parent, time.time_ns())
            if parent is not None:
                run.graph = parent.graph
                run.anchor = parent if (parent.span is not None or parent.kind is Kind.GRAPH) else parent.anchor
                run.ns, run.step, run.node = parent.ns, parent.step, parent.node
            state = run.graph
            if state is not None and kind is Kind.CHAT:
                self._place_chat(run, state, chat_step, chat_node, tools, closed)
            run.span = self.start_child(run, span_name, span_kind, attributes, parent=parent)
            self._register(run, parent)
            return run, closed

    def _place_chat(
        self, run: Run, state: GraphState, step: int | None, node: str | None, tools: bool, closed: list[Span]
    ) -> None:
        state.model_calls += 1
        state.agent = state.agent or tools
        if not state.agent:
            return
        graph_run = self._graph_run(run)
        if graph_run is not None and self._turn_boundary(state, step):
            self._open_iteration(graph_run, closed)
        iteration = state.iteration
        if iteration is None:
            return
        if iteration.model_step is None:
            iteration.model_step = step if step is not None else 0
        if node:
            state.model_nodes.add(node)
            if node not in iteration.nodes:
                iteration.nodes.append(node)

    def _graph_run(self, run: Run) -> Run | None:
        holder = run.anchor
        while holder is not None and holder.kind is not Kind.GRAPH:
            holder = holder.anchor
        return holder

    def start_child(
        self,
        run: Run,
        span_name: str,
        span_kind: SpanKind,
        attributes: Mapping[str, AttributeValue],
        *,
        parent: Run | None = None,
        start_time: int | None = None,
    ) -> Span:
        holder = parent if parent is not None else run.anchor
        parent_span = holder.context_span() if holder is not None else None
        return self._tracer.start_span(
            span_name,
            context=trace.set_span_in_context(parent_span) if parent_span is not None else None,
            kind=span_kind,
            attributes=attributes,
            start_time=start_time,
        )

    def add_usage(self, state: GraphState | None, input_tokens: int, output_tokens: int, cost: float | None) -> None:
        """Add one call's usage to its graph and every enclosing graph (totals on invoke_agent spans)."""
        with self._lock:
            while state is not None:
                state.input_tokens += input_tokens
                state.output_tokens += output_tokens
                if cost is not None:
                    state.cost_usd += cost
                    state.priced = True
                state = state.parent

    # --- iterations --------------------------------------------------------------------

    @staticmethod
    def _turn_boundary(state: GraphState, step: int | None) -> bool:
        current = state.iteration
        if current is None:
            return True
        if current.model_step is None:
            return False
        return step is None or step > current.model_step

    def _open_iteration(self, graph_run: Run, closed: list[Span]) -> None:
        state = graph_run.graph
        assert state is not None
        assert graph_run.span is not None
        if state.iteration is not None:
            closed.append(self._close_iteration(state.iteration))
        state.iterations += 1
        span = self._tracer.start_span(
            sc.SPAN_AGENT_ITERATION,
            context=trace.set_span_in_context(graph_run.span),
            kind=SpanKind.INTERNAL,
            attributes={sc.OBS_AGENT_ITERATION_INDEX: state.iterations},
        )
        state.iteration = Iteration(span, state.iterations)

    @staticmethod
    def _close_iteration(iteration: Iteration) -> Span:
        iteration.span.set_attribute(sc.OBS_AGENT_ITERATION_NODES, list(iteration.nodes))
        return iteration.span

    def _learned_nodes(self, name: str) -> set[str]:
        nodes = self._learned.get(name)
        if nodes is None:
            nodes = set()
            self._learned[name] = nodes
            while len(self._learned) > _LEARNED_GRAPHS:
                self._learned.popitem(last=False)
        else:
            self._learned.move_to_end(name)
        return nodes

    # --- retries -----------------------------------------------------------------------

    def note_failure(self, run: Run, key: tuple[str, str], reason: str) -> None:
        if run.graph is not None:
            with self._lock:
                run.graph.failures[key] = Failure(run.attempt, reason)

    def clear_failure(self, run: Run, key: tuple[str, str]) -> None:
        if run.graph is not None and run.graph.failures:
            with self._lock:
                run.graph.failures.pop(key, None)

    def pending_failure(self, run: Run, key: tuple[str, str]) -> Failure | None:
        if run.graph is None or not run.graph.failures:
            return None
        with self._lock:
            return run.graph.failures.get(key)

    # --- ending ------------------------------------------------------------------------

    def _register(self, run: Run, parent: Run | None) -> None:
        self._runs[run.run_id] = run
        if parent is not None:
            run.root = parent.top
            descendants = run.root.descendants
            if descendants is not None:
                descendants.add(run.run_id)

    def finish(self, run_id: UUID) -> tuple[Run | None, list[Span], list[Run]]:
        """Forget a run. Returns it, spans to end (its last iteration), and orphans a root left behind."""
        with self._lock:
            run = self._runs.pop(run_id, None)
            if run is None:
                return None, [], []
            spans: list[Span] = []
            orphans: list[Run] = []
            if run.kind is Kind.GRAPH and run.graph is not None and run.graph.iteration is not None:
                spans.append(self._close_iteration(run.graph.iteration))
                run.graph.iteration = None
            if run.root is not None and run.root.descendants is not None:
                run.root.descendants.discard(run_id)
            if run.descendants is not None:
                self._roots.pop(run_id, None)
                orphans = [r for r in (self._runs.pop(i, None) for i in run.descendants) if r is not None]
                run.descendants.clear()
            return run, spans, orphans

    def overflow(self) -> list[Run]:
        """Roots to force-close because too many runs are live (hosts that never end their runs)."""
        if len(self._runs) <= self._config.max_live_runs:
            return []
        with self._lock:
            if not self._roots:
                return []
            oldest = next(iter(self._roots))
        return [r for r in (self._runs.get(oldest),) if r is not None]


def node_span_name(name: str) -> str:
    return f"{sc.OBS_LANGGRAPH_NODE} {name}"


def node_attributes(run: Run, failure: Failure | None) -> dict[str, AttributeValue]:
    attrs: dict[str, AttributeValue] = {sc.OBS_LANGGRAPH_NODE: run.name}
    if run.step is not None:
        attrs[sc.OBS_LANGGRAPH_STEP] = run.step
    if failure is not None:
        attrs[sc.OBS_RETRY_ATTEMPT] = run.attempt
        attrs[sc.OBS_RETRY_REASON] = failure.reason
    return attrs
