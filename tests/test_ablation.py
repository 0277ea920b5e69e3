"""The ablation table is built from the records: its cells are the protocols found
on the datasets that vary them, its means those of the policies run in every cell
at the main budget; a dataset under one protocol never enters."""
from __future__ import annotations

import numpy as np
from test_figures import (
    SMALL_BLOCKS,
    SMALL_METHODS,
    assert_renders_twice_alike,
    build_tree,
    record,
    write,
)

from paper_figures import ablation
from paper_figures.inputs import Inputs
from paper_figures.load import load_store

MAIN = ("unsigned", "iterative", "global")
# (reward, schedule, scope) -> per (policy, seed) in TRIALS order: (selected test, target test)
TRIALS = (("ucb1", 0), ("ucb1", 1), ("thompson", 0), ("thompson", 1))
CELLS = {
    MAIN: ((0.90, 0.80), (0.92, 0.82), (0.94, 0.84), (0.96, 0.86)),
    ("sigmoid", "one_shot", "global"): ((0.91, 0.70), (0.91, 0.72), (0.91, 0.74), (0.91, 0.76)),
    ("sigmoid", "sequential", "layer"): ((0.93, 0.70), (0.93, 0.72), (0.93, 0.74), (0.93, 0.76)),
}


def trial(dataset, policy, seed, protocol, selected, target, budget=2.0, at_macs=0.5):
    reward, schedule, scope = protocol
    rec = record("tabular", dataset, "mlp", policy, "bandit" if policy != "magnitude"
                 else "baseline", seed, 0.5, np.random.default_rng(seed), 0.9, budget)
    rec["config_hash"] = f"{policy[:4]}{reward[:3]}{schedule[:3]}{scope[:3]}{budget:g}"
    rec["scope"] = scope
    rec["selected"], rec["target"] = rec["curve"][0], rec["curve"][1]  # 0.25 and 0.5
    rec["selected"]["test"], rec["target"]["test"] = selected, target
    rec["at_macs"] = {"0.25": None, "0.5": at_macs}
    return rec, (f"pruning:\n  budget_per_arm: {budget}\n  schedule: {schedule}\n"
                 f"  reward:\n    transform: {reward}\n")


def put(root, rec_and_config):
    rec, config = rec_and_config
    write(root, rec).with_name("config.yaml").write_text(config)


def build(root):
    for protocol, values in CELLS.items():
        for (policy, seed), (selected, target) in zip(TRIALS, values):
            put(root, trial("iris", policy, seed, protocol, selected, target,
                            at_macs=None if protocol[1] == "sequential" and seed else target))
    # not in every cell (a main-grid baseline), another budget, another dataset under
    # the main protocol only: none of them may enter a mean
    put(root, trial("iris", "magnitude", 0, MAIN, 0.0, 0.0))
    put(root, trial("iris", "ucb1", 0, ("sigmoid", "one_shot", "global"), 0.0, 0.0, budget=8.0))
    for policy, seed in TRIALS:
        put(root, trial("wine", policy, seed, MAIN, 0.0, 0.0))
    return root


def table_rows(path):
    lines = [line for line in path.read_text().splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]  # after header and rule


def test_cells_and_means_come_from_the_varying_dataset_only(tmp_path):
    inputs = Inputs(load_store(build(tmp_path / "results")), tmp_path / "out")
    written = ablation.make(inputs)
    assert [p.name for p in written] == ["ablation.md", "ablation.tex"]
    rows = table_rows(tmp_path / "out" / "ablation.md")
    # by the target column, best first; the two sigmoid cells tie there and are
    # ordered by the selected column
    assert rows == [
        ["unsigned", "iterative (global)", "4", "0.9300", "0.8300", "0.8300"],
        ["sigmoid", "sequential (layer)", "4", "0.9300", "0.7300", "n/a"],
        ["sigmoid", "one_shot (global)", "4", "0.9100", "0.7300", "0.7300"],
    ]
    text = (tmp_path / "out" / "ablation.md").read_text()
    assert "| reward | schedule (scope) | trials | at the selected point | at the target 50% |" \
        in text
    assert ("Datasets: tabular/iris; policies: thompson, ucb1; seeds: 0, 1; bandits at 2 "
            "pulls per arm.") in text
    assert any("left out 1 other policy" in note for note in inputs.notes)  # magnitude


def test_a_store_without_an_ablation_writes_nothing_and_says_why(tmp_path):
    root = build_tree(tmp_path / "results", SMALL_BLOCKS, SMALL_METHODS)
    inputs = Inputs(load_store(root), tmp_path / "out")
    assert ablation.make(inputs) == []
    assert not (tmp_path / "out" / "ablation.md").exists()
    assert any(note.startswith("ablation: no dataset has pruning runs under more than one")
               for note in inputs.notes)


def test_two_renders_are_byte_identical(tmp_path):
    names = assert_renders_twice_alike(ablation, build(tmp_path / "results"), tmp_path)
    assert names == ["ablation.md", "ablation.tex"]
