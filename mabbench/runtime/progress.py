"""What a running trial tells its user: progress bars on a terminal, a log file always.

Bars (tqdm, on stderr) show dense training (epoch, loss), pulls (rounds,
pulls/s) and curve levels. They are silent when stderr is not a terminal
(pipes, batch jobs, launchers' log files) and when ``CI`` is set to true, so
logs and test output stay clean. Every trial also writes ``trial.log`` in its
run folder with what Python's logging said while it ran. Listeners (a wandb
run) receive each pull round's statistics and each curve level as they happen.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm.auto import tqdm

from mabbench.config.errors import ConfigError

LOG_FILE = "trial.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def remove_empty(folder: Path, root: Path | None) -> None:
    """Remove ``folder`` and its parents while they are empty, stopping at ``root``."""
    stop = Path(root).resolve() if root is not None else folder.resolve().parent
    current = folder.resolve()
    while current != stop and stop in current.parents and not any(current.iterdir()):
        current.rmdir()
        current = current.parent


_BARS = {"off": False}  # set by without_bars(): jobs running side by side


def without_bars() -> None:
    """No bars for the rest of this process (a parallel sweep's worker: several bars
    on one terminal redraw over each other)."""
    _BARS["off"] = True


def bars_enabled(stream=None) -> bool:
    """Bars only for a person watching: a TTY, not under CI, not a parallel job."""
    if _BARS["off"] or os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return False
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


def bar(total: int | None = None, desc: str = "", unit: str = "it", **kwargs) -> tqdm:
    """A tqdm bar that is a no-op where bars are disabled; ``leave=False`` keeps the
    terminal to the headline once a stage is done."""
    return tqdm(total=total, desc=desc, unit=unit, leave=False, dynamic_ncols=True,
                disable=not bars_enabled(), **kwargs)


# Listeners of run-time events (kind, values), e.g. a wandb run (mabbench/trial/tracking.py).
_SINKS: list[Callable[[str, dict], None]] = []


def listening() -> bool:
    """Whether anyone listens: callers skip computing an event's values otherwise."""
    return bool(_SINKS)


def emit(kind: str, values: dict) -> None:
    """Hand one event ("pulls": a round's statistics, "curve": a finished level) to
    every listener."""
    for sink in _SINKS:
        sink(kind, values)


@contextmanager
def listen(sink: Callable[[str, dict], None]) -> Iterator[None]:
    """Send events to ``sink`` while the block runs."""
    _SINKS.append(sink)
    try:
        yield
    finally:
        _SINKS.remove(sink)


def iterate(items, desc: str = "", unit: str = "it"):
    """``items`` wrapped in a bar (``bar``'s rules), yielding the same items."""
    return tqdm(items, desc=desc, unit=unit, leave=False, dynamic_ncols=True,
                disable=not bars_enabled())


class _TrialLog(logging.FileHandler):
    """A trial's log file. On a write error (a full disk) it stops with one warning line,
    where logging's default printed a traceback per record (173 lines on a full disk);
    the write that matters (the result) then names the fault itself."""

    stopped = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.stopped:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.stopped:
            self.stopped = True
            print(f"warning: trial log {self.baseFilename} stopped ({sys.exc_info()[1]})",
                  file=sys.stderr)


@contextmanager
def log_to_file(folder: Path, root: Path | None = None) -> Iterator[Path]:
    """Copy every log record (INFO and up) emitted while the block runs into
    ``folder/trial.log``, appended, beside the trial's config and result. On bad
    input (ConfigError) a log that is all the trial wrote is removed, with the
    folders made for it up to ``root``."""
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    handler = _TrialLog(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    logger = logging.getLogger()
    previous = logger.level
    logger.addHandler(handler)
    if logger.level > logging.INFO or logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    try:
        yield path
    except ConfigError:
        # bad input leaves nothing on disk: drop the log if it is all the trial wrote
        handler.close()
        if [p.name for p in folder.iterdir()] == [LOG_FILE]:
            path.unlink()
            remove_empty(folder, root)
            for made in created:  # and the folders this block made, the results root too
                if made.is_dir() and not any(made.iterdir()):
                    made.rmdir()
        raise
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
