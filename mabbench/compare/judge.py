"""The verdict step: the subject against each rival, on one endpoint's score matrix.

Protocol v3's four-way rule per comparison (paper_figures/verdicts.py, the same rule
as the claims table, docs/statistics.md): *better* or *worse* when the one-sided
Wilcoxon signed-rank test over datasets is significant, Holm-corrected over the
rivals; *equivalent* when the Bayesian signed-rank P(within ROPE) >= 0.95 or the
Holm-corrected two one-sided tests at +-ROPE are significant; *undecided* otherwise.
A worse comparison within the ROPE is flagged. ROPE: one point of accuracy, 0.01 of R^2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from paper_figures.bayes import signed_rank
from paper_figures.paired_tests import paired_p, tost_p
from paper_figures.stats import holm
from paper_figures.verdicts import (
    BETTER,
    EQUIVALENCE,
    EQUIVALENT,
    OUTCOMES,
    UNDECIDED,
    WORSE,
    outcomes,
)

ROPE = 0.01
__all__ = ["BETTER", "EQUIVALENT", "WORSE", "UNDECIDED", "OUTCOMES", "COLUMNS", "judge"]
COLUMNS = ["rival", "kind", "N", "mean difference", "wins/ties/losses", "p better (Holm)",
           "p worse (Holm)", "P(better)", "P(equivalent)", "P(worse)", "verdict"]


def judge(scores: pd.DataFrame, subject: str, kinds: dict, alpha: float) -> pd.DataFrame:
    """``scores``: datasets x methods (higher is better), the subject among the columns.
    One row per rival (COLUMNS), in the order of the scores' columns."""
    rivals = [m for m in scores.columns if m != subject]
    mine = scores[subject].to_numpy(dtype=float)
    differences = [mine - scores[r].to_numpy(dtype=float) for r in rivals]
    pairs = np.array([paired_p(d) for d in differences]).reshape(-1, 2)
    posteriors = [signed_rank(mine, scores[r].to_numpy(dtype=float), ROPE) for r in rivals]
    found = outcomes(pairs[:, 0], pairs[:, 1], np.array([tost_p(d, ROPE) for d in differences]),
                     np.array([p.equivalent for p in posteriors]), alpha)
    p_for, p_against = holm(pairs[:, 0]), holm(pairs[:, 1])
    rows = []
    for index, (rival, difference) in enumerate(zip(rivals, differences)):
        posterior, verdict = posteriors[index], str(found[index])
        if verdict == WORSE and posterior.equivalent >= EQUIVALENCE:
            verdict = f"{WORSE} (within ROPE)"
        tally = "/".join(str(int(n)) for n in ((difference > 0).sum(), (difference == 0).sum(),
                                                (difference < 0).sum()))
        rows.append([rival, kinds.get(rival, "?"), len(difference), float(np.mean(difference)),
                     tally, p_for[index], p_against[index],
                     posterior.better, posterior.equivalent, posterior.worse, verdict])
    return pd.DataFrame(rows, columns=COLUMNS)
