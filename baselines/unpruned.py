"""The unpruned dense model (``policy=none``): no ranking, the curve is sparsity 0."""
from __future__ import annotations

from baselines.schemas import UnprunedConfig  # noqa: F401  (its schema, kept importable here)
from mabbench.pruning.context import PruningContext


class Unpruned:
    name = "none"
    prunes = False

    def rank(self, ctx: PruningContext) -> None:
        return None
