"""Checks every dataset's splits must pass before a model is trained on them.

Run by ``load_splits`` after any loader, so a user's folder, file or a
packaged set all get the same one-line refusal (ConfigError naming the
dataset and what was expected) instead of a record that means nothing (a
one-class folder scoring accuracy 1.0, empty texts scoring chance).
"""
from __future__ import annotations

import torch

from mabbench.config.errors import ConfigError
from mabbench.tasks.base import Splits


def check_splits(splits: Splits, dataset: str) -> None:
    parts = {role: getattr(splits, role) for role in Splits.ROLES}
    for name, part in parts.items():
        if len(part) == 0:
            raise ConfigError(f"dataset={dataset}: the {name} split is empty; the data has too "
                              f"few rows for task.split (prune, select, test fractions)")
    if not splits.train.targets.is_floating_point():
        for name, part in parts.items():
            present = torch.unique(part.targets).numel()
            if present < 2:
                raise ConfigError(f"dataset={dataset}: the {name} split has {present} class; "
                                  f"classification needs at least 2 classes in every split "
                                  f"({', '.join(Splits.ROLES)})")
    elif not bool(torch.isfinite(splits.train.targets).all()):
        raise ConfigError(f"dataset={dataset}: the regression target holds inf or NaN")
    train = splits.train.inputs
    if len(splits.train) > 1 and all(bool((x == x[:1]).all()) for x in train):
        raise ConfigError(f"dataset={dataset}: every train example has the same input "
                          f"(constant features, blank images or empty texts); nothing to learn")
    for x in train:
        if x.is_floating_point() and not bool(torch.isfinite(x).all()):
            raise ConfigError(f"dataset={dataset}: the features hold inf or NaN; expected "
                              f"finite numbers")
