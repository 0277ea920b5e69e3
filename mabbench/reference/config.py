"""Typed schemas of the reference axis (conf/reference/*.yaml, conf/reference_run.yaml)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from mabbench.config.schemas import Config, store_schema

# Which estimator of a comparator a task needs, by the task's metric.
ROLE_BY_METRIC = {"accuracy": "classifier", "r2": "regressor"}


@dataclass
class EstimatorConfig:
    """One scikit-learn estimator and the hyperparameter grid searched on val.

    ``estimator`` is a ``{_target_: sklearn..., **fixed_kwargs}`` node; ``grid``
    maps a constructor keyword to the values tried (every combination is fit on
    train and the best val score wins).
    """

    estimator: Any = MISSING
    grid: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class ComparatorConfig:
    """A classical comparator: its classifier (tasks scored by accuracy) and/or
    regressor (tasks scored by R^2); ``null`` where it does not apply."""

    name: str = MISSING
    classifier: EstimatorConfig | None = None
    regressor: EstimatorConfig | None = None


@dataclass
class ReferenceRunConfig(Config):
    """The trial config (task, dataset, seed, runtime) plus one comparator.
    ``model``, ``policy`` and ``pruning`` are composed (task files override
    them) but never read."""

    reference: ComparatorConfig = MISSING


store_schema("reference", "base", ComparatorConfig)
store_schema(None, "reference_run_schema", ReferenceRunConfig)
