"""Where the Hydra configs live, and the schemas composing them needs.

conf/ at the top of the repository is the one source. A wheel carries it as
``mabbench/conf`` (mapped at build time by setup.py), so an installed package
finds it beside this file; a source checkout finds it one level up.
"""
from __future__ import annotations

import copy
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
CONF_DIR = _PACKAGE / "conf" if (_PACKAGE / "conf").is_dir() else _PACKAGE.parent / "conf"


def register_schemas() -> None:
    """Import the modules whose dataclasses every config file names in its defaults.

    Schemas only: none of these imports torch, pandas or scikit-learn, so
    ``--help``, a bad override's error and a finished trial's skip stay quick
    (tests/test_startup.py)."""
    import baselines  # noqa: F401
    import mabbench.config  # noqa: F401
    import mabbench.models  # noqa: F401
    import mabbench.policies  # noqa: F401
    import mabbench.reference.config  # noqa: F401  (+reference=<comparator> in a grid)
    import mabbench.tasks.schemas  # noqa: F401
    # The grid sweeper (hydra/sweeper=grid), registered by hand: Hydra's plugin scan
    # cannot list modules behind an editable install's path hook, so it may miss it.
    from hydra.core.plugins import Plugins

    from hydra_plugins.mabbench_grid.grid_sweeper import GridSweeper

    Plugins.instance().register(GridSweeper)
    _share_config_store()


def _share_config_store() -> None:
    """Hydra deep-copies its config repository, the whole ConfigStore with it,
    for every config-group lookup (CachingConfigRepository): 20 ms with our
    schemas, and ``--help`` makes 115 lookups. The store already hands out a copy
    of each node it loads, so a copied source may share it (as in later Hydra,
    where a source looks the store up each time: facebookresearch/hydra#2928)."""
    from hydra._internal.core_plugins.structured_config_source import StructuredConfigSource

    StructuredConfigSource.__deepcopy__ = _copy_sharing_store


def _copy_sharing_store(source, memo: dict):
    return copy.copy(source)  # provider and path are strings; the store is the one singleton
