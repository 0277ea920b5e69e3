"""Where the Hydra configs live, and the schemas composing them needs.

conf/ at the top of the repository is the one source. A wheel carries it as
``mabbench/conf`` (mapped at build time by setup.py), so an installed package
finds it beside this file; a source checkout finds it one level up.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
CONF_DIR = _PACKAGE / "conf" if (_PACKAGE / "conf").is_dir() else _PACKAGE.parent / "conf"


def register_schemas() -> None:
    """Import the modules whose dataclasses every config file names in its defaults."""
    import baselines  # noqa: F401
    import mabbench.config  # noqa: F401
    import mabbench.models  # noqa: F401
    import mabbench.policies  # noqa: F401
    import mabbench.reference.config  # noqa: F401  (+reference=<comparator> in a grid)
    # The grid sweeper (hydra/sweeper=grid), registered by hand: Hydra's plugin scan
    # cannot list modules behind an editable install's path hook, so it may miss it.
    from hydra.core.plugins import Plugins

    from hydra_plugins.mabbench_grid.grid_sweeper import GridSweeper

    Plugins.instance().register(GridSweeper)
