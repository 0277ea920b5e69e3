"""Baselines rank arms by a closed-form importance score (higher = keep)."""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch

from mabbench.pruning.context import PruningContext, PruningCost, Ranking
from mabbench.pruning.ranking import ranking_from_scores


@dataclass
class ScorerConfig:
    _target_: str = "???"
    name: str = "???"


class Scorer(ABC):
    """One method, one ``importance`` function; ``rank`` is shared."""

    name = "scorer"

    @abstractmethod
    def importance(self, ctx: PruningContext) -> dict[str, torch.Tensor]:
        """Per layer in ``ctx.widths``, a (width,) tensor: higher = more important."""

    def rank(self, ctx: PruningContext) -> Ranking:
        start = time.perf_counter()
        scores = self.importance(ctx)
        return ranking_from_scores(
            scores, ctx.cfg.scope, PruningCost(seconds=time.perf_counter() - start)
        )
