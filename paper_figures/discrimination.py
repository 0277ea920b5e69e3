"""Which rows tell pruning methods apart: a row where no two methods differ by more
than the seed spread at any curve level ranks them by noise.

Per row (task/dataset/model) and curve level (sparsity > 0), over the pruning
methods (bandits and baselines) with at least two seeds: the gap is the largest
minus the smallest method mean of the *select* metric, the seed spread the mean over
methods of their range over seeds (largest minus smallest seed). A row
discriminates if the gap exceeds the spread at some level. (A range, not a
standard deviation: with 21 methods and 5 seeds, the range of the method means
under pure noise, about 1.7 sd, stays below the mean seed range, about 2.3 sd,
while it would exceed one sd at most levels.) Rows of the tasks in
``CLAIM_TASKS`` that do not are left out of the claims (claims.py), with this
table as the evidence; ``discrimination.md`` lists every row. Select, not test: which
rows enter a claim must not look at the split the claim is judged on (protocol v2 used
test here, and that is what dropped babi_qa6).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures.inputs import DEEP_TASKS, PRUNING_KINDS, Inputs
from paper_figures.load import IDENTITY
from paper_figures.render import fmt, write_table

NAME = "discrimination"
COLUMN = "select"  # decided on select only: test is what the claims report
ROW = ["task", "dataset", "model"]
# Tasks whose non-discriminating rows leave the claims (the deep-learning rows: few
# and costly, so a flat one would weigh as much as any other in a rank test).
CLAIM_TASKS = DEEP_TASKS


def levels(inputs: Inputs) -> pd.DataFrame:
    """(row, level): gap between method means, pooled seed spread, methods, seeds."""
    runs = inputs.main_runs
    curve = inputs.store.curve
    if len(runs) == 0 or len(curve) == 0 or COLUMN not in curve:
        return pd.DataFrame()
    pruning = runs[runs["kind"].isin(PRUNING_KINDS)][IDENTITY]
    points = curve.merge(pruning, on=IDENTITY)
    points = points[points["sparsity"] > 0].dropna(subset=[COLUMN])
    per_method = (points.groupby([*ROW, "sparsity", "policy"])[COLUMN]
                  .agg(["mean", "min", "max", "count"]).reset_index())
    per_method = per_method[per_method["count"] >= 2].assign(
        seed_range=lambda frame: frame["max"] - frame["min"])
    found = per_method.groupby([*ROW, "sparsity"]).agg(
        best=("mean", "max"), worst=("mean", "min"), spread=("seed_range", "mean"),
        methods=("policy", "nunique"), seeds=("count", "min")).reset_index()
    found = found[found["methods"] >= 2]
    return found.assign(gap=found["best"] - found["worst"])


def rows(inputs: Inputs) -> pd.DataFrame:
    """One row per task/dataset/model: the level with the largest gap over spread."""
    found = levels(inputs)
    if len(found) == 0:
        return pd.DataFrame(columns=[*ROW, "sparsity", "gap", "spread", "discriminates"])
    # No seed spread: any gap is decisive (inf), none is not (0). A level where every
    # method and seed scores alike (all at chance past a collapse) must not be picked.
    ratio = found["gap"] / found["spread"].where(found["spread"] > 0)
    no_spread = found["spread"] <= 0
    ratio = ratio.mask(no_spread, (found["gap"] > 0).map({True: float("inf"), False: 0.0}))
    found = found.assign(ratio=ratio)
    strongest = found.sort_values("ratio", ascending=False, kind="stable").drop_duplicates(ROW)
    strongest = strongest.assign(discriminates=strongest["gap"] > strongest["spread"])
    return strongest.sort_values(ROW).reset_index(drop=True)


def non_discriminating(inputs: Inputs) -> set[str]:
    """Row ids (task/dataset/model) of ``CLAIM_TASKS`` that rank methods by noise."""
    table = rows(inputs)
    flat = table[~table["discriminates"] & table["task"].isin(CLAIM_TASKS)]
    return set(flat[ROW].astype(str).agg("/".join, axis=1)) if len(flat) else set()


def make(inputs: Inputs) -> list[Path]:
    table = rows(inputs)
    if len(table) == 0:
        inputs.note(f"{NAME}: no curves with two seeds per method; skipped")
        return []
    header = ["task", "dataset", "model", "level with the largest gap / spread",
              "gap between method means", "seed spread (mean range)", "methods", "seeds",
              "discriminates", "in the claims"]
    body = [[r.task, r.dataset, r.model, f"{r.sparsity:g}", fmt(r.gap), fmt(r.spread),
             str(int(r.methods)), str(int(r.seeds)), "yes" if r.discriminates else "no",
             "no (left out)" if (not r.discriminates and r.task in CLAIM_TASKS) else "yes"]
            for r in table.itertuples(index=False)]
    flat = int((~table["discriminates"]).sum())
    return write_table(
        inputs.out, NAME, "Rows that tell pruning methods apart",
        "Per row, the curve level where the gap between the best and worst pruning method's "
        "mean select metric is largest relative to the seed spread (the methods' mean range over "
        "seeds). A row discriminates if the gap exceeds the spread at some level; a "
        f"{'/'.join(CLAIM_TASKS)} row that does not is left out of the claims.", header, body,
        [f"{flat} of {len(table)} rows do not discriminate."])
