"""The development suite compares only alternatives that can differ, and its
table is built from select-split scores alone."""
from __future__ import annotations

import pandas as pd
import yaml

from mabbench.experiments.dev_suite import SUITE, alternatives, table


def test_single_layer_models_skip_schedules_and_scopes_that_cannot_differ():
    suite = yaml.safe_load(SUITE.read_text())
    single = set(alternatives(suite, multi_layer=False))
    assert {schedule for _, schedule, _ in single} == {"one_shot", "iterative"}
    assert {scope for _, _, scope in single} == {"layer"}
    multi = set(alternatives(suite, multi_layer=True))
    assert ("unsigned", "sequential", "layer") in multi
    assert not any(s == "sequential" and scope == "global" for _, s, scope in multi)


def test_table_ranks_alternatives_by_select_scores_only():
    frame = pd.DataFrame([
        {"dataset": d, "reward": r, "schedule": "one_shot", "scope": "layer", "seed": 0,
         "select_auc": auc, "select_target": auc, "select_dense": 0.9}
        for d, r, auc in [("a", "unsigned", 0.8), ("a", "sigmoid", 0.6),
                          ("b", "unsigned", 0.7), ("b", "sigmoid", 0.75)]])
    text = table(frame)
    unsigned = next(line for line in text.splitlines() if "unsigned" in line)
    assert "0.7500" in unsigned and "1.5000" in unsigned  # mean select AUC, mean rank
    assert "test" not in text
