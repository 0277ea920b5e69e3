"""``python -m mabbench.compare policy=<name> [suite=tabular|regression|deep|all]
[datasets=a,b] [seeds=0,1] [out=DIR] [policy.<key>=value] ["hydra.searchpath=[file://DIR]"]``

Runs the method on the reference grid's jobs of the suite (finished jobs are skipped,
so a re-run only rebuilds the report), reads every rival from the archive, writes the
report folder and prints its summary. docs/compare.md has the walk-through.
Exit 0: a complete comparison; 1: partial (the summary says what it lacks); 2: bad input.
"""
from __future__ import annotations

import os
import sys
import time

from mabbench.compare import options as compare_options
from mabbench.compare.records import load
from mabbench.compare.report import coverage_lines, write_report
from mabbench.compare.run import log_path, run_jobs
from mabbench.config.errors import ConfigError


def main(argv: list[str]) -> int:
    if any(word in ("-h", "--help") for word in argv):
        print(__doc__)
        return 0
    start = time.perf_counter()
    try:
        options = compare_options.parse(argv)
        print(f"compare: {options.policy} on the {options.suite} suite "
              f"(log: {log_path(options)})", flush=True)
        code, outcomes = run_jobs(options, echo=lambda line: print(line, flush=True))
        if code == 2 or not outcomes:
            raise ConfigError(_error_in(log_path(options)) or f"the jobs did not start "
                              f"(exit {code}); see {log_path(options)}")
        ran = time.perf_counter() - start
        loaded = load(options.archive, options.tasks, options.policy, outcomes,
                      options.results_dir)
        coverage = coverage_lines(options, outcomes, loaded)
        report = write_report(options, loaded, coverage)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(report.summary[2:]))
    print(f"report: {options.out} ({len(report.written)} files; jobs {ran:.0f} s, report "
          f"{time.perf_counter() - start - ran:.0f} s)")
    partial = any(line.startswith("- PARTIAL") for line in report.summary)
    return 1 if partial else 0


def _error_in(log) -> str | None:
    """The child's one-line ``error:`` (bad input it refused), without the prefix."""
    try:
        lines = log.read_text().splitlines()
    except OSError:
        return None
    found = [line for line in lines if line.startswith("error: ")]
    return found[-1][len("error: "):] if found else None


def with_fixed_hash_seed() -> None:
    """Re-run under PYTHONHASHSEED=0, as ``python -m paper_figures`` does: the CD diagrams'
    crossbars follow a set's order, so a fixed seed makes them byte-identical."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", "mabbench.compare", *sys.argv[1:]])


if __name__ == "__main__":
    with_fixed_hash_seed()
    sys.exit(main(sys.argv[1:]))
