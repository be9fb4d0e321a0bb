"""Project names under ``obs.*``: everything the spec lacks.

Each name is declared with unit and meaning; the README's telemetry reference
is generated from these declarations (see ``_registry``).
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

# --- coding agents ---------------------------------------------------------------------
OBS_CODING_PHASE: Final = declare("obs.coding.phase", "attribute", "harvest, plan, execute or outcome.")
OBS_EDIT_OUTCOME: Final = declare(
    "obs.edit.outcome",
    "attribute",
    "accepted, modified, reverted (final), pending (not committed yet) or superseded (a draft the agent replaced).",
)

# --- coding agents: tasks, plan, execute/verify, outcomes, user decisions (obs-coding) --------------
SPAN_CODING_TASK: Final = declare(
    "obs.coding.task", "span", "One coding task: a user request and the agent's work on it."
)
SPAN_CODING_HARVEST: Final = declare("obs.coding.harvest", "span", "Harvest phase: gathering context for the task.")
SPAN_CODING_PLAN: Final = declare("obs.coding.plan", "span", "Plan phase: the edits the agent intends, with scope.")
SPAN_CODING_EXECUTE: Final = declare("obs.coding.execute", "span", "Execute phase: edits and their verification loop.")
SPAN_CODING_OUTCOME: Final = declare(
    "obs.coding.outcome", "span", "Outcome phase: what became of the task's edits in git."
)
SPAN_CODING_SPECULATION: Final = declare(
    "obs.coding.speculation", "span", "A plan below the confidence threshold: the point to ask a human for review."
)
SPAN_CODING_EDIT: Final = declare("obs.coding.edit", "span", "One AI edit to one file.")
SPAN_CODING_VERIFICATION: Final = declare(
    "obs.coding.verification", "span", "One test, lint, type-check or build command run after an edit batch."
)
SPAN_CODING_USER_OUTCOME: Final = declare(
    "obs.coding.user_outcome", "span", "The user's decision on a task's result (accept, regenerate, reject, abandon)."
)
SPAN_CODING_EDIT_OUTCOME: Final = declare(
    "obs.coding.edit_outcome", "span", "What git says became of one AI edit (emitted when its class changes)."
)
OBS_CODING_TASK_ID: Final = declare(
    "obs.coding.task.id", "attribute", "The client's own id for the task, if it has one."
)
OBS_CODING_TASK_STATUS: Final = declare(
    "obs.coding.task.status", "attribute", "completed, interrupted (a new prompt came first), abandoned or error."
)
OBS_CODING_TASK_EDITS: Final = declare("obs.coding.task.edits", "attribute", "Edits made in the task.", unit="{edit}")
OBS_CODING_CLIENT: Final = declare(
    "obs.coding.client", "attribute", "Client that reported the task: claude-code, sdk, or the ingest client's name."
)
OBS_CODING_REPO: Final = declare("obs.coding.repo", "attribute", "Root of the git repository the task worked in.")
OBS_CODING_PROMPT_CHARS: Final = declare(
    "obs.coding.prompt.chars", "attribute", "Length of the user's request (its text is not recorded).", unit="{char}"
)
OBS_CODING_PLAN_EDITS: Final = declare("obs.coding.plan.edits", "attribute", "Edits the plan lists.", unit="{edit}")
OBS_CODING_PLAN_FILES: Final = declare("obs.coding.plan.files", "attribute", "Files the plan names (string array).")
OBS_CODING_PLAN_ESTIMATED_FILES: Final = declare(
    "obs.coding.plan.estimated_files", "attribute", "Files the plan expects to touch.", unit="{file}"
)
OBS_CODING_PLAN_ESTIMATED_LINES: Final = declare(
    "obs.coding.plan.estimated_lines", "attribute", "Lines the plan expects to change, when it says.", unit="{line}"
)
OBS_REVIEW_REQUIRED: Final = declare(
    "obs.review.required", "attribute", "True when a plan's confidence is below the review threshold."
)
OBS_REVIEW_THRESHOLD: Final = declare(
    "obs.review.threshold", "attribute", "Confidence below which a plan asks for review.", unit="1"
)
OBS_REVIEW_REQUESTS: Final = declare(
    "obs.review.required", "metric", "Plans that asked for human review.", unit="{plan}", instrument="counter"
)
OBS_EDIT_ID: Final = declare("obs.edit.id", "attribute", "Id of an AI edit (links edit and outcome spans).")
OBS_EDIT_FILE: Final = declare("obs.edit.file", "attribute", "Edited file, relative to the repository root.")
OBS_EDIT_PREVIOUS_FILE: Final = declare("obs.edit.previous_file", "attribute", "Path before a rename.")
OBS_EDIT_LANGUAGE: Final = declare("obs.edit.language", "attribute", "File type of the edited file (from its name).")
OBS_EDIT_TYPE: Final = declare("obs.edit.type", "attribute", "create, modify, delete or rename.")
OBS_EDIT_LINES_ADDED: Final = declare("obs.edit.lines_added", "attribute", "Lines the edit added.", unit="{line}")
OBS_EDIT_LINES_REMOVED: Final = declare("obs.edit.lines_removed", "attribute", "Lines the edit removed.", unit="{line}")
OBS_EDIT_HUNKS: Final = declare("obs.edit.hunks", "attribute", "Stable ids of the edit's hunks (string array).")
OBS_EDIT_FRAMEWORK: Final = declare(
    "obs.edit.framework", "attribute", "Framework detected in the repository for the file's language."
)
OBS_EDIT_COMMIT: Final = declare("obs.edit.commit", "attribute", "First commit after the edit that touched the file.")
OBS_EDIT_KEPT_FRACTION: Final = declare(
    "obs.edit.kept_fraction", "attribute", "Share of the edit's changed lines found as written in git.", unit="1"
)
OBS_EDIT_SUPERSEDED_FRACTION: Final = declare(
    "obs.edit.superseded_fraction",
    "attribute",
    "Share of the edit's changed lines that were drafts the same task replaced before the commit (not judged).",
    unit="1",
)
OBS_EDIT_OUTCOMES: Final = declare(
    "obs.edit.outcomes",
    "metric",
    "AI edits by outcome class, language, edit type, model and framework (counted when the class changes).",
    unit="{edit}",
    instrument="counter",
)
OBS_CODING_EDITS: Final = declare(
    "obs.coding.edits", "metric", "AI edits by language and edit type.", unit="{edit}", instrument="counter"
)
OBS_CODING_OUTCOME_COUNT: Final = declare(
    "obs.coding.outcome.<outcome>", "attribute", "Edits of the task in one outcome class at the scan.", unit="{edit}"
)
OBS_VERIFICATION_COMMAND: Final = declare(
    "obs.coding.verification.command", "attribute", "The verification command line (first 512 characters)."
)
OBS_VERIFICATION_KIND: Final = declare("obs.coding.verification.kind", "attribute", "test, lint, typecheck or build.")
OBS_VERIFICATION_EXIT_CODE: Final = declare(
    "obs.coding.verification.exit_code", "attribute", "Exit code of the verification command."
)
OBS_VERIFICATION_PASSED: Final = declare(
    "obs.coding.verification.passed", "attribute", "Whether the check (or the task's first attempt) passed."
)
OBS_VERIFICATION_FAILING_TESTS: Final = declare(
    "obs.coding.verification.failing_tests", "attribute", "Failing tests the runner reported.", unit="{test}"
)
OBS_VERIFICATION_ATTEMPT: Final = declare(
    "obs.coding.verification.attempt", "attribute", "Edit-then-verify attempt the check belongs to (0 = baseline)."
)
OBS_VERIFICATION_ATTEMPTS_ATTR: Final = declare(
    "obs.coding.verification.attempts", "attribute", "Verification attempts in the task.", unit="{attempt}"
)
OBS_VERIFICATION_FIRST_ATTEMPT_PASSED: Final = declare(
    "obs.coding.verification.first_attempt_passed", "attribute", "Whether the task's first attempt passed."
)
OBS_VERIFICATION_ATTEMPTS: Final = declare(
    "obs.coding.verification.attempts",
    "metric",
    "Edit-then-verify attempts per task.",
    unit="{attempt}",
    instrument="histogram",
)
OBS_VERIFICATION_FIRST_ATTEMPT: Final = declare(
    "obs.coding.verification.first_attempt",
    "metric",
    "Tasks by whether their first attempt passed (obs.coding.verification.passed): the first-attempt pass rate.",
    unit="{task}",
    instrument="counter",
)
OBS_USER_OUTCOME: Final = declare(
    "obs.user.outcome", "attribute", "The user's decision: accepted, regenerated, rejected or abandoned."
)
OBS_USER_OUTCOME_SOURCE: Final = declare(
    "obs.user.outcome.source", "attribute", "Who reported the decision (client, sdk)."
)
OBS_USER_OUTCOMES: Final = declare(
    "obs.user.outcomes",
    "metric",
    "User decisions by obs.user.outcome; regenerated / all is the regeneration rate.",
    unit="{decision}",
    instrument="counter",
)
OBS_CODING_REGENERATIONS: Final = declare(
    "obs.coding.regenerations", "attribute", "Regenerations the user asked for before this decision.", unit="{request}"
)
OBS_CODING_TTGO: Final = declare(
    "obs.coding.ttgo", "attribute", "Time to good output: from the request to the result the user kept.", unit="s"
)
OBS_CODING_TTGO_METRIC: Final = declare(
    "obs.coding.ttgo", "metric", "Time to good output per task.", unit="s", instrument="histogram"
)

# --- context harvest (obs-coding harvest/) ----------------------------------------------
SPAN_HARVEST: Final = declare(
    "obs.harvest", "span", "One context harvest: open files, ranked files, referenced and repo-wide signatures."
)
SPAN_HARVEST_INDEX: Final = declare("obs.harvest.index", "span", "Building or refreshing the on-disk harvest index.")
SPAN_HARVEST_SCAN: Final = declare(
    "obs.harvest.scan", "span", "Listing, filtering and hashing the repository's files (re-reading only changes)."
)
SPAN_HARVEST_EMBED: Final = declare(
    "obs.harvest.embed", "span", "Parsing, chunking and embedding blobs missing from the cache."
)
SPAN_HARVEST_SEARCH: Final = declare("obs.harvest.search", "span", "Hybrid dense + lexical + git ranking of files.")
SPAN_HARVEST_RESOLVE: Final = declare(
    "obs.harvest.resolve", "span", "Resolving symbols used by selected code through the tree-sitter def/ref graph."
)
SPAN_HARVEST_HISTORY: Final = declare("obs.harvest.history", "span", "Reading git history for signals and commits.")
OBS_HARVEST_FILES_SCANNED: Final = declare(
    "obs.harvest.files.scanned", "attribute", "Files in the index after filtering.", unit="{file}"
)
OBS_HARVEST_FILES_SELECTED: Final = declare(
    "obs.harvest.files.selected", "attribute", "Files whose content (whole or excerpt) is in tiers 1-2.", unit="{file}"
)
OBS_HARVEST_FILES_RATIO: Final = declare("obs.harvest.files.ratio", "attribute", "Selected / scanned files.", unit="1")
OBS_HARVEST_FILES_CHANGED: Final = declare(
    "obs.harvest.files.changed", "attribute", "Files re-read and re-hashed by a scan.", unit="{file}"
)
OBS_HARVEST_FILES_SKIPPED: Final = declare(
    "obs.harvest.files.skipped", "attribute", "Files left out (vendored, generated, binary, huge, ...).", unit="{file}"
)
OBS_HARVEST_FILES_ANALYZED: Final = declare(
    "obs.harvest.files.analyzed", "attribute", "Blobs parsed and chunked (analysis cache misses).", unit="{file}"
)
OBS_HARVEST_SIMILARITY_THRESHOLD: Final = declare(
    "obs.harvest.similarity.threshold", "attribute", "Minimum hybrid score a file needed to enter tier 2.", unit="1"
)
OBS_HARVEST_CANDIDATES: Final = declare(
    "obs.harvest.candidates", "attribute", "Files with any relevance signal for the query.", unit="{file}"
)
OBS_HARVEST_EMBEDDING_CACHE_HITS: Final = declare(
    "obs.harvest.embedding.cache.hits",
    "attribute",
    "Files whose chunk vectors came from the blob cache.",
    unit="{file}",
)
OBS_HARVEST_EMBEDDING_CACHE_MISSES: Final = declare(
    "obs.harvest.embedding.cache.misses", "attribute", "Files embedded because their blob was new.", unit="{file}"
)
OBS_HARVEST_CHUNKS_EMBEDDED: Final = declare(
    "obs.harvest.chunks.embedded", "attribute", "Chunks embedded in this refresh.", unit="{chunk}"
)
OBS_HARVEST_SYMBOLS_RESOLVED: Final = declare(
    "obs.harvest.symbols.resolved", "attribute", "Referenced symbols resolved to definitions outside the selection."
)
OBS_HARVEST_COMMITS: Final = declare(
    "obs.harvest.commits", "attribute", "Commits read from git history.", unit="{commit}"
)
OBS_HARVEST_BUDGET_TOKENS: Final = declare(
    "obs.harvest.budget.tokens", "attribute", "Token budget of the harvest.", unit="{token}"
)
OBS_HARVEST_TIER_TOKENS: Final = declare(
    "obs.harvest.tier.<tier>.tokens", "attribute", "Tokens of one harvest tier (1, 2, 3, 4, history).", unit="{token}"
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
