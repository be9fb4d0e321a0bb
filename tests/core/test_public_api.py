"""obs-core's public surface: facades list what they export, and lazy facades resolve every name they list."""

from __future__ import annotations

import importlib

import obs_core
import pytest

FACADES = ["obs_core", "obs_core.store", "obs_core.semconv", "obs_core.sampling", "obs_core.signals", "obs_core.cli"]


def test_top_level_api() -> None:
    assert obs_core.__all__ == [
        "CaptureMode",
        "ContextWindowMonitor",
        "ContextWindowReport",
        "Cost",
        "GenAIMetrics",
        "ModelCatalogue",
        "ModelInfo",
        "ObsRuntime",
        "Pattern",
        "RedactionOptions",
        "RedactionResult",
        "Redactor",
        "TokenCount",
        "Usage",
        "capture_mode",
        "compute_cost",
        "configure",
        "count_tokens",
        "default_redactor",
        "deployment_environment",
        "encoding_for_model",
        "get_runtime",
        "guarded",
        "internal_error_counts",
        "internal_guard",
        "max_content_chars",
        "normalise_model_name",
        "normalise_prompt",
        "prompt_hash",
        "section_attribute",
        "set_guard_raises",
        "truncate",
    ]


@pytest.mark.parametrize("name", FACADES)
def test_every_listed_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    for public in module.__all__:
        assert getattr(module, public) is not None, public
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError):
        _ = module.no_such_name
