"""GenAI semantic-convention names (spec origin).

Constants come from ``opentelemetry-semantic-conventions`` where the package's
string matches the current GenAI spec; literals stand where it lags (for
example ``gen_ai.usage.cache_write.input_tokens``).
"""

from __future__ import annotations

from typing import Final

from opentelemetry.semconv._incubating.attributes import error_attributes as _err
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as _ga
from opentelemetry.semconv._incubating.attributes import server_attributes as _srv

from ._registry import declare

# --- attributes -----------------------------------------------------------------
GEN_AI_OPERATION_NAME: Final = declare(
    _ga.GEN_AI_OPERATION_NAME,
    "attribute",
    "Operation: chat, text_completion, embeddings, retrieval, execute_tool, invoke_agent, invoke_workflow.",
)
GEN_AI_PROVIDER_NAME: Final = declare(
    _ga.GEN_AI_PROVIDER_NAME, "attribute", "Model provider (openai, anthropic, aws.bedrock, gcp.vertex_ai, ...)."
)
GEN_AI_REQUEST_MODEL: Final = declare(_ga.GEN_AI_REQUEST_MODEL, "attribute", "Model name the request asked for.")
GEN_AI_REQUEST_TEMPERATURE: Final = declare(
    _ga.GEN_AI_REQUEST_TEMPERATURE, "attribute", "Sampling temperature requested."
)
GEN_AI_REQUEST_MAX_TOKENS: Final = declare(
    _ga.GEN_AI_REQUEST_MAX_TOKENS, "attribute", "Output-token cap requested.", unit="{token}"
)
GEN_AI_REQUEST_TOP_P: Final = declare(_ga.GEN_AI_REQUEST_TOP_P, "attribute", "Nucleus-sampling top_p requested.")
GEN_AI_REQUEST_TOP_K: Final = declare(_ga.GEN_AI_REQUEST_TOP_K, "attribute", "top_k requested.")
GEN_AI_REQUEST_STOP_SEQUENCES: Final = declare(
    _ga.GEN_AI_REQUEST_STOP_SEQUENCES, "attribute", "Stop sequences requested."
)
GEN_AI_REQUEST_FREQUENCY_PENALTY: Final = declare(
    _ga.GEN_AI_REQUEST_FREQUENCY_PENALTY, "attribute", "Frequency penalty requested."
)
GEN_AI_REQUEST_PRESENCE_PENALTY: Final = declare(
    _ga.GEN_AI_REQUEST_PRESENCE_PENALTY, "attribute", "Presence penalty requested."
)
GEN_AI_REQUEST_SEED: Final = declare(_ga.GEN_AI_REQUEST_SEED, "attribute", "Seed requested.")
GEN_AI_REQUEST_STREAM: Final = declare(_ga.GEN_AI_REQUEST_STREAM, "attribute", "Whether the response was streamed.")
GEN_AI_RESPONSE_ID: Final = declare(_ga.GEN_AI_RESPONSE_ID, "attribute", "Provider's id of the completion.")
GEN_AI_RESPONSE_MODEL: Final = declare(_ga.GEN_AI_RESPONSE_MODEL, "attribute", "Model that actually answered.")
GEN_AI_RESPONSE_FINISH_REASONS: Final = declare(
    _ga.GEN_AI_RESPONSE_FINISH_REASONS, "attribute", "Finish reason of every choice (string array)."
)
GEN_AI_RESPONSE_FINISH_REASON: Final = declare(
    "gen_ai.response.finish_reason",
    "attribute",
    "One finish reason (singular), on points of obs.gen_ai.finish_reasons.",
)
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: Final = declare(
    _ga.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, "attribute", "Seconds from request to the first streamed chunk.", unit="s"
)
GEN_AI_USAGE_INPUT_TOKENS: Final = declare(
    _ga.GEN_AI_USAGE_INPUT_TOKENS, "attribute", "Input tokens, cached tokens included.", unit="{token}"
)
GEN_AI_USAGE_OUTPUT_TOKENS: Final = declare(
    _ga.GEN_AI_USAGE_OUTPUT_TOKENS, "attribute", "Output tokens, reasoning tokens included.", unit="{token}"
)
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: Final = declare(
    _ga.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    "attribute",
    "Input tokens served from the provider's prompt cache.",
    unit="{token}",
)
GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS: Final = declare(
    "gen_ai.usage.cache_write.input_tokens",
    "attribute",
    "Input tokens written to the provider's prompt cache.",
    unit="{token}",
)
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: Final = declare(
    _ga.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, "attribute", "Output tokens spent on reasoning.", unit="{token}"
)
GEN_AI_TOKEN_TYPE: Final = declare(
    _ga.GEN_AI_TOKEN_TYPE, "attribute", "input or output, on gen_ai.client.token.usage points."
)
GEN_AI_AGENT_NAME: Final = declare(_ga.GEN_AI_AGENT_NAME, "attribute", "Name of the agent (LangGraph graph name).")
GEN_AI_AGENT_ID: Final = declare(_ga.GEN_AI_AGENT_ID, "attribute", "Stable id of the agent when the app has one.")
GEN_AI_WORKFLOW_NAME: Final = declare(
    _ga.GEN_AI_WORKFLOW_NAME, "attribute", "Name of a workflow graph (no model loop)."
)
GEN_AI_CONVERSATION_ID: Final = declare(
    _ga.GEN_AI_CONVERSATION_ID, "attribute", "Conversation id the app owns (LangGraph thread_id); never invented."
)
GEN_AI_DATA_SOURCE_ID: Final = declare(_ga.GEN_AI_DATA_SOURCE_ID, "attribute", "Retriever / data source id.")
GEN_AI_EMBEDDINGS_DIMENSION_COUNT: Final = declare(
    _ga.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, "attribute", "Dimensions of the returned embeddings."
)
GEN_AI_TOOL_NAME: Final = declare(_ga.GEN_AI_TOOL_NAME, "attribute", "Name of the tool executed or called.")
GEN_AI_TOOL_CALL_ID: Final = declare(_ga.GEN_AI_TOOL_CALL_ID, "attribute", "Id of the tool call the model made.")
GEN_AI_TOOL_TYPE: Final = declare(_ga.GEN_AI_TOOL_TYPE, "attribute", "function, extension or datastore.")
GEN_AI_TOOL_DESCRIPTION: Final = declare(_ga.GEN_AI_TOOL_DESCRIPTION, "attribute", "Tool description.")
GEN_AI_TOOL_CALL_ARGUMENTS: Final = declare(
    _ga.GEN_AI_TOOL_CALL_ARGUMENTS, "attribute", "Tool arguments (opt-in content, redacted)."
)
GEN_AI_TOOL_CALL_RESULT: Final = declare(
    _ga.GEN_AI_TOOL_CALL_RESULT, "attribute", "Tool result (opt-in content, redacted)."
)
GEN_AI_INPUT_MESSAGES: Final = declare(
    _ga.GEN_AI_INPUT_MESSAGES, "attribute", "Input messages as spec JSON (opt-in content, redacted)."
)
GEN_AI_OUTPUT_MESSAGES: Final = declare(
    _ga.GEN_AI_OUTPUT_MESSAGES, "attribute", "Output messages as spec JSON (opt-in content, redacted)."
)
GEN_AI_SYSTEM_INSTRUCTIONS: Final = declare(
    _ga.GEN_AI_SYSTEM_INSTRUCTIONS, "attribute", "System instructions as spec JSON parts (opt-in content, redacted)."
)
GEN_AI_PROMPT_NAME: Final = declare(_ga.GEN_AI_PROMPT_NAME, "attribute", "Name the app gave its prompt template.")
GEN_AI_PROMPT_VERSION: Final = declare(
    "gen_ai.prompt.version", "attribute", "Version the app gave its prompt template."
)
ERROR_TYPE: Final = declare(
    _err.ERROR_TYPE, "attribute", "Class of error: exception type, JSON-RPC code, tool_error or timeout."
)
SERVER_ADDRESS: Final = declare(_srv.SERVER_ADDRESS, "attribute", "Host of the model or MCP endpoint.")
SERVER_PORT: Final = declare(_srv.SERVER_PORT, "attribute", "Port of the model or MCP endpoint.")

# --- operation names -------------------------------------------------------------
OP_CHAT: Final = "chat"
OP_TEXT_COMPLETION: Final = "text_completion"
OP_EMBEDDINGS: Final = "embeddings"
OP_RETRIEVAL: Final = "retrieval"
OP_EXECUTE_TOOL: Final = "execute_tool"
OP_INVOKE_AGENT: Final = "invoke_agent"
OP_INVOKE_WORKFLOW: Final = "invoke_workflow"

# --- spans ------------------------------------------------------------------------
SPAN_CHAT: Final = declare("chat {gen_ai.request.model}", "span", "One chat-model call (CLIENT).")
SPAN_TEXT_COMPLETION: Final = declare(
    "text_completion {gen_ai.request.model}", "span", "One completion-model call (CLIENT)."
)
SPAN_EMBEDDINGS: Final = declare("embeddings {gen_ai.request.model}", "span", "One embeddings call (CLIENT).")
SPAN_RETRIEVAL: Final = declare("retrieval {gen_ai.data_source.id}", "span", "One retriever query (INTERNAL).")
SPAN_EXECUTE_TOOL: Final = declare("execute_tool {gen_ai.tool.name}", "span", "One tool execution (INTERNAL).")
SPAN_INVOKE_AGENT: Final = declare(
    "invoke_agent {gen_ai.agent.name}", "span", "One agent run (INTERNAL for in-process frameworks)."
)
SPAN_INVOKE_WORKFLOW: Final = declare(
    "invoke_workflow {gen_ai.workflow.name}", "span", "One workflow-graph run (INTERNAL)."
)

# --- events -----------------------------------------------------------------------
EVENT_INFERENCE_DETAILS: Final = declare(
    "gen_ai.client.inference.operation.details",
    "event",
    "Opt-in event carrying the exact input/output messages of one call.",
)

# --- metrics (both generations; see _stability) -------------------------------------
METRIC_INFERENCE_DURATION_LATEST: Final = declare(
    "gen_ai.client.inference.duration",
    "metric",
    "Duration of one model call (newest name).",
    unit="s",
    instrument="histogram",
)
METRIC_OPERATION_DURATION_DEFAULT: Final = declare(
    "gen_ai.client.operation.duration",
    "metric",
    "Duration of one model call (name most backends read).",
    unit="s",
    instrument="histogram",
)
METRIC_TTFC_LATEST: Final = declare(
    "gen_ai.client.inference.time_to_first_chunk",
    "metric",
    "Time to the first streamed chunk (newest name).",
    unit="s",
    instrument="histogram",
)
METRIC_TTFC_DEFAULT: Final = declare(
    "gen_ai.client.operation.time_to_first_chunk",
    "metric",
    "Time to the first streamed chunk (older name).",
    unit="s",
    instrument="histogram",
)
METRIC_TOKEN_USAGE: Final = declare(
    "gen_ai.client.token.usage",
    "metric",
    "Tokens per call by gen_ai.token.type.",
    unit="{token}",
    instrument="histogram",
)
METRIC_INVOKE_AGENT_DURATION: Final = declare(
    "gen_ai.invoke_agent.duration", "metric", "Duration of one agent run.", unit="s", instrument="histogram"
)
METRIC_EXECUTE_TOOL_DURATION: Final = declare(
    "gen_ai.execute_tool.duration", "metric", "Duration of one tool execution.", unit="s", instrument="histogram"
)
