"""runtime.wandb: off by default, a clear line when the package is missing,
and a finished trial's curve and headline numbers when it is on."""
from __future__ import annotations

import sys
import types

import pytest

from mabbench.config.errors import ConfigError
from mabbench.store import identity
from mabbench.trial.run import run_trial


class FakeRun:
    def __init__(self, calls: dict) -> None:
        self.calls = calls
        self.summary: dict = {}
        calls["summary"] = self.summary

    def log(self, values: dict) -> None:
        self.calls.setdefault("logged", []).append(values)

    def finish(self) -> None:
        self.calls["finished"] = True


def test_trial_is_sent_to_wandb_when_asked(make_cfg, monkeypatch):
    calls: dict = {}
    fake = types.ModuleType("wandb")
    fake.init = lambda **kwargs: calls.update(init=kwargs) or FakeRun(calls)
    monkeypatch.setitem(sys.modules, "wandb", fake)
    record = run_trial(make_cfg("policy=magnitude", "runtime.wandb=true",
                                "runtime.wandb_project=unit"))
    assert calls["init"]["project"] == "unit"
    assert calls["init"]["config"]["policy"]["name"] == "magnitude"
    assert [step["curve/sparsity"] for step in calls["logged"]] == [0.25, 0.5]
    assert calls["summary"]["target_test"] == record["target"]["test"]
    assert calls["finished"]


def test_missing_wandb_is_one_line_and_writes_nothing(make_cfg, monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # import wandb now raises ImportError
    cfg = make_cfg("runtime.wandb=true")
    with pytest.raises(ConfigError, match=r"runtime\.wandb=true needs the wandb package"):
        run_trial(cfg)
    assert not (identity.results_root(cfg) / "runs").exists()


def test_wandb_offline_follows_a_real_trial_while_it_runs(make_cfg, monkeypatch, tmp_path):
    """The real package in offline mode: each pull round and each curve level is a
    history step of the run (read back from its transaction log with wandb's own
    reader), in the order they happened, and the values are the record's."""
    pytest.importorskip("wandb", reason="the wandb extra is not installed")
    import json
    import subprocess
    from pathlib import Path

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    # one stage: the iterative default restarts the pull count at each of its stages
    record = run_trial(make_cfg("runtime.wandb=true", "pruning.oracle_rho=false",
                                "pruning.schedule=one_shot"))
    wandb_cli = Path(sys.executable).with_name("wandb")
    done = subprocess.run([str(wandb_cli), "leet", "inspect", "--json",
                           str(tmp_path / "wandb" / "latest-run")],
                          check=False, capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    steps = [line["history"]["item"] for line in lines if line.get("type") == "history"]
    pulls = [s for s in steps if "pulls/pulls" in s]
    curve = [s for s in steps if "curve/sparsity" in s]
    assert [s["pulls/pulls"] for s in pulls] == [16, 32, 48, 64]  # 32 arms x 2, k = 16
    assert all(0.0 <= s["pulls/reward_mean"] <= 1.0 for s in pulls)
    assert [s["curve/test"] for s in curve] == [p["test"] for p in record["curve"]]
    assert steps.index(pulls[-1]) < steps.index(curve[0])  # logged while running
