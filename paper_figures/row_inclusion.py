"""Rows whose dense model is not clearly above the trivial predictor leave the claims.

Per (task, dataset, model): the dense model's select metric and the trivial predictor's
(majority train class, or the train mean for R^2; the record's ``trivial``), mean over
the seeds of the main runs. A row whose margin is at most ``trivial_margin`` (the claims
file; 0.05) ranks noise: every pruning method sits near a model that barely predicts.
Decided on select only, never on test. ``dense_vs_trivial.md`` lists every flagged row
with its numbers.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures.claim_file import ClaimFile, load
from paper_figures.inputs import PRUNING_KINDS, Inputs
from paper_figures.render import fmt, write_table

NAME = "dense_vs_trivial"
ROW = ["task", "dataset", "model"]


def margins(inputs: Inputs, claims: ClaimFile) -> pd.DataFrame:
    """One line per row: dense select, trivial select, margin, flagged (NaN-free rows)."""
    runs = inputs.main_runs
    needed = {"dense_select", "trivial_select"}
    if len(runs) == 0 or not needed <= set(runs.columns):
        return pd.DataFrame(columns=[*ROW, "dense", "trivial", "margin", "flagged"])
    pruning = runs[runs["kind"].isin(PRUNING_KINDS)].dropna(subset=sorted(needed))
    # one dense model per (row, seed): every method of it prunes the same one
    per_seed = pruning.groupby([*ROW, "seed"])[["dense_select", "trivial_select"]].first()
    found = per_seed.groupby(level=ROW).mean().reset_index()
    found = found.rename(columns={"dense_select": "dense", "trivial_select": "trivial"})
    found["margin"] = found["dense"] - found["trivial"]
    found["flagged"] = found["margin"] <= claims.trivial_margin
    return found.sort_values(ROW).reset_index(drop=True)


def flagged(inputs: Inputs, claims: ClaimFile) -> pd.DataFrame:
    table = margins(inputs, claims)
    return table[table["flagged"].astype(bool)]


def make(inputs: Inputs, claims: ClaimFile | None = None) -> list[Path]:
    claims = claims or load()
    table = margins(inputs, claims)
    if len(table) == 0:
        inputs.note(f"{NAME}: no record holds the trivial predictor's select score; "
                    "no row was checked")
        return []
    left = table[table["flagged"]]
    body = [[r.task, r.dataset, r.model, fmt(r.dense), fmt(r.trivial), fmt(r.margin)]
            for r in left.itertuples(index=False)] or [["none", "", "", "", "", ""]]
    return write_table(
        inputs.out, NAME, "Rows left out of the claims: dense model near the trivial predictor",
        f"Mean over seeds of the dense model's select metric and the trivial predictor's "
        f"(majority train class; train mean for R^2). A row whose dense model beats it by at "
        f"most {claims.trivial_margin:g} on select is left out of every claim "
        f"(inclusion.trivial_margin in {Path(claims.path).name}).",
        ["task", "dataset", "model", "dense select", "trivial select", "margin"], body,
        [f"{len(left)} of {len(table)} rows left out."])
