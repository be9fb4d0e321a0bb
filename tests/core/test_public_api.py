"""obs-core's public surface: facades list what they export, and lazy facades resolve every name they list."""

from __future__ import annotations

import obs_core


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
