"""The rows x methods matrix a claim is tested on, for one endpoint.

One number per row and method: the endpoint's per-record column, mean over the seeds
every method of the row has (``Inputs.main_runs``), signed so that higher is better.
Rows left out, each for a reason decided without test: the development suite (chose the
defaults), deep rows that do not tell methods apart on select (discrimination.py) and
rows whose dense model is not clearly above the trivial predictor (row_inclusion.py).
``by_source`` averages the rows of one independent data source into one.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from paper_figures import row_inclusion
from paper_figures.claim_file import ClaimFile, Endpoint, RowGroup
from paper_figures.discrimination import non_discriminating
from paper_figures.inputs import PRUNING_KINDS, Inputs
from paper_figures.rank_tables import complete


@dataclass
class Scores:
    """``matrix``: rows x methods (higher is better); ``dataset``: row -> dataset;
    ``kinds``: method -> kind; ``left_out``: row -> why it left the claims."""

    matrix: pd.DataFrame
    dataset: dict[str, str]
    kinds: dict[str, str]
    left_out: dict[str, str]


def block_ids(frame: pd.DataFrame, group: RowGroup) -> pd.Series:
    if len(frame) == 0:  # agg over no rows would give a frame, not a series
        return pd.Series([], index=frame.index, dtype=object)
    return frame[list(group.block)].astype(str).agg("/".join, axis=1)


def excluded(inputs: Inputs, claims: ClaimFile, group: RowGroup) -> dict[str, str]:
    """Row id -> reason, for every row of this group that may not enter a claim."""
    reasons = {}
    flat = non_discriminating(inputs)
    trivial = row_inclusion.flagged(inputs, claims)
    trivial = trivial[trivial["task"].isin(group.tasks)]
    for row, line in zip(block_ids(trivial, group), trivial.itertuples(index=False)):
        reasons[row] = f"dense {line.dense:.3f} vs trivial {line.trivial:.3f} on select"
    runs = inputs.main_runs
    runs = runs[runs["task"].isin(group.tasks)] if len(runs) else runs
    for row, (task, dataset, model) in zip(block_ids(runs, group),
                                           runs[["task", "dataset", "model"]].itertuples(
                                               index=False, name=None)):
        if dataset in inputs.claims_exclude:
            reasons.setdefault(row, "development suite")
        elif f"{task}/{dataset}/{model}" in flat:
            reasons.setdefault(row, "does not tell methods apart on select")
    return reasons


def endpoint_scores(inputs: Inputs, group: RowGroup, endpoint: Endpoint,
                    left_out: dict[str, str]) -> Scores | None:
    """None when the records lack the endpoint's column (it waits for a re-run);
    ``left_out``: ``excluded``'s rows."""
    runs = inputs.main_runs
    if len(runs) == 0 or endpoint.column not in runs:
        return None
    runs = runs[runs["task"].isin(group.tasks)]
    if endpoint.pruning_only:
        runs = runs[runs["kind"].isin(PRUNING_KINDS)]
    if endpoint.not_pruned in runs:
        keeps_all = ~runs["kind"].isin(PRUNING_KINDS)
        filled = runs[endpoint.column].where(~keeps_all | runs[endpoint.column].notna(),
                                             runs[endpoint.not_pruned])
        runs = runs.assign(**{endpoint.column: filled})
    runs = runs.dropna(subset=[endpoint.column])
    runs = runs.assign(block=block_ids(runs, group))
    runs = runs[~runs["block"].isin(left_out)]
    if len(runs) == 0:
        return Scores(pd.DataFrame(), {}, {}, left_out)
    sign = 1.0 if endpoint.higher_is_better else -1.0
    matrix = (runs.groupby(["block", "policy"])[endpoint.column].mean().mul(sign)
              .unstack("policy").sort_index().sort_index(axis=1))
    matrix = complete(matrix, inputs, f"claims ({endpoint.name})")
    kinds = runs.drop_duplicates("policy").set_index("policy")["kind"].to_dict()
    dataset = runs.drop_duplicates("block").set_index("block")["dataset"].to_dict()
    return Scores(matrix, dataset, kinds, left_out)


def by_source(scores: Scores, sources: dict[str, str]) -> pd.DataFrame:
    """Rows of one data source averaged into one (a dataset not named is its own)."""
    source = [sources.get(scores.dataset.get(row, row), scores.dataset.get(row, row))
              for row in scores.matrix.index]
    return scores.matrix.groupby(source).mean().sort_index()
