"""The runner's tooling: GPU choice per parallel job, precision, the record's device
fields, progress bars that stay quiet off a terminal, a log file per run folder, and
saved pruned models that reload into the smaller architecture with equal outputs."""
from __future__ import annotations

import io
import json

import pytest
import torch

from mabbench.config.errors import ConfigError
from mabbench.pruning.saved import PLAN, load_pruned, point_dir
from mabbench.runtime import progress
from mabbench.runtime.process import autocast, gpu_for_job, resolve_device
from mabbench.tasks import load_splits
from mabbench.trial.curve import score
from mabbench.trial.run import run_trial


def test_parallel_jobs_take_distinct_gpus_in_turn():
    assert [gpu_for_job(job, 4) for job in range(6)] == [0, 1, 2, 3, 0, 1]
    assert len({gpu_for_job(job, 8) for job in range(8)}) == 8
    assert gpu_for_job(3, 0) is None  # no GPU: CPU


def test_auto_device_pins_the_job_to_its_gpu(monkeypatch):
    chosen = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    assert resolve_device("auto", job=3) == torch.device("cuda", 1)
    assert chosen == [1]


def test_precision_is_checked_and_bf16_autocasts():
    with pytest.raises(ConfigError, match="runtime.precision='fp16'"):
        autocast(torch.device("cpu"), "fp16")
    layer = torch.nn.Linear(4, 4)
    with autocast(torch.device("cpu"), "bf16"):
        assert layer(torch.ones(2, 4)).dtype == torch.bfloat16
    with autocast(torch.device("cpu"), "fp32"):
        assert layer(torch.ones(2, 4)).dtype == torch.float32


def test_bars_are_silent_off_a_terminal_and_in_ci(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("CI", raising=False)
    assert progress.bars_enabled(Tty())
    assert not progress.bars_enabled(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not progress.bars_enabled(Tty())


def test_trial_saves_models_that_reload_with_equal_outputs(make_cfg):
    cfg = make_cfg("pruning.save_models=true", "pruning.oracle_rho=false",
                   "runtime.precision=fp32")
    record = run_trial(cfg)
    folder = point_dir(record["path"].rsplit("/", 1)[0], 0.5)
    assert record["precision"] == "fp32" and record["device_name"]
    plan = json.loads((folder / PLAN).read_text())
    assert plan["removed"] and plan["sparsity"] == 0.5
    small = load_pruned(folder)
    target = record["target"]
    assert sum(p.numel() for p in small.parameters()) == target["params"]
    splits = load_splits(cfg)
    assert score(small, splits.test, "accuracy") == target["test"]
    log = (folder.parent.parent / progress.LOG_FILE).read_text()
    assert "ranking done" in log and "done:" in log


def test_a_plan_naming_foreign_code_is_refused(make_cfg, tmp_path):
    record = run_trial(make_cfg("pruning.save_models=true", "pruning.oracle_rho=false",
                                "pruning.levels=[0.5]"))
    folder = point_dir(record["path"].rsplit("/", 1)[0], 0.5)
    plan = json.loads((folder / PLAN).read_text())
    plan["model"]["_target_"] = "os.system"
    (folder / PLAN).write_text(json.dumps(plan))
    with pytest.raises(ConfigError, match="not a mabbench.models"):
        load_pruned(folder)


@pytest.mark.parametrize("hidden", [[16], [12, 8]])
def test_saved_model_round_trip_gives_identical_outputs(tmp_path, hidden):
    from mabbench.models.mlp import MLP
    from mabbench.pruning.compaction import compact
    from mabbench.pruning.saved import save_pruned

    torch.manual_seed(1)
    cfg = {"_target_": "mabbench.models.mlp.MLP", "name": "mlp", "hidden": hidden,
           "activation": "relu"}
    dense = MLP(3, {"in_features": 5}, hidden).eval()
    removed = {f"hidden{i}": [0, 2, width - 1] for i, width in enumerate(hidden)}
    x = torch.randn(7, 5)
    smaller = compact(dense, removed, (x[:2],))
    save_pruned(tmp_path / "m", smaller, removed, (x[:2],), cfg, 3, {"in_features": 5}, 0.3)
    back = load_pruned(tmp_path / "m")
    assert [p.shape for p in back.parameters()] == [p.shape for p in smaller.parameters()]
    with torch.no_grad():
        assert torch.equal(back(x), smaller(x))
    assert not any(p.suffix == ".pt" for p in (tmp_path / "m").iterdir())  # no pickles
