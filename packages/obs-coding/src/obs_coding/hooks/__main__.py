"""``python -m obs_coding.hooks claude-code``: the hook without the console script."""

from ._main import main

raise SystemExit(main())
