"""The per-row method tables of the deep-learning suite, on constructed records:
one table per (task, dataset, model), one row per method with its means over the
seeds it has, in order of the test at 50% MACs (protocol v3) or, for v2 records, of
test AUC, and a seeds column where methods differ."""
from __future__ import annotations

import numpy as np
from test_ablation import table_rows
from test_figures import (
    SMALL_BLOCKS,
    SMALL_METHODS,
    assert_renders_twice_alike,
    build_tree,
    record,
    write,
)

from paper_figures import method_tables
from paper_figures.inputs import Inputs
from paper_figures.load import load_store

KINDS = {"ucb1": "bandit", "magnitude": "baseline", "random": "baseline"}
# policy -> per seed: (selected test, test AUC, Spearman rho, pulls, forward passes, seconds)
METHODS = {
    "ucb1": ((0.97, 0.70, 0.4, 100, 10.0, 2.0), (0.95, 0.74, 0.6, 100, 12.0, 4.0),
             (0.96, 0.72, 0.5, 100, 14.0, 3.0)),
    "magnitude": ((0.90, 0.80, 0.1, 0, 0.0, 0.0), (0.92, 0.80, 0.3, 0, 0.0, 0.0),
                  (0.94, 0.80, 0.2, 0, 0.0, 0.0)),
    "random": ((0.50, 0.30, 0.0, 0, 0.0, 0.0), (0.60, 0.50, 0.2, 0, 0.0, 0.0)),  # 2 seeds
}
DENSE = {0: 0.98, 1: 0.96, 2: 0.97}


def deep(policy, seed, values, budget=2.0, dataset="digits", v3=True):
    selected, auc, rho, pulls, passes, seconds = values
    rec = record("image", dataset, "lenet", policy, KINDS[policy], seed, 0.5,
                 np.random.default_rng(seed), DENSE[seed], budget)
    rec["dense"]["test"] = DENSE[seed]
    rec["selected"] = rec["curve"][0]  # sparsity 0.25
    rec["selected"]["test"] = selected
    rec["target"] = rec["curve"][1]  # sparsity 0.5
    rec["target"]["test"] = selected - 0.1
    rec["auc"] = {"select": auc, "test": auc}
    rec["spearman_oracle"] = rho
    rec["cost"] = {"pulls": pulls, "forward_flops": 1.0, "seconds": seconds,
                   "forward_passes": passes}
    if v3:  # the cut at half the MACs: the 50% unit cut of this one-layer net
        rec["endpoints"] = {"macs": {"points": {"0.5": {"test": selected - 0.1}},
                                     "compression": {"fraction": 0.5}}}
    else:
        rec.pop("endpoints", None)
    return rec


def build(root, v3=True):
    for policy, per_seed in METHODS.items():
        for seed, values in enumerate(per_seed):
            write(root, deep(policy, seed, values, v3=v3), 2.0)
    # another budget (not the main one) and a tabular row: neither makes a table row
    write(root, deep("ucb1", 0, (1.0, 0.99, 1.0, 800, 80.0, 9.0), budget=8.0), 8.0)
    write(root, record("tabular", "iris", "mlp", "ucb1", "bandit", 0, 0.5,
                       np.random.default_rng(0), 0.9), 2.0)
    return root


def test_one_row_per_method_with_means_over_its_seeds_at_equal_compute_first(tmp_path):
    inputs = Inputs(load_store(build(tmp_path / "results")), tmp_path / "out")
    written = method_tables.make(inputs)
    text = written[0].read_text()
    # protocol v3's endpoints first (no AUC over MACs in these records: no column)
    assert ("| method | seeds | test at 50% MACs | compression (MAC fraction) | test at "
            "selected point |") in text
    assert [row[:4] for row in table_rows(written[0])] == [
        ["ucb1", "3", "0.8600", "0.50"], ["magnitude", "3", "0.8200", "0.50"],
        ["random", "2", "0.4500", "0.50"]]
    assert "rows by test at 50% of the dense MACs, best first" in text


def test_v2_records_give_one_row_per_method_by_auc(tmp_path):
    inputs = Inputs(load_store(build(tmp_path / "results", v3=False)), tmp_path / "out")
    written = method_tables.make(inputs)
    assert [p.name for p in written] == ["methods_image_digits_lenet.md",
                                         "methods_image_digits_lenet.tex"]
    text = written[0].read_text()
    assert ("| method | seeds | test at selected point | selected sparsity | test at 50% of units | "
            "test AUC | Spearman rho vs oracle | pulls | forward passes | seconds |") in text
    assert table_rows(written[0]) == [
        ["magnitude", "3", "0.9200", "0.25", "0.8200", "0.8000", "0.20", "0", "0.0", "0.0"],
        ["ucb1", "3", "0.9600", "0.25", "0.8600", "0.7200", "0.50", "100", "12.0", "3.0"],
        ["random", "2", "0.5500", "0.25", "0.4500", "0.4000", "0.10", "0", "0.0", "0.0"],
    ]
    # the dense model over every seed used, though random lacks seed 2
    assert "Dense test accuracy 0.9700 (mean over seeds 0, 1, 2)" in text


def test_no_seeds_column_when_every_method_has_every_seed(tmp_path):
    root = tmp_path / "results"
    for policy in ("ucb1", "magnitude"):
        for seed, values in enumerate(METHODS[policy]):
            write(root, deep(policy, seed, values), 2.0)
    written = method_tables.make(Inputs(load_store(root), tmp_path / "out"))
    text = written[0].read_text()
    assert "| method | test at 50% MACs |" in text and "seeds |" not in text
    assert [row[0] for row in table_rows(written[0])] == ["ucb1", "magnitude"]


def test_a_store_without_deep_rows_writes_nothing_and_says_why(tmp_path):
    root = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert method_tables.make(inputs) == []
    assert any(note.startswith("method_tables: no pruning records") for note in inputs.notes)


def test_two_renders_are_byte_identical(tmp_path):
    names = assert_renders_twice_alike(method_tables, build(tmp_path / "results"), tmp_path)
    assert {"methods_image_digits_lenet.md", "methods_image_digits_lenet.tex"} <= set(names)
