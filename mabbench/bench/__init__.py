"""Benchmarks: ``python -m mabbench.bench <name>`` prints measured figures.

Each module in this package that defines ``NAME`` and ``run(args) -> None``
is a benchmark; it is found automatically, so adding one touches one file.
Timings live here, never in pass/fail tests.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def discover() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found[module.NAME] = module
    return found
