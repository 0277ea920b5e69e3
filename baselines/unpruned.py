"""The unpruned dense model (``policy=none``): no ranking, the curve is sparsity 0."""
from __future__ import annotations

from mabbench.pruning.context import PruningContext


class Unpruned:
    name = "none"
    prunes = False

    def rank(self, ctx: PruningContext) -> None:
        return None
