"""What the handler remembers about a live run, and nothing more.

One :class:`Run` per LangChain ``run_id`` from its start callback to its
end/error callback; the registry drops it there, and a root run's end sweeps
whatever its descendants left behind (missing callbacks), so memory stays flat
however many runs pass. Records point at their parent record rather than at
ids, so no lookup can find a run that was already cleaned up.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from opentelemetry.trace import Span


class Kind(enum.Enum):
    GRAPH = "graph"
    """A LangGraph graph (or any top-level chain): ``invoke_agent`` / ``invoke_workflow``."""
    NODE = "node"
    """A LangGraph node attempt; collapsed into its iteration unless node spans are on."""
    CHAIN = "chain"
    """Any other runnable (sequences, prompts, lambdas, branch functions): always collapsed."""
    CHAT = "chat"
    TOOL = "tool"
    RETRIEVER = "retriever"


@dataclass(slots=True, eq=False)
class Iteration:
    """One agent-loop turn of a graph: its span, number, and the nodes that ran in it."""

    span: Span
    index: int
    model_step: int | None = None
    """LangGraph step of the turn's first model call (None until one happens)."""
    nodes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Failure:
    """The last failed attempt of something that may be tried again (node, model call, tool)."""

    attempt: int
    reason: str


@dataclass(slots=True, eq=False)
class GraphState:
    """Per-graph-run bookkeeping: iterations, learned model nodes, retries, usage totals."""

    name: str
    agent: bool
    model_nodes: set[str]
    """Nodes known to call a model; a new turn starts when one of them starts again."""
    announced_agent: bool = False
    """What the span was named at start; a graph that turned out otherwise is renamed at its end."""
    parent: GraphState | None = None
    iteration: Iteration | None = None
    iterations: int = 0
    model_calls: int = 0
    failures: dict[tuple[str, str], Failure] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    priced: bool = False
    conversation_id: str | None = None
    session_key: str | None = None
    """Key for context-growth tracking: the thread id, else the root run id (forgotten at the end)."""
    interrupted: bool = False


@dataclass(slots=True, eq=False)
class Run:
    """One live LangChain run."""

    run_id: UUID
    kind: Kind
    name: str
    parent: Run | None
    start_ns: int
    span: Span | None = None
    """The run's own span; None when collapsed."""
    anchor: Run | None = None
    """Nearest ancestor whose span (or current iteration) children of a collapsed run attach to."""
    graph: GraphState | None = None
    """Own state for GRAPH runs, else the nearest enclosing graph's."""
    ns: str | None = None
    """LangGraph checkpoint namespace the run executes in."""
    step: int | None = None
    node: str | None = None
    retry_key: tuple[str, str] | None = None
    attempt: int = 1
    retry_reason: str | None = None
    """Why this attempt is a retry (the previous attempt's error type); None for first attempts."""
    detail: Any = None
    """Kind-specific state (chat timing and attributes, tool metric attributes)."""
    descendants: set[UUID] | None = None
    """Root runs only: ids of live runs beneath, swept when the root ends."""
    root: Run | None = None
    """The top-level run (None for a root itself)."""
    activation: Any = None
    """Context attached for this run's body in callback-propagation mode (see _propagation)."""

    @property
    def top(self) -> Run:
        return self.root if self.root is not None else self

    def context_span(self) -> Span | None:
        """The span that children of this run are parented to right now."""
        holder: Run | None = self if (self.span is not None or self.kind is Kind.GRAPH) else self.anchor
        if holder is None:
            return None
        if holder.kind is Kind.GRAPH and holder.graph is not None and holder.graph.iteration is not None:
            return holder.graph.iteration.span
        return holder.span
