"""Shared fixtures: compose the real config, shrunk to test size."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from hydra_plugins.mabbench_grid import grid_sweeper
from mabbench.experiments.registration import register_schemas

REPO = Path(__file__).resolve().parent.parent
CONF = REPO / "conf"

register_schemas()  # what the command line registers before composing
grid_sweeper.register()

# Tests share 2 cores with each other's subprocesses; one thread keeps them honest.
torch.set_num_threads(1)

# Small enough for seconds per trial, big enough that the numbers mean something.
TINY = ["task.train.epochs=30", "pruning.levels=[0.25,0.5]", "pruning.budget_per_arm=2",
        "runtime.threads=1"]


def compose_config(overrides: list[str], results_dir: Path):
    """The config ``python -m mabbench <overrides>`` would run, results under ``results_dir``."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(str(CONF), version_base="1.3"):
        cfg = compose("config", overrides=[*overrides, f"runtime.results_dir={results_dir}",
                                           f"runtime.data_dir={results_dir / 'data'}"])
    GlobalHydra.instance().clear()
    return cfg


@pytest.fixture
def make_cfg(tmp_path):
    def make(*overrides: str, tiny: bool = True):
        return compose_config([*(TINY if tiny else []), *overrides], tmp_path / "results")

    return make


def as_downloaded(path) -> None:
    """Record ``path``'s sha256 beside it, as tasks/cache.fetch does on a first
    download without a published checksum (an unrecorded cached file is refused)."""
    import hashlib

    path = Path(path)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(path.read_bytes()).hexdigest())


def run_cli(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m mabbench <args>`` as a user would."""
    full_env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mabbench", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=600)
