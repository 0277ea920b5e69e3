"""bench grid's bookkeeping: which (part, task, row) a record counts under, the
extrapolation, and the options (the timings themselves are never tested)."""
from __future__ import annotations

import yaml

from mabbench.bench._grid_measure import Measured, record_key, suite_rows
from mabbench.bench.grid import REPO, extrapolate, parse


def _record(tmp_path, name, record, pruning=None):
    folder = tmp_path / name
    folder.mkdir()
    pruning = {"budget_per_arm": 5.0, "reward": {"transform": "unsigned"},
               "schedule": "iterative"} | (pruning or {})
    (folder / "config.yaml").write_text(yaml.safe_dump({"pruning": pruning}))
    return record_key(folder / "result.json", record, suite_rows(REPO))


def test_records_count_under_their_part_task_and_row(tmp_path):
    tab = {"task": "tabular", "dataset": "iris", "model": "mlp", "kind": "bandit"}
    assert _record(tmp_path, "a", tab) == ("trials", "tabular", "-")
    assert _record(tmp_path, "b", tab, {"budget_per_arm": 2}) == ("budget", "tabular", "-")
    assert _record(tmp_path, "c", tab, {"schedule": "one_shot"}) == ("ablation", "tabular", "-")
    assert _record(tmp_path, "d", tab | {"kind": "reference"}) == ("comparators", "tabular", "-")
    vgg = {"task": "image", "dataset": "mnist5k", "model": "vgg", "kind": "baseline"}
    assert _record(tmp_path, "e", vgg) == ("deep", "image", "vgg_mnist5k")
    resnet = {"task": "image", "dataset": "mnist5k_14", "model": "resnet", "kind": "bandit"}
    assert _record(tmp_path, "f", resnet) == ("deep", "image", "resnet_mnist5k")


def test_extrapolation_is_jobs_times_mean_trial_plus_overhead():
    # 2 workers x 10 s wall = 20 worker-seconds; 12 in trials, 8 outside over 4 records
    m = Measured("x", wall=10.0, cpu=0.0, load=(0.0, 0.0), records=4, spent={"total": 12.0},
                 per_key={("trials", "tabular", "-"): [2.0, 4.0],
                          ("deep", "image", "vgg_digits"): [3.0, 3.0]})
    counts = {("trials", "tabular", "-"): 100, ("deep", "image", "vgg_digits"): 10,
              ("deep", "image", "vit_mnist5k"): 7}
    assert extrapolate(m, counts) == {("trials", "tabular", "-"): 100 * (3.0 + 2.0),
                                      ("deep", "image", "vgg_digits"): 10 * (3.0 + 2.0)}


def test_options_split_from_the_slice():
    options = parse(["--against", "abc123", "seed=0", "task=tabular"])
    assert (options.against, options.repeat, options.slice) == ("abc123", 1,
                                                                 ["seed=0", "task=tabular"])
    assert parse([]).slice[0] == "seed=0"  # the default slice


def test_records_compare_equal_up_to_rounding_and_timings():
    from mabbench.bench._grid_records import compare_records

    old = {"r/result.json": {"curve": [{"test": 0.5, "latency_s": 1.0}, {"test": 0.25}],
                             "timing": {"total": 3.0}, "seed": 0}}
    new = {"r/result.json": {"curve": [{"test": 0.5 + 1e-13}, {"test": 0.25}],
                             "timing": {"total": 1.0}, "seed": 0}}
    assert compare_records(old, new) == []
    new["r/result.json"]["curve"][1]["test"] = 0.2501
    new["x/result.json"] = {}
    assert compare_records(old, new) == ["x/result.json: only in new",
                                         "r/result.json.curve[1].test: 0.25 vs 0.2501"]
