"""The coding ledger (``.obs/coding.db``): what obs-coding remembers between processes.

Hook sessions and open tasks, spans recorded but not yet exported, AI edits with
their line fingerprints, and the last outcome computed for each edit. Standard
library only, so the Claude Code hook path can use it.
"""

from obs_coding._lazy import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: this module is on the hook path
if TYPE_CHECKING:
    from ._ledger import LEDGER_FILE, Ledger, LedgerError, default_ledger_path
    from ._rows import EditRow, Facts, OutcomeRow, PendingSpan, SessionRow, TaskRow
    from ._schema import LEDGER_VERSION

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "LEDGER_FILE": "._ledger",
        "Ledger": "._ledger",
        "LedgerError": "._ledger",
        "default_ledger_path": "._ledger",
        "EditRow": "._rows",
        "Facts": "._rows",
        "OutcomeRow": "._rows",
        "PendingSpan": "._rows",
        "SessionRow": "._rows",
        "TaskRow": "._rows",
        "LEDGER_VERSION": "._schema",
    },
)

__all__ = [
    "LEDGER_FILE",
    "LEDGER_VERSION",
    "EditRow",
    "Facts",
    "Ledger",
    "LedgerError",
    "OutcomeRow",
    "PendingSpan",
    "SessionRow",
    "TaskRow",
    "default_ledger_path",
]
