"""Check a run's overrides before Hydra starts, so bad input gets one line (the
key and what is allowed), exit 2, and nothing is written: for a single run and
for every combination of a multirun alike.

Strict on top of Hydra's own checks: ``+key=value`` must name a key a schema
declares (``+pruning.sparsityy=0.3`` or ``+experiment=nope`` would otherwise run
the default trial under a new hash), and an unknown option of a group names the
group and lists its options.
"""
from __future__ import annotations

import dataclasses
import difflib
from contextlib import contextmanager
from typing import Iterator

from hydra import compose, initialize_config_dir
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import ConfigCompositionException, HydraException, MissingConfigException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from mabbench.config.errors import ConfigError, did_you_mean
from mabbench.config.location import CONF_DIR
from mabbench.experiments.registration import register_schemas
from mabbench.trial.validate import validate

# Above this many combinations a multirun composes one combination per swept
# value (each value is checked once) instead of the whole product.
CHECK_EVERY_COMBINATION_UP_TO = 64


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _one_line(error: BaseException) -> str:
    """Hydra's error and its cause (which names the key) on one line."""
    parts = [_first_line(error)]
    cause = error.__cause__
    if cause is not None:
        parts.append(_first_line(cause))
        full_key = getattr(cause, "full_key", None)
        if full_key:
            parts.append(f"key: {full_key}")
    return "; ".join(parts)


@contextmanager
def _composer() -> Iterator[None]:
    register_schemas()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            yield
    finally:
        GlobalHydra.instance().clear()


def _group_options(group: str) -> list[str]:
    return GlobalHydra.instance().config_loader().get_group_options(group)


def _is_group(key: str) -> bool:
    return bool(_group_options(key.replace(".", "/")))


def parse(overrides: list[str]) -> list[Override]:
    try:
        return OverridesParser.create().parse_overrides(overrides)
    except HydraException as error:
        raise ConfigError(_first_line(error)) from None


def _missing_option(error: MissingConfigException, overrides: list[str]) -> ConfigError:
    """``policy=nope``: name the override, the nearest option, and the group's options
    (a dataset: the task's own datasets, not every family's)."""
    missing = error.missing_cfg_file or ""
    group, _, name = missing.rpartition("/")
    if group and _group_options(group):
        named = next((o for o in overrides if o.lstrip("+~").split("=")[0].replace(".", "/")
                      == group), f"{group}={name}")
        extra = (" (launchers from optional extras need them installed, e.g. "
                 "pip install 'mabbench[ray]')" if group == "hydra/launcher" else "")
        options, which = _group_options(group), "available"
        if group == "dataset":
            task = _task_of([o for o in overrides if o != named])
            options, which = _datasets_of(task), f"task={task} datasets"
        return ConfigError(f"{named}: no such {group}{did_you_mean(name, _group_options(group))}"
                           f"; {which}: {', '.join(options)}{extra}")
    return ConfigError(_first_line(error))


def _task_of(overrides: list[str]) -> str:
    """The task these overrides choose (the config's default when none does)."""
    try:
        return str(compose("config", overrides=overrides).task.name)
    except Exception:  # noqa: BLE001  (another bad override: name the config's default)
        return str(compose("config").task.name)


def _family(dataset: str) -> str | None:
    """A dataset's task family as its YAML states it; None when it follows the task."""
    found = GlobalHydra.instance().config_loader().repository.load_config(f"dataset/{dataset}")
    values = OmegaConf.to_container(found.config, resolve=False) if found is not None else {}
    family = values.get("family")
    return None if family is None or "${" in str(family) else str(family)


def _datasets_of(task: str) -> list[str]:
    """The datasets of ``task``'s family (and those that take any task's family)."""
    return [name for name in _group_options("dataset") if _family(name) in (None, task)]


def _check_family(cfg: DictConfig, overrides: list[str]) -> None:
    """``task=tabular dataset=diabetes``: caught here, not after the run has started."""
    family = cfg.dataset.get("family")
    if family is not None and family != cfg.task.name:
        named = next((o for o in overrides if o.startswith("dataset=")),
                     f"dataset={cfg.dataset.name}")
        raise ConfigError(f"{named}: a task={family} dataset, not task={cfg.task.name} "
                          f"(task={cfg.task.name} datasets: "
                          f"{', '.join(_datasets_of(str(cfg.task.name)))})")


def _compose(overrides: list[str], hydra_config: bool = False) -> DictConfig:
    try:
        return compose("config", overrides=overrides, return_hydra_config=hydra_config)
    except MissingConfigException as error:
        raise _missing_option(error, overrides) from None
    except (ConfigCompositionException, OmegaConfBaseException) as error:
        raise _unknown_key(error, overrides) or ConfigError(_one_line(error)) from None


def _unknown_key(error: Exception, overrides: list[str]) -> ConfigError | None:
    """``polcy=ucb1`` or ``pruning.sparsityy=0.5``: name the override and the nearest key."""
    key = getattr(error.__cause__, "full_key", None)
    if not key or "not in" not in str(error.__cause__):
        return None
    named = next((o for o in overrides if o.lstrip("+~").split("=")[0] == key), None)
    if named is None:
        return None
    try:  # the config without the offending override tells which keys were possible
        rest = compose("config", overrides=[o for o in overrides if o != named])
    except Exception:  # noqa: BLE001  (another bad override: report the first as Hydra did)
        return None
    return _no_such_key(named, key, rest)


def _no_such_key(named: str, key: str, cfg: DictConfig) -> ConfigError:
    from mabbench.config.schemas import Config

    parent, _, leaf = key.rpartition(".")
    known = ([f.name for f in dataclasses.fields(Config)] if not parent
             else _schema_fields(OmegaConf.select(cfg, parent))) or []
    close = difflib.get_close_matches(leaf, known, n=1)
    hint = f" (did you mean {parent + '.' if parent else ''}{close[0]}?)" if close else ""
    return ConfigError(f"{named}: {parent or 'the config'} has no key or config group "
                       f"{leaf!r}{hint}")


def _schema_fields(node) -> list[str] | None:
    """The keys a node's schema declares; None where it has no schema."""
    schema = OmegaConf.get_type(node) if isinstance(node, DictConfig) else None
    if schema is None or not dataclasses.is_dataclass(schema):
        return None
    return [f.name for f in dataclasses.fields(schema)]


def _check_added_keys(parsed: list[Override], cfg: DictConfig) -> None:
    """``+a.b=v`` adds a key even to a typed node; refuse keys its schema lacks."""
    from mabbench.config.schemas import Config

    for override in parsed:
        if not (override.is_add() or override.is_force_add()):
            continue
        key = override.key_or_group
        if key.startswith("hydra") or _is_group(key):
            continue
        parent, _, leaf = key.rpartition(".")
        known = ([f.name for f in dataclasses.fields(Config)] if not parent
                 else _schema_fields(OmegaConf.select(cfg, parent)))
        if known is not None and leaf not in known:
            raise _no_such_key(override.input_line, key, cfg)


def _check(overrides: list[str]) -> DictConfig:
    parsed = parse(overrides)
    cfg = _compose(overrides)
    _check_added_keys(parsed, cfg)
    _check_family(cfg, overrides)
    validate(cfg)
    return cfg


def preflight(overrides: list[str]) -> DictConfig:
    """Compose one run's config as Hydra will and validate it; raise ConfigError on bad
    input. Returns the config (a caller may check more of it)."""
    with _composer():
        return _check(overrides)


BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def _combinations(overrides: list[str]) -> tuple[list[list[str]] | None, DictConfig]:
    """Every job of the multirun, as Hydra's basic sweeper will expand it
    (``hydra.sweeper.params`` from an experiment file first, then the command line);
    None under another sweeper, which expands (and checks) its own jobs."""
    parsed = parse(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    base = _compose(fixed, hydra_config=True)
    if base.hydra.sweeper.get("_target_") != BASIC_SWEEPER:
        return None, base
    params = [f"{k}={v}" for k, v in (base.hydra.sweeper.get("params") or {}).items()]
    try:
        batches = BasicSweeper.split_arguments(parse([*params, *overrides]), None)
    except HydraException as error:
        raise ConfigError(_first_line(error)) from None
    return [list(job) for batch in batches for job in batch], base


def _to_check(jobs: list[list[str]]) -> list[list[str]]:
    """All jobs of a small sweep; of a large one, the first job holding each swept value."""
    if len(jobs) <= CHECK_EVERY_COMBINATION_UP_TO:
        return jobs
    chosen, seen = [], set()
    for job in jobs:
        new = set(job) - seen
        if new:
            chosen.append(job)
            seen |= new
    return chosen


@dataclasses.dataclass
class Sweep:
    """A checked multirun: its jobs (override lists, in Hydra's job order) and
    where Hydra will put it (resolved once, so every worker agrees)."""

    jobs: list[list[str]] | None  # None: another sweeper expands them
    sweep_dir: str
    launcher: str = ""  # the launcher's _target_


def preflight_sweep(overrides: list[str]) -> Sweep:
    """Expand a multirun and check its jobs; raise ConfigError naming the bad value."""
    with _composer():
        jobs, base = _combinations(overrides)
        for job in _to_check(jobs or []):
            try:
                _check(job)
            except ConfigError as error:
                others = " ".join(o for o in job if o not in overrides and o not in str(error))
                raise ConfigError(f"{error}" + (f" (in the job with {others})" if others else "")) \
                    from None
        sweep_dir = str(base.hydra.sweep.dir)
        launcher = str(base.hydra.launcher.get("_target_", ""))
    return Sweep(jobs=jobs, sweep_dir=sweep_dir, launcher=launcher)
