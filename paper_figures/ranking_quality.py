"""Ranking quality: Spearman rho of each method's arm ranking against the oracle's
(leave-one-out Delta on the whole pruning split), as a function of the pull budget."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from paper_figures.budgets import dataset_label, swept_datasets
from paper_figures.inputs import Inputs
from paper_figures.render import (
    fmt,
    legend_outside,
    markers,
    palette,
    save_figure,
    seed_phrase,
    style,
    write_table,
)

NAME = "ranking_quality"
BOOTSTRAP_SEED = 0


def with_rho(inputs: Inputs) -> pd.DataFrame:
    runs = inputs.one_shot_runs
    if len(runs) == 0:
        return runs
    runs = swept_datasets(runs[runs["kind"].isin(("bandit", "baseline"))
                               & runs["spearman_oracle"].notna() & (runs["policy"] != "oracle")])
    return common_seeds(runs, inputs)


def common_seeds(runs: pd.DataFrame, inputs: Inputs) -> pd.DataFrame:
    """Per (task, dataset, model), the seeds every method of the task has: a method
    missing a seed would otherwise be averaged over other seeds than its neighbours."""
    block = ["task", "dataset", "model", "seed"]
    methods = runs.groupby("task")["policy"].nunique()
    have = runs.groupby(block)["policy"].nunique()
    full = have[have.to_numpy() == methods.reindex(have.index.get_level_values("task"))
                .to_numpy()].index
    keep = runs.set_index(block).index.isin(full)
    dropped = runs[~keep].drop_duplicates(block)
    for line in dropped.itertuples(index=False):
        inputs.note(f"ranking_quality: left out {line.task}/{line.dataset}/{line.model} "
                    f"seed {line.seed} (not every method has it)")
    return runs[keep]


def spent(group: pd.DataFrame) -> str:
    pulls = group["cost_pulls"].mean() if "cost_pulls" in group else 0.0
    return f"{pulls:,.0f} pulls per trial" if pulls > 0 else "no pulls"


def draw(runs: pd.DataFrame, task: str):
    style()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    bandits = runs[runs["kind"] == "bandit"]
    methods = sorted(runs["policy"].unique())
    colours = palette(methods)
    if len(bandits):
        sns.lineplot(data=bandits, x="budget_per_arm", y="spearman_oracle", hue="policy",
                     hue_order=sorted(bandits["policy"].unique()), palette=colours,
                     style="policy", style_order=sorted(bandits["policy"].unique()),
                     markers=markers(methods), dashes=False,
                     errorbar=("ci", 95), n_boot=1000, seed=BOOTSTRAP_SEED,
                     err_kws={"alpha": 0.1}, ax=ax)
    # Baselines do not follow the bandits' budget: a horizontal line at their mean rho,
    # labelled with what they spend (Shapley samples permutations with pulls of its own).
    for name, group in runs[runs["kind"] == "baseline"].groupby("policy", sort=True):
        ax.axhline(group["spearman_oracle"].mean(), ls="--", lw=1.2, color=colours[name],
                   label=f"{name} (baseline, {spent(group)})")
    if len(bandits) and bandits["budget_per_arm"].min() > 0:
        ax.set_xscale("log", base=2)
        budgets = sorted(bandits["budget_per_arm"].unique())
        ax.set_xticks(budgets, [f"{b:g}" for b in budgets])
        ax.minorticks_off()
    ax.set_xlabel("pull budget (pulls per arm, log scale)")
    ax.set_ylabel("Spearman rho vs oracle ranking")
    ax.set_title(f"{task}: ranking quality against budget "
                 f"(mean, 95% CI over "
                 f"{seed_phrase(runs.groupby('policy')['seed'].nunique())}; "
                 f"{dataset_label(runs)})")
    ax.legend()
    legend_outside(ax)
    return fig


def table(inputs: Inputs, runs: pd.DataFrame) -> list[Path]:
    means = runs.groupby(["task", "policy", "budget_per_arm"], dropna=False)["spearman_oracle"]
    summary = means.agg(["mean", "count"]).reset_index()
    rows = [[r.task, r.policy, fmt(r.budget_per_arm, 2), fmt(r.mean, 3), str(r.count)]
            for r in summary.itertuples(index=False)]
    return write_table(inputs.out, "ranking_quality", "Ranking quality against the oracle",
                       "Spearman rho between each method's arm ranking and the oracle's, mean "
                       "over the seeds every method has and the datasets that ran every "
                       "budget, per pull budget (pulls per arm; a baseline has one budget of "
                       "its own, shown as its cost in the figures' legends).",
                       ["task", "method", "budget", "rho", "runs"], rows)


def make(inputs: Inputs) -> list[Path]:
    runs = with_rho(inputs)
    if len(runs) == 0:
        inputs.note("ranking_quality: no record carries spearman_oracle; skipped")
        return []
    written = table(inputs, runs)
    for task, group in runs.groupby("task", sort=True):
        written += save_figure(draw(group, task), inputs.out, f"ranking_quality_{task}",
                               inputs.formats)
    return written
