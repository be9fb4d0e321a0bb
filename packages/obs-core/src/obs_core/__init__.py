"""obs-core: the framework-neutral heart of obs.

``configure()`` sets up traces, metrics and logs (embedded store by default,
OTLP by the standard env vars); the rest is what every plugin shares: telemetry
names (``obs_core.semconv``), the internal-error guard, offline token counting,
prices and context windows, prompt hashing, content-capture rules and the GenAI
metric instruments.

Names resolve lazily (see ``_lazy``): ``import obs_core.cli`` for ``obs --help``
must not import the SDK, tiktoken and the model catalogue.
"""

from obs_core._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ModelCatalogue": "._catalogue",
        "ModelInfo": "._catalogue",
        "normalise_model_name": "._catalogue",
        "CaptureMode": "._content",
        "capture_mode": "._content",
        "max_content_chars": "._content",
        "truncate": "._content",
        "ContextWindowMonitor": "._context_window",
        "ContextWindowReport": "._context_window",
        "section_attribute": "._context_window",
        "guarded": "._guard",
        "internal_error_counts": "._guard",
        "internal_guard": "._guard",
        "set_guard_raises": "._guard",
        "GenAIMetrics": "._instruments",
        "deployment_environment": "._instruments",
        "Cost": "._pricing",
        "Usage": "._pricing",
        "compute_cost": "._pricing",
        "normalise_prompt": "._prompts",
        "prompt_hash": "._prompts",
        "Pattern": "._redact",
        "RedactionOptions": "._redact",
        "RedactionResult": "._redact",
        "Redactor": "._redact",
        "default_redactor": "._redact",
        "ObsRuntime": "._setup",
        "configure": "._setup",
        "get_runtime": "._setup",
        "TokenCount": "._tokens",
        "count_tokens": "._tokens",
        "encoding_for_model": "._tokens",
    },
)

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
