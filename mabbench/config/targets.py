"""Which classes a config may build: ``_target_`` confinement.

Hydra's ``instantiate`` calls whatever a ``_target_`` names: ``shutil.copyfile`` with
a config's other keys as arguments overwrote a file, ``builtins.open`` truncated one.
So before anything is built, every ``_target_`` under the node to be instantiated is
checked here: only the node's own ``_target_`` may name something, and it must name a
class that subclasses one of the bases the caller allows (a bandit policy, a baseline,
a model, a comparator's estimator; user code subclasses the same bases). Importing the
named module to find the class runs no config value: only calling it would.
"""
from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Iterator, Sequence

from omegaconf import DictConfig, ListConfig, OmegaConf

from mabbench.config.errors import ConfigError

TARGET = "_target_"
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def _targets(node, where: str) -> Iterator[tuple[str, object]]:
    """(dotted key, value) of every ``_target_`` under ``node``."""
    if isinstance(node, (DictConfig, dict)):
        items = node.items_ex(resolve=False) if isinstance(node, DictConfig) else node.items()
        for key, value in items:
            if key == TARGET:
                yield f"{where}.{key}", value
            else:
                yield from _targets(value, f"{where}.{key}")
    elif isinstance(node, (ListConfig, list, tuple)):
        for index, value in enumerate(node):
            yield from _targets(value, f"{where}[{index}]")


def no_targets(node, key: str, allowed: str | None = None) -> None:
    """Refuse any ``_target_`` under ``node`` (at ``key``) other than ``allowed``."""
    for where, value in _targets(node, key):
        if where != allowed:
            raise ConfigError(f"{where}={value!r}: only {allowed or 'the node itself'} may "
                              "name a class to build; remove this key")


def schema_target(node) -> str | None:
    """The ``_target_`` default of ``node``'s typed schema (a class mabbench registered)."""
    schema = OmegaConf.get_type(node) if isinstance(node, DictConfig) else None
    if schema is None or not dataclasses.is_dataclass(schema):
        return None
    field = {f.name: f for f in dataclasses.fields(schema)}.get(TARGET)
    return field.default if field is not None and isinstance(field.default, str) else None


def confine(node, key: str, bases: Sequence[type | Callable[[], type]], what: str) -> None:
    """Refuse, naming ``key``, a ``node`` whose ``_target_`` is not a subclass of one of
    ``bases`` (a base may be given as a function returning it, imported only when
    needed). ``what`` says in words what may be built (e.g. 'a bandit policy')."""
    own = f"{key}.{TARGET}"
    no_targets(node, key, own)
    target = node.get(TARGET) if isinstance(node, (DictConfig, dict)) else None
    if isinstance(target, str) and target == schema_target(node):
        return  # the class mabbench registered for this schema: no import needed
    if not isinstance(target, str) or not DOTTED.fullmatch(target):
        raise ConfigError(f"{own}={target!r}: expected the dotted name of a class ({what})")
    try:
        found_class = locate(target)
    except Exception as error:  # noqa: BLE001  (import errors of any kind: name the key)
        hint = " (is its folder on PYTHONPATH?)" if isinstance(error, ImportError) else ""
        raise ConfigError(f"{own}={target!r}: cannot be imported ({_first_line(error)}){hint}; "
                          f"expected {what}") from None
    if not isinstance(found_class, type):
        raise ConfigError(f"{own}={target!r}: not {what} (not a class); only a subclass of "
                          f"{_names(bases)} may be built here")
    for base in bases:
        if issubclass(found_class, base if isinstance(base, type) else base()):
            return
    raise ConfigError(f"{own}={target!r}: not {what}; only a subclass of {_names(bases)} "
                      "may be built here")


def _names(bases) -> str:
    return " or ".join(f"{base.__module__}.{base.__qualname__}" if isinstance(base, type)
                       else (base.__doc__ or base.__name__).strip() for base in bases)


def locate(dotted: str):
    """The object a dotted name names: the longest importable module prefix, then
    attributes (Hydra's get_class does the same but logs an error on a miss)."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            found = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is None or not module_name.startswith(error.name):
                raise  # the module exists but one of its own imports is missing
            continue
        for part in parts[split:]:
            found = getattr(found, part)
        return found
    raise ModuleNotFoundError(f"no module named {parts[0]!r}")


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

