"""The sparsity curve: physically remove the lowest-ranked arms at each level
and score the smaller model on val (for selection) and test (to report)."""
from __future__ import annotations

import torch
from torch import nn

from mabbench.objectives import METRICS
from mabbench.pruning.compaction import compact, count_macs, count_params
from mabbench.pruning.context import Ranking
from mabbench.tasks.base import Split, Splits


@torch.no_grad()
def score(model: nn.Module, data: Split, metric: str, batch_size: int = 2048) -> float:
    outputs = torch.cat([
        model(*(x[i:i + batch_size] for x in data.inputs))
        for i in range(0, len(data), batch_size)
    ])
    return METRICS.get(metric)(outputs, data.targets)


def units_to_remove(ranking: Ranking, widths: dict[str, int], level: float,
                    scope: str) -> dict[str, list[int]]:
    """The first ``level`` fraction of arms in pruning order; a layer keeps >= 1 unit."""
    if scope == "global":
        total = sum(widths.values())
        budget = int(level * total)
        remove: dict[str, list[int]] = {layer: [] for layer in widths}
        for layer, unit in ranking.global_order:
            if budget == 0:
                break
            if len(remove[layer]) < widths[layer] - 1:
                remove[layer].append(unit)
                budget -= 1
        return remove
    return {layer: ranking.order[layer][:min(int(level * width), width - 1)]
            for layer, width in widths.items()}


def point(model: nn.Module, splits: Splits, metric: str, sparsity: float) -> dict:
    example = splits.val.inputs
    return {
        "sparsity": sparsity,
        "val": score(model, splits.val, metric),
        "test": score(model, splits.test, metric),
        "params": count_params(model),
        "macs": count_macs(model, example),
    }


def sparsity_curve(model: nn.Module, ranking: Ranking, widths: dict[str, int],
                   splits: Splits, metric: str, levels: list[float], scope: str) -> list[dict]:
    example = tuple(x[:2] for x in splits.val.inputs)
    curve = []
    for level in sorted(levels):
        removed = units_to_remove(ranking, widths, level, scope)
        smaller = compact(model, removed, example)
        curve.append(point(smaller, splits, metric, level))
    return curve
