"""Metric-vs-sparsity curves per dataset: one line per method, mean and 95% bootstrap
interval over seeds (seeded, so redrawing gives the same pixels)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from paper_figures.inputs import Inputs
from paper_figures.render import markers, palette, save_figure, seed_phrase, style

NAME = "curves"
PRUNING_KINDS = ("bandit", "baseline")
BOOTSTRAP_SEED = 0
FAMILY_TITLES = {"bandit": "bandit policies", "baseline": "baselines"}
METRIC_LABELS = {"accuracy": "test accuracy", "r2": "test R$^2$"}


def pruned_curves(inputs: Inputs) -> pd.DataFrame:
    """Curve points of the main configuration of every pruning method."""
    runs = inputs.main_runs
    if len(runs) == 0 or len(inputs.store.curve) == 0:
        return pd.DataFrame()
    keys = ["task", "dataset", "model", "policy", "config_hash", "seed"]
    chosen = runs[runs["kind"].isin(PRUNING_KINDS)][[*keys, "metric"]]
    return inputs.store.curve.merge(chosen, on=keys)


@dataclass(frozen=True)
class XAxis:
    """What a curve runs along: the points' column, its label, fixed limits (or None)."""

    column: str
    label: str
    limits: tuple[float, float] | None = None


SPARSITY = XAxis("sparsity", "sparsity (fraction of arms removed)")


def draw(points: pd.DataFrame, title: str, metric: str, axis: XAxis = SPARSITY):
    """One panel per method family (bandits | baselines), sharing the y axis, so
    each panel holds few enough methods for colour + marker to tell them apart."""
    style()
    families = [kind for kind in PRUNING_KINDS if (points["kind"] == kind).any()]
    fig, axes = plt.subplots(1, len(families), figsize=(5.2 * len(families) + 1.5, 4.4),
                             sharey=True, squeeze=False)
    for ax, family in zip(axes[0], families):
        block = points[points["kind"] == family]
        methods = sorted(block["policy"].unique())
        sns.lineplot(data=block, x=axis.column, y="test", hue="policy", hue_order=methods,
                     style="policy", style_order=methods, palette=palette(methods),
                     markers=markers(methods), dashes=False, markersize=5,
                     errorbar=("ci", 95), n_boot=1000, seed=BOOTSTRAP_SEED,
                     err_kws={"alpha": 0.08}, ax=ax)
        if axis.limits is not None:
            ax.set_xlim(*axis.limits)
        ax.set_xlabel(axis.label)
        ax.set_ylabel(METRIC_LABELS.get(metric, f"test {metric}"))
        ax.set_title(FAMILY_TITLES[family])
        sns.move_legend(ax, "upper center", bbox_to_anchor=(0.5, -0.18), frameon=False,
                        ncol=3, title=None, fontsize=8)
    n_seeds = points.groupby("policy")["seed"].nunique()
    fig.suptitle(f"{title}  (mean, 95% CI over {seed_phrase(n_seeds)})")
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
