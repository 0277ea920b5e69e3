"""Issue 12 item 4 - safe concurrency. Faults injected with real processes:
processes started together asking for one dense model, two sweeps started
together into one store, and a builder SIGKILLed while holding the lock."""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from conftest import TINY, compose_config

from mabbench.tasks import load_splits
from mabbench.trial import training


def ask_twice(results, go, trained, hold: float, digests) -> None:
    """One process: wait for the start signal, ask for the dense model twice,
    report the sha256 of its weights. Training is counted by appending a line
    to a shared file (O_APPEND writes are atomic)."""
    cfg = compose_config([*TINY, "task.train.epochs=5"], results)
    splits = load_splits(cfg)
    real_train = training.train

    def counted(*args, **kwargs):
        with open(trained, "a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(hold)  # widen the race window
        return real_train(*args, **kwargs)

    training.train = counted
    while not go.exists():
        time.sleep(0.01)
    for _ in range(2):
        model, _ = training.dense_model(cfg, splits, torch.device("cpu"))
        flat = torch.cat([p.detach().flatten() for p in model.state_dict().values()])
        digests.put(hashlib.sha256(flat.numpy().tobytes()).hexdigest())


def start_askers(tmp_path, n: int, hold: float = 0.3):
    """``n`` forked processes (real ones, without paying torch's import n times)."""
    context = multiprocessing.get_context("fork")
    go, trained, digests = tmp_path / "go", tmp_path / "trained.txt", context.Queue()
    procs = [context.Process(target=ask_twice, args=(tmp_path / "results", go, trained, hold,
                                                     digests)) for _ in range(n)]
    for proc in procs:
        proc.start()
    return procs, go, trained, digests


def test_six_processes_asking_twice_train_one_dense_model_once(tmp_path):
    procs, go, trained, digests = start_askers(tmp_path, 6)
    go.touch()  # all six start asking together
    for proc in procs:
        proc.join(timeout=300)
    assert [proc.exitcode for proc in procs] == [0] * 6  # 0 crashes
    assert len({digests.get(timeout=5) for _ in range(12)}) == 1  # 12 asks, one model
    assert len(trained.read_text().split()) == 1  # trained once
    dense = next((tmp_path / "results" / "dense").rglob("seed=0"))
    assert sorted(p.name for p in dense.iterdir()) == [".lock", "meta.json", "model.pt"]


def test_a_builder_killed_while_holding_the_lock_does_not_block_the_next(tmp_path):
    """SIGKILL the process that is training: the lock dies with it, nothing
    half-written is trusted, and the next process trains and caches."""
    [builder], go, trained, _ = start_askers(tmp_path, 1, hold=60.0)
    go.touch()
    deadline = time.time() + 120
    while not (trained.exists() and trained.read_text()):
        assert time.time() < deadline and builder.is_alive()
        time.sleep(0.05)
    os.kill(builder.pid, signal.SIGKILL)
    builder.join()
    [after], _, _, digests = start_askers(tmp_path, 1, hold=0.0)
    after.join(timeout=300)
    assert after.exitcode == 0
    assert digests.get(timeout=5) == digests.get(timeout=5)
    assert len(trained.read_text().split()) == 2  # the killed build, then one more


# Two full CLI sweeps (process start-up, Hydra, 8 trials): `make test-all` runs it.
@pytest.mark.slow
def test_two_overlapping_sweeps_lose_nothing_and_train_each_dense_model_once(tmp_path):
    results = tmp_path / "results"
    common = ["-m", "runtime.threads=1", "seed=0,1", *TINY, f"runtime.results_dir={results}"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    sweeps = [subprocess.Popen([sys.executable, "-m", "mabbench", *common, f"policy={policies}"],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
              for policies in ("magnitude,random", "random,taylor")]
    logs = [s.communicate(timeout=600)[0] for s in sweeps]
    assert [s.returncode for s in sweeps] == [0, 0], [log[-1500:] for log in logs]
    written = sorted(p.relative_to(results).parts[3:6:2]
                     for p in results.glob("runs/**/result.json"))
    assert written == [(policy, f"seed={seed}") for policy in ("magnitude", "random", "taylor")
                       for seed in (0, 1)]  # no loss, one record each
    trainings = [line for log in logs for line in log.splitlines()
                 if "training dense model" in line]
    assert len(trainings) == 2  # one dense model per seed, across both sweeps
    leftovers = [p for p in results.rglob("*") if p.name.endswith(".tmp") or ".corrupt-" in p.name]
    assert leftovers == []
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in results.rglob("model.pt")}
    assert len(digests) == 2
