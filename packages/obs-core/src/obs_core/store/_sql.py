"""SQL fragments over the JSON ``attributes`` column, built from semconv names.

Attribute keys contain dots, so a JSON path must quote them
(``$."gen_ai.usage.input_tokens"``). Building every fragment here from the
semconv constants keeps the spelling in one place.
"""

from __future__ import annotations

from typing import Final

from obs_core.semconv import (
    ERROR_TYPE,
    GEN_AI_CONVERSATION_ID,
    GEN_AI_OPERATION_NAME,
    GEN_AI_REQUEST_MODEL,
    GEN_AI_RESPONSE_FINISH_REASONS,
    GEN_AI_RESPONSE_MODEL,
    GEN_AI_USAGE_INPUT_TOKENS,
    GEN_AI_USAGE_OUTPUT_TOKENS,
    OBS_CONTEXT_FILL_RATIO,
    OBS_GEN_AI_USAGE_COST,
    OBS_PIPELINE_STAGE,
    OBS_PROMPT_HASH,
    OBS_SESSION_ID,
    OP_CHAT,
    OP_EMBEDDINGS,
    OP_INVOKE_AGENT,
    OP_INVOKE_WORKFLOW,
    OP_TEXT_COMPLETION,
)


def attr(name: str, table: str = "") -> str:
    """``json_extract`` of one attribute; ``table`` qualifies the column in joins."""
    if '"' in name or "'" in name:
        raise ValueError(f"attribute name {name!r} cannot be used in a JSON path")
    column = f"{table}.attributes" if table else "attributes"
    return f"json_extract({column}, '$.\"{name}\"')"


def quoted(values: tuple[str, ...]) -> str:
    """An SQL ``IN`` list of constant strings."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


MODEL_CALL_OPERATIONS: Final = (OP_CHAT, OP_TEXT_COMPLETION, OP_EMBEDDINGS, "generate_content")
"""Operations that are one call to a model: they carry usage and cost."""

LATENCY_OPERATIONS: Final = (OP_CHAT, OP_TEXT_COMPLETION, "generate_content")
"""Operations whose span duration is a generation latency (embeddings are not)."""

AGGREGATE_OPERATIONS: Final = (OP_INVOKE_AGENT, OP_INVOKE_WORKFLOW)
"""The spec lets these spans carry run totals; summing them too would count usage twice."""


def op(table: str = "") -> str:
    return attr(GEN_AI_OPERATION_NAME, table)


def model(table: str = "") -> str:
    """The model the app asked for, else the one that answered: what users group by."""
    return f"coalesce({attr(GEN_AI_REQUEST_MODEL, table)}, {attr(GEN_AI_RESPONSE_MODEL, table)})"


def input_tokens(table: str = "") -> str:
    return f"CAST({attr(GEN_AI_USAGE_INPUT_TOKENS, table)} AS INTEGER)"


def output_tokens(table: str = "") -> str:
    return f"CAST({attr(GEN_AI_USAGE_OUTPUT_TOKENS, table)} AS INTEGER)"


def cost(table: str = "") -> str:
    return f"CAST({attr(OBS_GEN_AI_USAGE_COST, table)} AS REAL)"


def failed(table: str = "") -> str:
    """1 when the span ended in error (status ERROR or an ``error.type``)."""
    prefix = f"{table}." if table else ""
    return f"({prefix}status_code = 'ERROR' OR {attr(ERROR_TYPE, table)} IS NOT NULL)"


def counts_usage(table: str = "") -> str:
    """True for spans whose usage belongs in totals (not agent/workflow aggregates)."""
    return f"coalesce({op(table)}, '') NOT IN ({quoted(AGGREGATE_OPERATIONS)})"


def finish_reasons(table: str = "") -> str:
    return attr(GEN_AI_RESPONSE_FINISH_REASONS, table)


def stage(table: str = "") -> str:
    return attr(OBS_PIPELINE_STAGE, table)


def fill_ratio(table: str = "") -> str:
    return attr(OBS_CONTEXT_FILL_RATIO, table)


def session_id(table: str = "") -> str:
    return attr(OBS_SESSION_ID, table)


def conversation_id(table: str = "") -> str:
    return attr(GEN_AI_CONVERSATION_ID, table)


def prompt_hash(table: str = "") -> str:
    return attr(OBS_PROMPT_HASH, table)
