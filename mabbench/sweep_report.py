"""For launchers whose jobs print elsewhere (submitit, Ray): each trial's headline
on the console that started the sweep. (The done / skipped / failed summary and
the exit code come from mabbench/sweep.py, for every launcher.)

A Hydra callback (conf/config.yaml ``hydra.callbacks.sweep_report``). Each job,
in its own process or node, writes one status file under
``<results_dir>/.sweep_status/``; the launching process reads back the files
written since the sweep started. Jobs therefore only need the results folder
to be shared, which the result store already requires.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

from mabbench.report import headline

STATUS_DIR = ".sweep_status"
# Launchers whose jobs' stdout does not reach the launching console.
REMOTE_LAUNCHERS = ("submitit", "ray")


def status_of(job_return) -> tuple[str, dict | None]:
    """('done' | 'skipped' | 'failed', the record or None) of one finished job."""
    try:
        value = job_return.return_value  # raises the job's exception if it failed
    except Exception:  # noqa: BLE001  (any failure of the job counts as failed)
        return "failed", None
    if not isinstance(value, dict):
        return "done", None
    if value.get("status") in ("done", "skipped", "failed"):
        return value["status"], value
    return ("skipped" if value.get("skipped") else "done"), value


class SweepReport(Callback):
    def __init__(self) -> None:
        self.started = 0.0

    @staticmethod
    def _folder(config: DictConfig) -> Path:
        return Path(config.runtime.results_dir).expanduser() / STATUS_DIR

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        self.started = time.time()

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        if config.hydra.mode != RunMode.MULTIRUN:
            return
        status, record = status_of(job_return)
        if status == "failed" or record is None:
            line = f"{status}: {' '.join(config.hydra.overrides.task)}"
        else:
            line = headline(record)
        folder = self._folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{config.hydra.job.num}.json"
        (folder / name).write_text(json.dumps({"status": status, "headline": line}))

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        folder = self._folder(config)
        if not folder.is_dir():
            return
        reports = []
        for path in sorted(folder.glob("*.json")):
            if path.stat().st_mtime >= self.started - 1.0:
                try:
                    reports.append(json.loads(path.read_text()))
                except (OSError, json.JSONDecodeError):
                    continue
        target = str(config.hydra.launcher.get("_target_", "")).lower()
        if any(name in target for name in REMOTE_LAUNCHERS):
            for report in reports:
                print(report["headline"])
