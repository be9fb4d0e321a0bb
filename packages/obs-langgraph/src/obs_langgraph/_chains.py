"""Chain callbacks: graph runs (``invoke_agent`` / ``invoke_workflow``), node attempts, collapsed chains.

A graph's span is named at start from what is known (``create_agent``
metadata, or nodes that called a model in an earlier run of the same graph)
and corrected at its end from what happened: a graph whose model was given
tools is an agent, one without is a workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from obs_core import semconv as sc
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from ._core import Core, Outcome, classify, elapsed_s, error_type, mark_error
from ._state import Kind, Run
from ._tree import graph_identity, graph_span_name, node_attributes, node_span_name


def run_name(serialized: Mapping[str, Any] | None, kwargs: Mapping[str, Any], default: str) -> str:
    name = kwargs.get("name")
    if name:
        return str(name)
    if serialized:
        if serialized.get("name"):
            return str(serialized["name"])
        ids = serialized.get("id")
        if isinstance(ids, list) and ids:
            return str(ids[-1])
    return default


class Chains(Core):
    """Graph and node bookkeeping on top of :class:`Core`."""

    def chain_start(
        self,
        serialized: Mapping[str, Any] | None,
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
    ) -> None:
        for stale in self.tree.overflow():
            self._end_run(stale.run_id, Outcome.CANCELLED, None)
        meta = metadata or {}
        name = run_name(serialized, kwargs, "chain")
        is_root = parent_run_id is None or self.tree.get(parent_run_id) is None
        run, closed = self.tree.start_chain(
            run_id, parent_run_id, name, meta, self._root_attributes(meta) if is_root else {}
        )
        self.close_spans(closed)
        if run.kind is Kind.GRAPH and run.graph is not None and run.parent is None:
            thread = meta.get("thread_id")
            run.graph.conversation_id = str(thread) if thread else None
            run.graph.session_key = run.graph.conversation_id or str(run_id)
        elif run.kind is Kind.NODE:
            if run.retry_reason is not None:
                graph_name = run.graph.name if run.graph else ""
                self.retry_metric(run.retry_reason, {sc.GEN_AI_AGENT_NAME: graph_name, sc.OBS_LANGGRAPH_NODE: name})
            self.activate(run)

    def _root_attributes(self, metadata: Mapping[str, Any]) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {}
        thread = metadata.get("thread_id")
        if thread:
            attrs[sc.GEN_AI_CONVERSATION_ID] = str(thread)
        user = next((metadata[k] for k in self.config.user_id_keys if metadata.get(k)), None)
        if user is not None:
            attrs[sc.OBS_USER_HASH] = self.user_hash(user)
        session = next((metadata[k] for k in self.config.session_id_keys if metadata.get(k)), None)
        if session is not None:
            attrs[sc.OBS_SESSION_ID] = str(session)
        return attrs

    def chain_end(self, outputs: Any, run_id: UUID) -> None:
        interrupted = isinstance(outputs, Mapping) and "__interrupt__" in outputs
        self._end_run(run_id, Outcome.INTERRUPTED if interrupted else Outcome.COMPLETED, None)

    def chain_error(self, error: BaseException, run_id: UUID) -> None:
        self._end_run(run_id, classify(error), error)

    def _end_run(self, run_id: UUID, outcome: Outcome, error: BaseException | None) -> None:
        run, closed, orphans = self.tree.finish(run_id)
        if run is None:
            return
        self.release(run)
        if run.kind is Kind.GRAPH:
            self.close_spans(closed)
            self.sweep(orphans)
            self._end_graph(run, outcome, error)
        elif run.kind is Kind.NODE:
            self._end_node(run, outcome, error)
        elif run.span is not None:
            run.span.end()

    def _end_node(self, run: Run, outcome: Outcome, error: BaseException | None) -> None:
        key = run.retry_key
        if outcome is Outcome.ERROR and error is not None:
            if key is not None:
                self.tree.note_failure(run, key, error_type(error))
            # Errors are never collapsed away: a failed attempt gets its span even in collapsed mode.
            span = run.span or self.tree.start_child(
                run, node_span_name(run.name), SpanKind.INTERNAL, node_attributes(run, None), start_time=run.start_ns
            )
            mark_error(span, error)
            span.end()
            return
        if outcome is Outcome.COMPLETED and key is not None:
            self.tree.clear_failure(run, key)
        if outcome is Outcome.INTERRUPTED and run.graph is not None:
            run.graph.interrupted = True
        if run.span is not None:
            if outcome is not Outcome.COMPLETED:
                run.span.set_attribute(sc.OBS_AGENT_OUTCOME, outcome.value)
            run.span.end()

    def _end_graph(self, run: Run, outcome: Outcome, error: BaseException | None) -> None:
        state = run.graph
        span = run.span
        if state is None or span is None:
            return
        if state.interrupted and outcome is Outcome.COMPLETED:
            outcome = Outcome.INTERRUPTED
        attrs: dict[str, AttributeValue] = {
            **graph_identity(state.agent, state.name),
            sc.OBS_AGENT_OUTCOME: outcome.value,
        }
        if state.agent != state.announced_agent:
            span.update_name(graph_span_name(state.agent, state.name))
        if state.model_calls:
            attrs[sc.GEN_AI_USAGE_INPUT_TOKENS] = state.input_tokens
            attrs[sc.GEN_AI_USAGE_OUTPUT_TOKENS] = state.output_tokens
            if state.priced:
                attrs[sc.OBS_GEN_AI_USAGE_COST] = round(state.cost_usd, 10)
        span.set_attributes(attrs)
        if outcome is Outcome.ERROR and error is not None:
            mark_error(span, error)
        if state.agent:
            metric: dict[str, AttributeValue] = {
                sc.GEN_AI_OPERATION_NAME: sc.OP_INVOKE_AGENT,
                sc.GEN_AI_AGENT_NAME: state.name,
            }
            if outcome is Outcome.ERROR and error is not None:
                metric[sc.ERROR_TYPE] = error_type(error)
            with self.within(span):
                self.metrics.record_agent(elapsed_s(run), metric)
        if run.parent is None and state.conversation_id is None and state.session_key and self.sections:
            self.sections.monitor.forget(state.session_key)
        span.end()
