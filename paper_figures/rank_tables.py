"""The paper's rank tables: mean ranks over datasets (seeds averaged per dataset),
Friedman, Nemenyi, critical difference, and a critical-difference diagram each."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import scikit_posthocs as sp
from matplotlib.lines import Line2D

from paper_figures.inputs import DEEP_TASKS, POINTS, Inputs
from paper_figures.render import (FAMILY_COLOURS, fmt, fmt_p, save_figure, seed_phrase, style,
                                  write_table)
from paper_figures.stats import RankTest, rank_test

NAME = "rank_tables"


@dataclass(frozen=True)
class RankTableSpec:
    """``tasks`` pooled into one table; ``key`` is the point's value ranked (higher =
    better); a block (a row of the Friedman test) is one value of ``block``."""

    title: str
    tasks: tuple[str, ...]
    key: str
    metric_label: str
    block: tuple[str, ...] = ("dataset",)


RANK_TABLES = {
    "rank_tabular_accuracy": RankTableSpec(
        "Tabular classification: mean ranks by test accuracy", ("tabular",), "test", "accuracy"),
    "rank_tabular_f1": RankTableSpec(
        "Tabular classification: mean ranks by test macro F1", ("tabular",), "test_macro_f1",
        "macro F1"),
    "rank_regression_r2": RankTableSpec(
        "Regression: mean ranks by test R^2", ("regression",), "test", "R^2"),
    "rank_deep_learning": RankTableSpec(
        "Deep learning (image, text, reasoning, language): mean ranks by test accuracy",
        DEEP_TASKS, "test", "accuracy", ("task", "dataset", "model")),
}


def complete(scores: pd.DataFrame, inputs: Inputs, stem: str) -> pd.DataFrame:
    """Friedman needs every method on every block: drop whichever row or column has the
    larger share of gaps until none remain, noting each."""
    while scores.isna().to_numpy().any():
        row_gaps = scores.isna().mean(axis=1)
        col_gaps = scores.isna().mean(axis=0)
        if col_gaps.max() >= row_gaps.max():
            name = col_gaps.idxmax()
            inputs.note(f"{stem}: dropped method {name} "
                        f"(missing on {col_gaps.max():.0%} of datasets)")
            scores = scores.drop(columns=name)
        else:
            name = row_gaps.idxmax()
            inputs.note(f"{stem}: dropped dataset {name} (missing {row_gaps.max():.0%} of methods)")
            scores = scores.drop(index=name)
    return scores


def score_matrix(inputs: Inputs, spec: RankTableSpec, stem: str) -> tuple[pd.DataFrame, dict]:
    """blocks x methods of the value at the chosen point, mean over seeds; each method's kind."""
    runs = inputs.main_runs
    column = inputs.value(spec.key)
    if len(runs) == 0:
        return pd.DataFrame(), {}
    runs = runs.assign(**{column: inputs.values(runs, spec.key)})
    runs = runs[runs["task"].isin(spec.tasks)].dropna(subset=[column])
    if len(runs) == 0:
        return pd.DataFrame(), {}
    block = runs[list(spec.block)].astype(str).agg("/".join, axis=1).rename("block")
    scores = (runs.assign(block=block).groupby(["block", "policy"])[column].mean()
              .unstack("policy").sort_index().sort_index(axis=1))
    kinds = runs.drop_duplicates("policy").set_index("policy")["kind"].to_dict()
    return complete(scores, inputs, stem), kinds


def table_rows(test: RankTest, kinds: dict) -> tuple[list[str], list[list[str]]]:
    header = ["method", "kind", *test.scores.index, "mean rank"]
    rows = [[method, kinds.get(method, "?"), *(fmt(v) for v in test.scores[method]),
             fmt(test.mean_ranks[method], 2)] for method in test.mean_ranks.index]
    return header, rows


def footer(test: RankTest, alpha: float) -> list[str]:
    line = (f"Friedman chi2 = {fmt(test.chi2, 2)}, p = {fmt_p(test.p_value)} "
            f"(N = {test.n_blocks} datasets, k = {test.n_methods} methods); Nemenyi critical "
            f"difference at alpha = {alpha:g}: {fmt(test.critical_difference, 2)}.")
    return [line]


def nemenyi_table(inputs: Inputs, stem: str, spec: RankTableSpec, test: RankTest) -> list[Path]:
    methods = list(test.mean_ranks.index)
    rows = [[a, *(fmt_p(test.nemenyi.loc[a, b]) if a != b else "-" for b in methods)]
            for a in methods]
    return write_table(inputs.out, f"{stem}_nemenyi", f"{spec.title}: Nemenyi p-values",
                       "Pairwise Nemenyi post-hoc p-values after the Friedman test "
                       "(methods in mean-rank order).", ["method", *methods], rows)


def cd_diagram(inputs: Inputs, stem: str, spec: RankTableSpec, test: RankTest,
               kinds: dict) -> list[Path]:
    """Labels coloured by method family; the CD bar is drawn below the labels, away from
    the rank axis's tick labels (scikit-posthocs puts it on them)."""
    style()
    fig, ax = plt.subplots(figsize=(8, 0.35 * test.n_methods + 2.2))
    hue = pd.Series({m: kinds.get(m, "baseline") for m in test.mean_ranks.index})
    families = [f for f in FAMILY_COLOURS if f in set(hue)]
    sp.critical_difference_diagram(test.mean_ranks, test.nemenyi, cd=None, alpha=inputs.alpha,
                                   ax=ax, hue=hue, hue_order=families,
                                   color_palette=FAMILY_COLOURS)
    low = ax.get_ylim()[0]
    best = float(test.mean_ranks.min())
    cd = float(test.critical_difference)
    ax.plot([best, best + cd], [low - 0.6, low - 0.6], color="black", lw=2, clip_on=False)
    ax.text(best, low - 0.9, f"critical difference CD = {fmt(cd, 2)} ranks", ha="left",
            va="top", fontsize=9)
    ax.set_ylim(low - 1.8, ax.get_ylim()[1])
    ax.legend(handles=[Line2D([], [], color=FAMILY_COLOURS[f], lw=2, label=f) for f in families],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(families), frameon=False,
              fontsize=8, title="method family", title_fontsize=8)
    runs = inputs.main_runs
    runs = runs[runs["task"].isin(spec.tasks)]
    # per dataset and method, as the scores average them: a range where rows differ
    seeds = seed_phrase(runs.groupby([*spec.block, "policy"])["seed"].nunique())
    ax.set_title(f"{spec.title} {POINTS[inputs.point].label}, mean over {seeds}\n"
                 f"mean rank (1 = best); bars join methods not significantly different "
                 f"(Nemenyi, alpha = {inputs.alpha:g}); N = {test.n_blocks} datasets",
                 fontsize=9, pad=28)
    return save_figure(fig, inputs.out, f"{stem}_cd", inputs.formats)


def make(inputs: Inputs, specs: dict[str, RankTableSpec] = RANK_TABLES) -> list[Path]:
    """Each table of ``specs`` (default: the paper's) with its Nemenyi table and CD diagram."""
    written: list[Path] = []
    for stem, spec in specs.items():
        scores, kinds = score_matrix(inputs, spec, stem)
        if scores.size == 0:
            inputs.note(f"{stem}: no records with {inputs.value(spec.key)} for tasks "
                        f"{', '.join(spec.tasks)}; table skipped")
            continue
        test = rank_test(scores, inputs.alpha)
        header, rows = table_rows(test, kinds)
        caption = (f"Test {spec.metric_label} at {POINTS[inputs.point].about}, mean over seeds per "
                   f"dataset; rank 1 = best within a dataset, ties averaged (the 2017 tables "
                   f"ranked the other way, higher = better).")
        written += write_table(inputs.out, stem, spec.title, caption, header, rows,
                               footer(test, inputs.alpha))
        if test.nemenyi is None:
            inputs.note(f"{stem}: Friedman/Nemenyi need >= 2 datasets and >= 3 methods "
                        f"(have {test.n_blocks} and {test.n_methods}); no CD diagram")
            continue
        written += nemenyi_table(inputs, stem, spec, test)
        written += cd_diagram(inputs, stem, spec, test, kinds)
    return written
