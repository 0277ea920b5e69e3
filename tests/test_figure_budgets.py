"""Budget figures compare like with like: only datasets that ran every budget."""
from __future__ import annotations

import pandas as pd

from paper_figures.budgets import dataset_label, swept_datasets


def test_only_datasets_with_the_whole_sweep_are_kept():
    rows = [("tabular", "iris", "ucb1", "bandit", b) for b in (1, 5)]
    rows += [("tabular", "wine", "ucb1", "bandit", 5),
             ("tabular", "wine", "magnitude", "baseline", 5),
             ("tabular", "iris", "magnitude", "baseline", 5),
             ("image", "digits", "ucb1", "bandit", 5)]  # no sweep in this task: kept whole
    runs = pd.DataFrame(rows, columns=["task", "dataset", "policy", "kind", "budget_per_arm"])
    kept = swept_datasets(runs)
    assert sorted(kept[kept["task"] == "tabular"]["dataset"].unique()) == ["iris"]
    assert len(kept[kept["task"] == "tabular"]) == 3  # both iris budgets + iris baseline
    assert list(kept[kept["task"] == "image"]["dataset"]) == ["digits"]
    assert dataset_label(kept[kept["task"] == "tabular"]) == "iris"
    assert dataset_label(runs) == "3 datasets"
