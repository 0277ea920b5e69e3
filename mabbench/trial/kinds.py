"""Jobs that are not pruning trials, told apart by the section their config carries.

``+reference=<comparator>`` fits a classical comparator (comparator.py);
``+control.allocation=<method>`` cuts the dense model with that method's per-layer
counts filled by the job's own policy's order (control.py). Each kind names where its
runner, record folder and identity hash live, as ``module:function``; a module is
imported only when a job of its kind is asked about (the comparator's loads torch and
scikit-learn), so naming the kinds costs nothing.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from omegaconf import DictConfig

from mabbench.config.errors import ConfigError


@dataclass(frozen=True)
class JobKind:
    runner: str  # cfg -> the record, through trial/resume.py's run_recorded
    folder: str  # cfg -> the folder its result.json goes to
    record_hash: str  # cfg -> the identity its result.json is trusted by

    @staticmethod
    def _load(spec: str) -> Callable:
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)

    def run(self, cfg: DictConfig) -> dict:
        return self._load(self.runner)(cfg)

    def folder_of(self, cfg: DictConfig):
        return self._load(self.folder)(cfg)

    def hash_of(self, cfg: DictConfig) -> str:
        return self._load(self.record_hash)(cfg)


# config section -> the kind of job a config carrying it is
JOB_KINDS = {
    "reference": JobKind("mabbench.trial.comparator:run_reference",
                         "mabbench.trial.comparator:reference_dir",
                         "mabbench.trial.comparator:reference_hash"),
    "control": JobKind("mabbench.trial.control:run_control",
                       "mabbench.trial.control_identity:control_dir",
                       "mabbench.trial.control_identity:control_hash"),
}


def job_kind(cfg: DictConfig) -> JobKind | None:
    """The kind of job ``cfg`` describes; None for a pruning trial."""
    found = [section for section in JOB_KINDS if cfg.get(section) is not None]
    if len(found) > 1:
        raise ConfigError(f"{' and '.join(found)} are both set: a job is one kind "
                          "(drop all but one of the +" + "/+".join(found) + " overrides)")
    return JOB_KINDS[found[0]] if found else None
