"""``claims_summary.md`` / ``.tex``: the claims table cut to what a reader quotes, one
line per claim and endpoint on the paper's own pool (its six policies; the comparators
for the claim judged against standard regressors), primary endpoints first: the
verdict, N (independent sources), the weakest comparison's mean difference and the
minimum detectable effect there. The README's answer is held to it
(tests/test_readme_claims.py); claims.md has every pool and column."""
from __future__ import annotations

from pathlib import Path

from paper_figures.claim_file import ClaimFile
from paper_figures.inputs import Inputs
from paper_figures.render import fmt, write_table

# the pool that speaks for the paper's claim: its own six policies, or the comparators
PAPER_POOLS = ("paper", "comparators")
HEADER = ["#", "claim", "endpoint", "role", "N (sources)", "verdict",
          "weakest comparison: mean difference", "MDE (80% power)"]


def summary_lines(claims: ClaimFile, results: list[dict]) -> list[list[str]]:
    order = sorted(claims.endpoints, key=lambda n: claims.endpoints[n].role != "primary")
    found = {(r["claim"], r["endpoint"]): r for r in results if r["pool"] in PAPER_POOLS}
    lines = []
    for endpoint in order:
        for claim in claims.claims:
            r = found.get((claim.id, endpoint))
            if r is None or "needs" in r["verdict"]:
                continue
            role = claims.endpoints[endpoint].role
            if "weakest" not in r:
                lines.append([claim.id, claim.text, endpoint, role, str(r.get("n", "-")),
                              r["verdict"], "-", "-"])
                continue
            lines.append([claim.id, claim.text, endpoint, role, f"{r['n']} ({r['sources']})",
                          r["verdict"],
                          f"{r['weakest']}: {fmt(r['weakest_mean_difference'])}",
                          fmt(r["mde"])])
    return lines


def write(inputs: Inputs, claims: ClaimFile, results: list[dict]) -> list[Path]:
    return write_table(
        inputs.out, "claims_summary", "Claims of the paper: the verdicts in brief",
        "Each claim on the paper's own pool (its six policies; the comparators for claim "
        "4), per endpoint, primary endpoints first. Weakest comparison: the one with the "
        "largest raw p in the claimed direction, its mean paired difference (claimed "
        "direction positive, metric units); MDE: the smallest such difference it could "
        "detect with 80% power. claims.md has every pool, the counts, the Bayesian "
        "posteriors and the rules.", HEADER, summary_lines(claims, results))
