"""What every dataset loader returns: the four data roles in memory, and their shape facts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from mabbench.config.errors import ConfigError


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
    """The four data roles (PROTOCOL.md step 1), disjoint and fixed by the seed.

    ``train``: dense training and fine-tuning. ``prune``: everything a ranking
    is computed from (pulls, oracle, Taylor, greedy ...). ``select``: choosing
    the reported sparsity and any hyper-parameter. ``test``: reported only.
    ``n_outputs`` is the number of classes (classification) or 1 (regression).
    ``info`` carries what a model builder needs: ``in_features``, ``in_channels``,
    ``image_size``, ``vocab_size`` ...
    """

    train: Split
    prune: Split
    select: Split
    test: Split
    n_outputs: int
    info: dict[str, Any] = field(default_factory=dict)

    ROLES = ("train", "prune", "select", "test")

    def sizes(self) -> dict[str, int]:
        """Rows per data role, as every record states them."""
        return {role: len(getattr(self, role)) for role in self.ROLES}

    def to(self, device) -> None:
        """Move every role's tensors to ``device`` (in place)."""
        for role in self.ROLES:
            setattr(self, role, getattr(self, role).to(device))


def role_split(n: int, split, seed: int, stratify: np.ndarray | None = None,
               published_test: bool = False) -> tuple[np.ndarray, ...]:
    """Index arrays (train, prune, select, test) over ``n`` rows, fixed by ``seed``;
    stratified when labels are given. The one split function every loader uses.

    ``split`` has fractions ``prune``, ``select``, ``test`` (of the ``n`` rows);
    the rest trains. With ``published_test`` the data set brings its own test
    set: the returned test array is empty and the ``n`` rows are the publisher's
    training pool, of which prune and select take their fractions.
    """
    shares = {"test": 0.0 if published_test else split.test,
              "select": split.select, "prune": split.prune}
    counts = {role: (max(1, round(share * n)) if share > 0 else 0)  # whole rows, no float drift
              for role, share in shares.items()}
    if n - sum(counts.values()) < 1:
        raise ConfigError(f"{n} rows are too few for the data roles (task.split: "
                         f"prune={split.prune}, select={split.select}, test={split.test})")
    rest, labels, parts = np.arange(n), stratify, {}
    for role, rows in counts.items():
        if rows == 0:
            parts[role] = np.zeros(0, dtype=np.int64)
            continue
        if labels is not None and not _can_stratify(labels, rows):
            labels = None  # a tiny set: this and later carves go unstratified
        try:
            rest, parts[role] = _train_test_split()(rest, test_size=rows, random_state=seed,
                                                     stratify=labels)
        except ValueError as error:  # too few rows left for this role
            raise ConfigError(f"{n} rows cannot fill the data roles (task.split: prune="
                              f"{split.prune}, select={split.select}, test={split.test}): "
                              f"{str(error).splitlines()[0]}") from None
        labels = None if labels is None else stratify[rest]
    return tuple(np.sort(a) for a in (rest, parts["prune"], parts["select"], parts["test"]))


def _can_stratify(labels: np.ndarray, rows: int) -> bool:
    """Whether ``rows`` of ``labels`` can be carved with every class on both sides."""
    counts = np.unique(labels, return_counts=True)[1]
    return counts.min() >= 2 and len(counts) <= min(rows, len(labels) - rows)


def standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale features by the train split's mean and std only (no leakage)."""
    mean = train.mean(axis=0)
    std = train.std(axis=0)
    std[std == 0] = 1.0
    return [(a - mean) / std for a in (train, *others)]


def _train_test_split():
    """scikit-learn loads when data is split, not when a config is checked (start-up)."""
    from sklearn.model_selection import train_test_split

    return train_test_split
