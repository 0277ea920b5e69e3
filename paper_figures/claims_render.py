"""``claims.md`` / ``.tex`` from the claims' results (paper_figures/claims.py): one line
per claim, endpoint and pool; an endpoint the records lack is one line saying so."""
from __future__ import annotations

from pathlib import Path

from paper_figures.claim_file import ClaimFile
from paper_figures.claim_scores import excluded
from paper_figures.inputs import POINTS, Inputs
from paper_figures.render import fmt, fmt_p, write_table

POOL_LABELS = {"paper": "paper's six", "all": "all methods", "comparators": "comparators"}
HEADER = ["#", "claim", "endpoint", "pool", "N (sources)", "k",
          "better / equiv. / worse / undecided", "weakest (raw p)", "Bayes on weakest",
          "power on weakest", "per source", "vs uniform (equal pulls)",
          "Friedman, Nemenyi CD (paper)", "verdict"]


def line(result: dict) -> list[str]:
    head = [result["claim"], result["text"], result["endpoint"],
            POOL_LABELS.get(result["pool"], result["pool"])]
    if "weakest" not in result:
        return [*head, str(result.get("n", "-")), *["-"] * 8, result["verdict"]]
    r = result
    weakest = (f"{r['weakest']}: {r['weakest_outcome']}, mean diff "
               f"{fmt(r['weakest_mean_difference'])}, p {fmt_p(r['weakest_p'])} "
               f"(Holm {fmt_p(r['weakest_holm_p'])})")
    bayes = (f"P(better) {fmt(r['p_better'], 2)}, P(equiv.) {fmt(r['p_equivalent'], 2)}, "
             f"P(worse) {fmt(r['p_worse'], 2)}")
    power = (f"sd {fmt(r['sd'])}, MDE {fmt(r['mde'])}, at ROPE {fmt(r['power_at_rope'], 2)}")
    counts = " / ".join(str(r[o]) for o in ("better", "equivalent", "worse", "undecided"))
    return [*head, f"{r['n']} ({r['sources']})", str(r["k"]), counts, weakest, bayes, power,
            r["per_source"], r["vs_equal_pulls"], r["friedman"], r["verdict"]]


def lines(results: list[dict]) -> list[list[str]]:
    """An endpoint every claim lacks collapses to one line."""
    rows, waiting = [], {}
    for result in results:
        if "needs" in result["verdict"]:
            waiting.setdefault(result["endpoint"], result["verdict"])
        else:
            rows.append(line(result))
    rows += [["all", "every claim", name, "-", *["-"] * 9, verdict]
             for name, verdict in waiting.items()]
    return rows


def footer(inputs: Inputs, claims: ClaimFile, results: list[dict]) -> list[str]:
    tested = [r for r in results if "weakest" in r]
    endpoints = sorted({r["endpoint"] for r in tested})
    out = [(f"Multiplicity: Holm controls the family-wise error within each claim (per "
           f"direction, and again for the equivalence tests); across the {len(tested)} "
           f"claim x pool x endpoint tests above ({len(endpoints)} endpoints: "
           f"{', '.join(endpoints) or 'none'}) nothing is corrected, so with no effect "
           f"anywhere about {inputs.alpha:g} x {len(tested)} = "
           f"{inputs.alpha * len(tested):.1f} of them could reach a decision by chance; the "
           f"pools overlap (the paper's six are among all methods), so their verdicts are "
           f"not independent. Primary endpoints: "
           f"{', '.join(n for n, e in claims.endpoints.items() if e.role == 'primary')}.")]
    for name, group in claims.row_groups.items():
        left = excluded(inputs, claims, group)
        if left:
            out.append(f"Rows left out ({name}): " + "; ".join(
                f"{row} ({why})" for row, why in sorted(left.items())) + ".")
    return out


def write(inputs: Inputs, claims: ClaimFile, results: list[dict]) -> list[Path]:
    ropes = sorted({e.rope for e in claims.endpoints.values()})
    caption = (
        f"Each claim of {Path(claims.path).name} per endpoint (mean over seeds per row; the "
        f"v2 selected point is {POINTS['selected'].about}) and pool, alpha = {inputs.alpha:g}. "
        f"Per comparison: better / worse = Holm-corrected one-sided Wilcoxon signed-rank "
        f"significant for / against the claim; equivalent = Bayesian signed-rank "
        f"P(within ROPE) >= 0.95 or Holm-corrected two one-sided tests at +-ROPE "
        f"(ROPE {', '.join(f'{r:g}' for r in ropes)} in metric units); else undecided. A "
        f"claim is reproduced (every requirement met by better comparisons), contradicted "
        f"(too many worse), practically equivalent (too many equivalent or worse to be "
        f"met) or undecided. Weakest: the comparison with the largest raw p in the claimed "
        f"direction. Power: sd of its paired differences, the minimum detectable effect at "
        f"80% power (one comparison at alpha; metric units), and the power against a "
        f"ROPE-sized effect. Per source: the claim on one row per independent data source. "
        f"vs uniform: each bandit subject against uniform allocation of the same pulls "
        f"(not part of the verdict). Rules: paper_figures/verdicts.py, claims.py, "
        f"docs/statistics.md.")
    return write_table(inputs.out, "claims", "Claims of the paper: four-way verdicts",
                       caption, HEADER, lines(results), footer(inputs, claims, results))
