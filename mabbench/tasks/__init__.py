"""Task families and their datasets. Knows nothing of pruning.

``load_splits(cfg)`` is the one entry point: it looks the dataset up in
``DATASETS`` (a loader per name, registered by the modules imported below)
and returns :class:`Splits` fixed by the seed.
"""
from __future__ import annotations

from pathlib import Path

from mabbench.errors import ConfigError
from mabbench.registry import Registry
from mabbench.tasks.base import Split, Splits
from mabbench.tasks.checks import check_splits

DATASETS: Registry = Registry("dataset")

from mabbench.tasks import tabular  # noqa: E402,F401  (registers its loaders)
from mabbench.tasks import babi, image, image_folder, image_online  # noqa: E402,F401
from mabbench.tasks import regression, text  # noqa: E402,F401
from mabbench.tasks import packaged  # noqa: E402,F401  (the offline suites)
from mabbench.tasks import mnist1d  # noqa: E402,F401
from mabbench.tasks import openml, text_online, user_data  # noqa: E402,F401


def load_splits(cfg) -> Splits:
    """Load ``cfg.dataset`` for ``cfg.task`` with the split fixed by ``cfg.seed``."""
    if cfg.dataset.family != cfg.task.name:
        raise ConfigError(
            f"dataset={cfg.dataset.name} belongs to task={cfg.dataset.family}, "
            f"not task={cfg.task.name}"
        )
    # ``loader`` lets many data sets share one loader under their own names (OpenML-CC18)
    loader = DATASETS.get(cfg.dataset.get("loader") or cfg.dataset.name)
    data_dir = Path(cfg.runtime.data_dir).expanduser()
    splits = loader(cfg.dataset, cfg.task.split, cfg.seed, data_dir)
    check_splits(splits, cfg.dataset.name)
    return splits


def data_version(dataset_name: str):
    """The version of the code that generates ``dataset_name``'s data (a loader's
    ``data_version`` attribute), or None for data read from files."""
    if dataset_name not in DATASETS:
        return None
    return getattr(DATASETS.get(dataset_name), "data_version", None)


__all__ = ["DATASETS", "Split", "Splits", "load_splits"]
