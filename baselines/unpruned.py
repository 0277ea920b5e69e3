"""The unpruned dense model (``policy=none``): no ranking, the curve is sparsity 0."""
from __future__ import annotations

from dataclasses import dataclass

from baselines.base import ScorerConfig
from mabbench.config import store_schema
from mabbench.pruning.context import PruningContext


class Unpruned:
    name = "none"
    prunes = False

    def rank(self, ctx: PruningContext) -> None:
        return None


@dataclass
class UnprunedConfig(ScorerConfig):
    _target_: str = "baselines.unpruned.Unpruned"
    name: str = "none"


store_schema("policy", "none", UnprunedConfig)
