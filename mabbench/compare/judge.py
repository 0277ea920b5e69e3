"""The verdict step: the subject against each rival, on one endpoint's score matrix.

One function, ``judge``, so that protocol v3's ``verdicts(records, claims, subject=...)``
(paper_figures, in progress) can replace it without touching the report. Until then:
per rival, a paired one-sided Wilcoxon signed-rank test over datasets in each
direction, Holm-corrected over the rivals (paper_figures.verdicts.paired_p,
paper_figures.stats.holm), and the Bayesian signed-rank posterior with the claims'
ROPE (one point of accuracy, 0.01 of R^2) beside it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from paper_figures.bayes import signed_rank
from paper_figures.claims import ROPE
from paper_figures.stats import holm
from paper_figures.verdicts import paired_p

BETTER, WORSE, INCONCLUSIVE = "better", "worse", "inconclusive"
COLUMNS = ["rival", "kind", "N", "mean difference", "wins/ties/losses", "p better (Holm)",
           "p worse (Holm)", "P(better)", "P(equivalent)", "P(worse)", "verdict"]


def judge(scores: pd.DataFrame, subject: str, kinds: dict, alpha: float) -> pd.DataFrame:
    """``scores``: datasets x methods (higher is better), the subject among the columns.
    One row per rival (COLUMNS), in the order of the scores' columns."""
    rivals = [m for m in scores.columns if m != subject]
    mine = scores[subject].to_numpy(dtype=float)
    differences = [mine - scores[r].to_numpy(dtype=float) for r in rivals]
    pairs = np.array([paired_p(d) for d in differences]).reshape(-1, 2)
    p_for, p_against = holm(pairs[:, 0]), holm(pairs[:, 1])
    rows = []
    for index, (rival, difference) in enumerate(zip(rivals, differences)):
        posterior = signed_rank(mine, scores[rival].to_numpy(dtype=float), ROPE)
        verdict = (BETTER if p_for[index] < alpha else WORSE if p_against[index] < alpha
                   else INCONCLUSIVE)
        tally = "/".join(str(int(n)) for n in ((difference > 0).sum(), (difference == 0).sum(),
                                                (difference < 0).sum()))
        rows.append([rival, kinds.get(rival, "?"), len(difference), float(np.mean(difference)),
                     tally, p_for[index], p_against[index],
                     posterior.better, posterior.equivalent, posterior.worse, verdict])
    return pd.DataFrame(rows, columns=COLUMNS)
