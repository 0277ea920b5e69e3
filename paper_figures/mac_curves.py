"""Test metric against the fraction of the dense MACs kept, per deep row: protocol v3's
equal-compute curve, whose points are the MAC endpoints every method was cut to (its
area is the ``auc_macs`` endpoint). One line per method, mean and 95% bootstrap interval
over seeds; 1.0 is the dense model. A method whose cut cannot get down to a fraction
has no point there, so its line stops (also where only some of its seeds reach it)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from paper_figures.curves import PRUNING_KINDS, XAxis, draw
from paper_figures.inputs import DEEP_TASKS, Inputs
from paper_figures.render import save_figure

NAME = "mac_curves"
# results-table columns of the test metric with the cut at a fraction of the dense MACs
COLUMN = re.compile(r"^eq_macs_test_(\d+(?:\.\d+)?)$")
KEYS = ["task", "dataset", "model", "policy", "kind", "seed", "metric"]
# compute falls left to right, as sparsity rises on the unit-sparsity curves
MACS = XAxis("mac_fraction", "fraction of the dense MACs kept", (1.03, 0.0))


def mac_points(inputs: Inputs) -> pd.DataFrame:
    """One row per (deep run, MAC fraction): the dense model at 1.0, then every
    reached endpoint."""
    runs = inputs.main_runs
    if len(runs) == 0:
        return pd.DataFrame()
    runs = runs[runs["task"].isin(DEEP_TASKS) & runs["kind"].isin(PRUNING_KINDS)]
    fractions = {column: float(m.group(1)) for column in runs
                 if (m := COLUMN.match(column))}
    if not fractions or len(runs) == 0:
        return pd.DataFrame()
    long = runs[[*KEYS, "dense_test", *fractions]].rename(columns={"dense_test": 1.0,
                                                                   **fractions})
    long = long.melt(id_vars=KEYS, var_name="mac_fraction", value_name="test")
    long = long.dropna(subset=["test"]).astype({"mac_fraction": float})
    # a point some of a method's seeds cannot reach would be a mean over fewer seeds
    # than the rest of its line: such points are left out, so every point has them all
    method = ["task", "dataset", "model", "policy"]
    seeds = long.groupby(method)["seed"].transform("nunique")
    reached = long.groupby([*method, "mac_fraction"])["seed"].transform("nunique")
    return long[reached == seeds]


def make(inputs: Inputs) -> list[Path]:
    points = mac_points(inputs)
    if len(points) == 0:
        inputs.note("mac_curves: no deep record with MAC endpoints; skipped")
        return []
    written: list[Path] = []
    out = inputs.out / "curves"
    for (task, dataset, model), block in points.groupby(["task", "dataset", "model"], sort=True):
        if (block["mac_fraction"] == 1.0).all():
            inputs.note(f"mac_curves: {task}/{dataset}/{model}: no cut reaches a MAC "
                        f"endpoint; no figure")
            continue
        fig = draw(block, f"{task} / {dataset} / {model}: test at equal compute",
                   block["metric"].iloc[0], MACS)
        written += save_figure(fig, out, f"macs_{task}_{dataset}_{model}", inputs.formats)
    return written
