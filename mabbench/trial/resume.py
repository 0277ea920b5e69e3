"""Re-running is resuming: is a job already settled by what its folder holds?

A trusted ``result.json`` (its hash and seed match) means done: skip it, unless
``runtime.force`` (the job runs again; its new record replaces the old). A
``failed.json`` from an earlier run means skip too, unless
``runtime.retry_failed``. Nothing here imports torch, so the command line asks
before the trial machinery loads, and a finished trial costs start-up only;
``run_recorded`` below asks the same question for every job that writes a
result (a pruning trial, a comparator).
"""
from __future__ import annotations

import logging
from pathlib import Path

from omegaconf import DictConfig

from mabbench.config.errors import ConfigError
from mabbench.files.faults import storage_fault
from mabbench.files.integrity import read_trusted_json
from mabbench.runtime import timing
from mabbench.runtime.deadline import time_limit
from mabbench.store import identity
from mabbench.store.failures import FAILED_NAME, NotReady, Stage, write_failure
from mabbench.trial.kinds import job_kind
from mabbench.trial.validate import validate

log = logging.getLogger(__name__)
# A stored result is trusted (and its trial skipped) only with these keys.
RESULT_KEYS = ("config_hash", "seed", "policy", "dense", "curve", "target")


def stored_outcome(cfg: DictConfig, folder: Path, config_hash: str) -> dict | None:
    """The record of a job that need not run (``skipped``, or ``failed`` before
    and not retried), or None when it must run."""
    result_path, failed_path = folder / "result.json", folder / FAILED_NAME
    if cfg.runtime.get("force"):
        return None  # asked to run again: the new record replaces the old one when written
    expected = {"config_hash": config_hash, "seed": cfg.seed}
    if read_trusted_json(result_path, RESULT_KEYS, expected) is not None:
        log.debug("already done, skipping: %s", result_path)  # the headline says so
        return {"status": "skipped", "skipped": True, "path": str(result_path)}
    earlier = read_trusted_json(failed_path, ("reason",))
    if earlier is not None and not cfg.runtime.retry_failed:
        log.warning("failed before (%s), skipping; runtime.retry_failed=true runs it again: %s",
                    earlier["reason"], failed_path)
        return {"status": "failed", "skipped": True, "reason": earlier["reason"],
                "stage": earlier.get("stage"), "path": str(failed_path)}
    return None


def finished_trial(cfg: DictConfig) -> dict | None:
    """A pruning trial's stored outcome, or None (it must run, or it is another kind
    of job, trial/kinds.py, which its own runner checks). Bad input raises ConfigError."""
    if job_kind(cfg) is not None:
        return None
    validate(cfg)
    return stored_outcome(cfg, identity.run_dir(cfg), identity.config_hash(cfg))


def run_recorded(cfg: DictConfig, folder, config_hash: str, body) -> dict:
    """The store's contract for any job writing ``folder/result.json``: skip a
    trusted result, skip an earlier failure unless ``runtime.retry_failed``,
    else ``body(result_path, stage)`` (which writes the result) with any
    trial-level error recorded in failed.json. ConfigError is raised, and so are a
    StorageFault (a full or read-only disk: mabbench/files/faults.py) and NotReady (an
    input record not there yet), unrecorded: each says nothing about the job itself."""
    timing.start()
    settled = stored_outcome(cfg, folder, config_hash)
    if settled is not None:
        return settled
    result_path, failed_path = folder / "result.json", folder / FAILED_NAME
    stage = Stage()
    try:
        with time_limit(cfg.runtime.get("timeout")):
            record = body(result_path, stage)
    except (ConfigError, NotReady):
        raise
    except Exception as error:  # noqa: BLE001  (any trial-level error is recorded, not raised)
        fault = storage_fault(error)
        if fault is not None:  # the machine's fault, not the trial's: record nothing
            raise fault from None
        try:
            return write_failure(folder, error, stage.name, config_hash)
        except OSError as unwritten:
            raise storage_fault(unwritten) or unwritten from None
    failed_path.unlink(missing_ok=True)
    return record | {"status": "done"}
