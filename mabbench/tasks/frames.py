"""A data frame with a target column -> standardised tensors for the four data roles.

Used by every tabular and regression loader (packaged, OpenML, users' files).
Everything learnt from the data - medians for missing numbers, the categories
of each text column, means and standard deviations, the target's scale for
regression - is fitted on the train rows only, so prune, select and test never leak.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from mabbench.config.errors import ConfigError
from mabbench.tasks.base import Split, Splits, role_split

log = logging.getLogger(__name__)

MISSING_CATEGORY = "<missing>"
# A column with no more distinct values than this, of a non-numeric type, is
# one-hot encoded; a text column with more (names, tickets, ids) is dropped.
MAX_CATEGORIES = 64


@dataclass
class FrameEncoder:
    """Columns -> float features. Numeric: train median fills gaps, then
    train mean/std scale. Categorical: one-hot over the train categories
    (a missing value is its own category; an unseen one is all zeros)."""

    numeric: list[str]
    categorical: dict[str, list[str]]
    medians: np.ndarray
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train: pd.DataFrame) -> FrameEncoder:
        numeric = [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])
                   and not pd.api.types.is_bool_dtype(train[c])]
        categorical = {}
        for column in train.columns:
            if column in numeric:
                continue
            values = _as_categories(train[column])
            levels = sorted(values.unique())
            if len(levels) <= MAX_CATEGORIES:
                categorical[column] = levels
        medians = train[numeric].median().fillna(0.0).to_numpy(np.float64)
        encoder = cls(numeric, categorical, medians, np.zeros(0), np.ones(0))
        raw = encoder._raw(train)
        encoder.mean, encoder.std = raw.mean(axis=0), raw.std(axis=0)
        encoder.std[encoder.std == 0] = 1.0
        return encoder

    def _raw(self, frame: pd.DataFrame) -> np.ndarray:
        numbers = frame[self.numeric].to_numpy(np.float64, na_value=np.nan)
        numbers = np.where(np.isnan(numbers), self.medians, numbers)
        blocks = [numbers]
        for column, levels in self.categorical.items():
            values = _as_categories(frame[column]).to_numpy()
            blocks.append((values[:, None] == np.asarray(levels, dtype=object)[None, :])
                          .astype(np.float64))
        return np.concatenate(blocks, axis=1)

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """(rows, n_features) float64, standardised by the train statistics."""
        return (self._raw(frame) - self.mean) / self.std

    @property
    def n_features(self) -> int:
        return len(self.numeric) + sum(len(v) for v in self.categorical.values())


def drop_unlabelled(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """Rows whose target is empty (NaN) cannot be scored: they are dropped
    before the split (so the split stays a function of the labelled rows and
    the seed), and the count is logged on one line."""
    labelled = frame[target].notna()
    dropped = int((~labelled).sum())
    if dropped:
        log.warning("target column %r: dropped %d of %d rows with no target value",
                    target, dropped, len(frame))
    return frame.loc[labelled].reset_index(drop=True)


def refuse_infinite(features: pd.DataFrame) -> None:
    """Infinity has no median or standard deviation: name the first column holding one."""
    for column in features.columns:
        values = features[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            count = int(np.isinf(values.to_numpy(np.float64, na_value=np.nan)).sum())
            if count:
                raise ConfigError(f"column {column!r} holds {count} infinite value(s); "
                                  f"expected finite numbers (leave a cell empty for missing)")


def _as_categories(column: pd.Series) -> pd.Series:
    return column.astype(object).where(column.notna(), MISSING_CATEGORY).astype(str)


def _tensor_split(x: np.ndarray, y: np.ndarray, y_dtype: torch.dtype) -> Split:
    return Split((torch.as_tensor(x, dtype=torch.float32),), torch.as_tensor(y, dtype=y_dtype))


def frame_splits(frame: pd.DataFrame, target: str, kind: str, split, seed: int,
                 drop: Sequence[str] = ()) -> Splits:
    """Split ``frame`` by ``seed`` and encode it; ``kind`` is ``classification``
    (targets: class indices, stratified) or ``regression`` (targets: float32,
    standardised by the train mean/std; R^2 is unchanged by that scaling)."""
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} not in the data; columns: "
                         f"{', '.join(map(str, frame.columns))}")
    frame = drop_unlabelled(frame, target)
    features = frame.drop(columns=[target, *[c for c in drop if c in frame.columns]])
    refuse_infinite(features)
    if kind == "classification":
        classes, labels = np.unique(frame[target].astype(str).to_numpy(), return_inverse=True)
        if len(classes) < 2:
            raise ValueError(f"target column {target!r} has one class only")
        # Stratifying needs >= 4 rows per class (one per data role); sets with
        # rarer classes (abalone's ring counts) are split without it.
        strata = labels if split.stratify and np.bincount(labels).min() >= 4 else None
        roles = role_split(len(labels), split, seed, strata)
        targets, y_dtype = labels.astype(np.int64), torch.int64
        n_outputs, extra = len(classes), {"classes": [str(c) for c in classes]}
    elif kind == "regression":
        values = pd.to_numeric(frame[target], errors="coerce").to_numpy(np.float64)
        if np.isnan(values).any():
            raise ValueError(f"target column {target!r} is not numeric")
        roles = role_split(len(values), split, seed)
        mean, std = values[roles[0]].mean(), values[roles[0]].std() or 1.0
        targets, y_dtype = (values - mean) / std, torch.float32
        n_outputs, extra = 1, {"target_mean": float(mean), "target_std": float(std)}
    else:
        raise ValueError(f"kind={kind!r}: expected classification or regression")
    encoder = FrameEncoder.fit(features.iloc[roles[0]])
    parts = [_tensor_split(encoder.transform(features.iloc[idx]), targets[idx], y_dtype)
             for idx in roles]
    return Splits(*parts, n_outputs=n_outputs,
                  info={"in_features": encoder.n_features, **extra})


FrameSource = Callable[..., tuple[pd.DataFrame, str]]


def frame_loader(kind: str, source: FrameSource, drop: Sequence[str] = ()):
    """A DATASETS loader from ``source(cfg, data_dir) -> (frame, target column)``."""

    def load(cfg, split, seed: int, data_dir) -> Splits:
        frame, target = source(cfg, data_dir)
        return frame_splits(frame, target, kind, split, seed, drop)

    load.__doc__ = source.__doc__
    return load
