"""obs-coding's ``obs report`` sections (``obs.report`` entry points)."""

from ._sections import acceptance_section, loop_section, ttgo_section

__all__ = ["acceptance_section", "loop_section", "ttgo_section"]
