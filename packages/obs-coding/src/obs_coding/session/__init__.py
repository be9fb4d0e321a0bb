"""``CodingSession``: one trace per coding task with harvest / plan / execute / outcome phases."""

from ._execute import ExecutePhase
from ._planning import PlanPhase
from ._session import CodingSession
from ._user import record_user_outcome
from ._verify import EXIT_NOT_FOUND, EXIT_TIMEOUT, run_verification

__all__ = [
    "EXIT_NOT_FOUND",
    "EXIT_TIMEOUT",
    "CodingSession",
    "ExecutePhase",
    "PlanPhase",
    "record_user_outcome",
    "run_verification",
]
