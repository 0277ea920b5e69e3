"""The compare command's keys: ``key=value`` words, defaults from conf/compare.yaml.

``policy=`` is required; ``suite=``, ``datasets=`` and ``seeds=`` choose the slice; ``out=``,
``archive=``, ``results_dir=`` move files; ``policy.<key>=`` and the keys the
YAML's ``passthrough`` lists go to every job. Anything else would run the new
method under settings its rivals in the archive did not have, so it is refused.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from mabbench.config.errors import ConfigError
from mabbench.config.location import CONF_DIR

DEFAULTS = CONF_DIR / "compare.yaml"
# The committed archive ships with the project: compare.yaml's (relative) default is
# read beside conf/, wherever the user runs from; an ``archive=`` given on the command
# line is the user's path, relative to where they are.
PROJECT = CONF_DIR.parent
OWN_KEYS = ("policy", "suite", "datasets", "seeds", "out", "archive", "results_dir")


@dataclass(frozen=True)
class Options:
    policy: str
    suite: str
    tasks: tuple[str, ...]
    datasets: tuple[str, ...] | None  # None: every dataset of the suite
    seeds: tuple[int, ...] | None  # None: every seed of the archive's grid
    archive: Path
    results_dir: Path
    out: Path
    experiment: str
    parts: tuple[str, ...]
    curve_rivals: int
    alpha: float
    job_overrides: tuple[str, ...]  # policy.* and passthrough keys, for every job

    @property
    def label(self) -> str:
        """``<policy>_<suite>``: names the report and the sweep folder."""
        return f"{self.policy}_{self.suite}"


def _hint(word: str, known) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def parse(argv: list[str], defaults: Path = DEFAULTS) -> Options:
    """Options from ``key=value`` words; ConfigError names the first bad one."""
    conf = yaml.safe_load(defaults.read_text())
    given, extra = {}, []
    for word in argv:
        key, equals, value = word.partition("=")
        if not equals:
            raise ConfigError(f"{word!r}: expected key=value (keys: {', '.join(OWN_KEYS)}, "
                              f"policy.<key>, {', '.join(conf['passthrough'])})")
        if key in OWN_KEYS:
            given[key] = value
        elif key.startswith("policy.") or key in conf["passthrough"]:
            extra.append(word)
        else:
            raise ConfigError(f"{key}={value}: compare runs the reference grid's settings; it "
                              f"takes {', '.join(OWN_KEYS)}, policy.<key> and "
                              f"{', '.join(conf['passthrough'])}"
                              + _hint(key, [*OWN_KEYS, *conf["passthrough"]]))
    if not given.get("policy"):
        raise ConfigError("policy=<name>: required (a YAML in conf/policy/ or in a "
                          "hydra.searchpath folder's policy/)")
    suite = given.get("suite", conf["suite"])
    if suite not in conf["suites"]:
        raise ConfigError(f"suite={suite}: no such suite (choose from: "
                          f"{', '.join(conf['suites'])}){_hint(suite, conf['suites'])}")
    results = Path(given.get("results_dir", conf["results_dir"])).expanduser()
    label = f"{given['policy']}_{suite}"
    return Options(
        policy=given["policy"], suite=suite, tasks=tuple(conf["suites"][suite]),
        datasets=tuple(given["datasets"].strip("[]").split(",")) if given.get("datasets") else None,
        seeds=_seeds(given["seeds"]) if given.get("seeds") else None,
        archive=_archive(given.get("archive"), conf["archive"]),
        results_dir=results,
        out=Path(given["out"]).expanduser() if given.get("out") else results / "reports" / label,
        experiment=conf["experiment"], parts=tuple(conf["parts"]),
        curve_rivals=int(conf["curve_rivals"]), alpha=float(conf["alpha"]),
        job_overrides=tuple(extra))


def _archive(given: str | None, default: str) -> Path:
    """The archive's path; a missing file is refused before any job runs (it used to
    fail after them, with a traceback, when the command ran outside the project)."""
    path = Path(given).expanduser() if given else PROJECT / Path(default).expanduser()
    if not path.is_file():
        raise ConfigError(f"archive={path}: no such file (the reference archive, "
                          "results/reference/records.parquet in the project, or a "
                          "records.parquet written by python -m mabbench.store.compact)")
    return path


def _seeds(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in text.strip("[]").split(",") if s.strip())
    except ValueError:
        raise ConfigError(f"seeds={text}: expected integers, e.g. seeds=0,1,2") from None
