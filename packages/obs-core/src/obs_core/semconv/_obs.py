"""Project names under ``obs.*``: everything the spec lacks.

Each name is declared with unit and meaning; the README's telemetry reference
is generated from these declarations (see ``_registry``). The coding-agent
names (obs-coding's phases, edits, outcomes, harvest) live in ``_coding``.
"""

from __future__ import annotations

from typing import Final

from ._registry import declare

# --- cost, stage, prompts -----------------------------------------------------------
OBS_GEN_AI_USAGE_COST: Final = declare(
    "obs.gen_ai.usage.cost", "attribute", "Cost of one model call from reported usage and the price table.", unit="USD"
)
OBS_GEN_AI_COST: Final = declare(
    "obs.gen_ai.cost", "metric", "Spend by model, stage and deployment.environment.", unit="USD", instrument="counter"
)
OBS_GEN_AI_UNPRICED_CALLS: Final = declare(
    "obs.gen_ai.unpriced_calls",
    "metric",
    "Model calls with no price in the table (no cost is guessed).",
    unit="{call}",
    instrument="counter",
)
OBS_GEN_AI_FINISH_REASONS: Final = declare(
    "obs.gen_ai.finish_reasons",
    "metric",
    "Responses by finish reason; the max_tokens share is the truncation canary.",
    unit="{response}",
    instrument="counter",
)
OBS_PIPELINE_STAGE: Final = declare(
    "obs.pipeline.stage", "attribute", "Pipeline stage a call belongs to (obs_stage metadata, default the node name)."
)
OBS_PROMPT_HASH: Final = declare(
    "obs.prompt.hash", "attribute", "Normalised hash of the system prompt: its version identity."
)
OBS_TOKENS_ESTIMATED: Final = declare(
    "obs.gen_ai.usage.estimated",
    "attribute",
    "True when token counts were estimated locally (provider reported none or the encoding is approximate).",
)
OBS_TOKENIZER_ENCODING: Final = declare(
    "obs.gen_ai.tokenizer.encoding", "attribute", "tiktoken encoding used for local counts."
)

# --- context window -----------------------------------------------------------------
OBS_CONTEXT_WINDOW_TOKENS: Final = declare(
    "obs.context.window.tokens", "attribute", "Context window of the model.", unit="{token}"
)
OBS_CONTEXT_INPUT_TOKENS: Final = declare(
    "obs.context.input.tokens",
    "attribute",
    "Tokens counted locally across all sections before the call.",
    unit="{token}",
)
OBS_CONTEXT_FILL_RATIO: Final = declare(
    "obs.context.fill_ratio", "attribute", "Counted input tokens / context window (0..1+).", unit="1"
)
OBS_CONTEXT_GROWTH_TOKENS: Final = declare(
    "obs.context.growth.tokens",
    "attribute",
    "Input-token growth since the previous call of the same session.",
    unit="{token}",
)
OBS_CONTEXT_SECTION_PREFIX: Final = declare(
    "obs.context.section.<name>.tokens",
    "attribute",
    "Tokens of one request section (system, tools, history, tool_results, input, ...).",
    unit="{token}",
)
OBS_CONTEXT_SECTION: Final = declare("obs.context.section", "attribute", "Section name on obs.context.tokens points.")
OBS_CONTEXT_TOKENS: Final = declare(
    "obs.context.tokens", "metric", "Tokens per request section.", unit="{token}", instrument="histogram"
)
OBS_CONTEXT_FILL: Final = declare(
    "obs.context.fill", "metric", "Fill ratio distribution per model.", unit="1", instrument="histogram"
)
OBS_CONTEXT_THRESHOLD_EXCEEDED: Final = declare(
    "obs.context.threshold_exceeded",
    "metric",
    "Calls whose fill ratio crossed the alert threshold.",
    unit="{call}",
    instrument="counter",
)
OBS_CONTEXT_THRESHOLD_EVENT: Final = declare(
    "obs.context.threshold_exceeded",
    "event",
    "Span event: the fill ratio crossed the threshold (attributes: ratio, threshold, window).",
)
OBS_CONTEXT_THRESHOLD: Final = declare(
    "obs.context.threshold", "attribute", "Alert threshold the fill ratio was compared with.", unit="1"
)
OBS_CONTEXT_TIER: Final = declare(
    "obs.context.tier", "attribute", "Harvest tier (1 open files .. 4 repo-wide signatures, history)."
)
OBS_CONTEXT_TOKENS_BY_TIER: Final = declare(
    "obs.context.tokens_by_tier", "metric", "Tokens selected per harvest tier.", unit="{token}", instrument="histogram"
)

# --- agent loop -----------------------------------------------------------------------
SPAN_AGENT_ITERATION: Final = declare(
    "obs.agent.iteration", "span", "One agent-loop turn: a model call and the tool calls it triggered."
)
OBS_AGENT_ITERATION_INDEX: Final = declare(
    "obs.agent.iteration.index", "attribute", "1-based loop-turn number within the agent run."
)
OBS_AGENT_ITERATION_NODES: Final = declare(
    "obs.agent.iteration.nodes", "attribute", "Graph nodes that ran in this turn (string array)."
)
OBS_AGENT_RETRIES: Final = declare(
    "obs.agent.retries", "metric", "Re-executed attempts by reason.", unit="{retry}", instrument="counter"
)
OBS_RETRY_REASON: Final = declare("obs.retry.reason", "attribute", "Why an attempt was retried (error type).")
OBS_RETRY_ATTEMPT: Final = declare("obs.retry.attempt", "attribute", "1-based attempt number of a retried operation.")
OBS_USER_HASH: Final = declare(
    "obs.user.hash", "attribute", "Salted SHA-256 of the app's user id (never the id itself)."
)
OBS_SESSION_ID: Final = declare("obs.session.id", "attribute", "Session id from the app's config metadata.")
OBS_AGENT_OUTCOME: Final = declare(
    "obs.agent.outcome", "attribute", "How an agent/workflow run ended: completed, interrupted, cancelled or error."
)

# --- LangGraph -------------------------------------------------------------------------
SPAN_LANGGRAPH_NODE: Final = declare(
    "obs.langgraph.node {obs.langgraph.node}",
    "span",
    "One LangGraph node attempt (OBS_LANGGRAPH_NODE_SPANS=1, or any failed / retried attempt).",
)
OBS_LANGGRAPH_NODE: Final = declare("obs.langgraph.node", "attribute", "LangGraph node a node span ran.")
OBS_LANGGRAPH_STEP: Final = declare("obs.langgraph.step", "attribute", "LangGraph superstep of a node span.")

# --- circuit breaker -------------------------------------------------------------------
OBS_BREAKER_NAME: Final = declare("obs.breaker.name", "attribute", "Breaker key, e.g. server/tool.")
OBS_BREAKER_STATE: Final = declare("obs.breaker.state", "attribute", "closed, open or half_open.")
OBS_BREAKER_PREVIOUS_STATE: Final = declare("obs.breaker.previous_state", "attribute", "State before a transition.")
OBS_BREAKER_TRANSITIONS: Final = declare(
    "obs.breaker.transitions",
    "metric",
    "Breaker state changes by obs.breaker.state (the new state).",
    unit="{transition}",
    instrument="counter",
)
OBS_BREAKER_STATE_GAUGE: Final = declare(
    "obs.breaker.state",
    "metric",
    "Current state per breaker: 0 closed, 1 half_open, 2 open.",
    unit="1",
    instrument="gauge",
)
OBS_BREAKER_REJECTED: Final = declare(
    "obs.breaker.rejected", "metric", "Calls refused while a breaker was open.", unit="{call}", instrument="counter"
)
OBS_BREAKER_TRANSITION_EVENT: Final = declare(
    "obs.breaker.transition", "event", "Span event on a breaker state change."
)
SPAN_BREAKER_TRANSITION: Final = declare(
    "obs.breaker.transition", "span", "A breaker state change that happened outside any recording span."
)
OBS_BREAKER_REASON: Final = declare(
    "obs.breaker.reason",
    "attribute",
    "Why a breaker changed state: consecutive_failures, failure_rate, open_elapsed, probe_succeeded, "
    "probe_failed, reset.",
)
OBS_BREAKER_FAILURE_REASON: Final = declare(
    "obs.breaker.failure_reason", "attribute", "Reason reported with the failure that opened the breaker."
)
OBS_BREAKER_WINDOW_CALLS: Final = declare(
    "obs.breaker.window.calls", "attribute", "Outcomes in the sliding window at a transition.", unit="{call}"
)
OBS_BREAKER_WINDOW_FAILURES: Final = declare(
    "obs.breaker.window.failures", "attribute", "Failures in the sliding window at a transition.", unit="{call}"
)
OBS_BREAKER_RETRY_AT: Final = declare(
    "obs.breaker.retry_at", "attribute", "Wall-clock time (epoch seconds) the breaker admits a probe.", unit="s"
)

# --- MCP (project names; spec names live in _mcp.py) ------------------------------------
OBS_MCP_SERVER_NAME: Final = declare(
    "obs.mcp.server.name",
    "attribute",
    "Name of the MCP server a client talks to (--name, else the serverInfo.name it announced).",
)
OBS_MCP_CLIENT_ERRORS: Final = declare(
    "obs.mcp.client.errors",
    "metric",
    "Failed MCP requests by error.type (JSON-RPC code, tool_error, timeout, transport_error, circuit_open); "
    "all requests are the count of mcp.client.operation.duration.",
    unit="{request}",
    instrument="counter",
)
OBS_MCP_CLIENT_RETRIES: Final = declare(
    "obs.mcp.client.retries",
    "metric",
    "tools/call requests that repeat a failed call (same tool and arguments), by obs.retry.reason.",
    unit="{request}",
    instrument="counter",
)
OBS_MCP_NOTIFICATIONS: Final = declare(
    "obs.mcp.notifications",
    "metric",
    "MCP notifications seen, by mcp.method.name and obs.mcp.direction.",
    unit="{notification}",
    instrument="counter",
)
OBS_MCP_DIRECTION: Final = declare(
    "obs.mcp.direction", "attribute", "Which way a message travelled: client_to_server or server_to_client."
)
OBS_MCP_LOGGING_LEVEL: Final = declare(
    "obs.mcp.logging.level", "attribute", "Level of a notifications/message log entry (on its span event)."
)
OBS_MCP_PROGRESS: Final = declare(
    "obs.mcp.progress", "attribute", "Progress value of a notifications/progress message (on its span event)."
)
OBS_MCP_PROGRESS_TOTAL: Final = declare(
    "obs.mcp.progress.total", "attribute", "Total of a notifications/progress message, when given."
)
OBS_MCP_PROXY_MALFORMED: Final = declare(
    "obs.mcp.proxy.malformed",
    "metric",
    "Lines the proxy could not parse as JSON-RPC and skipped, by obs.mcp.direction.",
    unit="{message}",
    instrument="counter",
)

# --- guardrails, PII, signals ---------------------------------------------------------
OBS_GUARDRAIL_POLICY: Final = declare("obs.guardrail.policy", "attribute", "Guardrail policy that ran.")
OBS_GUARDRAIL_VERDICT: Final = declare("obs.guardrail.verdict", "attribute", "pass, flag or block.")
OBS_GUARDRAIL_ACTION: Final = declare(
    "obs.guardrail.action", "attribute", "What was done: allow, redact, block, escalate."
)
OBS_PII_ENTITIES: Final = declare(
    "obs.pii.entities",
    "metric",
    "PII / secret entities redacted at ingest by type.",
    unit="{entity}",
    instrument="counter",
)
OBS_PII_ENTITY_TYPE: Final = declare(
    "obs.pii.entity_type", "attribute", "Kind of redacted entity (email, phone, credit_card, api_key, ...)."
)

# --- self-telemetry --------------------------------------------------------------------
OBS_INTERNAL_ERRORS: Final = declare(
    "obs.internal.errors",
    "metric",
    "Errors inside obs's own instrumentation, swallowed so the host keeps running.",
    unit="{error}",
    instrument="counter",
)
OBS_INTERNAL_SITE: Final = declare("obs.internal.site", "attribute", "Where in obs an internal error happened.")
OBS_EXPORT_DROPPED: Final = declare(
    "obs.export.dropped",
    "metric",
    "Spans or logs dropped because an export queue was full.",
    unit="{item}",
    instrument="counter",
)
OBS_EXPORT_SIGNAL: Final = declare("obs.export.signal", "attribute", "spans or logs, on obs.export.dropped points.")
OBS_EXPORT_SINK: Final = declare("obs.export.sink", "attribute", "Which sink dropped (store, otlp, ...).")

# --- sampling ----------------------------------------------------------------------------
OBS_SAMPLING_COHORT: Final = declare(
    "obs.sampling.cohort", "attribute", "canary when the user is in the always-kept canary cohort."
)
OBS_SAMPLING_HEAD_KEPT: Final = declare(
    "obs.sampling.head_kept", "attribute", "Head decision on a root span when tail sampling buffers every trace."
)
OBS_SAMPLING_TRACES: Final = declare(
    "obs.sampling.traces",
    "metric",
    "Tail-sampling decisions by decision and reason.",
    unit="{trace}",
    instrument="counter",
)
OBS_SAMPLING_DECISION: Final = declare(
    "obs.sampling.decision", "attribute", "kept or dropped, on obs.sampling.traces points."
)
OBS_SAMPLING_REASON: Final = declare(
    "obs.sampling.reason",
    "attribute",
    "Why a trace was kept: error, guardrail, latency, canary, head, incomplete; none when dropped.",
)

# --- behavioural signals -------------------------------------------------------------------
OBS_GUARDRAIL_VERDICTS: Final = declare(
    "obs.guardrail.verdicts",
    "metric",
    "Guardrail evaluations by policy, verdict and action.",
    unit="{verdict}",
    instrument="counter",
)
OBS_GUARDRAIL_FALSE_POSITIVES: Final = declare(
    "obs.guardrail.false_positives",
    "metric",
    "Flag/block verdicts later overturned, by policy.",
    unit="{verdict}",
    instrument="counter",
)
OBS_GUARDRAIL_EVALUATION_EVENT: Final = declare(
    "obs.guardrail.evaluation", "event", "Span event per guardrail evaluation (policy, verdict, action)."
)
OBS_SIGNAL_CONFIDENCE: Final = declare(
    "obs.signal.confidence", "attribute", "Self-assessed confidence of the output.", unit="1"
)
OBS_SIGNAL_CONFIDENCE_METRIC: Final = declare(
    "obs.signal.confidence", "metric", "Distribution of self-assessed confidence.", unit="1", instrument="histogram"
)
OBS_SIGNAL_DRIFT: Final = declare(
    "obs.signal.drift",
    "metric",
    "Population stability index of a feature vs its golden baseline.",
    unit="1",
    instrument="gauge",
)
OBS_SIGNAL_FEATURE: Final = declare(
    "obs.signal.feature", "attribute", "Feature a drift value is about (output_tokens, tool_calls, ...)."
)
