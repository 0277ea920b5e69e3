"""Metric-vs-sparsity curves per dataset: one line per method, mean and 95% bootstrap
interval over seeds (seeded, so redrawing gives the same pixels)."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from paper_figures.inputs import Inputs
from paper_figures.render import legend_outside, palette, save_figure, style

NAME = "curves"
PRUNING_KINDS = ("bandit", "baseline")
BOOTSTRAP_SEED = 0
METRIC_LABELS = {"accuracy": "test accuracy", "r2": "test R$^2$"}


def pruned_curves(inputs: Inputs) -> pd.DataFrame:
    """Curve points of the main configuration of every pruning method."""
    runs = inputs.main_runs
    if len(runs) == 0 or len(inputs.store.curve) == 0:
        return pd.DataFrame()
    keys = ["task", "dataset", "model", "policy", "config_hash", "seed"]
    chosen = runs[runs["kind"].isin(PRUNING_KINDS)][[*keys, "metric"]]
    return inputs.store.curve.merge(chosen, on=keys)


def draw(points: pd.DataFrame, title: str, metric: str):
    style()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    methods = sorted(points["policy"].unique())
    colours = palette(methods)
    sns.lineplot(data=points, x="sparsity", y="test", hue="policy", hue_order=methods,
                 style="kind", style_order=list(PRUNING_KINDS), palette=colours, marker="o",
                 markersize=4, errorbar=("ci", 95), n_boot=1000, seed=BOOTSTRAP_SEED,
                 err_kws={"alpha": 0.12}, ax=ax)
    ax.set_xlabel("sparsity (fraction of arms removed)")
    ax.set_ylabel(METRIC_LABELS.get(metric, f"test {metric}"))
    n_seeds = points.groupby("policy")["seed"].nunique().min()
    ax.set_title(f"{title}  (mean, 95% CI over {n_seeds}+ seeds)")
    legend_outside(ax)
    return fig


def make(inputs: Inputs) -> list[Path]:
    points = pruned_curves(inputs)
    if len(points) == 0:
        inputs.note("curves: no pruning records; skipped")
        return []
    written: list[Path] = []
    out = inputs.out / "curves"
    for (task, dataset, model), block in points.groupby(["task", "dataset", "model"], sort=True):
        fig = draw(block, f"{task} / {dataset} / {model}", block["metric"].iloc[0])
        written += save_figure(fig, out, f"curve_{task}_{dataset}_{model}", inputs.formats)
    return written
