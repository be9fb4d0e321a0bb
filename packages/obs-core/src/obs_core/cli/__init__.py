"""The ``obs`` command line.

Importing this package registers the core commands (traces, show, report,
prompts, semconv, migrate) on :data:`app`; ``main()`` adds the plugins of the
``obs.cli`` entry-point group and runs it.
"""

from . import _commands as _commands
from ._app import ENTRY_POINT_GROUP, app, load_plugins, main
from ._common import EXIT_FAILURE, EXIT_USAGE
from ._report import report as print_report
from ._traces import show as show_trace

__all__ = [
    "ENTRY_POINT_GROUP",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "app",
    "load_plugins",
    "main",
    "print_report",
    "show_trace",
]
