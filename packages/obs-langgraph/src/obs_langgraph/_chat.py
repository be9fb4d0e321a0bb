"""Chat-call attributes read from LangChain's callback payloads.

Provider integrations disagree on where things live: the model name may be in
``ls_model_name`` metadata, ``invocation_params['model']``, ``model_name`` or
``model_id``; usage in ``usage_metadata`` (LangChain's normalised form) or in
the raw ``llm_output``; finish reasons under three spellings. These functions
take the first answer that exists and never guess beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from obs_core import ModelCatalogue, Usage
from obs_core import semconv as sc
from opentelemetry.util.types import AttributeValue

_LS_PROVIDERS = {
    "openai": "openai",
    "azure": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "anthropic": "anthropic",
    "amazon_bedrock": "aws.bedrock",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "google_vertexai": "gcp.vertex_ai",
    "vertexai": "gcp.vertex_ai",
    "google_genai": "gcp.gemini",
    "google_generativeai": "gcp.gemini",
    "googlegenerativeai": "gcp.gemini",
    "xai": "x_ai",
    "mistral": "mistral_ai",
    "mistralai": "mistral_ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "ibm": "ibm.watsonx.ai",
    "watsonx": "ibm.watsonx.ai",
}
"""LangSmith ``ls_provider`` values → ``gen_ai.provider.name``."""

_CLASS_PROVIDERS = {
    "ChatOpenAI": "openai",
    "AzureChatOpenAI": "azure.ai.openai",
    "ChatAnthropic": "anthropic",
    "ChatBedrock": "aws.bedrock",
    "ChatBedrockConverse": "aws.bedrock",
    "ChatVertexAI": "gcp.vertex_ai",
    "ChatAnthropicVertex": "gcp.vertex_ai",
    "ChatGoogleGenerativeAI": "gcp.gemini",
    "ChatXAI": "x_ai",
    "ChatMistralAI": "mistral_ai",
    "ChatGroq": "groq",
    "ChatDeepSeek": "deepseek",
    "ChatCohere": "cohere",
}

_FLOAT_PARAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (sc.GEN_AI_REQUEST_TEMPERATURE, ("temperature", "ls_temperature")),
    (sc.GEN_AI_REQUEST_TOP_P, ("top_p",)),
    (sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, ("frequency_penalty",)),
    (sc.GEN_AI_REQUEST_PRESENCE_PENALTY, ("presence_penalty",)),
)
_INT_PARAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (sc.GEN_AI_REQUEST_MAX_TOKENS, ("max_tokens", "max_completion_tokens", "max_output_tokens", "ls_max_tokens")),
    (sc.GEN_AI_REQUEST_TOP_K, ("top_k",)),
    (sc.GEN_AI_REQUEST_SEED, ("seed",)),
)
_MODEL_KEYS = ("model", "model_name", "model_id", "deployment_name", "azure_deployment")
_ENDPOINT_KEYS = ("base_url", "openai_api_base", "azure_endpoint", "endpoint_url", "api_base")


def _first(sources: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> Any:
    for source in sources:
        for key in keys:
            value = source.get(key)
            if value is not None:
                return value
    return None


def request_model(serialized: Mapping[str, Any] | None, params: Mapping[str, Any], metadata: Mapping[str, Any]) -> str:
    """The model the request asked for; ``unknown`` only when no source names one."""
    kwargs = (serialized or {}).get("kwargs") or {}
    value = _first((metadata,), ("ls_model_name",)) or _first((params, kwargs), _MODEL_KEYS)
    return str(value) if value else "unknown"


def provider_name(
    serialized: Mapping[str, Any] | None, metadata: Mapping[str, Any], model: str, catalogue: ModelCatalogue
) -> str:
    """``gen_ai.provider.name`` from ``ls_provider``, the model class, then the catalogue."""
    raw = str(metadata.get("ls_provider") or "").lower()
    if raw in _LS_PROVIDERS:
        return _LS_PROVIDERS[raw]
    ids = (serialized or {}).get("id") or []
    if ids and str(ids[-1]) in _CLASS_PROVIDERS:
        return _CLASS_PROVIDERS[str(ids[-1])]
    info = catalogue.lookup(model)
    if info is not None and info.provider:
        return info.provider
    return raw or "unknown"


def request_attributes(params: Mapping[str, Any], metadata: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Sampling parameters, stop sequences and the endpoint host, where the call states them."""
    sources = (params, metadata)
    attrs: dict[str, AttributeValue] = {}
    for name, keys in _FLOAT_PARAMS:
        value = _first(sources, keys)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attrs[name] = float(value)
    for name, keys in _INT_PARAMS:
        value = _first(sources, keys)
        if isinstance(value, int) and not isinstance(value, bool):
            attrs[name] = value
    stop: Any = _first(sources, ("stop", "stop_sequences", "ls_stop"))
    if isinstance(stop, str):
        stop = [stop]
    if isinstance(stop, (list, tuple)) and stop and all(isinstance(s, str) for s in stop):
        attrs[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = list(stop)
    endpoint = _first((params,), _ENDPOINT_KEYS)
    if isinstance(endpoint, str) and "://" in endpoint:
        parsed = urlparse(endpoint)
        if parsed.hostname:
            attrs[sc.SERVER_ADDRESS] = parsed.hostname
            if parsed.port:
                attrs[sc.SERVER_PORT] = parsed.port
    return attrs


@dataclass(slots=True)
class ChatResponse:
    """What one chat call reported back."""

    response_id: str | None = None
    response_model: str | None = None
    finish_reasons: list[str] = field(default_factory=list)
    usage: Usage | None = None
    messages: list[AIMessage] = field(default_factory=list)


def read_response(response: LLMResult) -> ChatResponse:
    """Id, model, finish reasons and usage from the generations, falling back to ``llm_output``."""
    out = ChatResponse()
    llm_output = response.llm_output or {}
    for generation_list in response.generations:
        for generation in generation_list:
            info = generation.generation_info or {}
            message = generation.message if isinstance(generation, ChatGeneration) else None
            meta: Mapping[str, Any] = {}
            if isinstance(message, AIMessage):
                out.messages.append(message)
                meta = message.response_metadata or {}
                if out.usage is None and message.usage_metadata:
                    out.usage = _usage_from_metadata(dict(message.usage_metadata))
            reason = _first((meta, info), ("finish_reason", "stop_reason", "finishReason"))
            if isinstance(reason, str) and reason:
                out.finish_reasons.append(reason)
            out.response_id = out.response_id or _str(_first((meta,), ("id",)))
            out.response_model = out.response_model or _str(_first((meta,), ("model_name", "model", "model_id")))
    out.response_id = out.response_id or _str(llm_output.get("id"))
    out.response_model = out.response_model or _str(_first((llm_output,), ("model_name", "model", "model_id")))
    if out.usage is None:
        out.usage = _usage_from_llm_output(llm_output)
    return out


def _str(value: Any) -> str | None:
    return str(value) if value else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _usage_from_metadata(usage: Mapping[str, Any]) -> Usage:
    details_in = usage.get("input_token_details") or {}
    details_out = usage.get("output_token_details") or {}
    input_tokens = _int(usage.get("input_tokens"))
    output_tokens = _int(usage.get("output_tokens"))
    reasoning = _int(details_out.get("reasoning"))
    total = _int(usage.get("total_tokens"))
    # LangChain's rule is that output includes reasoning; a few integrations report it
    # beside instead, which shows as total = input + output + reasoning. Count it once,
    # as output, so reasoning is priced.
    if reasoning and total == input_tokens + output_tokens + reasoning:
        output_tokens += reasoning
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_input_tokens=_int(details_in.get("cache_read")),
        cache_write_input_tokens=_int(details_in.get("cache_creation")),
        reasoning_output_tokens=reasoning,
    )


def _usage_from_llm_output(llm_output: Mapping[str, Any]) -> Usage | None:
    raw = llm_output.get("token_usage") or llm_output.get("usage")
    if not isinstance(raw, Mapping):
        return None
    prompt_details = raw.get("prompt_tokens_details") or {}
    completion_details = raw.get("completion_tokens_details") or {}
    cache_read = _int(prompt_details.get("cached_tokens")) or _int(raw.get("cache_read_input_tokens"))
    cache_write = _int(raw.get("cache_creation_input_tokens"))
    input_tokens = _int(raw.get("prompt_tokens"))
    if not input_tokens and "input_tokens" in raw:
        # Anthropic's raw input_tokens leaves cache reads and writes out; the spec counts them in.
        input_tokens = _int(raw.get("input_tokens")) + cache_read + cache_write
    output_tokens = _int(raw.get("completion_tokens")) or _int(raw.get("output_tokens"))
    if not (input_tokens or output_tokens):
        return None
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_input_tokens=cache_read,
        cache_write_input_tokens=cache_write,
        reasoning_output_tokens=_int(completion_details.get("reasoning_tokens")),
    )


def usage_attributes(usage: Usage) -> dict[str, AttributeValue]:
    """Spec usage attributes; details only when the provider reported them."""
    attrs: dict[str, AttributeValue] = {
        sc.GEN_AI_USAGE_INPUT_TOKENS: usage.input_tokens,
        sc.GEN_AI_USAGE_OUTPUT_TOKENS: usage.output_tokens,
    }
    if usage.cache_read_input_tokens:
        attrs[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cache_read_input_tokens
    if usage.cache_write_input_tokens:
        attrs[sc.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = usage.cache_write_input_tokens
    if usage.reasoning_output_tokens:
        attrs[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoning_output_tokens
    return attrs


def tools_bound(params: Mapping[str, Any]) -> bool:
    """True when the request carries tool definitions (the mark of an agent loop)."""
    tools = params.get("tools") or params.get("functions")
    return bool(tools)
