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


def test_regime_suite_tables_read_the_role_asked_for():
    import pandas as pd

    from mabbench.experiments.regime_suite import epochs_table, tables

    frame = pd.DataFrame([
        {"model": "lenet", "policy": p, "regime": r, "seed": s, "select_0.5": 0.5 + i,
         "test_0.5": 0.25 + i, "dense_select": 0.9, "dense_test": 0.8, "compression": 0.5,
         "compression_test_drop": 0.01, "select_by_epoch": "[[0.1, 0.3, 0.2]]"}
        for i, p in enumerate(["ucb1", "random"]) for r in ("one_shot", "finetune")
        for s in (0, 1)])
    on_select, on_test = tables(frame, "select"), tables(frame, "test")
    assert "| random | 1.500 | 1.500 | 0.50 | 0.50 |" in on_select and "drop" not in on_select
    assert "| random | 1.250 | 1.250 | 0.50 (drop +0.010) |" in on_test
    assert epochs_table(frame) == "lenet: epoch 0: 0.1000, epoch 1: 0.3000, epoch 2: 0.2000"
