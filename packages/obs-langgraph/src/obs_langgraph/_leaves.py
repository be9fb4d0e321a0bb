"""Leaf callbacks: ``chat`` / ``text_completion``, ``execute_tool`` and ``retrieval`` spans.

Everything a dashboard groups by (model, provider, stage, tool) goes on the
metric points; everything per call (ids, usage, cost, context accounting,
content) goes on the span only. A retried call is recognised by its key: a
model call under the same parent run, or the same tool in the same graph,
right after a failed attempt.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import LLMResult
from obs_core import compute_cost
from obs_core import semconv as sc
from opentelemetry import trace
from opentelemetry._logs import LogRecord
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from ._chains import run_name
from ._chat import (
    ChatResponse,
    provider_name,
    read_response,
    request_attributes,
    request_model,
    tools_bound,
    usage_attributes,
)
from ._content import Message, output_messages, to_spec_messages, tool_result_text
from ._core import Core, Outcome, classify, error_type, mark_error
from ._state import Kind, Run

PROMPT_NAME_KEY = "obs_prompt_name"
PROMPT_VERSION_KEY = "obs_prompt_version"


@dataclass(slots=True)
class ChatDetail:
    operation: str
    model: str
    provider: str
    stage: str | None
    t0: float = field(default_factory=time.perf_counter)
    first_chunk: float | None = None
    input_messages: list[Message] | None = None
    """Spec messages kept for the details event (EVENT modes only)."""


@dataclass(slots=True)
class ToolDetail:
    name: str
    t0: float = field(default_factory=time.perf_counter)


def _system_text(messages: Sequence[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))


class Leaves(Core):
    """Model, tool and retriever runs on top of :class:`Core`."""

    # --- model calls ---------------------------------------------------------------------

    def chat_start(
        self,
        serialized: Mapping[str, Any] | None,
        messages: Sequence[BaseMessage],
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
        operation: str = sc.OP_CHAT,
    ) -> None:
        meta = metadata or {}
        params: Mapping[str, Any] = kwargs.get("invocation_params") or {}
        model = request_model(serialized, params, meta)
        provider = provider_name(serialized, meta, model, self.catalogue)
        attrs: dict[str, AttributeValue] = {
            sc.GEN_AI_OPERATION_NAME: operation,
            sc.GEN_AI_PROVIDER_NAME: provider,
            sc.GEN_AI_REQUEST_MODEL: model,
            **request_attributes(params, meta),
        }
        stage = self.stage(meta, tags)
        if stage:
            attrs[sc.OBS_PIPELINE_STAGE] = stage
        system = _system_text(messages)
        if system:
            attrs[sc.OBS_PROMPT_HASH] = self.prompt_hash(system)
        for key, attr in ((PROMPT_NAME_KEY, sc.GEN_AI_PROMPT_NAME), (PROMPT_VERSION_KEY, sc.GEN_AI_PROMPT_VERSION)):
            if meta.get(key):
                attrs[attr] = str(meta[key])
        retry_key = ("chat", str(parent_run_id)) if parent_run_id is not None else None
        attempt, reason = self._retry(parent_run_id, retry_key, attrs)
        if reason is not None:
            self.retry_metric(reason, {sc.GEN_AI_OPERATION_NAME: operation, sc.GEN_AI_REQUEST_MODEL: model})
        step = meta.get("langgraph_step")
        node = meta.get("langgraph_node")
        run, closed = self.tree.start_leaf(
            Kind.CHAT,
            run_id,
            parent_run_id,
            model,
            f"{operation} {model}",
            SpanKind.CLIENT,
            attrs,
            chat_step=step if isinstance(step, int) else None,
            chat_node=str(node) if node else None,
            tools=tools_bound(params),
        )
        self.close_spans(closed)
        run.retry_key, run.attempt = retry_key, attempt
        detail = ChatDetail(operation, model, provider, stage)
        run.detail = detail
        span = run.span
        assert span is not None
        if self.sections is not None:
            # No exemplars on the six context-window points of every call: the duration and token
            # points of the same call already link to its span, and exemplars are the costliest
            # part of recording a point.
            with self.without_exemplars():
                self.sections.measure(
                    model,
                    messages,
                    params.get("tools"),
                    session_key=run.graph.session_key if run.graph else None,
                    span=span,
                    attributes={sc.GEN_AI_REQUEST_MODEL: model},
                )
        if self.content is not None:
            spec = to_spec_messages(messages, self.content.limit)
            if self.config.capture.on_span:
                span.set_attribute(sc.GEN_AI_INPUT_MESSAGES, self.content.messages(spec))
            if self.config.capture.on_event:
                detail.input_messages = spec
        self.activate(run)

    def llm_start(
        self,
        serialized: Mapping[str, Any] | None,
        prompts: Sequence[str],
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
    ) -> None:
        messages = [HumanMessage(content=p) for p in prompts[:1]]
        self.chat_start(serialized, messages, run_id, parent_run_id, tags, metadata, kwargs, sc.OP_TEXT_COMPLETION)

    def new_token(self, run_id: UUID) -> None:
        run = self.tree.get(run_id)
        if run is not None and isinstance(run.detail, ChatDetail) and run.detail.first_chunk is None:
            run.detail.first_chunk = time.perf_counter()

    def chat_end(self, response: LLMResult, run_id: UUID) -> None:
        run = self._finish_leaf(run_id, ChatDetail)
        if run is None or run.span is None or not isinstance(run.detail, ChatDetail):
            return
        detail, span = run.detail, run.span
        resp = read_response(response)
        attrs: dict[str, AttributeValue] = {}
        if resp.response_id:
            attrs[sc.GEN_AI_RESPONSE_ID] = resp.response_id
        if resp.response_model:
            attrs[sc.GEN_AI_RESPONSE_MODEL] = resp.response_model
        if resp.finish_reasons:
            attrs[sc.GEN_AI_RESPONSE_FINISH_REASONS] = list(resp.finish_reasons)
        cost_usd: float | None = None
        if resp.usage is not None:
            attrs.update(usage_attributes(resp.usage))
            cost = compute_cost(resp.response_model or detail.model, resp.usage, self.catalogue)
            if cost is None and resp.response_model:
                cost = compute_cost(detail.model, resp.usage, self.catalogue)
            if cost is not None:
                cost_usd = cost.total_usd
                attrs[sc.OBS_GEN_AI_USAGE_COST] = round(cost_usd, 10)
        ttfc = detail.first_chunk - detail.t0 if detail.first_chunk is not None else None
        if ttfc is not None:
            attrs[sc.GEN_AI_REQUEST_STREAM] = True
            attrs[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = round(ttfc, 6)
        if self.content is not None and self.config.capture.on_span:
            outputs = output_messages(resp.messages, resp.finish_reasons, self.content.limit)
            attrs[sc.GEN_AI_OUTPUT_MESSAGES] = self.content.messages(outputs)
        span.set_attributes(attrs)
        with self.within(span):
            self.metrics.record_model_call(
                self._metric_attributes(detail, resp.response_model),
                duration_s=time.perf_counter() - detail.t0,
                input_tokens=resp.usage.input_tokens if resp.usage else None,
                output_tokens=resp.usage.output_tokens if resp.usage else None,
                cost_usd=cost_usd,
                stage=detail.stage,
                finish_reasons=resp.finish_reasons,
                time_to_first_chunk_s=ttfc,
            )
        if resp.usage is not None:
            self.tree.add_usage(run.graph, resp.usage.input_tokens, resp.usage.output_tokens, cost_usd)
        if run.retry_key is not None:
            self.tree.clear_failure(run, run.retry_key)
        if self.events is not None:
            self._emit_details(run, detail, resp, attrs)
        span.end()

    def chat_error(self, error: BaseException, run_id: UUID) -> None:
        run = self._finish_leaf(run_id, ChatDetail)
        if run is None or run.span is None or not isinstance(run.detail, ChatDetail):
            return
        detail = run.detail
        if classify(error) is Outcome.ERROR:
            mark_error(run.span, error)
            if run.retry_key is not None:
                self.tree.note_failure(run, run.retry_key, error_type(error))
            attrs = {**self._metric_attributes(detail, None), sc.ERROR_TYPE: error_type(error)}
            with self.within(run.span):
                self.metrics.record_model_call(attrs, duration_s=time.perf_counter() - detail.t0, stage=detail.stage)
        run.span.end()

    @staticmethod
    def _metric_attributes(detail: ChatDetail, response_model: str | None) -> dict[str, AttributeValue]:
        attrs: dict[str, AttributeValue] = {
            sc.GEN_AI_OPERATION_NAME: detail.operation,
            sc.GEN_AI_PROVIDER_NAME: detail.provider,
            sc.GEN_AI_REQUEST_MODEL: detail.model,
        }
        if response_model:
            attrs[sc.GEN_AI_RESPONSE_MODEL] = response_model
        return attrs

    def _emit_details(self, run: Run, detail: ChatDetail, resp: ChatResponse, attrs: Mapping[str, Any]) -> None:
        assert self.events is not None
        assert self.content is not None
        assert run.span is not None
        event: dict[str, Any] = {
            sc.GEN_AI_OPERATION_NAME: detail.operation,
            sc.GEN_AI_PROVIDER_NAME: detail.provider,
            sc.GEN_AI_REQUEST_MODEL: detail.model,
            **{k: v for k, v in attrs.items() if k not in (sc.GEN_AI_OUTPUT_MESSAGES,)},
        }
        if detail.input_messages is not None:
            event[sc.GEN_AI_INPUT_MESSAGES] = json.loads(self.content.messages(detail.input_messages))
        outputs = output_messages(resp.messages, resp.finish_reasons, self.content.limit)
        event[sc.GEN_AI_OUTPUT_MESSAGES] = json.loads(self.content.messages(outputs))
        self.events.emit(
            LogRecord(
                event_name=sc.EVENT_INFERENCE_DETAILS,
                attributes=event,
                context=trace.set_span_in_context(run.span),
            )
        )

    def _retry(
        self, parent_run_id: UUID | None, key: tuple[str, str] | None, attrs: dict[str, AttributeValue]
    ) -> tuple[int, str | None]:
        parent = self.tree.get(parent_run_id)
        failure = self.tree.pending_failure(parent, key) if parent is not None and key is not None else None
        if failure is None:
            return 1, None
        attrs[sc.OBS_RETRY_ATTEMPT] = failure.attempt + 1
        attrs[sc.OBS_RETRY_REASON] = failure.reason
        return failure.attempt + 1, failure.reason

    def _finish_leaf(self, run_id: UUID, detail_type: type | None) -> Run | None:
        """Forget a leaf run; a run without the expected detail (a mangled sequence) just has its span ended."""
        run, closed, orphans = self.tree.finish(run_id)
        if run is None:
            return None
        self.release(run)
        self.close_spans(closed)
        self.sweep(orphans)
        if detail_type is not None and not isinstance(run.detail, detail_type) and run.span is not None:
            run.span.end()
            return None
        return run

    # --- tools ---------------------------------------------------------------------------

    def tool_start(
        self,
        serialized: Mapping[str, Any] | None,
        input_str: str,
        run_id: UUID,
        parent_run_id: UUID | None,
        kwargs: Mapping[str, Any],
    ) -> None:
        name = str((serialized or {}).get("name") or kwargs.get("name") or "tool")
        attrs: dict[str, AttributeValue] = {
            sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL,
            sc.GEN_AI_TOOL_NAME: name,
            sc.GEN_AI_TOOL_TYPE: "function",
        }
        call_id = kwargs.get("tool_call_id")
        if call_id:
            attrs[sc.GEN_AI_TOOL_CALL_ID] = str(call_id)
        key = ("tool", name)
        attempt, reason = self._retry(parent_run_id, key, attrs)
        if reason is not None:
            self.retry_metric(reason, {sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL, sc.GEN_AI_TOOL_NAME: name})
        if self.content is not None and self.config.capture.on_span:
            inputs = kwargs.get("inputs")
            attrs[sc.GEN_AI_TOOL_CALL_ARGUMENTS] = self.content.value(inputs if inputs is not None else input_str)
        run, closed = self.tree.start_leaf(
            Kind.TOOL, run_id, parent_run_id, name, f"{sc.OP_EXECUTE_TOOL} {name}", SpanKind.INTERNAL, attrs
        )
        self.close_spans(closed)
        run.retry_key, run.attempt = key, attempt
        run.detail = ToolDetail(name)
        self.activate(run)

    def tool_end(self, output: Any, run_id: UUID) -> None:
        run = self._finish_leaf(run_id, ToolDetail)
        if run is None or run.span is None or not isinstance(run.detail, ToolDetail):
            return
        span, metric = run.span, self._tool_metric(run.detail)
        if isinstance(output, ToolMessage) and output.status == "error":
            # The tool reported failure as its result (handle_tool_error): an error for the agent all the same.
            span.set_attribute(sc.ERROR_TYPE, "tool_error")
            span.set_status(trace.Status(trace.StatusCode.ERROR, "tool returned an error result"))
            metric[sc.ERROR_TYPE] = "tool_error"
            if run.retry_key is not None:
                self.tree.note_failure(run, run.retry_key, "tool_error")
        elif run.retry_key is not None:
            self.tree.clear_failure(run, run.retry_key)
        if self.content is not None and self.config.capture.on_span:
            span.set_attribute(sc.GEN_AI_TOOL_CALL_RESULT, self.content.value(tool_result_text(output)))
        with self.within(span):
            self.metrics.record_tool(time.perf_counter() - run.detail.t0, metric)
        span.end()

    def tool_error(self, error: BaseException, run_id: UUID) -> None:
        run = self._finish_leaf(run_id, ToolDetail)
        if run is None or run.span is None or not isinstance(run.detail, ToolDetail):
            return
        if classify(error) is Outcome.ERROR:
            mark_error(run.span, error)
            if run.retry_key is not None:
                self.tree.note_failure(run, run.retry_key, error_type(error))
            metric = {**self._tool_metric(run.detail), sc.ERROR_TYPE: error_type(error)}
            with self.within(run.span):
                self.metrics.record_tool(time.perf_counter() - run.detail.t0, metric)
        run.span.end()

    @staticmethod
    def _tool_metric(detail: ToolDetail) -> dict[str, AttributeValue]:
        return {sc.GEN_AI_OPERATION_NAME: sc.OP_EXECUTE_TOOL, sc.GEN_AI_TOOL_NAME: detail.name}

    # --- retrievers ----------------------------------------------------------------------

    def retriever_start(
        self,
        serialized: Mapping[str, Any] | None,
        run_id: UUID,
        parent_run_id: UUID | None,
        kwargs: Mapping[str, Any],
    ) -> None:
        name = run_name(serialized, kwargs, "retriever")
        attrs: dict[str, AttributeValue] = {sc.GEN_AI_OPERATION_NAME: sc.OP_RETRIEVAL, sc.GEN_AI_DATA_SOURCE_ID: name}
        run, closed = self.tree.start_leaf(
            Kind.RETRIEVER, run_id, parent_run_id, name, f"{sc.OP_RETRIEVAL} {name}", SpanKind.INTERNAL, attrs
        )
        self.close_spans(closed)
        self.activate(run)

    def retriever_end(self, error: BaseException | None, run_id: UUID) -> None:
        run = self._finish_leaf(run_id, None)
        if run is None or run.span is None:
            return
        if error is not None and classify(error) is Outcome.ERROR:
            mark_error(run.span, error)
        run.span.end()
