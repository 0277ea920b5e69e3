"""The grid sweeper as Hydra sees it. Hydra instantiates plugins only from the
``hydra_plugins`` package, so the class lives here as a subclass of the one in
mabbench/experiments/sweeper.py, which holds the logic.

Hydra's plugin scan cannot list modules behind an editable install's path hook,
so the command line calls ``register()`` (not at import: the scan itself imports
this module)."""
from mabbench.experiments import sweeper


class GridSweeper(sweeper.GridSweeper):
    """``hydra/sweeper=grid``: see mabbench/experiments/sweeper.py."""


def register() -> None:
    from hydra.core.plugins import Plugins

    Plugins.instance().register(GridSweeper)
