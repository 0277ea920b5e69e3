"""An inter-process lock around building a shared artefact (a dense model, an oracle).

``with build_lock(folder):`` holds an exclusive ``flock`` on ``folder/.lock``.
The kernel drops the lock when its holder exits for any reason (SIGKILL
included), so a crashed builder never leaves a stale lock behind: the next
waiter gets it, finds nothing built, and builds. Callers re-check for the
finished artefact after acquiring (another process may have built it while
they waited), so N processes asking for one artefact build it once.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".lock"


@contextmanager
def build_lock(folder: Path, name: str = LOCK_NAME) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
