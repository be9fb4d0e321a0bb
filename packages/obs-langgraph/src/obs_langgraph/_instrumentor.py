"""``LangChainInstrumentor``: trace every LangChain / LangGraph run in the process, and undo it.

Two pieces, both removed by :meth:`LangChainInstrumentor.uninstrument`:

* the handler joins every run through LangChain's own configure hook
  (``register_configure_hook``), which adds it to each callback manager that
  does not already carry an :class:`ObsCallbackHandler` — so an app that also
  passes the handler explicitly is traced once, not twice;
* context boundaries (see ``_propagation``) make spans created inside tools,
  nodes and model calls children of ours without attaching anything in a
  callback.

It is also the ``opentelemetry_instrumentor`` entry point: ``opentelemetry-instrument``
calls ``LangChainInstrumentor().instrument(skip_dep_check=True)``. Like the
contrib instrumentors, all instances share one installation, so
``LangChainInstrumentor().uninstrument()`` undoes what another instance did.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from opentelemetry import context as otel_context

from ._config import LangGraphConfig
from ._handler import ObsCallbackHandler
from ._propagation import Boundaries

_log = logging.getLogger("obs.langgraph")

_INSTRUMENTS = ("langchain-core >= 1.0",)


class _HandlerSlot:
    """What langchain-core's configure hook reads: a process-wide value, not a per-context one.

    The hook API expects a ``ContextVar``, but a context variable set at
    ``instrument()`` time would be invisible in threads started afterwards
    (each starts with an empty context); the hook only ever calls ``.get()``.
    """

    def __init__(self) -> None:
        self.handler: ObsCallbackHandler | None = None

    def get(self, default: Any = None) -> ObsCallbackHandler | None:
        return self.handler


def _find_context(handlers: Iterable[Any], run_id: UUID | None) -> otel_context.Context | None:
    for handler in handlers:
        if isinstance(handler, ObsCallbackHandler):
            found = handler.context_for(run_id)
            if found is not None:
                return found
    return None


@dataclass(slots=True)
class _Installation:
    handler: ObsCallbackHandler
    slot: _HandlerSlot
    hook: tuple[Any, ...]
    boundaries: Boundaries


class LangChainInstrumentor:
    """Instrument LangChain / LangGraph process-wide; ``uninstrument()`` restores everything."""

    _installation: _Installation | None = None
    _lock = threading.Lock()

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    @property
    def is_instrumented(self) -> bool:
        return LangChainInstrumentor._installation is not None

    @property
    def handler(self) -> ObsCallbackHandler | None:
        """The handler added to every run while instrumented."""
        installation = LangChainInstrumentor._installation
        return installation.handler if installation is not None else None

    def instrument(self, **kwargs: Any) -> None:
        """Start tracing. Keywords: ``tracer_provider``, ``meter_provider``, ``logger_provider``, ``config``.

        Other keywords (``skip_dep_check`` from ``opentelemetry-instrument``) are accepted and ignored.
        """
        from langchain_core.tracers.context import register_configure_hook

        with LangChainInstrumentor._lock:
            if LangChainInstrumentor._installation is not None:
                _log.debug("obs: LangChain is already instrumented; instrument() ignored")
                return
            config = kwargs.get("config")
            handler = ObsCallbackHandler(
                config=config if isinstance(config, LangGraphConfig) else None,
                tracer_provider=kwargs.get("tracer_provider"),
                meter_provider=kwargs.get("meter_provider"),
                logger_provider=kwargs.get("logger_provider"),
                propagate_context=False,
            )
            slot = _HandlerSlot()
            slot.handler = handler
            register_configure_hook(cast(ContextVar[Any], slot), True, ObsCallbackHandler)
            hook = _registered_hook(slot)
            boundaries = Boundaries(_find_context)
            boundaries.apply()
            LangChainInstrumentor._installation = _Installation(handler, slot, hook, boundaries)

    def uninstrument(self, **kwargs: Any) -> None:
        """Stop tracing new runs and undo every patch; runs already in flight still end their spans."""
        with LangChainInstrumentor._lock:
            installation = LangChainInstrumentor._installation
            if installation is None:
                return
            LangChainInstrumentor._installation = None
            installation.slot.handler = None
            installation.boundaries.remove()
            from langchain_core.tracers import context as tracer_context

            hooks = tracer_context._configure_hooks
            if installation.hook in hooks:
                hooks.remove(cast(Any, installation.hook))


def _registered_hook(slot: _HandlerSlot) -> tuple[Any, ...]:
    from langchain_core.tracers import context as tracer_context

    target: Any = slot
    for hook in tracer_context._configure_hooks:
        if hook[0] is target:
            return tuple(hook)
    return ()
