"""Making spans that user code creates inside a tool, node or model call nest under ours.

LangChain runs each tool body, node body and sequence step in a *copied*
``contextvars`` context (``set_config_context``), and model calls inside
``_generate_with_cache``. Two ways to put our span in those contexts:

* **Boundaries** (the instrumentor): replace ``set_config_context`` in the
  modules that call it and wrap ``_generate_with_cache`` so our span is
  attached *inside* the copied context, or around the call in the same frame.
  Nothing is ever attached in a callback, so nothing needs detaching in one.

* **Callbacks** (a bare :class:`ObsCallbackHandler`, which may not patch
  anything): attach in the start callback, which LangChain calls inline in the
  runner's frame just before it copies the context, and detach in the end
  callback *only when provably in the same context*. A private context
  variable is set beside the attach; resetting its token fails unless we are
  in the very ``Context`` that set it, so a mismatched end (a generator closed
  elsewhere, an executor hop) is skipped silently instead of raising "Failed
  to detach context" or detaching someone else's span. Root runs are never
  attached, so the application's own context is never left holding our span.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span

from ._guard import guarded_value

_PROBE: ContextVar[bool] = ContextVar("obs_langgraph_activation_probe", default=False)

FindContext = Callable[[Iterable[Any], UUID | None], otel_context.Context | None]
"""Given a callback manager's handlers and a run id, the OTel context of that run (or None)."""


@dataclass(slots=True)
class Activation:
    """One attach done in a start callback, with the proof of which context it happened in."""

    probe: Token[bool]
    token: Token[otel_context.Context]
    context: otel_context.Context


def activate(span: Span) -> Activation:
    """Make ``span`` current in the caller's context (callbacks mode)."""
    ctx = trace.set_span_in_context(span)
    probe = _PROBE.set(True)
    return Activation(probe, otel_context.attach(ctx), ctx)


def deactivate(activation: Activation) -> None:
    """Undo :func:`activate` when still in its context and still on top; otherwise leave things be."""
    try:
        _PROBE.reset(activation.probe)
    except (ValueError, RuntimeError):
        return  # another context, or already undone: nothing of ours is current here
    if otel_context.get_current() is activation.context:
        otel_context.detach(activation.token)


_CONFIG_CONTEXT_MODULES = (
    "langchain_core.tools.base",
    "langchain_core.runnables.base",
    "langchain_core.runnables.fallbacks",
    "langgraph._internal._runnable",
)
"""Modules that bind ``set_config_context`` by name at import and run child bodies inside it."""


class Boundaries:
    """The instrumentor's patches; every one is undone by :meth:`remove`."""

    def __init__(self, find: FindContext) -> None:
        self._find = find
        self._patched: list[tuple[Any, str, Any, Any]] = []
        self.enabled = False

    def apply(self) -> None:
        self.enabled = True
        for name in _CONFIG_CONTEXT_MODULES:
            try:
                module = importlib.import_module(name)
                original = module.set_config_context
            except (ImportError, AttributeError):
                continue
            self._set(module, "set_config_context", self._config_context(original), original)
        from langchain_core.language_models.chat_models import BaseChatModel

        self._set(
            BaseChatModel,
            "_generate_with_cache",
            self._generate(BaseChatModel._generate_with_cache),
            BaseChatModel.__dict__["_generate_with_cache"],
        )
        self._set(
            BaseChatModel,
            "_agenerate_with_cache",
            self._agenerate(BaseChatModel._agenerate_with_cache),
            BaseChatModel.__dict__["_agenerate_with_cache"],
        )

    def remove(self) -> None:
        self.enabled = False
        for owner, attr, patched, original in reversed(self._patched):
            # Someone wrapped on top of us: leave their wrapper; ours is a pass-through once disabled.
            if getattr(owner, attr, None) is patched or owner.__dict__.get(attr) is patched:
                setattr(owner, attr, original)
        self._patched.clear()

    def _set(self, owner: Any, attr: str, patched: Any, original: Any) -> None:
        setattr(owner, attr, patched)
        self._patched.append((owner, attr, patched, original))

    def _context_for(self, manager: Any, run_id: UUID | None) -> otel_context.Context | None:
        if not self.enabled or manager is None:
            return None
        return guarded_value("langgraph.propagation", lambda: self._find(getattr(manager, "handlers", ()), run_id))

    def _config_context(self, original: Callable[..., Any]) -> Callable[..., Any]:
        boundaries = self

        @contextlib.contextmanager
        def set_config_context(config: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            with original(config, *args, **kwargs) as ctx:
                callbacks = config.get("callbacks") if isinstance(config, dict) else None
                parent = boundaries._context_for(callbacks, getattr(callbacks, "parent_run_id", None))
                if parent is not None:
                    # ctx is a fresh copy used for this child body only and dropped after,
                    # so the attach needs no detach (and tasks created in it got their own copy).
                    ctx.run(otel_context.attach, parent)
                yield ctx

        set_config_context.__wrapped__ = original  # type: ignore[attr-defined]
        return set_config_context

    def _generate(self, original: Callable[..., Any]) -> Callable[..., Any]:
        boundaries = self

        def _generate_with_cache(
            model: Any, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> Any:
            ctx = boundaries._context_for(run_manager, getattr(run_manager, "run_id", None))
            if ctx is None:
                return original(model, messages, stop, run_manager, **kwargs)
            token = otel_context.attach(ctx)
            try:
                return original(model, messages, stop, run_manager, **kwargs)
            finally:
                otel_context.detach(token)

        _generate_with_cache.__wrapped__ = original  # type: ignore[attr-defined]
        return _generate_with_cache

    def _agenerate(self, original: Callable[..., Any]) -> Callable[..., Any]:
        boundaries = self

        async def _agenerate_with_cache(
            model: Any, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> Any:
            ctx = boundaries._context_for(run_manager, getattr(run_manager, "run_id", None))
            if ctx is None:
                return await original(model, messages, stop, run_manager, **kwargs)
            token = otel_context.attach(ctx)
            try:
                return await original(model, messages, stop, run_manager, **kwargs)
            finally:
                otel_context.detach(token)

        _agenerate_with_cache.__wrapped__ = original  # type: ignore[attr-defined]
        return _agenerate_with_cache
