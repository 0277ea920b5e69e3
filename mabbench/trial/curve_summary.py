"""What a record says about its curve beyond the points themselves (PROTOCOL.md
step 7): the point selected on select (the dense model a candidate), the area
under the metric-sparsity curve, the test metric at matched MACs, and the
trivial predictor every pruned metric should beat.

A *point* is a dict with at least ``sparsity``, ``select``, ``test`` and
``macs`` (per example); a *curve* is a list of points, the dense point
(sparsity 0) included.
"""
from __future__ import annotations

import numpy as np
import torch

from mabbench.tasks.base import Splits
from mabbench.tasks.objectives import METRICS


def select_point(points: list[dict]) -> dict:
    """The point with the best ``select`` score; on a tie, the sparser one (equal
    select score for fewer units). The dense point competes like any other."""
    return max(points, key=lambda p: (p["select"], p["sparsity"]))


def area_under_curve(points: list[dict], key: str) -> float:
    """Trapezoid area of ``key`` over sparsity, from 0 (dense) to the last level.
    Divide by the last level for the mean metric over the curve."""
    ordered = sorted(points, key=lambda p: p["sparsity"])
    x = np.array([p["sparsity"] for p in ordered], dtype=np.float64)
    y = np.array([p[key] for p in ordered], dtype=np.float64)
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))


def metric_at_macs(points: list[dict], fractions: list[float],
                   key: str = "test") -> dict[str, float | None]:
    """``key`` linearly interpolated at ``fraction`` x the dense model's MACs, per
    fraction (keys are the fractions as text, e.g. ``"0.5"``); None where the
    curve does not reach that few MACs. Methods whose layer allocations differ
    compare at equal compute this way, not at equal sparsity."""
    dense = next(p for p in points if p["sparsity"] == 0.0)
    ordered = sorted(points, key=lambda p: p["macs"])
    macs = np.array([p["macs"] for p in ordered], dtype=np.float64)
    values = np.array([p[key] for p in ordered], dtype=np.float64)
    result: dict[str, float | None] = {}
    for fraction in fractions:
        wanted = fraction * dense["macs"]
        inside = macs[0] <= wanted <= macs[-1]
        result[f"{fraction:g}"] = float(np.interp(wanted, macs, values)) if inside else None
    return result


def trivial_scores(splits: Splits, metric: str) -> dict:
    """The score of a model that ignores its input, fitted on train: the
    majority train class (classification; for a language row, targets (N, T),
    the commonest train token at every position) or the train mean
    (regression), scored on select and test like every curve point."""
    targets = splits.train.targets
    classification = not torch.is_floating_point(targets)
    if classification:
        majority = int(torch.bincount(targets.flatten().cpu()).argmax())
        predictor = "majority class" if targets.dim() == 1 else "most frequent train token"
    else:
        mean = float(targets.double().mean())
        predictor = "train mean"
    scores = {"predictor": predictor}
    for role in ("select", "test"):
        data = getattr(splits, role)
        if classification:
            # (N, classes), or (N, vocab, T) as a language model's logits
            outputs = torch.zeros(len(data), splits.n_outputs, *data.targets.shape[1:],
                                  device=data.targets.device)
            outputs[:, majority] = 1.0
        else:
            outputs = torch.full(data.targets.shape, mean, device=data.targets.device)
        scores[role] = METRICS.get(metric)(outputs, data.targets)
    return scores


def axis_summary(points: dict[str, dict | None], dense: dict, delta: float) -> dict:
    """What a record says about one equal-compute axis (mabbench/trial/endpoints.py).

    ``points``: fraction (as text) -> scored point or None (unreachable).
    ``auc``: per role, the trapezoid area of the metric over the nominal
    fractions from 1 (the dense model) down to the smallest, divided by that
    span (the mean metric over the axis); None when any fraction is unreachable
    (an area over fewer points would not compare). ``compression``: the
    smallest fraction whose *select* metric is within ``delta`` of the dense
    select metric (chosen on select), with its select and test drops from dense;
    the dense model itself (fraction 1, drops 0) when no fraction qualifies.
    """
    reached = {float(f): p for f, p in points.items() if p is not None}
    auc = None
    if reached and len(reached) == len(points):
        fractions = sorted([1.0, *reached])
        auc = {}
        for role in ("select", "test"):
            values = [dense[role] if f == 1.0 and f not in reached else reached[f][role]
                      for f in fractions]
            x, y = np.array(fractions), np.array(values, dtype=np.float64)
            area = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))
            auc[role] = area / (fractions[-1] - fractions[0]) if len(fractions) > 1 else y[0]
    kept = [f for f, p in reached.items() if p["select"] >= dense["select"] - delta]
    fraction = min(kept, default=1.0)
    chosen = reached.get(fraction, dense) if kept else dense
    compression = {"fraction": fraction, "delta": delta,
                   "select_drop": dense["select"] - chosen["select"],
                   "test_drop": dense["test"] - chosen["test"], "test": chosen["test"]}
    return {"auc": auc, "compression": compression}
