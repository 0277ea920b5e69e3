"""The command line: ``mabbench`` / ``python -m mabbench [-m] <overrides>``.

Every run is checked before Hydra starts (mabbench.experiments.preflight): bad input gets
one line and exit 2 with nothing written, for single runs and every job of a
multirun. A multirun's jobs never stop the sweep (mabbench.experiments.sweep); it ends
with ``done N / skipped N / failed N`` and exits 1 if anything failed.
Hydra's own flags (--help, --cfg, --info, -sc, -cd ...) go straight to Hydra.
"""
from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from hydra_plugins.mabbench_grid import grid_sweeper, pool_launcher
from mabbench.config.errors import ConfigError
from mabbench.config.location import CONF_DIR
from mabbench.experiments.preflight import preflight, preflight_sweep
from mabbench.experiments.registration import register_schemas
from mabbench.experiments.supervise import CHILD_ENV, supervise
from mabbench.experiments.sweep import (
    clear_outcomes,
    die_with_parent,
    mark_parent,
    outcome_of,
    remote_headlines,
    run_job,
    summary,
)
from mabbench.files.faults import StorageFault, storage_fault
from mabbench.store.failures import NotReady

MULTIRUN_FLAGS = ("-m", "--multirun")


def _refuse(error: ConfigError) -> None:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)


def run_single(cfg: DictConfig) -> None:
    from mabbench.trial.report import headline
    from mabbench.trial.resume import finished_trial

    try:
        record = finished_trial(cfg)  # asked before the trial machinery (torch) loads
        if record is None:
            from mabbench.trial.run import run_trial

            record = run_trial(cfg)
    except ConfigError as error:
        _refuse(error)
    except NotReady as error:  # an input record not there yet: one line, nothing recorded
        print(f"error: not ready: {error}", file=sys.stderr)
        sys.exit(1)
    except (StorageFault, OSError) as error:  # the machine's fault: one line, nothing recorded
        fault = storage_fault(error)
        if fault is None:
            raise
        print(f"error: {fault}", file=sys.stderr)
        sys.exit(1)
    outcome = outcome_of(record, [])
    if outcome.status == "failed":
        print(f"error: trial failed: {outcome.reason}", file=sys.stderr)
        sys.exit(1)
    print(headline(record))


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def _app(cfg: DictConfig):
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        return run_job(cfg)
    return run_single(cfg)


def _hydra(argv: list[str]) -> None:
    register_schemas()
    grid_sweeper.register()
    pool_launcher.register()
    sys.argv = [sys.argv[0], *argv]
    _app()


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _writable(sweep_dir: str) -> tuple[str, str | None]:
    """(``sweep_dir``, None), or (a fresh temp folder, that folder) when ``sweep_dir``
    cannot be written (a read-only or full results store): the sweep still reports its
    finished trials as skipped, and the jobs that must write name the fault, instead of
    every job dying unrecorded. The temp folder is this command's own: it is removed
    when the sweep ends."""
    existing = next(p for p in (Path(sweep_dir), *Path(sweep_dir).parents) if p.exists())
    try:  # probe the nearest existing folder; nothing is left (Hydra makes the folder later)
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        fault = storage_fault(error)
        if fault is None:
            raise
        scratch = tempfile.mkdtemp(prefix="mabbench-sweep-")
        print(f"note: {fault.cause.filename or sweep_dir} cannot be written "
              f"({errno.errorcode.get(fault.cause.errno)}); this sweep keeps its job folders "
              f"and outcomes in {scratch} until it ends", file=sys.stderr, flush=True)
        return scratch, scratch
    return sweep_dir, None


def _multirun(overrides: list[str]) -> None:
    try:
        sweep = preflight_sweep(overrides)
    except ConfigError as error:
        _refuse(error)
    sweep_dir = os.path.abspath(os.path.expanduser(sweep.sweep_dir))
    if not any(o.lstrip("+").startswith("hydra.sweep.dir=") for o in overrides):
        sweep_dir += f"_{os.getpid()}"  # two sweeps started in one second stay apart
    sweep_dir, scratch = _writable(sweep_dir)
    try:
        _sweep(overrides, sweep, sweep_dir)
    finally:
        if scratch is not None:  # made by mkdtemp above, so only this sweep's files
            shutil.rmtree(scratch, ignore_errors=True)


def _sweep(overrides: list[str], sweep, sweep_dir: str) -> None:
    clear_outcomes(sweep_dir)  # a re-used folder's old outcomes (only the files a sweep writes)
    mark_parent()
    # Hydra runs in a watched child: a job whose process dies is that job's failure
    # and the rest still run (mabbench/experiments/supervise.py).
    launched, outcomes = supervise(["-m", *overrides, f"hydra.sweep.dir={_quoted(sweep_dir)}"],
                                   sweep_dir, sweep.jobs)
    if launched == 2:  # bad input refused by the sweeper (an experiment's grid): nothing ran
        sys.exit(2)
    if not outcomes and sweep.jobs is None:  # a grid's dry run: it listed its jobs, ran none
        sys.exit(launched)
    for line in remote_headlines(outcomes, sweep.launcher):
        print(line, flush=True)
    print(summary(outcomes), flush=True)
    sys.exit(1 if launched or any(o.status == "failed" for o in outcomes) else 0)


def _watched_hydra(argv: list[str]) -> None:
    """The watched child of a sweep. A launcher that stops at a job whose process died
    (joblib's TerminatedWorkerError, Ray's WorkerCrashedError) raises out of Hydra, which
    would print its traceback; the watcher records that job and launches the rest, so
    one line says why this launch ended. A user's own HYDRA_FULL_ERROR=1 keeps the
    traceback."""
    wants_traceback = bool(os.environ.get("HYDRA_FULL_ERROR"))
    os.environ["HYDRA_FULL_ERROR"] = "1"  # Hydra re-raises instead of printing
    try:
        _hydra(argv)
    except Exception as error:
        if wants_traceback:
            raise
        first = next(iter(str(error).strip().splitlines()), "")
        print(f"note: this launch ended early ({type(error).__name__}: {first}); a job "
              "whose process died is recorded as failed and the rest are launched again "
              "(HYDRA_FULL_ERROR=1 shows the traceback)", file=sys.stderr, flush=True)
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.environ.pop(CHILD_ENV, None):  # the watched Hydra process of a sweep
        die_with_parent()
        _watched_hydra(argv)
        return
    overrides = [a for a in argv if a not in MULTIRUN_FLAGS]
    if any(a.startswith("-") for a in overrides):
        _hydra(argv)
    elif len(overrides) < len(argv):
        _multirun(overrides)
    else:
        try:
            preflight(overrides)
        except ConfigError as error:
            _refuse(error)
        _hydra(overrides)
