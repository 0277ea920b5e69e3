"""The command line answers quickly where nothing has to run: ``--help``, a bad
override's one-line error and a re-run of a finished trial load no heavy
library (torch alone costs ~1.5 s to import). Checked by what the real command
imports (``python -X importtime``), never by timing; the bench measures the
seconds (``python -m mabbench.bench startup``)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO, TINY, run_cli

# Loaded only where a trial runs (training, pruning, a dataset's loader, a figure).
HEAVY = ("torch", "torchvision", "torch_pruning", "pandas", "sklearn", "scipy", "matplotlib",
         "seaborn")


def imported_by(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -m mabbench <args>``; the result and every module it imported."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "mabbench", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    return done, names


def heavy_among(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


def test_help_imports_no_heavy_library():
    done, names = imported_by("--help")
    assert done.returncode == 0 and "policy: " in done.stdout  # the groups are listed
    assert "mabbench.config.location" in names  # the parse saw the imports at all
    assert heavy_among(names) == []


@pytest.mark.parametrize("override, message", [
    ("+pruning.sparsityy=0.3", "did you mean pruning.sparsity?"),
    ("pruning.sparsity=1.5", "pruning.sparsity=1.5: must be in [0, 1)"),
    ("model=lenet", "model='lenet': takes task=image inputs"),  # read from the schema
])
def test_a_bad_override_is_refused_without_heavy_libraries(override, message):
    done, names = imported_by(override)
    assert done.returncode == 2 and message in done.stderr
    assert heavy_among(names) == []


def test_a_finished_trial_is_skipped_without_heavy_libraries(tmp_path):
    args = [*TINY, f"runtime.results_dir={tmp_path}", f"runtime.data_dir={tmp_path / 'data'}"]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    done, names = imported_by(*args)
    assert done.returncode == 0 and "already done" in done.stdout
    assert heavy_among(names) == []
    swept, names = imported_by("-m", *args)  # a sweep's job asks the same question first
    assert swept.returncode == 0 and "skipped 1" in swept.stdout, swept.stderr
    assert heavy_among(names) == []


def test_the_dataset_registry_imports_its_loaders_on_first_lookup():
    """Lazy is not missing: the loaders register themselves when the registry is
    first asked, so every dataset is still found when a trial loads one."""
    probe = ("import sys; from mabbench.tasks import DATASETS; "
             "before = 'mabbench.tasks.tabular' in sys.modules; "
             "print(before, 'breast_cancer' in DATASETS, 'digits' in DATASETS.names())")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.split() == ["False", "True", "True"], done.stderr
