"""One compare, start to end, with the seconds each phase took (the bench reads them)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from mabbench.compare.options import Options
from mabbench.compare.records import Loaded, load
from mabbench.compare.report import Report, coverage_lines, write_report
from mabbench.compare.run import check_method, log_path, run_jobs
from mabbench.config.errors import ConfigError
from mabbench.experiments.sweep import Outcome


@dataclass
class Compared:
    report: Report
    loaded: Loaded
    outcomes: list[Outcome]
    seconds: dict[str, float] = field(default_factory=dict)  # jobs, records, report

    @property
    def partial(self) -> bool:
        return any(line.startswith("- PARTIAL") for line in self.report.summary)


def compare(options: Options, echo=print) -> Compared:
    """Run the subject's jobs, load them beside the archive's slice, write the report.
    Bad input (refused by the grid, before any job) raises ConfigError."""
    seconds, start = {}, time.perf_counter()
    check_method(options)
    code, outcomes = run_jobs(options, echo=echo)
    if code == 2 or not outcomes:
        raise ConfigError(_error_in(log_path(options)) or f"the jobs did not start (exit "
                          f"{code}); see {log_path(options)}")
    seconds["jobs"], start = time.perf_counter() - start, time.perf_counter()
    loaded = load(options.archive, options.tasks, options.policy, outcomes, options.results_dir)
    seconds["records"], start = time.perf_counter() - start, time.perf_counter()
    report = write_report(options, loaded, coverage_lines(options, outcomes, loaded))
    seconds["report"] = time.perf_counter() - start
    return Compared(report, loaded, outcomes, seconds)


def _error_in(log) -> str | None:
    """The child's one-line ``error:`` (bad input it refused), without the prefix."""
    try:
        lines = log.read_text().splitlines()
    except OSError:
        return None
    found = [line for line in lines if line.startswith("error: ")]
    return found[-1][len("error: "):] if found else None
