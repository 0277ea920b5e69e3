"""A sweep's job configs, composed once per shape and derived from there.

Hydra composes every job of a multirun from scratch: ~0.17 s of defaults-tree
walking and OmegaConf merging on this machine, a third of a tabular trial and
the largest share of a grid's time outside its trials. A grid's jobs differ
from one another mostly in a config-group choice (``policy=``,
``+reference=``) and the ``seed``. So a job whose overrides match an earlier
job's except for such choices is *derived*: the earlier job's config, with
each changed group's node (and its ``hydra.runtime.choices`` entries) taken
from a job that chose the same option, the seed set, and the overrides that
Hydra records (``hydra.overrides.task``, ``hydra.job.override_dirname``)
rewritten. Everything else is composed in full, as Hydra does.

Derivation is used only where it is exact, checked as the pull engine checks
its fast paths: the first time a process derives a given change (a group
option, or the seed), it also composes that job in full and compares the two
configs, values and types; a mismatch turns derivation off for that change in
this process (logged), so the result is Hydra's own config either way.
``MABBENCH_NO_DERIVE=1`` composes every job in full.

The grid sweeper wraps its launcher's config loader in ``DerivingConfigLoader``
(hydra_plugins/mabbench_grid); each process that runs jobs (the sweep itself,
a joblib worker, a submitit or Ray job) keeps its own cache, for one sweep at a
time (a job of another sweep, i.e. another master config, starts it afresh).
"""
from __future__ import annotations

import copy
import logging
import os
from collections import OrderedDict
from typing import Any, List, Optional

from hydra._internal.config_loader_impl import get_overrides_dirname  # what Hydra writes
from hydra.core.config_loader import ConfigLoader
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

log = logging.getLogger(__name__)

DISABLE_ENV = "MABBENCH_NO_DERIVE"
BASES = 64  # composed configs kept per process: a few (task, data set) shapes at a time


def same_config(a: DictConfig, b: DictConfig) -> bool:
    """Equal values (interpolations unresolved) and equal structured types, node by node."""
    if OmegaConf.to_container(a, resolve=False) != OmegaConf.to_container(b, resolve=False):
        return False
    return _types(a) == _types(b)


def _types(node: Any, path: str = "") -> dict:
    if not OmegaConf.is_dict(node):
        return {}
    found = {path: OmegaConf.get_type(node)}
    for key in node.keys():
        child = node._get_node(key)
        if OmegaConf.is_config(child):
            found |= _types(child, f"{path}.{key}")
    return found


class Composer:
    """Per-process cache of composed job configs (see the module docstring).

    ``derive``: the top-level keys a derived job may change, config groups
    (``policy``, ``reference``) or plain values (``seed``)."""

    def __init__(self) -> None:
        self._owner: tuple | None = None  # the sweep (master config) the caches belong to
        self._reset(None)
        self.composed = self.derived = 0

    def _reset(self, owner: tuple | None) -> None:
        """Start afresh for another sweep: its configs, options and checks are its own."""
        self._owner = owner
        # shape -> (overrides, config) of the latest job of that shape composed in full
        self.bases: OrderedDict[tuple, tuple[tuple[Override, ...], DictConfig]] = OrderedDict()
        self.donors: dict[tuple, DictConfig] = {}  # (group, option) -> a config choosing it
        self.verified: set[tuple] = set()  # changes checked equal to a full composition
        self.refused: set[tuple] = set()  # changes found unequal: always composed in full
        self._groups: set[str] | None = None

    def load(self, inner: ConfigLoader, master: DictConfig, overrides: List[str],
             derive: tuple[str, ...]) -> DictConfig:
        parsed = OverridesParser.create().parse_overrides(overrides)
        if os.environ.get(DISABLE_ENV) or any(o.is_sweep_override() or o.is_delete()
                                              for o in parsed):
            return self._full(inner, master, overrides)
        owner = _master_key(master)
        if owner != self._owner:
            self._reset(owner)
        if self._groups is None:
            self._groups = set(inner.list_groups(""))
        shape = tuple(f"{o.get_key_element()}=*" if _key(o) in derive else o.input_line
                      for o in parsed)
        if shape not in self.bases:
            return self._remember(shape, parsed, derive, self._full(inner, master, overrides))
        self.bases.move_to_end(shape)
        base_parsed, base = self.bases[shape]
        changed = [o for o, b in zip(parsed, base_parsed) if o.input_line != b.input_line]
        kinds = [self._kind(o) for o in changed]
        donors = {kind[0]: self.donors.get(kind) for kind in kinds if len(kind) == 2}
        if any(kind in self.refused for kind in kinds) or None in donors.values():
            return self._remember(shape, parsed, derive, self._full(inner, master, overrides))
        derived = _derive(base, master, parsed, changed, donors)
        unchecked = [kind for kind in kinds if kind not in self.verified]
        if unchecked:
            full = self._full(inner, master, overrides)
            if not same_config(derived, full):
                log.warning("composition: a job derived by changing %s differs from "
                            "Hydra's composition; composing such jobs in full", unchecked)
                self.refused.update(unchecked)
                return full
            self.verified.update(unchecked)
        self.derived += 1
        return derived

    def _kind(self, override: Override) -> tuple:
        """What a change is, for verification: (group, option), or (key,) for a value."""
        key = _key(override)
        return (key, override.get_value_element_as_str()) if key in self._groups else (key,)

    def _full(self, inner: ConfigLoader, master: DictConfig, overrides: List[str]) -> DictConfig:
        self.composed += 1
        return inner.load_sweep_config(master, overrides)

    def _remember(self, shape: tuple, parsed: list[Override], derive: tuple[str, ...],
                  cfg: DictConfig) -> DictConfig:
        kept = copy.deepcopy(cfg)  # the job may change its own copy
        self.bases[shape] = (tuple(parsed), kept)
        self.bases.move_to_end(shape)
        while len(self.bases) > BASES:
            self.bases.popitem(last=False)
        for override in parsed:
            kind = self._kind(override)
            if len(kind) == 2 and kind[0] in derive:
                self.donors.setdefault(kind, kept)
        return cfg


def _master_key(master: DictConfig) -> tuple:
    """What the sweep contributes to every job: its config name and Hydra overrides
    (``hydra.sweep.dir`` among them, so each sweep has its own)."""
    return (str(master.hydra.job.config_name),
            tuple(OmegaConf.to_container(master.hydra.overrides.hydra)))


def _key(override: Override) -> str:
    return override.get_key_element().lstrip("+~")


def _derive(base: DictConfig, master: DictConfig, parsed: list[Override],
            changed: list[Override], donors: dict[str, DictConfig]) -> DictConfig:
    """``base`` with each changed override applied: a group's node and its choices
    taken from its config in ``donors``, a value set; then Hydra's record of the
    overrides rewritten."""
    cfg = copy.deepcopy(base)
    with read_write(cfg), open_dict(cfg):
        for override in changed:
            key = _key(override)
            donor = donors.get(key)
            if donor is not None:
                cfg[key] = copy.deepcopy(donor[key])
                choices = cfg.hydra.runtime.choices
                for name in [n for n in choices if _belongs(n, key)]:
                    del choices[name]
                choices.update({n: o for n, o in donor.hydra.runtime.choices.items()
                                if _belongs(n, key)})
            else:
                cfg[key] = override.value()
        cfg.hydra.overrides.task = [o.input_line for o in parsed]
        item = cfg.hydra.job.config.override_dirname
        cfg.hydra.job.override_dirname = get_overrides_dirname(
            overrides=parsed, kv_sep=item.kv_sep, item_sep=item.item_sep,
            exclude_keys=list(item.exclude_keys))
    OmegaConf.copy_cache(from_config=master, to_config=cfg)
    return cfg


def _belongs(choice: str, group: str) -> bool:
    """A ``hydra.runtime.choices`` entry made by choosing ``group``: the group itself or
    a schema group it places at its own package (``schema/policy@policy``)."""
    return choice == group or choice.endswith(f"@{group}")


COMPOSER = Composer()


class DerivingConfigLoader(ConfigLoader):
    """Hydra's config loader, with ``load_sweep_config`` through this process's
    ``COMPOSER``; everything else is the wrapped loader's."""

    def __init__(self, inner: ConfigLoader, derive: tuple[str, ...]) -> None:
        self.inner, self.derive = inner, tuple(derive)

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: List[str]) -> DictConfig:
        return COMPOSER.load(self.inner, master_config, list(sweep_overrides), self.derive)

    def load_configuration(self, config_name: Optional[str], overrides: List[str],
                           run_mode: RunMode, from_shell: bool = True,
                           validate_sweep_overrides: bool = True) -> DictConfig:
        return self.inner.load_configuration(config_name, overrides, run_mode, from_shell,
                                             validate_sweep_overrides)

    def get_search_path(self):
        return self.inner.get_search_path()

    def get_sources(self):
        return self.inner.get_sources()

    def list_groups(self, parent_name: str):
        return self.inner.list_groups(parent_name)

    def get_group_options(self, group_name: str, results_filter=None, config_name=None,
                          overrides=None):
        return self.inner.get_group_options(group_name, results_filter, config_name, overrides)

    def compute_defaults_list(self, config_name, overrides, run_mode):
        return self.inner.compute_defaults_list(config_name, overrides, run_mode)

    def __getattr__(self, name: str):  # ConfigLoaderImpl's own helpers (e.g. .repository)
        if name in ("inner", "derive"):
            raise AttributeError(name)
        return getattr(self.inner, name)
