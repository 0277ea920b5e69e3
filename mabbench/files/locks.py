"""An inter-process lock around building a shared artefact (a dense model, an oracle).

``with build_lock(folder):`` holds an exclusive ``flock`` on ``folder/.lock``.
The kernel drops the lock when its holder exits for any reason (SIGKILL
included), so a crashed builder never leaves a stale lock behind: the next
waiter gets it, finds nothing built, and builds. Callers re-check for the
finished artefact after acquiring (another process may have built it while
they waited), so N processes asking for one artefact build it once.

A holder that is *stopped* (SIGSTOP, a suspended job) keeps its lock, and the next
trial waited forever, silently. So the holder writes its pid into the lock file;
a waiter says once whom it waits for ("waiting for <pid> building <folder>") and,
once the holder has been stopped for ``break_after_s`` seconds (the trial passes
``runtime.lock_break_s``, 600 by default), breaks the lock safely: it renames the lock file aside (the stopped
process keeps its lock on the renamed file) and locks a fresh one. If the stopped
builder resumes, both write the same artefact atomically, so neither half-writes it.
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
LOCK_NAME = ".lock"
DEFAULT_BREAK_AFTER_S = 600.0
REPORT_AFTER_S = 5.0  # a wait longer than this is said, once
POLL_S = 0.2


def _holder(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or "x")
    except (OSError, ValueError):
        return None


def _stopped(pid: int | None) -> bool:
    """Whether ``pid`` is stopped (state T or t in /proc)."""
    if pid is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("T", "t")


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _acquire(folder: Path, path: Path, break_after: float) -> int:
    """An fd holding the lock on the file now at ``path``; see the module doc."""
    start, stopped_since, reported = time.monotonic(), None, False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            now = time.monotonic()
            stopped_since = (stopped_since or now) if _stopped(holder) else None
            if not reported and (now - start > REPORT_AFTER_S or stopped_since is not None):
                log.warning("waiting for %s building %s%s", holder or "another process", folder,
                            " (it is stopped)" if stopped_since is not None else "")
                reported = True
            if stopped_since is not None and now - stopped_since > break_after:
                log.warning("process %s holds the lock on %s but has been stopped for %.0f s: "
                            "breaking it (the lock file moves to %s.broken-%s)", holder, folder,
                            now - stopped_since, path.name, holder)
                os.replace(path, path.with_name(f"{path.name}.broken-{holder}"))
                stopped_since = None
            os.close(fd)
            time.sleep(POLL_S)
            continue
        if not _same_file(fd, path):  # broken (renamed) while we waited: lock the new one
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return fd


@contextmanager
def build_lock(folder: Path, name: str = LOCK_NAME,
               break_after_s: float = DEFAULT_BREAK_AFTER_S) -> Iterator[None]:
    if not break_after_s > 0:
        raise ValueError(f"a lock's break_after_s must be > 0 seconds, got {break_after_s}")
    folder.mkdir(parents=True, exist_ok=True)
    fd = _acquire(folder, folder / name, float(break_after_s))
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
