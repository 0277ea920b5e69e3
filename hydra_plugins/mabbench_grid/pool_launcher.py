"""The pool launcher as Hydra sees it: a subclass of the one in
mabbench/experiments/pool.py, which holds the logic (registered by the command
line, as grid_sweeper.py's sweeper is)."""
from mabbench.experiments import pool


class PoolLauncher(pool.PoolLauncher):
    """``hydra/launcher=pool``: see mabbench/experiments/pool.py."""


def register() -> None:
    from hydra.core.plugins import Plugins

    Plugins.instance().register(PoolLauncher)
