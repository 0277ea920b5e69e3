"""The report folder: the paper's rank tables and CD diagrams with the new method in
them, its verdicts against every rival per endpoint, its curves beside the best
rivals', summary.md (also printed) and NOTES.md (what was left out and why).

Every method keeps every seed it has (the archive's: 0-4): a partial run of the new
method is reported as partial, never by cutting its rivals' tables to its seeds.
"""
from __future__ import annotations

import shutil
import tempfile
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from mabbench.compare.curves import draw_curves
from mabbench.compare.judge import BETTER, COLUMNS, EQUIVALENT, UNDECIDED, WORSE, judge
from mabbench.compare.options import Options
from mabbench.compare.records import SUBJECT_PREFIX, Loaded
from mabbench.config.errors import ConfigError
from paper_figures import rank_tables
from paper_figures.inputs import Inputs
from paper_figures.make_all import replace, unique
from paper_figures.manifest import why_not_replaceable, write_manifest
from paper_figures.render import fmt, fmt_p, write_table
from paper_figures.stats import rank_test

SUMMARY = "summary.md"
# A dense model retrained on another CPU may differ from the archive's in the last bits
# (regression R^2 by ~4e-9); beyond this, the rounding moved early stopping's epoch and
# the new method prunes a different dense model than its rivals (docs/compare.md).
DENSE_TOLERANCE = 1e-6


class CompareInputs(Inputs):
    @cached_property
    def main_runs(self) -> pd.DataFrame:
        """Every method on every seed it has: Inputs' pairing would cut every rival to
        the seeds a partial run of the subject has."""
        return self.main_runs_every_seed


@dataclass
class Report:
    summary: list[str]
    written: list[Path]


def specs_of(tasks: tuple[str, ...]) -> dict:
    return {stem: spec for stem, spec in rank_tables.RANK_TABLES.items()
            if set(spec.tasks) & set(tasks)}


def write_report(options: Options, loaded: Loaded, coverage: list[str]) -> Report:
    """Write the report to a staging folder, then swap it in for ``options.out`` whole
    (an earlier report, proved by its manifest, is replaced; a folder holding anything
    else, or the archive being read, is refused in one line)."""
    out = options.out
    _replaceable(out, options.archive)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.tmp-"))
    staging.chmod(0o755)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # small-N scipy warnings
            warnings.simplefilter("ignore", category=RuntimeWarning)
            report = _write(options, loaded, coverage, staging)
        write_manifest(staging, report.written)  # last: its presence means the report is whole
        _replaceable(out, options.archive)  # someone may have written there since
        replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.written = [out / p.relative_to(staging) for p in report.written]
    return report


def _replaceable(out: Path, archive: Path) -> None:
    why = why_not_replaceable(out, archive)
    if why is not None:
        raise ConfigError(why)


def _write(options: Options, loaded: Loaded, coverage: list[str], out: Path) -> Report:
    inputs = CompareInputs(loaded.store, out, alpha=options.alpha, formats=("png",))
    specs = specs_of(options.tasks)
    written = rank_tables.make(inputs, specs)
    lines = [f"# {options.policy} against the reference archive: suite {options.suite}", "",
             *coverage]
    if loaded.renamed:
        lines.append(f"- the archive's own {options.policy} is shown as {loaded.renamed!r}")
    best: dict[str, list[str]] = {}
    for stem, spec in specs.items():
        scores, kinds = rank_tables.score_matrix(inputs, spec, stem)
        if options.policy not in scores:
            lines.append(f"- {stem}: {options.policy} has no scores here; not judged")
            continue
        ranks = rank_test(scores, options.alpha).mean_ranks
        verdicts = judge(scores, options.policy, kinds, options.alpha)
        written += _verdict_table(out, stem, spec, options, verdicts)
        place = list(ranks.index).index(options.policy) + 1
        outcome = verdicts["verdict"].str.split(" ").str[0]  # "worse (within ROPE)": worse
        named = {v: _names(verdicts.loc[outcome == v, "rival"]) for v in (BETTER, WORSE)}
        equivalent = int((outcome == EQUIVALENT).sum())
        unsettled = int((outcome == UNDECIDED).sum())
        lines.append(f"- {stem}: mean rank {ranks[options.policy]:.2f} ({place} of {len(ranks)}, "
                     f"N = {len(scores)}); better than {named[BETTER]}; worse than "
                     f"{named[WORSE]}; equivalent to {equivalent}; undecided against "
                     f"{unsettled} (verdicts_{stem}.md)")
        pruning = [m for m in ranks.index if kinds.get(m) in ("bandit", "baseline")
                   and m != options.policy]
        for task in spec.tasks:
            best.setdefault(task, pruning[:options.curve_rivals])
    written += draw_curves(inputs, options.policy, best, out)
    lines += ["", (f"Files: rank_*.md and rank_*_cd.png (the paper's tables with "
                   f"{options.policy}), verdicts_*.md, curves_*.png; NOTES.md: what was left out.")]
    (out / SUMMARY).write_text("\n".join(lines) + "\n")
    (out / "NOTES.md").write_text("# Left out and why\n\n" + "".join(
        f"- {n}\n" for n in [*unique(inputs.notes), *loaded.store.problems] or ["none"]))
    return Report(lines, [*written, out / SUMMARY, out / "NOTES.md"])


def _names(rivals, shown: int = 4) -> str:
    """``0``, or the count with up to ``shown`` names: ``2 (knn, naive_bayes)``."""
    rivals = list(rivals)
    if not rivals:
        return "0"
    more = f", +{len(rivals) - shown}" if len(rivals) > shown else ""
    return f"{len(rivals)} ({', '.join(rivals[:shown])}{more})"


def _verdict_table(out: Path, stem: str, spec, options: Options,
                   verdicts: pd.DataFrame) -> list[Path]:
    rows = [[r[0], r[1], str(r[2]), fmt(r[3]), r[4], fmt_p(r[5]), fmt_p(r[6]), fmt(r[7], 2),
             fmt(r[8], 2), fmt(r[9], 2), r[10]] for r in verdicts.itertuples(index=False)]
    caption = (f"{options.policy} against each rival on {spec.title.split(':')[0]} "
               f"({spec.metric_label}, mean over seeds per dataset). Four-way verdict (the claims "
               f"table's rule): better / worse = one-sided Wilcoxon signed-rank over datasets, "
               f"Holm-corrected over the rivals, alpha = {options.alpha:g}; equivalent = "
               f"Bayesian signed-rank P(within ROPE 0.01) >= 0.95 or Holm-corrected two "
               f"one-sided tests at +-0.01; else undecided. mabbench/compare/judge.py.")
    return write_table(out, f"verdicts_{stem}", f"{options.policy} vs every rival: {stem}",
                       caption, COLUMNS, rows)


def coverage_lines(options: Options, outcomes, loaded: Loaded) -> list[str]:
    """What the new method's records cover of the archive's jobs for the suite, what they
    lack, and whether its dense models are the archive's (same dense test score)."""
    expected, have = loaded.expected, loaded.have & loaded.expected
    lines = [(f"- jobs: {len(have)} of the archive's {len(expected)} (dataset, seed) jobs of "
              f"this suite have a record of {options.policy}")]
    lacking = sorted(expected - have)
    failed = [o for o in outcomes if o.status == "failed"]
    if lacking or failed:
        datasets = sorted({(t, d) for t, d, _, _ in expected})
        whole = [f"{t}/{d}" for t, d in datasets if not any(h[:2] == (t, d) for h in have)]
        seeds = sorted({s for *_, s in lacking})
        lines.append(f"- PARTIAL: lacks {len(lacking)} job(s) (seeds {', '.join(map(str, seeds))}"
                     f"; {len(whole)} of {len(datasets)} datasets entirely, left out of every "
                     f"table). Each method's score averages the seeds it has: {options.policy} "
                     f"fewer, its rivals all of the archive's")
        lines += [f"  - failed {' '.join(o.overrides[:4])}: {o.reason}" for o in failed[:10]]
    runs = loaded.store.runs
    if len(runs):
        mine = runs["path"].str.startswith(SUBJECT_PREFIX)
        keys = ["task", "dataset", "model", "seed"]
        theirs = runs[~mine & runs["kind"].isin(("bandit", "baseline"))].drop_duplicates(keys)
        paired = runs[mine].merge(theirs[[*keys, "dense_test"]], on=keys, suffixes=("", "_a"))
        gap = (paired["dense_test"] - paired["dense_test_a"]).abs()
        lines.append(f"- same dense models as the archive (dense test score within "
                     f"{DENSE_TOLERANCE:g}): {int((gap <= DENSE_TOLERANCE).sum())} of {len(paired)}"
                     f" ({int((gap == 0).sum())} identical; largest difference {gap.max():.1g})")
    return lines
