"""Tabular classification data sets that ship inside installed packages."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn import datasets as sk_datasets


from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits, standardise, three_way_split



def classification_splits(features: np.ndarray, labels: np.ndarray, split, seed: int) -> Splits:
    """Stratified train/val/test, features standardised on train only."""
    labels = np.unique(labels, return_inverse=True)[1]
    strata = labels if split.stratify else None
    train, val, test = three_way_split(len(labels), split.val, split.test, seed, strata)
    x_train, x_val, x_test = standardise(features[train], features[val], features[test])

    def as_split(x: np.ndarray, idx: np.ndarray) -> Split:
        return Split((torch.as_tensor(x, dtype=torch.float32),), torch.as_tensor(labels[idx]))

    return Splits(
        train=as_split(x_train, train),
        val=as_split(x_val, val),
        test=as_split(x_test, test),
        n_outputs=int(labels.max()) + 1,
        info={"in_features": int(features.shape[1])},
    )


@DATASETS.register("breast_cancer")
def load_breast_cancer(cfg, split, seed: int, data_dir: Path) -> Splits:
    bunch = sk_datasets.load_breast_cancer()
    return classification_splits(bunch.data.astype(np.float64), bunch.target, split, seed)
