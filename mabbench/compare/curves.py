"""The new method's curves beside its best rivals': one figure per task, a panel per
dataset (model), mean test score over seeds at each sparsity level."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt

from paper_figures.curves import METRIC_LABELS, pruned_curves
from paper_figures.inputs import Inputs
from paper_figures.render import palette, save_figure, style

COLUMNS = 6  # panels per row


def draw_curves(inputs: Inputs, subject: str, rivals: dict[str, list[str]],
                out: Path) -> list[Path]:
    """``rivals``: per task, the methods drawn beside ``subject`` (best mean rank first)."""
    points = pruned_curves(inputs)
    written: list[Path] = []
    if len(points) == 0:
        return written
    for task, block in points.groupby("task", sort=True):
        methods = [subject, *rivals.get(task, [])]
        block = block[block["policy"].isin(methods)]
        if not (block["policy"] == subject).any():
            continue
        written += save_figure(_figure(block, task, methods, subject), out, f"curves_{task}",
                               inputs.formats)
    return written


def _figure(block, task: str, methods: list[str], subject: str):
    style()
    panels = list(block.groupby(["dataset", "model"], sort=True))
    rows = math.ceil(len(panels) / COLUMNS)
    fig, axes = plt.subplots(rows, min(COLUMNS, len(panels)), squeeze=False,
                             figsize=(2.6 * min(COLUMNS, len(panels)), 2.2 * rows + 0.8))
    colours = palette(methods[1:]) | {subject: "black"}
    for ax, ((dataset, model), panel) in zip(axes.flat, panels):
        means = panel.groupby(["policy", "sparsity"])["test"].mean()
        for method in methods:
            if method in means.index.get_level_values(0):
                line = means[method]
                ax.plot(line.index, line.to_numpy(), color=colours[method], label=method,
                        lw=2.2 if method == subject else 1.0, zorder=3 if method == subject else 2)
        ax.set_title(f"{dataset}" + (f" / {model}" if task not in ("tabular", "regression") else ""),
                     fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    metric = block["metric"].iloc[0]
    seeds = block.groupby("policy")["seed"].nunique()
    fig.suptitle(f"{task}: {subject} (black) beside the best rivals by mean rank; "
                 f"{METRIC_LABELS.get(metric, metric)} vs sparsity, mean over seeds "
                 f"({subject}: {seeds.get(subject, 0)}, rivals: {seeds.drop(subject).max()})",
                 fontsize=9)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(methods), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    return fig
