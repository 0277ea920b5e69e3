"""Standing control: one-shot vs BatchNorm recalibration vs fine-tuning at 50% MACs.

Per deep row and method, the mean test metric with the cut planned at half the dense
MACs under each regime (``pruning.regime``: one_shot, bn_recalibration, finetune). On
the v2 archive every config has ``pruning.finetune.epochs: 0`` and no regime field, so
the table says it awaits the v3 records rather than guess.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from paper_figures.inputs import DEEP_TASKS, PRUNING_KINDS, Inputs
from paper_figures.paired_tests import paired_p
from paper_figures.render import fmt, fmt_p, write_table

NAME = "control_regimes"
REGIME = "regime"  # the record field (a results-table column) naming the regime
ENDPOINT = "eq_macs_test_0.5"  # test metric at 50% of the dense MACs (docs/results_table.md)
# BatchNorm layers the recalibration re-estimated there: none means the regime changed
# nothing, which the table says instead of repeating the one-shot value as a result
NORMS = "eq_macs_batchnorm_layers_0.5"
REGIMES = ("one_shot", "bn_recalibration", "finetune")
ROW = ["task", "dataset", "model", "policy"]
TITLE = "Control: recovery regime at 50% MACs (deep rows)"


def awaiting(inputs: Inputs, missing: list[str]) -> list[Path]:
    why = f"awaiting v3 records (no column {', '.join(missing)})"
    inputs.note(f"{NAME}: {why}")
    return write_table(inputs.out, NAME, TITLE, "Test metric at 50% of the dense MACs per "
                       "deep row and method under each regime.", ["row", *REGIMES],
                       [[why, *["-"] * len(REGIMES)]])


def make(inputs: Inputs) -> list[Path]:
    runs = inputs.store.runs
    missing = [c for c in (REGIME, ENDPOINT) if c not in runs]
    if len(runs) == 0 or missing:
        return awaiting(inputs, missing or [REGIME, ENDPOINT])
    deep = runs[runs["task"].isin(DEEP_TASKS) & runs["kind"].isin(PRUNING_KINDS)]
    return write_table(
        inputs.out, NAME, TITLE,
        "Test metric at 50% of the dense MACs, mean over the seeds every regime of the row "
        "and method has (n), per deep row and method run under a recovery regime: one_shot "
        "(no recovery), bn_recalibration (BatchNorm statistics re-estimated on train), "
        "finetune (equal epochs on train for every method, epoch kept by select). n/a: not "
        "run, or the cut does not reach 50% of the MACs; no BatchNorm: the model has none, "
        "so recalibration left the cut as it was.", [*ROW, "n", *REGIMES],
        rows(deep), gains(deep))


def paired_means(deep) -> pd.DataFrame:
    """Per (row, method) with a recovery regime: n (the seeds all its regimes share: a
    regime run on fewer seeds must not be set beside a mean over more) and each
    regime's mean; a recalibration of a model without BatchNorm is NaN (it changed
    nothing), flagged in ``no_batchnorm``."""
    lines = []
    for index, group in deep.groupby(ROW, sort=True):
        if set(group[REGIME]) <= {REGIMES[0]}:
            continue  # no recovery regime: the one-shot tables have it
        seeds = set.intersection(*(set(g["seed"]) for _, g in group.groupby(REGIME)))
        paired = group[group["seed"].isin(seeds)]
        means = paired.groupby(REGIME)[ENDPOINT].mean()
        recalibrated = paired[paired[REGIME] == "bn_recalibration"]
        no_norms = bool(NORMS in paired and len(recalibrated)
                        and (recalibrated[NORMS] == 0).all())
        line = dict(zip(ROW, index)) | {"n": len(seeds), "no_batchnorm": no_norms}
        line |= {r: means.get(r, math.nan) for r in REGIMES}
        if no_norms:
            line["bn_recalibration"] = math.nan
        lines.append(line)
    return pd.DataFrame(lines, columns=[*ROW, "n", "no_batchnorm", *REGIMES])


def rows(deep) -> list[list[str]]:
    """One line per (row, method) with a recovery regime (``paired_means``)."""
    body = []
    for line in paired_means(deep).itertuples(index=False):
        cells = {r: fmt(getattr(line, r)) for r in REGIMES}
        if line.no_batchnorm:
            cells["bn_recalibration"] = "no BatchNorm"
        body.append([*(getattr(line, c) for c in ROW), str(line.n), *cells.values()])
    return body


def gains(deep) -> list[str]:
    """Per recovery regime: its gain over the one-shot cut across deep rows, each row
    one observation (its methods averaged: they share a dense model, so they are not
    independent), with a one-sided Wilcoxon signed-rank p for a gain."""
    means = paired_means(deep)
    lines = []
    for regime in REGIMES[1:]:
        both = means.dropna(subset=[REGIMES[0], regime])
        per_row = (both[regime] - both[REGIMES[0]]).groupby(
            [both[c] for c in ROW[:-1]]).mean()
        if len(per_row) == 0:
            continue
        p_gain, _ = paired_p(per_row.to_numpy())
        floor = 0.5 ** len(per_row)  # every row higher: the smallest p the test can give
        limit = (f" (with {len(per_row)} rows the smallest attainable p is {fmt_p(floor)})"
                 if floor > 0.01 else "")
        lines.append(f"{regime} - one_shot over {len(per_row)} deep rows (each row's methods "
                     f"averaged): mean {per_row.mean():+.4f}, median {per_row.median():+.4f}, "
                     f"higher on {int((per_row > 0).sum())} of {len(per_row)} rows, "
                     f"one-sided Wilcoxon signed-rank p {fmt_p(p_gain)}{limit}.")
    return lines
