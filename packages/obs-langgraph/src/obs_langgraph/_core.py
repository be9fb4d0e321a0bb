"""Shared machinery of the recorder: providers, instruments, span endings, error meaning.

LangGraph uses exceptions for control flow: ``GraphInterrupt`` pauses a run
for a human, ``ParentCommand`` hands control to the parent graph, and a
consumer that stops reading a stream closes it with ``GeneratorExit``. None of
these is a failure, so :func:`classify` keeps them out of error statuses,
error metrics and retry counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID

from langgraph.errors import GraphBubbleUp, GraphInterrupt
from obs_core import (
    ContextWindowMonitor,
    GenAIMetrics,
    ModelCatalogue,
    ModelInfo,
    Redactor,
    default_redactor,
    prompt_hash,
)
from obs_core import semconv as sc
from opentelemetry import _logs, metrics, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from ._config import LangGraphConfig
from ._content import ContentRecorder
from ._propagation import activate, deactivate
from ._sections import SectionCounter
from ._state import Run
from ._tree import RunTree

SCOPE = "obs.langgraph"
_STATUS_MESSAGE_CHARS = 256


class Outcome(enum.Enum):
    COMPLETED = "completed"
    ERROR = "error"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"
    HANDED_OFF = "handed_off"
    """A ``Command``/``ParentCommand`` bubbling to the parent graph: control flow, not failure."""


def classify(error: BaseException) -> Outcome:
    if isinstance(error, GraphInterrupt):
        return Outcome.INTERRUPTED
    if isinstance(error, GraphBubbleUp):
        return Outcome.HANDED_OFF
    if isinstance(error, (GeneratorExit, asyncio.CancelledError, KeyboardInterrupt)):
        return Outcome.CANCELLED
    return Outcome.ERROR


def error_type(error: BaseException) -> str:
    return type(error).__qualname__


def mark_error(span: Span, error: BaseException) -> None:
    span.set_attribute(sc.ERROR_TYPE, error_type(error))
    span.set_status(Status(StatusCode.ERROR, str(error)[:_STATUS_MESSAGE_CHARS]))


class MemoCatalogue(ModelCatalogue):
    """The catalogue with lookups remembered per model string: every call of a run asks for the same
    model several times (provider, price, window), and a lookup normalises the name with regexes."""

    def __init__(self, inner: ModelCatalogue, max_models: int = 256) -> None:
        super().__init__({}, inner.as_of)
        self._inner = inner
        self._memo: dict[str, ModelInfo | None] = {}
        self._max = max_models

    def lookup(self, model: str | None) -> ModelInfo | None:
        if not model:
            return None
        if model in self._memo:
            try:
                return self._memo[model]
            except KeyError:  # cleared by another thread in between
                pass
        info = self._inner.lookup(model)
        if len(self._memo) >= self._max:
            self._memo.clear()
        self._memo[model] = info
        return info

    def __len__(self) -> int:
        return len(self._inner)


class Core:
    """State every part of the recorder shares; built once per handler."""

    def __init__(
        self,
        config: LangGraphConfig,
        *,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
        logger_provider: _logs.LoggerProvider | None,
        catalogue: ModelCatalogue | None,
        redactor: Redactor | None,
        context_monitor: ContextWindowMonitor | None,
        attach_in_callbacks: bool,
    ) -> None:
        self.config = config
        self.tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer(SCOPE)
        self.metrics = GenAIMetrics(meter_provider, scope=SCOPE)
        self.catalogue: ModelCatalogue = MemoCatalogue(catalogue or ModelCatalogue.shipped())
        self.tree = RunTree(self.tracer, config)
        self.attach_in_callbacks = attach_in_callbacks
        self.sections: SectionCounter | None = None
        if config.context_accounting:
            monitor = context_monitor or ContextWindowMonitor(
                config.context_threshold,
                meter_provider=meter_provider,
                catalogue=self.catalogue,
                section_metrics=config.context_section_metrics,
            )
            self.sections = SectionCounter(monitor)
        self.content: ContentRecorder | None = None
        self.events: _logs.Logger | None = None
        if config.capture.on_span or config.capture.on_event:
            scrubber = redactor or (Redactor(meter_provider=meter_provider) if meter_provider else default_redactor())
            self.content = ContentRecorder(scrubber if config.redact else None, config.max_content_chars)
        if config.capture.on_event:
            self.events = (logger_provider or _logs.get_logger_provider()).get_logger(SCOPE)
        self._prompt_hashes: dict[tuple[int, int], str] = {}
        self._memo_lock = threading.Lock()

    # --- small shared helpers ------------------------------------------------------------

    def prompt_hash(self, text: str) -> str:
        """Hash of a system prompt, memoised by length and hash (long prompts repeat every turn)."""
        key = (len(text), hash(text))
        cached = self._prompt_hashes.get(key)
        if cached is None:
            cached = prompt_hash(text)
            with self._memo_lock:
                if len(self._prompt_hashes) >= 1024:
                    del self._prompt_hashes[next(iter(self._prompt_hashes))]
                self._prompt_hashes[key] = cached
        return cached

    def user_hash(self, user_id: Any) -> str:
        digest = hashlib.sha256(f"{self.config.user_hash_salt}\x00{user_id}".encode())
        return digest.hexdigest()[:16]

    def stage(self, metadata: Mapping[str, Any], tags: list[str] | None) -> str | None:
        key = self.config.stage_key
        value = metadata.get(key)
        if value:
            return str(value)
        prefix = f"{key}:"
        for tag in tags or ():
            if tag.startswith(prefix):
                return tag[len(prefix) :]
        node = metadata.get("langgraph_node")
        return str(node) if node else None

    def retry_metric(self, reason: str, attributes: Mapping[str, AttributeValue]) -> None:
        self.metrics.record_retry(reason, attributes)

    def activate(self, run: Run) -> None:
        """Callbacks mode: make the run's span current for the body LangChain is about to run."""
        if not self.attach_in_callbacks:
            return
        span = run.context_span()
        if span is not None:
            run.activation = activate(span)

    def release(self, run: Run) -> None:
        if run.activation is not None:
            deactivate(run.activation)
            run.activation = None

    def context_for(self, run_id: UUID | None) -> otel_context.Context | None:
        run = self.tree.get(run_id)
        span = run.context_span() if run is not None else None
        return trace.set_span_in_context(span) if span is not None else None

    @staticmethod
    @contextlib.contextmanager
    def within(span: Span) -> Iterator[None]:
        """Make ``span`` current while recording its metrics, so exemplars point at it (same-frame attach)."""
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            yield
        finally:
            otel_context.detach(token)

    @staticmethod
    @contextlib.contextmanager
    def without_exemplars() -> Iterator[None]:
        """An empty current context: metric points recorded inside carry no exemplar."""
        token = otel_context.attach(otel_context.Context())
        try:
            yield
        finally:
            otel_context.detach(token)

    def close_spans(self, spans: list[Span]) -> None:
        for span in spans:
            span.end()

    def end_duplicate(self, run_id: UUID) -> None:
        """A start for a run id that is still live: close the old run first so its span cannot leak."""
        if self.tree.get(run_id) is None:
            return
        run, closed, orphans = self.tree.finish(run_id)
        self.close_spans(closed)
        self.sweep(orphans)
        if run is not None:
            self.sweep([run])

    def sweep(self, orphans: list[Run]) -> None:
        """End spans of runs whose end callback never came (their root has ended)."""
        for run in orphans:
            self.release(run)
            if run.span is not None:
                run.span.end()


def elapsed_s(run: Run) -> float:
    return max(0.0, (time.time_ns() - run.start_ns) / 1e9)
