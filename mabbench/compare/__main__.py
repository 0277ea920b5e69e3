"""``python -m mabbench.compare policy=<name> [suite=tabular|regression|deep|all]
[datasets=a,b] [seeds=0,1] [out=DIR] [policy.<key>=value] ["hydra.searchpath=[file://DIR]"]``

Runs the method on the reference grid's jobs of the suite (finished jobs are skipped,
so a re-run only rebuilds the report), reads every rival from the archive, writes the
report folder and prints its summary. docs/compare.md has the walk-through.
Exit 0: a complete comparison; 1: partial (the summary says what it lacks); 2: bad input.
"""
from __future__ import annotations

import sys

from mabbench.compare.command import compare
from mabbench.compare.options import parse
from mabbench.compare.run import log_path
from mabbench.config.errors import ConfigError
from mabbench.runtime.hash_seed import rerun_with_fixed_hash_seed


def main(argv: list[str]) -> int:
    if any(word in ("-h", "--help") for word in argv):
        print(__doc__)
        return 0
    try:
        options = parse(argv)
        print(f"compare: {options.policy} on the {options.suite} suite "
              f"(log: {log_path(options)})", flush=True)
        done = compare(options, echo=lambda line: print(line, flush=True))
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(done.report.summary[2:]))
    took = ", ".join(f"{phase} {seconds:.0f} s" for phase, seconds in done.seconds.items())
    print(f"report: {options.out} ({len(done.report.written)} files; {took})")
    return 1 if done.partial else 0


if __name__ == "__main__":
    rerun_with_fixed_hash_seed("mabbench.compare")
    sys.exit(main(sys.argv[1:]))
