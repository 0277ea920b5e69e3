"""Speed table: params, MACs and measured latency of the dense and the physically pruned
model, per task, dataset and model, at protocol v3's cut at half the dense MACs (the v2
target unit sparsity where no record reaches it); median over pruning records."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from paper_figures.inputs import Inputs
from paper_figures.render import fmt, write_table

NAME = "speed"
COLUMNS = ("params", "macs", "latency_ms", "sparsity")
# A reported point -> the results-table column of each of COLUMNS for the pruned model
# (docs/results_table.md). Each row reports the first point its records reach: the equal-
# compute cut, else (a v2 archive; a model whose cuts never get to half its MACs) the
# target unit sparsity.
POINTS = {
    "50% of dense MACs": {c: f"eq_macs_{c}_0.5" for c in COLUMNS},
    "target sparsity": {c: f"target_{c}" for c in COLUMNS},
}


def ratio(dense: float, pruned: float) -> str:
    if not (math.isfinite(dense) and math.isfinite(pruned)) or pruned == 0:
        return "n/a"
    return f"{dense / pruned:.2f}x"


def spread(median: float, q1: float, q3: float) -> str:
    if not math.isfinite(median):
        return "n/a"
    return f"{median:.2f}x ({q1:.2f}-{q3:.2f})"


def point_medians(runs: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Per (task, dataset, model): the median dense and pruned values at one point, over
    the records that reached it (a cut that cannot get there has NaN and is left out)."""
    pruned = {f"pruned_{c}": runs.get(column, math.nan) for c, column in columns.items()}
    dense = {f"dense_{c}": runs.get(f"dense_{c}", math.nan) for c in COLUMNS}
    table = runs[["task", "dataset", "model"]].assign(**dense, **pruned)
    table = table.dropna(subset=["pruned_params", "pruned_macs"], how="all")
    if len(table) == 0:
        return pd.DataFrame()
    # each record's own speed-up: its dense and pruned latencies came from one trial's
    # machine and load, which a ratio of two medians would mix across trials
    table = table.assign(speedup=table["dense_latency_ms"] / table["pruned_latency_ms"])
    grouped = table.groupby(["task", "dataset", "model"], sort=True)
    quartiles = grouped["speedup"].quantile([0.25, 0.75]).unstack()
    return grouped.median().assign(speedup_q1=quartiles[0.25], speedup_q3=quartiles[0.75])


def table_rows(medians: dict[str, pd.DataFrame]) -> list[list[str]]:
    """One row per model, at the first point of POINTS its records reach."""
    keys = sorted({key for table in medians.values() for key in table.index})
    rows = []
    for key in keys:
        label, table = next((label, table) for label, table in medians.items()
                            if key in table.index)
        m = table.loc[key]
        rows.append([*key, label, fmt(m["pruned_sparsity"], 2),
                     fmt(m["dense_params"], 0), fmt(m["pruned_params"], 0),
                     ratio(m["dense_params"], m["pruned_params"]),
                     fmt(m["dense_macs"], 0), fmt(m["pruned_macs"], 0),
                     ratio(m["dense_macs"], m["pruned_macs"]),
                     fmt(m["dense_latency_ms"], 3), fmt(m["pruned_latency_ms"], 3),
                     spread(m["speedup"], m["speedup_q1"], m["speedup_q3"])])
    return rows


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.main_runs
    if len(runs) == 0:
        inputs.note("speed: no records; skipped")
        return []
    runs = runs[runs["kind"].isin(("bandit", "baseline"))]
    if len(runs) == 0:
        inputs.note("speed: no pruning records; skipped")
        return []
    medians = {label: point_medians(runs, columns) for label, columns in POINTS.items()}
    rows = table_rows(medians)
    if not any(len(t) and t[["dense_latency_ms", "pruned_latency_ms"]].notna().any().any()
               for t in medians.values()):
        inputs.note("speed: no record carries latency_ms; latency columns are n/a")
    header = ["task", "dataset", "model", "cut at", "unit sparsity", "params dense",
              "params pruned", "params ratio", "MACs dense", "MACs pruned", "MACs ratio",
              "latency dense (ms)", "latency pruned (ms)", "speed-up (IQR)"]
    return write_table(inputs.out, "speed", "Model size and speed, dense against pruned",
                       "Per model: the dense model and the physically pruned one, at the "
                       "cut at 50% of the dense MACs (protocol v3), else at the target unit "
                       "sparsity; median over the pruning methods and seeds that reach the "
                       "point. "
                       "Latency as measured by the trial: ms per forward of its latency "
                       "batch (runtime threads as recorded); speed-up: median and "
                       "interquartile range of each record's dense / pruned latency. Grid "
                       "trials share the machine with other workers, so latencies are "
                       "noisy; `python -m mabbench.bench speedup` times dense and pruned "
                       "side by side (docs/speedup.md).", header, rows)
