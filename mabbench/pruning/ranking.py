"""Turning per-arm importance scores into a pruning order."""
from __future__ import annotations

import torch

from mabbench.pruning.context import PruningCost, Ranking


def ranking_from_scores(importance: dict[str, torch.Tensor], scope: str,
                        cost: PruningCost | None = None) -> Ranking:
    """Least important first. ``importance[layer]`` has shape (width,); ties
    keep index order (stable sort), so rankings are deterministic."""
    order = {
        layer: torch.sort(score.double().cpu(), stable=True).indices.tolist()
        for layer, score in importance.items()
    }
    global_order = None
    if scope == "global":
        pooled = [(float(s), layer, j) for layer, score in importance.items()
                  for j, s in enumerate(score.double().cpu().tolist())]
        global_order = [(layer, j) for _, layer, j in sorted(pooled, key=lambda t: t[0])]
    return Ranking(
        order=order,
        scores={layer: score.double().cpu().tolist() for layer, score in importance.items()},
        global_order=global_order,
        cost=cost or PruningCost(),
    )
