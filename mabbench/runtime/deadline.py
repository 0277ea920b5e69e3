"""``runtime.timeout``: a trial that runs too long ends as that trial's failure.

A policy whose ``select`` never returned hung its trial, and so its sweep, forever.
``time_limit`` arms a real-time timer (SIGALRM) around the trial; when it fires,
``TrialTimeout`` is raised wherever the trial is (a Python loop, a sleep, between
torch ops) and the store records it like any trial error. Off (``None``) by default;
the reference grid sets it. Signals reach only the main thread: a trial run in
another thread (no launcher here does that) runs without a limit, said once.
"""
from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class TrialTimeout(RuntimeError):
    """The trial ran past ``runtime.timeout`` seconds."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread():
        log.warning("runtime.timeout=%g ignored: the trial does not run in the main thread",
                    seconds)
        yield
        return

    with alarm_after(seconds, lambda: TrialTimeout(
            f"the trial ran past runtime.timeout={seconds:g} s")):
        yield


@contextmanager
def alarm_after(seconds: float, error: Callable[[], BaseException]) -> Iterator[None]:
    """Raise ``error()`` in the main thread once ``seconds`` of real time have passed
    inside the block (a SIGALRM timer; the previous handler is restored after)."""
    def expire(signum, frame):
        raise error()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
