"""Task families and their datasets. Knows nothing of pruning.

``load_splits(cfg)`` is the one entry point: it looks the dataset up in
``DATASETS`` (a loader per name, registered by the modules of
``LOADER_MODULES``) and returns :class:`~mabbench.tasks.base.Splits` fixed by
the seed. The dataset schemas live apart, in mabbench/tasks/schemas.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mabbench.config.errors import ConfigError
from mabbench.config.registry import Registry
from mabbench.tasks import schemas  # noqa: F401  (registers the dataset schemas; no loader)

if TYPE_CHECKING:
    from mabbench.tasks.base import Splits

# Each module registers its loaders when imported; DATASETS imports them on its
# first lookup, so composing a config never pays for pandas, sklearn or torch.
LOADER_MODULES = ("tabular", "babi", "image", "image_folder", "image_online", "regression",
                  "text", "packaged", "mnist1d", "openml", "text_online", "user_data",
                  "language", "downsampled")
DATASETS: Registry = Registry("dataset",
                              providers=[f"mabbench.tasks.{m}" for m in LOADER_MODULES])


def load_splits(cfg) -> Splits:
    """Load ``cfg.dataset`` for ``cfg.task`` with the split fixed by ``cfg.seed``."""
    from mabbench.tasks.checks import check_splits

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


__all__ = ["DATASETS", "LOADER_MODULES", "data_version", "load_splits"]
