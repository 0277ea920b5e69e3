"""Failure records: a trial that raises or diverges leaves ``failed.json``.

``failed.json`` sits where ``result.json`` would (the run folder) and holds
the reason (one line), the stage it failed in, the last lines of the
traceback, the config hash and a UTC timestamp. A re-issued sweep skips a
failed trial and says so; ``runtime.retry_failed=true`` runs it again (a
success then removes the failure record).

Bad input (:class:`~mabbench.config.errors.ConfigError`) is not a trial failure: it
is raised to the caller, which prints one line, and nothing is written. Nor is a
missing input (:class:`NotReady`): a job that reads other jobs' records (a control)
before they exist would, recorded as failed, be skipped by every later sweep.
"""
from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

from mabbench.files.atomic import atomic_write_json

log = logging.getLogger(__name__)
FAILED_NAME = "failed.json"
TRACEBACK_LINES = 20


class Diverged(RuntimeError):
    """Training or evaluation produced a non-finite loss, weight or metric."""


class NotReady(Exception):
    """An input the job reads (another job's record) is not there yet: nothing is
    recorded, and the job runs once the input exists. The message names the input and
    what to run first, in one line."""


class Stage:
    """The trial step being run, so a failure can say where it happened."""

    def __init__(self) -> None:
        self.name = "start"

    def __call__(self, name: str) -> None:
        self.name = name


def reason(error: BaseException) -> str:
    """``Type: first line of the message``."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def write_failure(folder: Path, error: BaseException, stage: str, config_hash: str) -> dict:
    """Write ``folder/failed.json`` and return the trial's summary dict."""
    tail = traceback.format_exception(type(error), error, error.__traceback__)
    lines = "".join(tail).rstrip().splitlines()[-TRACEBACK_LINES:]
    path = folder / FAILED_NAME
    record = {"status": "failed", "reason": reason(error), "stage": stage,
              "traceback": lines, "config_hash": config_hash,
              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    atomic_write_json(path, record)
    log.error("trial failed at %s: %s (%s)", stage, record["reason"], path)
    return {"status": "failed", "reason": record["reason"], "stage": stage, "path": str(path)}
