"""The schemas composing a config needs, registered in Hydra's stores.

Every config file names its schema first in its defaults; this imports the
modules that register them (schema modules only: no torch, pandas or
scikit-learn) and the grid sweeper's config node. The sweeper class itself is
registered with Hydra by the command line (hydra_plugins/mabbench_grid).
"""
from __future__ import annotations

import copy


def register_schemas() -> None:
    """Import the modules whose dataclasses every config file names in its defaults.

    Schemas only: none of these imports torch, pandas or scikit-learn, so
    ``--help``, a bad override's error and a finished trial's skip stay quick
    (tests/test_startup.py)."""
    import baselines  # noqa: F401
    import mabbench.config.schemas  # noqa: F401
    import mabbench.experiments.sweeper  # noqa: F401  (hydra/sweeper=grid: its config node)
    import mabbench.models  # noqa: F401
    import mabbench.policies  # noqa: F401
    import mabbench.reference.config  # noqa: F401  (+reference=<comparator> in a grid)
    import mabbench.tasks.schemas  # noqa: F401
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
