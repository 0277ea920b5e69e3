"""Issue 12 item 5 - bad input. Faults injected: degenerate files written in
the real formats (a one-class image folder, empty texts, inf and NaN in a CSV,
too few rows, one class in a split, constant features), impossible settings
(budget 0, threads -1, a memnet on a table, an absurd width) and too little
memory for a batch. Each is refused with one line naming the key or file and
what was expected, and nothing is written."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, run_cli
from PIL import Image

from mabbench.config.errors import ConfigError
from mabbench.store import identity
from mabbench.trial import resources
from mabbench.trial.run import run_trial


def csv(tmp_path, frame: pd.DataFrame) -> str:
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    return str(path)


def table(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2],
                         "y": np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")})


def one_class_folder(tmp_path) -> list[str]:
    for i in range(12):
        folder = tmp_path / "images" / "cat"
        folder.mkdir(parents=True, exist_ok=True)
        pixels = np.random.default_rng(i).integers(0, 255, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")
    return ["task=image", "dataset=image_folder", f"dataset.path={tmp_path / 'images'}",
            "dataset.image_size=8"]


def texts(tmp_path, text: str) -> list[str]:
    frame = pd.DataFrame({"text": [text] * 40, "label": ["pos", "neg"] * 20})
    return ["task=text", "dataset=text_csv", f"dataset.path={csv(tmp_path, frame)}"]


def inf_feature(tmp_path) -> list[str]:
    frame = table()
    frame.loc[3, "b"] = np.inf
    return ["dataset=csv", f"dataset.path={csv(tmp_path, frame)}", "dataset.target=y"]


def too_few_rows(tmp_path) -> list[str]:
    frame = table(rows=2).assign(y=["yes", "no"])
    return ["dataset=csv", f"dataset.path={csv(tmp_path, frame)}", "dataset.target=y"]


def one_class_in_a_split(tmp_path) -> list[str]:
    frame = table(rows=40)
    frame["y"] = ["yes"] * 38 + ["no"] * 2  # too rare to stratify: some split sees one class
    return ["dataset=csv", f"dataset.path={csv(tmp_path, frame)}", "dataset.target=y"]


def constant_features(tmp_path) -> list[str]:
    frame = table()
    frame[["a", "b", "c"]] = 1.5
    return ["dataset=csv", f"dataset.path={csv(tmp_path, frame)}", "dataset.target=y"]


def repeated_target(tmp_path) -> list[str]:
    """pandas renamed the copy y.1 and it became a feature (dense test 1.000, not 0.900)."""
    path = tmp_path / "table.csv"
    table().assign(copy=lambda f: f["y"]).to_csv(path, index=False)
    path.write_text(path.read_text().replace(",copy\n", ",y\n", 1))
    return ["dataset=csv", f"dataset.path={path}", "dataset.target=y"]


def repeated_feature(tmp_path) -> list[str]:
    path = tmp_path / "table.csv"
    table().to_csv(path, index=False)
    path.write_text(path.read_text().replace("a,b,c,y", "a,b,a,y", 1))
    return ["dataset=csv", f"dataset.path={path}", "dataset.target=y"]


def stray_word(tmp_path) -> list[str]:
    """A number column with a word in 2 of 60 rows was silently dropped as text."""
    frame = table().astype({"b": object})
    frame.loc[[4, 17], "b"] = ["n/a?", "x"]
    return ["dataset=csv", f"dataset.path={csv(tmp_path, frame)}", "dataset.target=y"]


def settings(*overrides: str):
    return lambda tmp_path: list(overrides)


CASES = {
    "one-class image folder": (one_class_folder, "the train split has 1 class"),
    "budget_per_arm=0": (settings("pruning.budget_per_arm=0"), "pruning.budget_per_arm=0"),
    "budget_per_arm<0": (settings("pruning.budget_per_arm=-1"), "pruning.budget_per_arm=-1"),
    "threads=-1": (settings("runtime.threads=-1"), "runtime.threads=-1: must be in [0, 1024]"),
    "empty texts": (lambda tmp_path: texts(tmp_path, ""), "every row has an empty 'text'"),
    "texts without words": (lambda tmp_path: texts(tmp_path, " ... "),
                            "every train example has the same input"),
    "inf in CSV features": (inf_feature, "column 'b' holds 1 infinite value"),
    "memnet on a table": (settings("model=memnet"), "model='memnet': takes task=reasoning"),
    "absurd width": (settings("model.hidden=[100000000]"), "parameters need"),
    "fewer rows than splits": (too_few_rows, "2 rows are too few for the data roles"),
    "one class in a split": (one_class_in_a_split, "split has 1 class"),
    "constant features": (constant_features, "every train example has the same input"),
    "seed past numpy's 32 bits": (settings("seed=4294967296"), "seed=4294967296: must be an "
                                   "integer in [0, 2147483647]"),
    "billions of pulls": (settings("pruning.budget_per_arm=1e9"),
                          "pruning.budget_per_arm=1000000000.0: must be <= 10,000"),
    "a thread pool torch refuses": (settings("runtime.threads=100000000"),
                                    "runtime.threads=100000000: must be in [0, 1024]"),
    "an infinite learning rate": (settings("task.train.lr=inf"),
                                  "task.train.lr=inf: must be a finite number"),
    "target twice in the header": (
        repeated_target, "the target column 'y' appears 2 times in the header (columns 4, 5)"),
    "a column name twice": (
        repeated_feature, "column 'a' appears 2 times in the header (columns 1, 3)"),
    "a word in a number column": (
        stray_word, "column 'b' holds numbers except in 2 of 60 rows: 5 ('n/a?'), 18 ('x')"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_naming_the_key_and_nothing_is_written(case, tmp_path, make_cfg):
    setup, expected = CASES[case]
    cfg = make_cfg(*setup(tmp_path))
    with pytest.raises(ConfigError) as raised:
        run_trial(cfg)
    message = str(raised.value)
    assert expected in message and "\n" not in message
    root = identity.results_root(cfg)
    assert not (root / "runs").exists() and not (root / "dense").exists()


def test_a_batch_beyond_the_memory_available_is_refused(make_cfg, monkeypatch):
    """Fault: a machine with 20 MB free. LeNet fits, a batch of every train image does not."""
    monkeypatch.setattr(resources, "available_bytes", lambda device: 20 << 20)
    cfg = make_cfg("task=image", "dataset=digits", "task.train.batch_size=1024",
                   "pruning.batch_size=8", "pruning.arms_per_round=1")
    with pytest.raises(ConfigError, match=r"task.train.batch_size=\d+: a batch of \d+ rows"):
        run_trial(cfg)
    assert not (identity.results_root(cfg) / "dense").exists()


@pytest.mark.parametrize("total_mb, advice", [
    (20, "MiB available on cpu; choose a smaller batch"),
    (24 << 10, "of 24.0 GiB (other processes hold the rest: re-run when they finish, "
               "or choose a smaller batch)")])
def test_a_refusal_says_whether_the_machine_or_other_processes_lack_the_memory(
        make_cfg, monkeypatch, total_mb, advice):
    """In a sweep, a job can be refused only because its siblings hold the memory for now."""
    monkeypatch.setattr(resources, "available_bytes", lambda device: 20 << 20)
    monkeypatch.setattr(resources, "total_bytes", lambda device: total_mb << 20)
    cfg = make_cfg("task=image", "dataset=digits", "task.train.batch_size=1024",
                   "pruning.batch_size=8", "pruning.arms_per_round=1")
    with pytest.raises(ConfigError) as raised:
        run_trial(cfg)
    assert str(raised.value).endswith(advice) and "\n" not in str(raised.value)


def test_absurd_width_is_refused_before_allocating(make_cfg, monkeypatch):
    """The estimate runs on the meta device: no real tensor of the model is made."""
    import torch

    made = []
    real_empty = torch.nn.Linear.reset_parameters
    monkeypatch.setattr(torch.nn.Linear, "reset_parameters",
                        lambda self: made.append(self.weight.device.type) or real_empty(self))
    with pytest.raises(ConfigError, match=r"model=mlp \(.*model.hidden=\[100000000\]"):
        run_trial(make_cfg("model.hidden=[100000000]"))
    assert made and set(made) == {"meta"}


def test_rows_without_a_target_are_dropped_with_a_count(tmp_path, make_cfg, caplog):
    frame = table(rows=80)
    frame.loc[[1, 5, 9], "y"] = np.nan
    with caplog.at_level(logging.WARNING):
        outcome = run_trial(make_cfg("dataset=csv", f"dataset.path={csv(tmp_path, frame)}",
                                     "dataset.target=y", "policy=magnitude"))
    assert outcome["status"] == "done"
    assert "target column 'y': dropped 3 of 80 rows with no target value" in caplog.text


def test_cli_exits_2_with_one_line(tmp_path):
    results = tmp_path / "results"
    done = run_cli(*TINY, "model=memnet", f"runtime.results_dir={results}")
    assert done.returncode == 2
    expected = ("error: model='memnet': takes task=reasoning inputs, not task=tabular; "
                "choose a model for task=tabular")
    assert done.stderr.strip().splitlines() == [expected]
    assert not results.exists()
