"""``ObsCallbackHandler``: one LangChain callback handler that traces a whole LangGraph run.

Add it to a run's config (``config={"callbacks": [ObsCallbackHandler()]}``) or
let :class:`LangChainInstrumentor` add it to every run. Each callback runs its
work under obs-core's guard, so a bug in obs is counted and logged, never
raised into the graph. The handler runs inline (``run_inline = True``): async
runs then call it in the runner's own task, in callback order, which is what
keeps spans of concurrent runs apart and lets the bare handler make its spans
current for the code LangChain runs next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, GenerationChunk, LLMResult
from obs_core import ContextWindowMonitor, ModelCatalogue, Redactor, internal_guard
from opentelemetry import _logs, metrics, trace
from opentelemetry import context as otel_context

from ._chains import Chains
from ._config import LangGraphConfig
from ._guard import guarded_value
from ._leaves import Leaves
from ._state import Kind


class _Recorder(Chains, Leaves):
    """Chains and leaves share one :class:`Core` (tree, instruments, config).

    End and error callbacks are routed by what the run *is*, not by which
    callback arrived, so a mismatched or replayed callback still ends the span.
    """

    def end(self, run_id: UUID, output: Any) -> None:
        run = self.tree.get(run_id)
        if run is None:
            return
        if run.kind is Kind.CHAT:
            self.chat_end(output if isinstance(output, LLMResult) else LLMResult(generations=[]), run_id)
        elif run.kind is Kind.TOOL:
            self.tool_end(output, run_id)
        elif run.kind is Kind.RETRIEVER:
            self.retriever_end(None, run_id)
        else:
            self.chain_end(output, run_id)

    def fail(self, run_id: UUID, error: BaseException) -> None:
        run = self.tree.get(run_id)
        if run is None:
            return
        if run.kind is Kind.CHAT:
            self.chat_error(error, run_id)
        elif run.kind is Kind.TOOL:
            self.tool_error(error, run_id)
        elif run.kind is Kind.RETRIEVER:
            self.retriever_end(error, run_id)
        else:
            self.chain_error(error, run_id)


class ObsCallbackHandler(BaseCallbackHandler):
    """Traces LangChain / LangGraph runs as GenAI spans, iteration spans and metrics.

    Providers default to the global ones; pass ``tracer_provider`` /
    ``meter_provider`` / ``logger_provider`` to use others (tests, multi-tenant
    apps). ``config`` defaults to :meth:`LangGraphConfig.from_env`.
    """

    run_inline = True
    raise_error = False

    def __init__(
        self,
        *,
        config: LangGraphConfig | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        logger_provider: _logs.LoggerProvider | None = None,
        catalogue: ModelCatalogue | None = None,
        redactor: Redactor | None = None,
        context_monitor: ContextWindowMonitor | None = None,
        propagate_context: bool = True,
    ) -> None:
        """``propagate_context=False`` leaves OTel's current span alone (the instrumentor propagates instead)."""
        super().__init__()
        self.config = config or LangGraphConfig.from_env()
        self._recorder = _Recorder(
            self.config,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            logger_provider=logger_provider,
            catalogue=catalogue,
            redactor=redactor,
            context_monitor=context_monitor,
            attach_in_callbacks=propagate_context,
        )

    @property
    def live_runs(self) -> int:
        """Runs started and not yet ended (0 between runs: nothing is kept after a run)."""
        return len(self._recorder.tree)

    def context_for(self, run_id: UUID | None) -> otel_context.Context | None:
        """The OTel context code running inside ``run_id`` should have (its span, iteration or agent)."""
        return guarded_value("langgraph.context_for", lambda: self._recorder.context_for(run_id))

    # --- chains ----------------------------------------------------------------------------

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: dict[str, Any] | Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.chain_start"):
            self._recorder.end_duplicate(run_id)
            self._recorder.chain_start(serialized, run_id, parent_run_id, tags, metadata, kwargs)

    def on_chain_end(self, outputs: dict[str, Any] | Any, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.chain_end"):
            self._recorder.end(run_id, outputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.chain_error"):
            self._recorder.fail(run_id, error)

    # --- models ----------------------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.chat_start"):
            first: Sequence[BaseMessage] = messages[0] if messages else []
            self._recorder.end_duplicate(run_id)
            self._recorder.chat_start(serialized, first, run_id, parent_run_id, tags, metadata, kwargs)

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.llm_start"):
            self._recorder.end_duplicate(run_id)
            self._recorder.llm_start(serialized, prompts, run_id, parent_run_id, tags, metadata, kwargs)

    def on_llm_new_token(
        self,
        token: str | list[str | dict[str, Any]],
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.new_token"):
            self._recorder.new_token(run_id)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.llm_end"):
            self._recorder.end(run_id, response)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.llm_error"):
            self._recorder.fail(run_id, error)

    # --- tools -----------------------------------------------------------------------------

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.tool_start"):
            self._recorder.end_duplicate(run_id)
            self._recorder.tool_start(serialized, input_str, run_id, parent_run_id, kwargs)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.tool_end"):
            self._recorder.end(run_id, output)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.tool_error"):
            self._recorder.fail(run_id, error)

    # --- retrievers ------------------------------------------------------------------------

    def on_retriever_start(
        self,
        serialized: dict[str, Any],
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        with internal_guard("langgraph.retriever_start"):
            self._recorder.end_duplicate(run_id)
            self._recorder.retriever_start(serialized, run_id, parent_run_id, kwargs)

    def on_retriever_end(self, documents: Sequence[Document], *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.retriever_end"):
            self._recorder.end(run_id, documents)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with internal_guard("langgraph.retriever_error"):
            self._recorder.fail(run_id, error)
