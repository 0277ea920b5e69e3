"""Hydra launcher ``pool``: a grid's jobs run in long-lived worker processes that take
them one at a time from a queue (``hydra/launcher=pool``; conf/launcher/pool.yaml).

Hydra's joblib launcher sends every job its launcher context (the config loader,
the master config, the task function and Hydra's global state) through pickle and
restores Hydra's global state in the worker per job. Here the workers are forked
once, at the sweep's first batch, from the process that holds that context, and
keep it and everything a job leaves behind (imports, the composition cache of
mabbench/experiments/composition.py, the in-process memo of mabbench/runtime/memo.py)
for every later batch; per job only ``(index, overrides)`` goes in and Hydra's
``JobReturn`` comes back. Each job is composed and run as Hydra's own launchers do
(``load_sweep_config`` then ``run_job``), so a job's config and record are the
ones joblib's or the basic launcher's are (tests/test_pool.py).

Workers are forked (Linux and macOS's ``fork`` start method), so nothing about the
context has to be picklable; the workers exit with the sweep (pool closed at
exit; mabbench/experiments/sweep.py's ``die_with_parent`` covers a killed parent).
A worker that dies (a crashing policy, the OOM killer) ends the sweep's process with
an error instead of leaving it waiting: ``concurrent.futures`` notices a dead worker,
where ``multiprocessing.Pool`` waits forever for its result. The sweep's watcher then
records the job that was running as failed and runs the rest (mabbench/experiments/
sweep.py), as it does for joblib.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from hydra.core.config_store import ConfigStore
from hydra.plugins.launcher import Launcher
from omegaconf import open_dict

log = logging.getLogger(__name__)


@dataclass
class PoolLauncherConf:
    _target_: str = "hydra_plugins.mabbench_grid.pool_launcher.PoolLauncher"  # Hydra's rule
    n_jobs: int = 2  # worker processes


ConfigStore.instance().store(group="hydra/launcher", name="pool", node=PoolLauncherConf,
                             provider="mabbench")

# (hydra_context, config, task_function): set in the parent before the fork, so the
# workers inherit it instead of receiving it per job
_CONTEXT: Optional[tuple] = None


def _run(job: tuple[int, list[str]]) -> Any:
    """One job in a worker: compose (derived where exact) and run it as Hydra's
    joblib launcher does, minus restoring the state the fork already carried."""
    from hydra.core.utils import run_job

    index, overrides = job
    hydra_context, config, task_function = _CONTEXT
    sweep_config = hydra_context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{index}"
        sweep_config.hydra.job.num = index
    # run_job sets HydraConfig from this config first thing (each set copies the
    # config's hydra node: ~8 ms a job, so not twice)
    return run_job(hydra_context=hydra_context, config=sweep_config,
                   task_function=task_function, job_dir_key="hydra.sweep.dir",
                   job_subdir_key="hydra.sweep.subdir")


class PoolLauncher(Launcher):
    def __init__(self, n_jobs: int = 2) -> None:
        super().__init__()
        self.n_jobs = n_jobs
        self.hydra_context = self.config = self.task_function = None
        self.pool = None

    def setup(self, *, hydra_context, task_function, config) -> None:
        self.hydra_context, self.task_function, self.config = (hydra_context, task_function,
                                                               config)

    def _workers(self):
        """The pool, forked at the first batch and kept for the sweep's later ones."""
        global _CONTEXT
        if self.pool is None:
            _CONTEXT = (self.hydra_context, self.config, self.task_function)
            self.pool = ProcessPoolExecutor(self.n_jobs,
                                            mp_context=multiprocessing.get_context("fork"))
            atexit.register(self._close)
        return self.pool

    def _close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int):
        from hydra.core.utils import configure_log, setup_globals

        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        log.info("pool of %d workers: %d jobs", self.n_jobs, len(job_overrides))
        jobs = [(initial_job_idx + i, list(o)) for i, o in enumerate(job_overrides)]
        # a free worker takes the next job, in the grid's order
        try:
            return list(self._workers().map(_run, jobs))
        except BrokenProcessPool as error:
            self.pool = None  # its workers are gone: nothing to close
            raise RuntimeError(f"launcher=pool: a worker process died ({error}); the sweep's "
                               "watcher records the job it ran as failed") from None
