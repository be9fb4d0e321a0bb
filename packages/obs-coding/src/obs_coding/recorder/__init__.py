"""Recording coding tasks for export later: the engine behind the hooks and ``obs ingest``.

Standard library only (the Claude Code hook path imports it).
"""

from obs_coding._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from ._attempts import AttemptTracker
    from ._facts import (
        DEFAULT_REVIEW_THRESHOLD,
        TASK_STATUSES,
        USER_OUTCOMES,
        edit_facts,
        edit_row,
        mask_secret_assignments,
        plan_facts,
        review_threshold,
        task_facts,
        user_outcome_facts,
        verification_facts,
    )
    from ._recorder import Recorder

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "AttemptTracker": "._attempts",
        "DEFAULT_REVIEW_THRESHOLD": "._facts",
        "TASK_STATUSES": "._facts",
        "USER_OUTCOMES": "._facts",
        "edit_facts": "._facts",
        "edit_row": "._facts",
        "mask_secret_assignments": "._facts",
        "plan_facts": "._facts",
        "review_threshold": "._facts",
        "task_facts": "._facts",
        "verification_facts": "._facts",
        "user_outcome_facts": "._facts",
        "Recorder": "._recorder",
    },
)

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "TASK_STATUSES",
    "USER_OUTCOMES",
    "AttemptTracker",
    "Recorder",
    "edit_facts",
    "edit_row",
    "mask_secret_assignments",
    "plan_facts",
    "review_threshold",
    "task_facts",
    "user_outcome_facts",
    "verification_facts",
]
