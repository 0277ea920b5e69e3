"""The claims' verdicts as a table, for any subject: what a ``compare`` command calls.

    from paper_figures.verdict_api import verdicts
    table = verdicts("results/", subject="my_policy")           # the paper's claims
    table = verdicts(collect_table, "conf/claims/mine.yaml")     # your own claims file

One row per claim x endpoint x pool: the counts of better / equivalent / worse /
undecided comparisons, the weakest comparison (raw and Holm p, mean difference, the
Bayesian posterior, sd of its paired differences, minimum detectable effect at 80%
power, power at the ROPE), the per-source test, the subject against uniform allocation
at equal pulls, and the verdict (reproduced, contradicted, practically equivalent,
undecided, "needs the v3 re-run (...)" or "cannot test (...)").
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures import claims as claims_table
from paper_figures.claim_file import DEFAULT, ClaimFile, load, with_subject
from paper_figures.inputs import Inputs
from paper_figures.load import Store, load_store, views


def _store(records) -> Store:
    if isinstance(records, Store):
        return records
    if isinstance(records, pd.DataFrame):  # a collect table (mabbench.store.collect)
        runs, curve = views(records)
        return Store(runs, curve, [], records)
    return load_store(Path(records))


def verdicts(records, claims: ClaimFile | Path | str = DEFAULT, subject: str | None = None,
             alpha: float = 0.05, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
    """``records``: a results root, an archive path, a collect table or a loaded Store;
    ``claims``: a claims file (path or loaded); ``subject``: a method put in place of every
    claim's subject; ``exclude``: datasets kept out of every claim (the development
    suite)."""
    spec = claims if isinstance(claims, ClaimFile) else load(claims)
    if subject is not None:
        spec = with_subject(spec, subject)
    inputs = Inputs(_store(records), Path("."), alpha=alpha, claims_exclude=tuple(exclude))
    return pd.DataFrame(claims_table.results(inputs, spec))
