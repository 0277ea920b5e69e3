"""Which records a figure over pull budgets may average.

A budget sweep usually runs on a few datasets only, while the main budget runs
on all of them; averaging each budget over whatever datasets it has would mix
datasets along the x-axis. Budget figures therefore keep, per task, only the
datasets where the bandits ran at every budget seen for that task (all of
them when no sweep ran).
"""
from __future__ import annotations

import pandas as pd


def swept_datasets(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` restricted, per task, to datasets whose bandit records cover every budget."""
    kept = []
    for _, block in runs.groupby("task", sort=True):
        bandits = block[block["kind"] == "bandit"]
        if bandits.empty:
            kept.append(block)
            continue
        all_budgets = bandits["budget_per_arm"].nunique()
        per_dataset = bandits.groupby("dataset")["budget_per_arm"].nunique()
        complete = per_dataset[per_dataset == all_budgets].index
        kept.append(block[block["dataset"].isin(complete)])
    return pd.concat(kept) if kept else runs


def dataset_label(runs: pd.DataFrame) -> str:
    names = sorted(runs["dataset"].unique())
    return names[0] if len(names) == 1 else f"{len(names)} datasets"
