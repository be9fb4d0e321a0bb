"""``python -m obs_core.cli``: the same as the ``obs`` console script."""

from ._app import main

main()
