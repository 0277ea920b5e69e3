"""Typed schemas of the baselines (``/schema/policy@_here_: <name>`` in
conf/policy/*.yaml), apart from the scorers: composing a config and hashing a
finished trial need only these, and must not import torch.

``uses_pull_budget`` (not a config key) says whether a method spends the
bandits' pull budget; a baseline that does not leaves the bandit-only keys out
of its config hash (mabbench/store/identity.py), so changing a budget re-runs only bandits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mabbench.config.schemas import store_schema


@dataclass
class ScorerConfig:
    uses_pull_budget: ClassVar[bool] = False
    _target_: str = "???"
    name: str = "???"


@dataclass
class LayerScaledConfig(ScorerConfig):
    """A baseline whose scores carry each layer's own scale: under ``pruning.scope=global``
    they are normalised per layer before layers are pooled (mabbench/pruning/normalizers.py)."""

    global_normalizer: str = "mean"


@dataclass
class UnprunedConfig(ScorerConfig):
    _target_: str = "baselines.unpruned.Unpruned"
    name: str = "none"


@dataclass
class RandomConfig(ScorerConfig):
    _target_: str = "baselines.random_order.RandomOrder"
    name: str = "random"


@dataclass
class MagnitudeConfig(LayerScaledConfig):
    _target_: str = "baselines.magnitude.Magnitude"
    name: str = "magnitude"
    # behind a BatchNorm: bn_scale (|gamma|, the default) or bn_group (Torch-Pruning's
    # group L1); filter_l1: v2's plain L1 everywhere (baselines/magnitude.py)
    variant: str = "bn_scale"


@dataclass
class TaylorConfig(ScorerConfig):
    _target_: str = "baselines.taylor.Taylor"
    name: str = "taylor"


@dataclass
class GreedyConfig(LayerScaledConfig):
    _target_: str = "baselines.greedy.GreedyActivation"
    name: str = "greedy"


@dataclass
class OracleConfig(ScorerConfig):
    _target_: str = "baselines.oracle.Oracle"
    name: str = "oracle"


@dataclass
class OracleUnsignedConfig(ScorerConfig):
    _target_: str = "baselines.oracle_unsigned.OracleUnsigned"
    name: str = "oracle_unsigned"


@dataclass
class ShapleyConfig(ScorerConfig):
    uses_pull_budget: ClassVar[bool] = True  # its permutations are bought with the bandits' budget
    _target_: str = "baselines.shapley.Shapley"
    name: str = "shapley"
    tolerance: float = 0.05


store_schema("policy", "none", UnprunedConfig)
store_schema("policy", "random", RandomConfig)
store_schema("policy", "magnitude", MagnitudeConfig)
store_schema("policy", "taylor", TaylorConfig)
store_schema("policy", "greedy", GreedyConfig)
store_schema("policy", "oracle", OracleConfig)
store_schema("policy", "oracle_unsigned", OracleUnsignedConfig)
store_schema("policy", "shapley", ShapleyConfig)
