"""Project names of coding agents under ``obs.*``: tasks, phases, edits and their outcomes, the harvest.

Split from ``_obs`` so each module stays one readable list; declared the same
way, so the catalogue and the README reference do not care where a name lives.
"""

from __future__ import annotations

from typing import Final

from ._registry import declare

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
