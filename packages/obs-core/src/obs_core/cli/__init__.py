"""The ``obs`` command line."""

from ._app import ENTRY_POINT_GROUP, app, load_plugins, main

__all__ = ["ENTRY_POINT_GROUP", "app", "load_plugins", "main"]
