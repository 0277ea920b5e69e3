"""What every dataset loader returns: three in-memory splits and their shape facts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from mabbench.errors import ConfigError


@dataclass
class Split:
    """One split. ``inputs`` is a tuple so models may take several tensors
    (a story and a query); each tensor's first dimension is the example index."""

    inputs: tuple[torch.Tensor, ...]
    targets: torch.Tensor

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def subset(self, index: torch.Tensor) -> "Split":
        return Split(tuple(x[index] for x in self.inputs), self.targets[index])

    def to(self, device: torch.device) -> "Split":
        return Split(tuple(x.to(device) for x in self.inputs), self.targets.to(device))


@dataclass
class Splits:
    """train / val / test. val is the pruning split; test is read only to report.

    ``n_outputs`` is the number of classes (classification) or 1 (regression).
    ``info`` carries what a model builder needs: ``in_features``, ``in_channels``,
    ``image_size``, ``vocab_size`` ...
    """

    train: Split
    val: Split
    test: Split
    n_outputs: int
    info: dict[str, Any] = field(default_factory=dict)


def three_way_split(
    n: int, val: float, test: float, seed: int, stratify: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index arrays (train, val, test) fixed by ``seed``; stratified when labels are given."""
    index = np.arange(n)
    try:
        rest, test_idx = train_test_split(
            index, test_size=test, random_state=seed, stratify=stratify
        )
        rest_labels = None if stratify is None else stratify[rest]
        train_idx, val_idx = train_test_split(
            rest, test_size=val / (1.0 - test), random_state=seed, stratify=rest_labels
        )
    except ValueError as error:  # too few rows (or rows per class) for three splits
        raise ConfigError(f"task.split (val={val}, test={test}): {n} rows cannot fill train, "
                          f"val and test ({str(error).splitlines()[0]})") from None
    return np.sort(train_idx), np.sort(val_idx), np.sort(test_idx)


def standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale features by the train split's mean and std only (no leakage)."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return [(a - mean) / std for a in (train, *others)]
