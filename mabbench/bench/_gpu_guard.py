"""Time guards of the GPU bench (``gpu.py``): a step that runs too long, or the bench
stopped from outside, ends in an exception the bench catches and reports. ``time_limit``
raises ``Cut`` in the main thread when its SIGALRM timer fires; ``sigterm_stops`` turns a
SIGTERM (an outer ``timeout``) into ``Stopped`` so the tables measured so far still get
written. Both are ``BaseException``s, so the store's ``except Exception`` lets them pass.
"""
from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from mabbench.runtime.deadline import alarm_after


class Cut(BaseException):
    """A time guard's alarm (BaseException: the store's ``except Exception`` lets it pass)."""


class Stopped(BaseException):
    """SIGTERM (an outer ``timeout``): stop, and write what was measured so far."""


def _stop(signum, frame):
    raise Stopped()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``Cut`` in this (main) thread after ``seconds``."""
    if seconds <= 0:
        raise Cut()
    with alarm_after(seconds, Cut):
        yield


@contextmanager
def sigterm_stops() -> Iterator[None]:
    """Raise ``Stopped`` on SIGTERM inside the block; the previous handler back after."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
