"""obs-core: the framework-neutral heart of obs.

``configure()`` sets up traces, metrics and logs (embedded store by default,
OTLP by the standard env vars); the rest is what every plugin shares: telemetry
names (``obs_core.semconv``), the internal-error guard, offline token counting,
prices and context windows, prompt hashing, content-capture rules and the GenAI
metric instruments.
"""

from ._catalogue import ModelCatalogue, ModelInfo, normalise_model_name
from ._content import CaptureMode, capture_mode, max_content_chars, truncate
from ._context_window import ContextWindowMonitor, ContextWindowReport, section_attribute
from ._guard import guarded, internal_error_counts, internal_guard, set_guard_raises
from ._instruments import GenAIMetrics, deployment_environment
from ._pricing import Cost, Usage, compute_cost
from ._prompts import normalise_prompt, prompt_hash
from ._redact import Pattern, RedactionOptions, RedactionResult, Redactor, default_redactor
from ._setup import ObsRuntime, configure, get_runtime
from ._tokens import TokenCount, count_tokens, encoding_for_model

__all__ = [
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
