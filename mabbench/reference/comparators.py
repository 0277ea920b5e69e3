"""Fit a comparator on train, choose its hyperparameters on select, score select and test."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from mabbench.config.errors import ConfigError
from mabbench.config.targets import confine, no_targets
from mabbench.reference.config import ROLE_BY_METRIC
from mabbench.tasks.base import Split, Splits
from mabbench.tasks.objectives import EXTRA_METRICS, METRICS


@dataclass
class Fitted:
    """The chosen estimator, its hyperparameters and its scores (same metric as the networks)."""

    estimator: Any
    params: dict[str, Any]
    val: float
    test: float
    fit_seconds: float
    extra: dict[str, float] = field(default_factory=dict)  # select_<m>/test_<m>, EXTRA_METRICS


def features(split: Split) -> np.ndarray:
    """(n, d) float64: every input tensor flattened per example and concatenated."""
    return np.concatenate([x.reshape(len(split), -1).double().cpu().numpy() for x in split.inputs],
                          axis=1)


def targets(split: Split) -> np.ndarray:
    return split.targets.reshape(len(split), -1).squeeze(1).cpu().numpy()


def as_outputs(predicted: np.ndarray, role: str, n_outputs: int) -> torch.Tensor:
    """Predictions shaped like a network's outputs, so the networks' own metric scores them:
    one-hot (n, classes) for classifiers, (n,) for regressors."""
    if role == "classifier":
        return F.one_hot(torch.as_tensor(predicted, dtype=torch.long), n_outputs).double()
    return torch.as_tensor(predicted, dtype=torch.float64)


def estimator_config(comparator: DictConfig, metric: str, task: str) -> DictConfig:
    role = ROLE_BY_METRIC.get(metric)
    if role is None:
        raise ConfigError(f"task={task} is scored by {metric!r}; comparators support "
                          f"{', '.join(ROLE_BY_METRIC)}")
    node = comparator.get(role)
    if node is None:
        raise ConfigError(f"reference={comparator.name} has no {role}, so it does not apply "
                          f"to task={task} (scored by {metric})")
    # Only a scikit-learn estimator may be built, and the grid's values are data, not classes.
    from sklearn.base import BaseEstimator

    confine(node.get("estimator"), f"reference.{role}.estimator", (BaseEstimator,),
            "a scikit-learn estimator")
    no_targets(node.get("grid"), f"reference.{role}.grid")
    return node


def grid_points(grid: DictConfig) -> list[dict[str, Any]]:
    """Every combination of the grid, in a fixed order (keys sorted)."""
    grid = OmegaConf.to_container(grid, resolve=True) or {}
    keys = sorted(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]


def build(node: DictConfig, params: dict[str, Any], seed: int):
    estimator = instantiate(node.estimator, **params)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=seed)
    return estimator


def fit_and_select(comparator: DictConfig, splits: Splits, metric: str, task: str,
                   seed: int) -> Fitted:
    """Fit each grid point on train, keep the best on select (first wins ties), score test."""
    node = estimator_config(comparator, metric, task)
    role = ROLE_BY_METRIC[metric]
    score = METRICS.get(metric)
    x_train, y_train = features(splits.train), targets(splits.train)
    x_val, y_val = features(splits.select), splits.select.targets.cpu()
    best: Fitted | None = None
    for params in grid_points(node.grid):
        start = time.perf_counter()
        estimator = build(node, params, seed).fit(x_train, y_train)
        seconds = time.perf_counter() - start
        val = score(as_outputs(estimator.predict(x_val), role, splits.n_outputs), y_val)
        if best is None or val > best.val:
            best = Fitted(estimator, params, val, float("nan"), seconds)
    assert best is not None  # grid_points always yields at least the empty point
    outputs = {name: as_outputs(best.estimator.predict(features(split)), role, splits.n_outputs)
               for name, split in (("select", splits.select), ("test", splits.test))}
    best.test = score(outputs["test"], splits.test.targets.cpu())
    for extra in EXTRA_METRICS.get(metric, ()):
        for name, split in (("select", splits.select), ("test", splits.test)):
            best.extra[f"{name}_{extra}"] = METRICS.get(extra)(outputs[name], split.targets.cpu())
    return best
