"""Turning per-arm importance scores into a pruning order."""
from __future__ import annotations

import numpy as np
import torch

from mabbench.pruning.context import PruningCost, Ranking


def ranking_from_scores(importance: dict[str, torch.Tensor], scope: str,
                        cost: PruningCost | None = None, normalizer: str = "none") -> Ranking:
    """Least important first. ``importance[layer]`` has shape (width,); ties
    keep index order (stable sort), so rankings are deterministic. A global
    ranking pools the layers after ``normalizer`` (mabbench/pruning/normalizers.py)
    puts their scores on one scale; ``scores`` keeps the method's own values."""
    from mabbench.pruning.normalizers import NORMALIZERS

    normalize = NORMALIZERS.get(normalizer)
    order = {
        layer: torch.sort(score.double().cpu(), stable=True).indices.tolist()
        for layer, score in importance.items()
    }
    global_order = None
    if scope == "global":
        pooled = [(float(s), layer, j) for layer, score in importance.items()
                  for j, s in enumerate(normalize(score.double().cpu()).tolist())]
        global_order = [(layer, j) for _, layer, j in sorted(pooled, key=lambda t: t[0])]
    return Ranking(
        order=order,
        scores={layer: score.double().cpu().tolist() for layer, score in importance.items()},
        global_order=global_order,
        cost=cost or PruningCost(),
    )


def spearman_per_layer(scores: dict[str, list[float]],
                       reference: dict[str, torch.Tensor]) -> dict[str, float]:
    """Spearman rho (average ranks for ties) of each layer's importance scores
    against ``reference`` (the oracle's). NaN where either side is constant."""
    from scipy.stats import spearmanr

    rho = {}
    for layer, mine in scores.items():
        theirs = reference[layer].double().cpu().numpy()
        if len(mine) < 2 or np.ptp(mine) == 0 or np.ptp(theirs) == 0:
            rho[layer] = float("nan")
        else:
            rho[layer] = float(spearmanr(mine, theirs).statistic)
    return rho
