"""The command line: ``mabbench`` / ``python -m mabbench [-m] <overrides>``.

Every run is checked before Hydra starts (mabbench.experiments.preflight): bad input gets
one line and exit 2 with nothing written, for single runs and every job of a
multirun. A multirun's jobs never stop the sweep (mabbench.experiments.sweep); it ends
with ``done N / skipped N / failed N`` and exits 1 if anything failed.
Hydra's own flags (--help, --cfg, --info, -sc, -cd ...) go straight to Hydra.
"""
from __future__ import annotations

import os
import shutil
import sys

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from hydra_plugins.mabbench_grid import grid_sweeper, pool_launcher
from mabbench.config.errors import ConfigError
from mabbench.config.location import CONF_DIR
from mabbench.experiments.preflight import preflight, preflight_sweep
from mabbench.experiments.registration import register_schemas
from mabbench.experiments.sweep import (
    mark_parent,
    outcome_of,
    read_outcomes,
    remote_headlines,
    run_job,
    status_dir,
    summary,
)

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


def _multirun(overrides: list[str]) -> None:
    try:
        sweep = preflight_sweep(overrides)
    except ConfigError as error:
        _refuse(error)
    sweep_dir = os.path.abspath(os.path.expanduser(sweep.sweep_dir))
    if not any(o.lstrip("+").startswith("hydra.sweep.dir=") for o in overrides):
        sweep_dir += f"_{os.getpid()}"  # two sweeps started in one second stay apart
    shutil.rmtree(status_dir(sweep_dir), ignore_errors=True)  # a re-used folder's old outcomes
    mark_parent()
    launched = 0
    try:
        _hydra(["-m", *overrides, f"hydra.sweep.dir={_quoted(sweep_dir)}"])
    except SystemExit as stop:  # Hydra exits 1 on a launcher error; the summary still follows
        launched = stop.code or 0
    if launched == 2:  # bad input refused by the sweeper (an experiment's grid): nothing ran
        sys.exit(2)
    outcomes = read_outcomes(sweep_dir, sweep.jobs)
    if not outcomes and sweep.jobs is None:  # a grid's dry run: it listed its jobs, ran none
        sys.exit(launched)
    for line in remote_headlines(outcomes, sweep.launcher):
        print(line, flush=True)
    print(summary(outcomes), flush=True)
    sys.exit(1 if launched or any(o.status == "failed" for o in outcomes) else 0)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
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
