"""Every package facade's ``__all__`` resolves, including the lazy ones (names imported on first use)."""

from __future__ import annotations

import importlib

import pytest

FACADES = [
    "obs_core",
    "obs_core.store",
    "obs_core.semconv",
    "obs_core.sampling",
    "obs_core.signals",
    "obs_core.cli",
    "obs_coding",
    "obs_coding.harvest",
    "obs_coding.model",
    "obs_coding.ledger",
    "obs_coding.recorder",
    "obs_coding.hooks",
]


@pytest.mark.parametrize("name", FACADES)
def test_every_listed_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    for public in module.__all__:
        assert getattr(module, public) is not None, public
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError):
        _ = module.no_such_name
