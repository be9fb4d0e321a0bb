"""Immutable value classes without ``dataclasses``.

The Claude Code hook process builds edits, hunks and check results on every
tool call, and importing ``dataclasses`` (which imports ``inspect``, ``ast``,
``dis`` and ``tokenize``) costs it more than the rest of its work. A
:class:`Value` subclass lists its fields in ``__slots__``, sets them once in
``__init__`` through :meth:`Value._init`, and gets equality, hashing and a repr
over those fields, like a frozen dataclass.
"""

from __future__ import annotations


class Value:
    """Base of immutable ``__slots__`` values; fields in ``_compared`` take part in ==, hash and repr."""

    __slots__: tuple[str, ...] = ()
    _compared: tuple[str, ...] = ()

    def _init(self, **fields: object) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable (cannot set {name!r})")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Value) and type(other) is type(self) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._compared)
        return f"{type(self).__name__}({shown})"
