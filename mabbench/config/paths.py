"""Names that become folders: each one path component, every joined path under its root.

``policy.name=../../../../escaped`` or an absolute ``model.name`` wrote results and
dense models outside ``runtime.results_dir``, where compact and collect never look.
A choice's name is joined into a path as one folder, so it must be one: non-empty,
not ``.`` or ``..``, no separator, no NUL. ``beneath`` joins checked names under a
root and refuses (belt and braces) any result that does not stay under it.
"""
from __future__ import annotations

import os
from pathlib import Path

from mabbench.config.errors import ConfigError

# Keys whose values name folders of the result store or the data cache.
NAME_KEYS = ("task.name", "dataset.name", "model.name", "policy.name", "reference.name",
             "control.allocation")


def component(key: str, value) -> str:
    """``value`` when it is a single folder name; else ConfigError naming ``key``."""
    if (not isinstance(value, str) or value in ("", ".", "..") or "/" in value
            or "\\" in value or "\0" in value or value != value.strip()):
        raise ConfigError(f"{key}={value!r}: must be a single folder name (no '/', '\\\\', "
                          "'..', surrounding spaces or empty); it names a folder of the "
                          "result store")
    return value


def beneath(root: Path, *parts: tuple[str, str]) -> Path:
    """``root / part / ...`` for (key, value) ``parts``, each checked by ``component``."""
    path = Path(root).joinpath(*(component(key, value) for key, value in parts))
    inside = os.path.normpath(path)
    top = os.path.normpath(root)
    if os.path.commonpath([inside, top]) != top:
        raise ConfigError(f"{path}: resolves outside {root}; refused")
    return path


def check_names(cfg) -> None:
    """Every ``NAME_KEYS`` entry ``cfg`` holds is a single folder name."""
    for key in NAME_KEYS:
        section, leaf = key.split(".")
        node = cfg.get(section) if hasattr(cfg, "get") else None
        if node is not None and leaf in node:
            component(key, node[leaf])


def check_folder(key: str, value) -> None:
    """A folder setting (``runtime.results_dir``...) must not name, or lie below, a file:
    refused before anything runs rather than failing at the first write."""
    path = Path(str(value)).expanduser()
    for place in (path, *path.parents):
        if place.exists():
            if not place.is_dir():
                what = "is a file" if place == path else f"lies below the file {place}"
                raise ConfigError(f"{key}={str(value)!r}: {what}; expected a folder "
                                  "(made if absent)")
            return
