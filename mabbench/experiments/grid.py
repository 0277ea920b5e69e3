"""An experiment's grid (``hydra.sweeper`` in conf/experiment/*.yaml) as a list of jobs.

A grid is a set of named *parts*; each part is a product::

    parts:
      trials:
        tasks: {tabular: [task.train.epochs=100], image: [task.train.epochs=5]}
        sweep: {dataset: offline, policy: all}

For every task of a part, every combination of its ``sweep`` values and every
one of the grid's ``seeds``, one job: ``task=<t> <the task's overrides>
<key>=<value> ... seed=<s>``. A sweep value is a list, or the name of a
*selector* (``SELECTORS``) that reads conf/ when the grid runs, so a new option
joins the grid without an edit: ``dataset: offline`` is every dataset of the
task's family that needs no download and no user input, ``policy: all`` every
policy and baseline, ``policy: bandits`` the bandit policies, ``+reference: all``
every classical comparator that applies to the task. ``exclude`` removes names
from what selectors return. A list entry that is a mapping sets several keys at
once (``{dataset.openml_name: kr-vs-kp, dataset.data_id: 3}``).

A part may name a *suite* of rows instead of tasks (``rows: deep`` reads
conf/suite/deep.yaml): each row is a list of trial overrides starting with
``task=``, ``dataset=`` and ``model=``, swept like a task::

    parts:
      deep:
        rows: deep
        sweep: {policy: all}

A part may run ``after`` other parts (``after: [deep]``): its jobs read their
records (a control, mabbench/trial/control.py), so they are launched in a later
batch than every job of the parts it names, and a dry run lists them after those.

Jobs are ordered so the jobs of one (task, data set, seed) follow each other:
they share a loaded data set, a dense model and an oracle (mabbench/runtime/memo.py).
"""
from __future__ import annotations

import copy
import importlib
import itertools
from dataclasses import dataclass, replace
from typing import Any, Callable

from omegaconf import OmegaConf

from mabbench.config.errors import ConfigError, did_you_mean

# Keys whose jobs share data: the group a job belongs to (with the seed).
DATA_KEYS = ("task", "dataset")


@dataclass(frozen=True)
class Job:
    part: str
    overrides: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # the swept keys (no leading +) and their values
    stage: int = 0  # launched after every job of a lower stage (a part's ``after``)

    @property
    def group(self) -> tuple[str, ...]:
        """What the job shares with its neighbours: task, data set (and its options),
        suite row (its model), seed."""
        return tuple(f"{k}={v}" for k, v in self.values
                     if k in (*DATA_KEYS, "row", "seed") or k.startswith("dataset."))

    def value(self, key: str) -> str | None:
        return dict(self.values).get(key.lstrip("+"))


class Catalog:
    """Options of the config groups and their values, read through Hydra's config
    repository (so it works wherever the configs are installed)."""

    def __init__(self, repository) -> None:
        self.repository = repository
        self._options: dict[str, list[str]] = {}
        self._values: dict[tuple[str, str], dict] = {}  # selectors of every part ask again

    def options(self, group: str) -> list[str]:
        group = group.lstrip("+")
        if group not in self._options:
            self._options[group] = list(self.repository.get_group_options(group))
        return self._options[group]

    def values(self, group: str, name: str) -> dict:
        """The option's own keys over its schema's defaults, unresolved (a copy)."""
        key = (group.lstrip("+"), name)
        if key not in self._values:
            self._values[key] = self._load(*key)
        return copy.deepcopy(self._values[key])

    def _load(self, group: str, name: str) -> dict:
        result = self.repository.load_config(f"{group}/{name}")
        merged: dict = {}
        schema = self._schema(result)
        if schema is not None:  # a schema not registered in this process: YAML only
            merged.update(_plain(schema.config))
        merged.update(_plain(result.config))
        return merged

    def schema_type(self, group: str, name: str) -> type | None:
        """The structured config (dataclass) an option's defaults place under it, if any."""
        schema = self._schema(self.repository.load_config(f"{group.lstrip('+')}/{name}"))
        found = OmegaConf.get_type(schema.config) if schema is not None else None
        return found if isinstance(found, type) and found is not dict else None

    def _schema(self, result):
        for default in result.defaults_list or []:
            schema_group = (getattr(default, "group", None) or "").lstrip("/")
            if schema_group.startswith("schema/"):
                return self.repository.load_config(f"{schema_group}/{default.value}")
        return None


def repository_with(loader, searchpath) -> Any:
    """``loader``'s config repository with the ``hydra.searchpath`` folders added where
    Hydra adds them when it composes a job (before the schema source). Hydra re-reads
    the search path only while composing, so a repository taken from the loader
    afterwards may lack the user's folders: their ``conf/policy/*.yaml`` would be
    missing from ``policy: all`` and ``policy=<theirs>`` would select no job."""
    from hydra._internal.config_repository import ConfigRepository

    known = {entry.path for entry in loader.get_search_path().get_path()}
    extra = [path for path in (searchpath or []) if path not in known]
    if not extra:
        return loader.repository
    search = copy.deepcopy(loader.get_search_path())
    schema = search.get_path().pop(-1)  # Hydra keeps the schema source last
    for path in extra:
        search.append(provider="hydra.searchpath", path=path)
    search.append(schema.provider, schema.path)
    return ConfigRepository(search)


def _plain(node) -> dict:
    found = OmegaConf.to_container(node, resolve=False) if node is not None else {}
    found.pop("defaults", None)
    return found


# --- selectors: (key, name) -> function(catalog, task) -> option names -------------------

SELECTORS: dict[tuple[str, str], Callable[[Catalog, str], list[str]]] = {}


def selector(key: str, name: str):
    def add(function):
        SELECTORS[(key, name)] = function
        return function
    return add


@selector("dataset", "offline")
def offline_datasets(catalog: Catalog, task: str) -> list[str]:
    """Datasets of the task's family that need no download (``online`` false) and no
    user input (no ``???`` value)."""
    found = []
    for name in catalog.options("dataset"):
        card = catalog.values("dataset", name)
        if (card.get("family") == task and not card.get("online")
                and "???" not in card.values()):
            found.append(name)
    return found


def policy_class(catalog: Catalog, name: str):
    target = str(catalog.values("policy", name).get("_target_", ""))
    module, _, attribute = target.rpartition(".")
    return getattr(importlib.import_module(module), attribute, None) if module else None


def is_bandit(catalog: Catalog, name: str) -> bool:
    """Bandit configs derive from PolicyConfig, baselines' from ScorerConfig: the schema
    says which without importing the method (a baseline's module imports torch, seconds
    of a sweep's start); an option without either asks its class."""
    from baselines.schemas import ScorerConfig
    from mabbench.policies.base import Policy, PolicyConfig

    schema = catalog.schema_type("policy", name)
    if schema is not None and issubclass(schema, (PolicyConfig, ScorerConfig)):
        return issubclass(schema, PolicyConfig)
    found = policy_class(catalog, name)
    return isinstance(found, type) and issubclass(found, Policy)


@selector("policy", "all")
def all_policies(catalog: Catalog, task: str) -> list[str]:
    return catalog.options("policy")


@selector("policy", "bandits")
def bandit_policies(catalog: Catalog, task: str) -> list[str]:
    return [p for p in catalog.options("policy") if is_bandit(catalog, p)]


@selector("policy", "baselines")
def baseline_policies(catalog: Catalog, task: str) -> list[str]:
    return [p for p in catalog.options("policy") if not is_bandit(catalog, p)]


@selector("reference", "all")
def applicable_comparators(catalog: Catalog, task: str) -> list[str]:
    """Comparators with an estimator for the task's metric (a classifier for accuracy)."""
    from mabbench.reference.config import ROLE_BY_METRIC  # the schema module: no sklearn

    role = ROLE_BY_METRIC.get(catalog.values("task", task)["task"]["metric"])
    return [c for c in catalog.options("reference")
            if role and catalog.values("reference", c).get(role) is not None]


def resolve(catalog: Catalog, key: str, value: Any, task: str, exclude: dict) -> list:
    """A sweep's values: the list as given, or what its selector finds less ``exclude``."""
    if not isinstance(value, str):
        return list(value)
    bare = key.lstrip("+")
    function = SELECTORS.get((bare, value))
    if function is None:
        known = sorted(name for k, name in SELECTORS if k == bare)
        raise ConfigError(f"hydra.sweeper: {key}: {value!r} is not a list nor a selector"
                          f" (selectors for {bare}: {', '.join(known) or 'none'})")
    dropped = set(exclude.get(bare, ()))
    return [name for name in function(catalog, task) if name not in dropped]


# --- expansion ---------------------------------------------------------------------------

def format_value(value: Any) -> str:
    """A value as Hydra's override grammar reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    return str(value)


def _settings(key: str, value: Any) -> list[tuple[str, str]]:
    """(key, value) pairs of one sweep value; a mapping sets several keys."""
    if isinstance(value, dict):
        return [(k, format_value(v)) for k, v in value.items()]
    return [(key, format_value(value))]


def expand(grid, catalog: Catalog) -> list[Job]:
    """Every job of ``grid`` (the sweeper's config), the jobs of one group together."""
    spec = OmegaConf.to_container(grid, resolve=True) if OmegaConf.is_config(grid) else grid
    seeds, exclude = list(spec.get("seeds") or [0]), spec.get("exclude") or {}
    parts = spec.get("parts") or {}
    stage_of = stages(parts)
    jobs: list[Job] = []
    for part, body in parts.items():
        if body is None:  # a part switched off: hydra.sweeper.parts.<name>=null
            continue
        for task, lead, lead_values in _leads(part, body, catalog):
            axes = [(key, resolve(catalog, key, values, task, exclude))
                    for key, values in (body.get("sweep") or {}).items()]
            for combo in itertools.product(*(values for _, values in axes), seeds):
                settings = []
                for (key, _), value in zip(axes, combo[:-1]):
                    settings += _settings(key, value)
                overrides = [*lead, *(f"{k}={v}" for k, v in settings), f"seed={combo[-1]}"]
                values = (*lead_values, *((k.lstrip("+"), v) for k, v in settings),
                          ("seed", str(combo[-1])))
                jobs.append(Job(part, tuple(overrides), tuple(values), stage_of[part]))
    return grouped(jobs)


def stages(parts: dict) -> dict[str, int]:
    """Each part's stage: 0, or one past the latest stage of the parts it runs ``after``
    (a name or a list of names; a part switched off still orders the parts after it)."""
    found: dict[str, int] = {}

    def stage(part: str, path: tuple[str, ...]) -> int:
        if part in path:
            raise ConfigError(f"hydra.sweeper.parts.{part}.after: a circle "
                              f"({' -> '.join((*path, part))})")
        if part not in found:
            after = (parts[part] or {}).get("after") or []
            after = [after] if isinstance(after, str) else list(after)
            for name in after:
                if name not in parts:
                    raise ConfigError(f"hydra.sweeper.parts.{part}.after: no part {name!r}"
                                      f"{did_you_mean(name, list(parts))} (parts: "
                                      f"{', '.join(parts)})")
            found[part] = 1 + max((stage(name, (*path, part)) for name in after), default=-1)
        return found[part]

    for part in parts:
        stage(part, ())
    return found


def _leads(part: str, body: dict, catalog: Catalog):
    """(task, leading overrides, their job values) for each task or suite row of a part."""
    if body.get("rows"):
        suite = catalog.repository.load_config(f"suite/{body['rows']}")
        if suite is None:
            raise ConfigError(f"hydra.sweeper.parts.{part}.rows: no suite conf/suite/"
                              f"{body['rows']}.yaml")
        for row in OmegaConf.to_container(suite.config, resolve=True).get("rows", []):
            overrides = list(row["overrides"])
            head = dict(o.split("=", 1) for o in overrides[:3])
            if set(head) != {"task", "dataset", "model"}:
                raise ConfigError(f"conf/suite/{body['rows']}.yaml: row {row['name']!r} must "
                                  f"start with task=, dataset= and model= overrides")
            yield head["task"], overrides, (("task", head["task"]), ("dataset", head["dataset"]),
                                            ("model", head["model"]), ("row", row["name"]))
        return
    tasks = body.get("tasks") or {}
    if isinstance(tasks, list):
        tasks = {task: [] for task in tasks}
    for task, task_overrides in tasks.items():
        if task not in catalog.options("task"):
            raise ConfigError(f"hydra.sweeper.parts.{part}.tasks: no task {task!r} "
                              f"(tasks: {', '.join(catalog.options('task'))})")
        yield task, [f"task={task}", *task_overrides], (("task", task),)


def grouped(jobs: list[Job]) -> list[Job]:
    """Stable reorder: stage by stage, groups in order of first appearance, each
    group's jobs together."""
    first: dict[tuple, int] = {}
    for job in jobs:
        first.setdefault(job.group, len(first))
    return sorted(jobs, key=lambda job: (job.stage, first[job.group]))


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def slice_jobs(jobs: list[Job], arguments: list[tuple[str, list[str]]]) -> list[Job]:
    """Apply command-line overrides to a grid. A key the grid sweeps (``seed=0``,
    ``task=tabular,image``, ``policy=ucb1``) selects the jobs that have one of the
    values given; any other key is added to every job (several values: every job
    once per value)."""
    swept = {key for job in jobs for key, _ in job.values}
    for key, wanted in arguments:
        bare = key.lstrip("+")
        if bare in swept:
            for value in wanted:
                if not any(_same(job.value(bare) or "", value) for job in jobs):
                    present = sorted({job.value(bare) for job in jobs if job.value(bare)})
                    raise ConfigError(f"{bare}={value}: not in this grid"
                                      f"{did_you_mean(value, present)} ({bare}: "
                                      f"{', '.join(present[:20])}{' ...' if len(present) > 20 else ''})")
            jobs = [job for job in jobs if job.value(bare) is not None
                    and any(_same(job.value(bare), v) for v in wanted)]
        else:
            jobs = [replace(job, overrides=(*job.overrides, f"{key}={value}"))
                    for job in jobs for value in wanted]
    return jobs


def batches(jobs: list[Job], leaders_first: bool) -> list[list[Job]]:
    """Stage by stage (a part's ``after``: a launcher's batch ends when its last job
    does, so a later stage finds the records it reads); within a stage, with parallel
    workers, first one job per group (each trains its dense model and oracle once, in
    parallel with other groups), then the rest, which find them cached."""
    found = []
    for stage in sorted({job.stage for job in jobs}):
        found += _leaders_then_rest([job for job in jobs if job.stage == stage], leaders_first)
    return found


def _leaders_then_rest(jobs: list[Job], leaders_first: bool) -> list[list[Job]]:
    if not leaders_first:
        return [jobs] if jobs else []
    seen: set[tuple] = set()
    leaders = [job for job in jobs if not (job.group in seen or seen.add(job.group))]
    chosen = set(map(id, leaders))
    rest = [job for job in jobs if id(job) not in chosen]
    return [batch for batch in (leaders, rest) if batch]


def describe(jobs: list[Job]) -> str:
    """``N jobs: trials 756, comparators 234, ...``."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.part] = counts.get(job.part, 0) + 1
    return f"{len(jobs)} jobs: " + ", ".join(f"{part} {n}" for part, n in counts.items())
