"""A real package: the wheel carries conf/ (as mabbench/conf) and a `mabbench`
console script, and a non-editable install runs from any directory offline."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

SOURCES = ["pyproject.toml", "setup.py", "README.md", "mabbench", "baselines", "paper_figures",
           "hydra_plugins",
           "conf"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the sources (the checkout stays clean)."""
    source = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        copy(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(source)],
                   check=True, capture_output=True, text=True, timeout=600)
    return next(out.glob("mabbench-*.whl"))


def test_wheel_carries_every_config_and_the_console_script(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("mabbench/conf/") for n in names if n.startswith("mabbench/conf/")}
    configs = {str(p.relative_to(REPO / "conf")) for p in (REPO / "conf").rglob("*.yaml")}
    assert configs and configs <= shipped
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mabbench = mabbench.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_non_editable_install_runs_the_default_trial_elsewhere(wheel, tmp_path):
    """A fresh venv holding only the wheel; the dependencies come from this
    interpreter's site-packages through a .pth (no network, no editable finder)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bindir = venv / "bin"
    purelib = Path(subprocess.run([bindir / "python", "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(bindir / "python"), "install",
                    "-q", "--no-deps", str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(MABBENCH_OFFLINE="1", OMP_NUM_THREADS="1")
    where = subprocess.run([bindir / "python", "-c", "import mabbench; print(mabbench.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    for command in ([bindir / "mabbench"], [bindir / "python", "-m", "mabbench"]):
        done = subprocess.run([*command, "task.train.epochs=5", "pruning.levels=[0.5]",
                               "runtime.threads=1", f"runtime.results_dir={elsewhere / 'r'}"],
                              cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "pruned accuracy" in done.stdout or "already done" in done.stdout
    assert len(list(elsewhere.glob("r/runs/tabular/breast_cancer/ucb1/*/seed=0/result.json"))) == 1
