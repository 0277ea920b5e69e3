"""Recovery regimes (issue 21, item 2): BatchNorm recalibration touches only
BatchNorm buffers; fine-tuning gives every method the same epochs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from mabbench.config.errors import ConfigError
from mabbench.models.vgg import VGG
from mabbench.tasks.base import Split
from mabbench.trial.regimes import REGIMES
from mabbench.trial.regimes.bn_recalibration import recalibrate
from mabbench.trial.run import run_trial


def test_every_regime_declares_what_the_trial_reads():
    for name in REGIMES.names():
        regime = REGIMES.get(name)
        assert isinstance(regime.on_curve, bool) and callable(regime.recover), name


def test_recalibration_changes_only_batchnorm_buffers():
    torch.manual_seed(0)
    model = VGG(10, {"in_channels": 1, "image_size": 8}, stages=[[6], [12]], fc=[16]).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    data = Split((torch.randn(70, 1, 8, 8) * 3 + 1,), torch.randint(0, 10, (70,)))
    assert recalibrate(model, data, batch_size=35) == 2
    after = model.state_dict()
    norms = {name for name, m in model.named_modules() if isinstance(m, nn.BatchNorm2d)}
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {f"{n}.{b}" for n in norms
                       for b in ("running_mean", "running_var", "num_batches_tracked")}
    assert not model.training and all(m.momentum == 0.1 for m in model.modules()
                                       if isinstance(m, nn.BatchNorm2d))
    # the statistics are the data's (equal batches: the mean of batch means is the mean)
    with torch.no_grad():
        conv = model.conv1(data.inputs[0])
    torch.testing.assert_close(model.bn1.running_mean, conv.mean(dim=(0, 2, 3)))


def test_recalibration_is_a_no_op_without_batchnorm():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert recalibrate(model, Split((torch.randn(9, 3),), torch.zeros(9).long()), 4) == 0
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def endpoint_recoveries(record: dict) -> list[dict]:
    return [p["recovery"] for axis in record["endpoints"].values()
            for p in axis["points"].values() if p is not None]


def test_finetuning_gives_every_method_the_same_epochs(make_cfg):
    epochs = 2
    records = [run_trial(make_cfg(f"policy={policy}", "pruning.regime=finetune",
                                  f"pruning.finetune.epochs={epochs}", "pruning.oracle_rho=false",
                                  "pruning.latency.repeats=0", "pruning.mac_fractions=[0.5]",
                                  "pruning.param_fractions=[0.5]"))
               for policy in ("magnitude", "ucb1")]
    for record in records:
        stored = json.loads(Path(record["path"]).read_text())
        recoveries = endpoint_recoveries(stored)
        assert len(recoveries) == 2
        for recovery in recoveries:
            assert recovery["epochs"] == epochs
            assert len(recovery["select_by_epoch"]) == epochs + 1  # the cut model, then each epoch
            assert recovery["select_by_epoch"][recovery["best_epoch"]] == max(
                recovery["select_by_epoch"])
        # the secondary curve is not fine-tuned (cost), the endpoints are
        assert all("select_as_cut" not in p for p in stored["curve"])
        assert stored["regime"] == "finetune"


def test_finetune_without_epochs_is_refused_naming_the_key(make_cfg):
    from mabbench.trial.validate import validate

    with pytest.raises(ConfigError, match="pruning.finetune.epochs"):
        validate(make_cfg("pruning.regime=finetune", "pruning.finetune.epochs=0"))
    with pytest.raises(ConfigError, match="pruning.regime"):
        validate(make_cfg("pruning.regime=retrain"))




def test_regimes_share_one_ranking_in_a_process(make_cfg, monkeypatch, tmp_path):
    from omegaconf import OmegaConf

    from mabbench.runtime import memo

    keys = ["policy=ucb1", "pruning.oracle_rho=false", "pruning.latency.repeats=0",
            "pruning.mac_fractions=[0.5]", "pruning.param_fractions=[0.5]"]

    def stored(regime: str, elsewhere: bool = False) -> dict:
        cfg = make_cfg(*keys, f"pruning.regime={regime}")
        if elsewhere:
            OmegaConf.update(cfg, "runtime.results_dir", str(tmp_path / "fresh"))
        return json.loads(Path(run_trial(cfg)["path"]).read_text())

    memo.RANKING.clear()
    first, second = stored("one_shot"), stored("bn_recalibration")
    assert memo.RANKING.hits == 1 and second["ranking"] == first["ranking"]
    monkeypatch.setenv(memo.DISABLE_ENV, "1")
    fresh = stored("bn_recalibration", elsewhere=True)
    assert fresh["ranking"] == second["ranking"] and fresh["curve"] == second["curve"]
