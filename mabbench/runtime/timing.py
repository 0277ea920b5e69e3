"""Where a trial's time goes: named phases, each counted without the phases nested in it.

    with phase("curve"):            # compaction and scoring ...
        with phase("latency"):      # ... but the timed forwards count as latency
            ...

``start()`` begins a fresh account for one trial; ``spent()`` returns it as
``{phase: seconds}`` plus ``total`` (seconds since ``start()``), which the
trial stores in result.json as ``timing``. One trial runs at a time per
process, so a module-level account is enough. Phases: ``load`` (data, model
building, cached weights), ``dense_training``, ``ranking``, ``oracle``,
``curve`` and ``latency``; what a trial spends outside them is ``total`` minus
their sum. The grid bench (mabbench/bench/grid.py) adds them up.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

_spent: dict[str, float] = {}
_open: list[list[float]] = []  # per open phase: [start, seconds spent in nested phases]
_started = time.perf_counter()


def start() -> None:
    global _started
    _spent.clear()
    _open.clear()
    _started = time.perf_counter()


@contextmanager
def phase(name: str) -> Iterator[None]:
    frame = [time.perf_counter(), 0.0]
    _open.append(frame)
    try:
        yield
    finally:
        _open.pop()
        elapsed = time.perf_counter() - frame[0]
        _spent[name] = _spent.get(name, 0.0) + elapsed - frame[1]
        if _open:
            _open[-1][1] += elapsed


def spent() -> dict[str, float]:
    """Seconds per phase since ``start()``, and ``total``."""
    return {**_spent, "total": time.perf_counter() - _started}
