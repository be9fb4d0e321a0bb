"""Lazy package facades (PEP 562): ``obs --help`` should not pay for the OpenTelemetry SDK.

``import obs_core.cli`` (or ``obs_core.semconv``) first runs ``obs_core/__init__``;
an eager facade there imports the SDK, tiktoken and the model catalogue, which
cost the CLI more than everything it does to print its help. A facade built
with :func:`lazy_exports` imports a name's module on first use; type checkers
read the ``TYPE_CHECKING`` imports beside it. (obs-coding keeps its own copy:
its hook process must not import obs_core at all.)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a facade mapping public names to (relative) module names."""

    def __getattr__(name: str) -> object:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
