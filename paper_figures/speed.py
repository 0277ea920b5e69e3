"""Speed table: params, MACs and measured latency of the dense and the pruned model
(target sparsity), per task, dataset and model; median over pruning records."""
from __future__ import annotations

import math
from pathlib import Path

from paper_figures.inputs import Inputs
from paper_figures.render import fmt, write_table

NAME = "speed"
COLUMNS = ("params", "macs", "latency_ms")


def ratio(dense: float, pruned: float) -> str:
    if not (math.isfinite(dense) and math.isfinite(pruned)) or pruned == 0:
        return "n/a"
    return f"{dense / pruned:.2f}x"


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.main_runs
    if len(runs) == 0:
        inputs.note("speed: no records; skipped")
        return []
    runs = runs[runs["kind"].isin(("bandit", "baseline"))]
    columns = [f"{p}_{c}" for p in ("dense", "target") for c in (*COLUMNS, "sparsity")]
    for column in columns:
        if column not in runs:
            runs = runs.assign(**{column: math.nan})
    if len(runs) == 0:
        inputs.note("speed: no pruning records; skipped")
        return []
    medians = runs.groupby(["task", "dataset", "model"], sort=True)[columns].median()
    if medians[["dense_latency_ms", "target_latency_ms"]].isna().all().all():
        inputs.note("speed: no record carries latency_ms; latency columns are n/a")
    rows = []
    for (task, dataset, model), m in medians.iterrows():
        rows.append([task, dataset, model, fmt(m["target_sparsity"], 2),
                     fmt(m["dense_params"], 0), fmt(m["target_params"], 0),
                     ratio(m["dense_params"], m["target_params"]),
                     fmt(m["dense_macs"], 0), fmt(m["target_macs"], 0),
                     ratio(m["dense_macs"], m["target_macs"]),
                     fmt(m["dense_latency_ms"], 3), fmt(m["target_latency_ms"], 3),
                     ratio(m["dense_latency_ms"], m["target_latency_ms"])])
    header = ["task", "dataset", "model", "sparsity", "params dense", "params pruned",
              "params ratio", "MACs dense", "MACs pruned", "MACs ratio", "latency dense (ms)",
              "latency pruned (ms)", "speed-up"]
    return write_table(inputs.out, "speed", "Model size and speed, dense against pruned",
                       "Per model: dense model and physically pruned model at the target "
                       "sparsity; median over pruning methods and seeds. Latency as measured "
                       "by the trial: ms per forward of its latency batch (runtime threads as "
                       "recorded).", header, rows)
