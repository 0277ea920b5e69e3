"""Issue 13 item 3: the dense-quality table sets the dense network every method
prunes beside the classical comparators, on constructed records."""
from __future__ import annotations

import csv

import numpy as np
from test_figures import record, reference_record, write

from paper_figures import dense_quality
from paper_figures.inputs import Inputs
from paper_figures.load import load_store


def network(task, dataset, model, policy, seed, dense_test, dense_hash="d"):
    rec = record(task, dataset, model, policy, "baseline" if policy != "ucb1" else "bandit",
                 seed, 0.5, np.random.default_rng(seed), 0.8)
    rec["dense"]["test"] = dense_test
    rec["dense_hash"] = dense_hash
    return rec


def comparator(task, dataset, name, seed, test):
    rec = reference_record(task, dataset, name, seed, 0.5, np.random.default_rng(seed))
    rec["dense"]["test"] = rec["selected"]["test"] = rec["target"]["test"] = test
    rec["curve"] = [rec["dense"]]
    return rec


def build(root):
    for seed, score in ((0, 0.90), (1, 0.80)):
        for policy in ("ucb1", "magnitude"):  # two methods prune one dense model
            write(root, network("tabular", "iris", "mlp", policy, seed, score))
    # a dense model of another training config, on fewer records: left out
    write(root, network("tabular", "iris", "mlp", "random", 0, 0.10, dense_hash="other"))
    write(root, comparator("tabular", "iris", "svm", 0, 0.85))
    write(root, comparator("tabular", "iris", "svm", 1, 0.99))
    write(root, comparator("tabular", "iris", "linear", 0, 0.95))  # seed 0 only
    write(root, network("image", "digits", "lenet", "ucb1", 0, 0.97))  # no comparator
    return root


def test_table_pairs_the_network_with_each_comparator_on_shared_seeds(tmp_path):
    inputs = Inputs(load_store(build(tmp_path / "results")), tmp_path / "out")
    written = dense_quality.make(inputs)
    assert {p.name for p in written} == {"dense_quality.md", "dense_quality.tex",
                                         "dense_quality.csv"}
    rows = {(r["task"], r["dataset"]): r
            for r in csv.DictReader((tmp_path / "out" / "dense_quality.csv").open())}
    iris = rows[("tabular", "iris")]
    # linear has seed 0 only: everything is averaged over seed 0
    assert iris["seeds"] == "1"
    assert float(iris["network test"]) == 0.9
    assert float(iris["svm"]) == 0.85 and float(iris["linear"]) == 0.95
    assert iris["best comparator"] == "linear"
    assert abs(float(iris["network - best"]) - (0.9 - 0.95)) < 1e-9
    digits = rows[("image", "digits")]
    assert float(digits["network test"]) == 0.97
    assert digits["svm"] == digits["best comparator"] == digits["network - best"] == "n/a"
    assert any("ignored dense model other" in note for note in inputs.notes)
    text = (tmp_path / "out" / "dense_quality.md").read_text()
    assert "best comparator on 0 of 1 rows" in text


def test_network_averages_every_seed_without_comparators(tmp_path):
    root = tmp_path / "results"
    for seed, score in ((0, 0.90), (1, 0.80)):
        write(root, network("image", "digits", "lenet", "ucb1", seed, score))
    inputs = Inputs(load_store(root), tmp_path / "out")
    dense_quality.make(inputs)
    row = next(csv.DictReader((tmp_path / "out" / "dense_quality.csv").open()))
    assert row["seeds"] == "2" and abs(float(row["network test"]) - 0.85) < 1e-9


def test_no_network_records_writes_nothing_and_says_so(tmp_path):
    root = tmp_path / "results"
    write(root, comparator("tabular", "iris", "svm", 0, 0.85))
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert dense_quality.make(inputs) == []
    assert any("dense_quality" in note for note in inputs.notes)
