"""Primary endpoints at equal compute (protocol v3, docs/protocol.md section 4).

For each fraction f of the dense model's MACs (``pruning.mac_fractions``) and
of its parameters (``pruning.param_fractions``), a method removes arms in its
own ranking order until the compacted model costs at most f x the dense one:
the fewest arms that reach it, found by bisection (cost never rises as arms
go), so the cut overshoots f by less than one arm's cost. That model gets the
trial's regime (mabbench/trial/regimes) and is scored. A fraction the method
cannot reach even with every layer down to one unit (the unprunable layers'
cost stays) is reported as None, with the axis' ``floor``: the cheapest
fraction the method's order reaches.

Ranking order per scope: ``global`` follows the ranking's pooled order;
``layer`` interleaves the layers' own orders so every layer loses the same
fraction as arms go (arm i of a layer of width w sits at (i + 1) / w).
"""
from __future__ import annotations

from collections.abc import Callable

from torch import nn

from mabbench.pruning.compaction import compact
from mabbench.pruning.context import Ranking
from mabbench.pruning.cost import count_macs, count_params
from mabbench.runtime import progress
from mabbench.runtime.timing import phase
from mabbench.trial.curve import latency, point
from mabbench.trial.curve_summary import axis_summary
from mabbench.trial.regimes import REGIMES, RecoveryJob

AXES = {"macs": "mac_fractions", "params": "param_fractions"}


def removal_sequence(ranking: Ranking, widths: dict[str, int], scope: str) -> list[tuple]:
    """Every removable (layer, unit) in the method's order; a layer keeps >= 1 unit."""
    if scope == "global":
        ordered = ranking.global_order
    else:
        ordered = [pair for _, _, pair in sorted(
            ((i + 1) / widths[layer], position, (layer, unit))
            for position, layer in enumerate(widths)
            for i, unit in enumerate(ranking.order[layer]))]
    left = dict(widths)
    sequence = []
    for layer, unit in ordered:
        if left[layer] > 1:
            sequence.append((layer, unit))
            left[layer] -= 1
    return sequence


def removal_plan(sequence: list[tuple], count: int) -> dict[str, list[int]]:
    plan: dict[str, list[int]] = {}
    for layer, unit in sequence[:count]:
        plan.setdefault(layer, []).append(unit)
    return plan


def layer_counts(plan: dict[str, list[int]], widths: dict[str, int]) -> dict[str, int]:
    """Units a cut removes per prunable layer (0 where none): its allocation across
    layers, which a control (mabbench/trial/control.py) fills with another method's order;
    under scope=global the record holds no other way to recover it."""
    return {layer: len(plan.get(layer, ())) for layer in widths}


class CutSearch:
    """Costs (MACs per example, parameters) of the first k arms of a sequence
    removed, each k compacted once and remembered."""

    def __init__(self, model: nn.Module, sequence: list[tuple], example: tuple) -> None:
        self.model, self.sequence, self.example = model, sequence, example
        self.costs: dict[int, dict[str, int]] = {}

    def cost(self, count: int) -> dict[str, int]:
        if count not in self.costs:
            smaller = compact(self.model, removal_plan(self.sequence, count), self.example)
            self.costs[count] = {"macs": count_macs(smaller, self.example),
                                 "params": count_params(smaller)}
        return self.costs[count]

    def fewest(self, axis: str, limit: float) -> int | None:
        """The fewest arms whose removal brings ``axis`` to <= ``limit``; None if none does."""
        low, high = 0, len(self.sequence)
        if self.cost(high)[axis] > limit:
            return None
        while low < high:  # invariant: cost(high) <= limit
            middle = (low + high) // 2
            if self.cost(middle)[axis] <= limit:
                high = middle
            else:
                low = middle + 1
        return high


def equal_compute(model: nn.Module, ranking: Ranking, widths: dict[str, int], splits,
                  pruning_cfg, dense: dict, job: RecoveryJob,
                  on_point: Callable | None = None) -> dict:
    """Per axis (``macs``, ``params``): the point at each fraction (None where
    unreachable), the floor, and the summaries of curve_summary.axis_summary."""
    regime = REGIMES.get(pruning_cfg.regime)
    example = tuple(x[:2] for x in splits.select.inputs)
    sequence = removal_sequence(ranking, widths, pruning_cfg.scope)
    search = CutSearch(model, sequence, example)
    total = sum(widths.values())
    result = {}
    for axis, key in AXES.items():
        points: dict[str, dict | None] = {}
        for fraction in progress.iterate(sorted(pruning_cfg[key], reverse=True),
                                         desc=f"{axis} endpoints", unit="cut"):
            count = search.fewest(axis, fraction * dense[axis])
            if count is None:
                points[f"{fraction:g}"] = None
                continue
            plan = removal_plan(sequence, count)
            smaller = compact(model, plan, example)
            before = point(smaller, splits, job.metric, count / total)
            recovery = regime.recover(smaller, job)
            if regime.changes_model:
                scored = point(smaller, splits, job.metric, count / total, pruning_cfg.latency)
            else:  # the same model, the same forwards: only the latency is new
                with phase("latency"):
                    scored = before | latency(smaller, splits.select.inputs,
                                              pruning_cfg.latency)
            points[f"{fraction:g}"] = scored | {
                "fraction": fraction, "arms_removed": count,
                "mac_fraction": scored["macs"] / dense["macs"],
                "param_fraction": scored["params"] / dense["params"],
                "select_as_cut": before["select"], "test_as_cut": before["test"],
                "recovery": recovery, "removed_per_layer": layer_counts(plan, widths)}
            if on_point is not None:
                on_point(axis, fraction, points[f"{fraction:g}"])
        floor = search.cost(len(sequence))[axis] / dense[axis]
        result[axis] = {"points": points, "floor": floor,
                        **axis_summary(points, dense, pruning_cfg.compression_delta)}
    return result


def unpruned_endpoints(dense: dict, pruning_cfg) -> dict:
    """The unpruned model's endpoints: it reaches no fraction below 1."""
    return {axis: {"points": {f"{f:g}": None for f in pruning_cfg[key]}, "floor": 1.0,
                   **axis_summary({f"{f:g}": None for f in pruning_cfg[key]}, dense,
                                  pruning_cfg.compression_delta)}
            for axis, key in AXES.items()}


def schedule_of(cfg, method, kind: str) -> dict | None:
    """What the record says about the schedule the method ran (None: unpruned).
    ``rescored``: the method scored the pruned model again between stages (the
    bandits re-estimate; a baseline does if it declares ``rescores``)."""
    from mabbench.pruning.schedules import SCHEDULES

    if kind == "unpruned":
        return None
    schedule = SCHEDULES.get(cfg.pruning.schedule)
    stages = schedule.stages(cfg.pruning)
    rescores = kind == "bandit" or bool(getattr(method, "rescores", False))
    return {"name": cfg.pruning.schedule, "stages": stages,
            "layer_by_layer": schedule.layer_by_layer,
            "rescored": rescores and (stages > 1 or schedule.carry_forward)}
