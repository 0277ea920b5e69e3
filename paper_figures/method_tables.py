"""One table per deep-learning row: every method's numbers side by side.

Per (task, dataset, model) of the deep-learning suite (``DEEP_TASKS``), under the
task's main protocol and budget: one row per pruning method with its means over
seeds of protocol v3's endpoints where the records have them (the test metric with the
cut at 50% of the dense MACs, the area under test vs MAC fraction, the compression
endpoint), the test metric at the selected point, the selected sparsity, the test
metric at the target sparsity, the area under the test curve over sparsity, Spearman
rho against the oracle ranking, and the ranking's cost (pulls, forward passes,
seconds). Each method is averaged over every seed it has; where some have fewer than
the most complete one, a ``seeds`` column says how many. Rows in order of the test at
50% MACs (else of the test AUC), best first. Written as ``methods_<task>_<dataset>_<model>.md`` / ``.tex``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures.inputs import DEEP_TASKS, PRUNING_KINDS, Inputs
from paper_figures.render import fmt, write_table

NAME = "method_tables"
ROW = ["task", "dataset", "model"]
# (header, runs column, digits): the columns of the table, after the method's name.
COLUMNS = (
    ("test at 50% MACs", "eq_macs_test_0.5", 4),  # protocol v3's primary endpoints
    ("AUC over MACs", "eq_macs_auc_test", 4),
    ("compression (MAC fraction)", "eq_macs_compression_fraction", 2),
    ("test at selected point", "selected_test", 4),
    ("selected sparsity", "selected_sparsity", 2),
    (None, "target_test", 4),  # header names the target sparsity (see target_header)
    ("test AUC", "auc_test", 4),
    ("Spearman rho vs oracle", "spearman_oracle", 2),
    ("pulls", "cost_pulls", 0),
    ("forward passes", "cost_forward_passes", 1),
    ("seconds", "cost_seconds", 1),
)
# Columns a table leaves out where none of its records has a value (a v2 archive has no
# protocol-v3 endpoints; a row whose cuts never reach them has none either).
OPTIONAL = ("eq_macs_test_0.5", "eq_macs_auc_test", "eq_macs_compression_fraction")
# Rows are ordered by the first of these the table's records have: the test metric at
# equal compute, else (v2; rows no cut brings to half the MACs) the unit-sparsity AUC.
SORT_BY = {"eq_macs_test_0.5": "test at 50% of the dense MACs",
           "auc_test": "test AUC (area under the test metric over sparsity, dense model "
                       "included)"}


def target_header(runs: pd.DataFrame) -> str:
    targets = runs["target_sparsity"].dropna().unique() if "target_sparsity" in runs else []
    return (f"test at {targets[0] * 100:g}% of units" if len(targets) == 1
            else "test at target sparsity")


def sort_key(means: pd.DataFrame) -> str:
    return next((c for c in SORT_BY if means[c].notna().any()), "auc_test")


def method_means(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per method: its seed count and the mean of each column (NaN where the
    records lack it), best first by ``sort_key`` (ties: by name)."""
    runs = runs.assign(**{column: runs[column] if column in runs else float("nan")
                          for _, column, _ in COLUMNS})
    columns = [column for _, column, _ in COLUMNS]
    means = runs.groupby("policy")[columns].mean()
    means.insert(0, "seeds", runs.groupby("policy")["seed"].nunique())
    means = means.reset_index()
    order = means.assign(key=means[sort_key(means)].fillna(float("-inf")))
    order = order.sort_values(["key", "policy"], ascending=[False, True], kind="stable")
    return means.loc[order.index].reset_index(drop=True)


def dense_line(runs: pd.DataFrame) -> str:
    """The dense model's test metric, mean over the seeds used, and those seeds."""
    dense = runs.groupby("seed")["dense_test"].mean()
    seeds = ", ".join(map(str, dense.index))
    return (f"Dense test {runs['metric'].iloc[0]} {fmt(dense.mean())} (mean over seeds "
            f"{seeds}); each method's numbers are means over the seeds it has.")


def row_table(inputs: Inputs, key: tuple, runs: pd.DataFrame) -> list[Path]:
    task, dataset, model = key
    means = method_means(runs)
    uneven = means["seeds"].nunique() > 1  # a method short of seeds shows its count
    shown = [(name, column, digits) for name, column, digits in COLUMNS
             if column not in OPTIONAL or means[column].notna().any()]
    header = ["method", *(["seeds"] if uneven else []),
              *(name or target_header(runs) for name, _, _ in shown)]
    rows = [[m["policy"], *([str(m["seeds"])] if uneven else []),
             *(fmt(m[column], digits) for _, column, digits in shown)]
            for _, m in means.iterrows()]
    if uneven:
        inputs.note(f"{NAME}: {task}/{dataset}/{model}: methods have "
                    f"{means['seeds'].min()}-{means['seeds'].max()} seeds")
    caption = (f"{dense_line(runs)} Main protocol and budget; rows by "
               f"{SORT_BY[sort_key(means)]}, best first. Compression: the smallest "
               "fraction of the dense MACs whose select metric stays within delta of the "
               "dense model's (lower is better). Spearman rho: the ranking against the "
               "leave-one-out oracle's; pulls, forward passes and seconds: what ranking the "
               "units cost.")
    return write_table(inputs.out, f"methods_{task}_{dataset}_{model}",
                       f"Methods on {task}/{dataset}/{model}", caption, header, rows)


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.main_runs_every_seed
    if len(runs):
        runs = runs[runs["task"].isin(DEEP_TASKS) & runs["kind"].isin(PRUNING_KINDS)]
    if len(runs) == 0:
        inputs.note(f"{NAME}: no pruning records of the {'/'.join(DEEP_TASKS)} tasks; "
                    "skipped")
        return []
    written: list[Path] = []
    for key, group in runs.groupby(ROW, sort=True):
        written += row_table(inputs, key, group)
    return written
