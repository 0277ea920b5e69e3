"""Metric against pruning cost (pulls, forward FLOPs, seconds) per task: which method
keeps the most accuracy for its compute. One marker per method and budget."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from paper_figures.budgets import dataset_label, swept_datasets
from paper_figures.inputs import Inputs
from paper_figures.render import legend_outside, markers, palette, save_figure, seed_phrase, style

NAME = "cost"
COSTS = {"cost_pulls": "pulls", "cost_forward_flops": "forward FLOPs",
         "cost_seconds": "pruning time (s)"}
PRUNING_KINDS = ("bandit", "baseline")
# Where the metric kept is read, in order of preference: a task is drawn at the first of
# these its records carry (protocol v3's equal-compute cut; a v2 archive's target unit
# sparsity). Records that cannot reach the chosen point are left out of it.
KEPT_AT = {"eq_macs_test_0.5": "with the cut at 50% of the dense MACs",
          "target_test": "at the target unit sparsity"}


def point_column(runs: pd.DataFrame) -> str | None:
    """The first column of KEPT_AT with a value in these records."""
    return next((c for c in KEPT_AT if c in runs and runs[c].notna().any()), None)


def cost_points(inputs: Inputs) -> pd.DataFrame:
    """Per (task, method, budget): mean over datasets and seeds of the cost and of the
    change in test metric at the task's point (KEPT_AT) against the same record's dense
    model. Every budget is kept (a budget sweep draws a line), on the swept datasets only."""
    runs = inputs.one_shot_runs
    if len(runs) == 0:
        return pd.DataFrame()
    runs = swept_datasets(runs[runs["kind"].isin(PRUNING_KINDS)])
    return pd.concat([task_points(block) for _, block in runs.groupby("task", sort=True)]
                     or [pd.DataFrame()], ignore_index=True)


def task_points(runs: pd.DataFrame) -> pd.DataFrame:
    column = point_column(runs)
    if column is None:
        return pd.DataFrame()
    runs = runs.dropna(subset=[column])
    runs = runs.assign(delta=runs[column] - runs["dense_test"])
    costs = [c for c in COSTS if c in runs]
    grouped = runs.groupby(["task", "policy", "kind", "budget_per_arm"], dropna=False)
    points = grouped[["delta", *costs]].mean()
    points = points.assign(n_seeds=grouped["seed"].nunique(), point=KEPT_AT[column])
    return points.reset_index().assign(datasets=dataset_label(runs[["dataset"]]))


def drawn_costs(points: pd.DataFrame) -> list[str]:
    """Cost columns with at least one positive value (an all-zero axis says nothing)."""
    return [c for c in COSTS if c in points and (points[c] > 0).any()]


def linear_threshold(values: pd.Series) -> float:
    """symlog's linear range: the decade below the smallest positive cost, so 0 (baselines
    that pull nothing) sits left of a clean log axis."""
    smallest = values[values > 0].min()
    return 10.0 ** math.floor(np.log10(smallest)) if math.isfinite(smallest) else 1.0


def draw(points: pd.DataFrame, task: str, costs: list[str]):
    style()
    fig, axes = plt.subplots(1, len(costs), figsize=(4.2 * len(costs), 4), sharey=True,
                             squeeze=False)
    methods = sorted(points["policy"].unique())
    colours = palette(methods)
    for ax, cost in zip(axes[0], costs):
        data = points.sort_values([cost, "policy"])
        sns.lineplot(data=data, x=cost, y="delta", hue="policy", hue_order=methods,
                     palette=colours, estimator=None, sort=True, legend=False, ax=ax)
        sns.scatterplot(data=data, x=cost, y="delta", hue="policy", hue_order=methods,
                        style="policy", style_order=methods, markers=markers(methods),
                        palette=colours, s=50,
                        ax=ax, legend=ax is axes[0][-1])
        ax.set_xscale("symlog", linthresh=linear_threshold(data[cost]))
        ax.set_xlabel(f"{COSTS[cost]} (mean per trial, symlog)")
        ax.set_ylabel(f"test metric change vs dense\n{points['point'].iloc[0]}")
        ax.axhline(0.0, color="grey", lw=0.8, ls=":")
    legend_outside(axes[0][-1])
    fig.suptitle(f"{task}: metric kept against pruning cost "
                 f"(mean over {seed_phrase(points['n_seeds'])}, "
                 f"{points['datasets'].iloc[0]})")
    return fig


def make(inputs: Inputs) -> list[Path]:
    points = cost_points(inputs)
    if len(points) == 0:
        inputs.note("cost: no pruning records; skipped")
        return []
    written: list[Path] = []
    for task, block in points.groupby("task", sort=True):
        costs = drawn_costs(block)
        for cost in sorted(set(COSTS) - set(costs)):
            inputs.note(f"cost_{task}: {COSTS[cost]} is zero or missing in every record; "
                        f"panel left out")
        if not costs:
            continue
        written += save_figure(draw(block, task, costs), inputs.out, f"cost_{task}",
                               inputs.formats)
    return written
