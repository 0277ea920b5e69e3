"""Hydra sweeper ``grid``: runs an experiment's grid (mabbench/experiments/grid.py)
through the configured launcher. An experiment selects it with ``override
/hydra/sweeper: grid`` and describes its grid under ``hydra.sweeper``; ``python -m
mabbench -m +experiment=<name> [key=value ...]`` runs it (``hydra.sweeper.dry_run=true``
lists the jobs instead). Hydra instantiates sweepers only from the ``hydra_plugins``
package: hydra_plugins/mabbench_grid/grid_sweeper.py subclasses this one there and
registers it. The grid's logic is imported only when a grid runs, so scanning
plugins stays cheap.
"""

import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore
from hydra.plugins.sweeper import Sweeper
from omegaconf import OmegaConf, open_dict, read_write

log = logging.getLogger(__name__)


@dataclass
class GridSweeperConf:
    _target_: str = "hydra_plugins.mabbench_grid.grid_sweeper.GridSweeper"  # Hydra's rule
    seeds: List[int] = field(default_factory=lambda: [0])
    exclude: Dict[str, List[str]] = field(default_factory=dict)  # names selectors leave out
    parts: Dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False  # print the jobs, run nothing
    # One job per (task, data set, seed) first, then the rest; None: only when the
    # launcher runs jobs in parallel (so two workers never train the same dense model).
    leaders_first: Optional[bool] = None
    # Top-level keys in which a job's config may be derived from an earlier job's
    # instead of composed afresh (mabbench/experiments/composition.py: checked exact per process).
    derive: List[str] = field(default_factory=lambda: ["policy", "reference", "seed"])


ConfigStore.instance().store(group="hydra/sweeper", name="grid", node=GridSweeperConf,
                             provider="mabbench")


class GridSweeper(Sweeper):
    def __init__(self, seeds, exclude, parts, dry_run: bool = False,
                 leaders_first: Optional[bool] = None, derive=("policy", "reference", "seed")
                 ) -> None:
        super().__init__()
        self.grid = {"seeds": seeds, "exclude": exclude, "parts": parts}
        self.dry_run = dry_run
        self.leaders_first = leaders_first
        self.derive = tuple(derive)
        self.hydra_context = self.config = self.launcher = None

    def setup(self, *, hydra_context, task_function, config) -> None:
        from hydra.core.plugins import Plugins
        from hydra.types import HydraContext

        from mabbench.experiments.composition import DerivingConfigLoader

        self.hydra_context, self.config = hydra_context, config
        # The launcher composes each job where it runs it; there, a job differing from
        # an earlier one only in ``derive`` keys is derived from it (checked exact).
        deriving = HydraContext(config_loader=DerivingConfigLoader(hydra_context.config_loader,
                                                                   self.derive),
                                callbacks=hydra_context.callbacks)
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=deriving, task_function=task_function, config=config)

    def _jobs(self, arguments: List[str]):
        from hydra.core.override_parser.overrides_parser import OverridesParser

        from mabbench.experiments import grid

        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        parsed = [(o.get_key_element(), list(o.sweep_string_iterator()) if o.is_sweep_override()
                   else [o.get_value_element_as_str()]) for o in parser.parse_overrides(arguments)]
        loader = self.hydra_context.config_loader
        catalog = grid.Catalog(grid.repository_with(loader, self.config.hydra.get("searchpath")))
        jobs = grid.slice_jobs(grid.expand(OmegaConf.create(self.grid), catalog), parsed)
        self._check(jobs, catalog)
        return jobs

    def _check(self, jobs, catalog) -> None:
        """Fail before anything runs: every option a job names exists, and one job per
        part and task, plus one per value of any other swept key, composes and validates."""
        from mabbench.config.errors import ConfigError, did_you_mean
        from mabbench.experiments.preflight import _check_added_keys, parse
        from mabbench.trial.validate import validate

        # swept key -> the config group whose options it names (a control's allocation
        # is a method, as the policy is)
        groups = {"task": "task", "dataset": "dataset", "policy": "policy", "model": "model",
                  "reference": "reference", "control.allocation": "policy"}
        seen: set = set()
        sample = []
        for job in jobs:
            fresh = [(k, v) for k, v in job.values
                     if k not in groups and not k.startswith("dataset.") and (k, v) not in seen]
            for key, value in job.values:
                options = catalog.options(groups[key]) if key in groups else ()
                if key in groups and value not in options:
                    raise ConfigError(f"{key}={value}: no such option"
                                      f"{did_you_mean(value, options)} "
                                      f"(choose from: {', '.join(options)})")
            if (job.part, job.value("task")) not in seen or fresh:
                sample.append(job)
            seen.update([(job.part, job.value("task")), *fresh])
        for job in sample:
            try:
                cfg = self.hydra_context.config_loader.load_sweep_config(self.config,
                                                                         list(job.overrides))
            except Exception as error:  # Hydra's composition errors: name the job
                first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
                raise ConfigError(f"{' '.join(job.overrides)}: {first}") from None
            with read_write(cfg), open_dict(cfg):
                del cfg["hydra"]  # as the job sees it
            _check_added_keys(parse(list(job.overrides)), cfg)  # +key the schema lacks
            validate(cfg)

    def sweep(self, arguments: List[str]) -> Any:
        from mabbench.config.errors import ConfigError
        from mabbench.experiments import grid
        from mabbench.experiments.sweep import write_job_list

        try:
            jobs = self._jobs(arguments)
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)
        if self.dry_run:
            for number, job in enumerate(jobs):
                print(f"#{number} [{job.part}] {' '.join(job.overrides)}")
            print(grid.describe(jobs))
            return []
        parallel = "BasicLauncher" not in str(self.config.hydra.launcher.get("_target_", ""))
        leaders_first = parallel if self.leaders_first is None else self.leaders_first
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        log.info("grid: %s", grid.describe(jobs))
        # Jobs never raise (mabbench/experiments/sweep.py records each outcome); the parent's
        # summary line and exit code come from those records and the job list,
        # for every launcher.
        batches = grid.batches(jobs, leaders_first)
        write_job_list(sweep_dir, [list(job.overrides) for batch in batches for job in batch])
        start, done, returns = time.perf_counter(), 0, []
        for batch in batches:
            returns.append(self.launcher.launch([list(job.overrides) for job in batch],
                                                initial_job_idx=done))
            done += len(batch)
        log.info("grid: %d jobs in %.1f s", done, time.perf_counter() - start)
        return returns
