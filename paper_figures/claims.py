"""The claims table: every claim of the claims file (conf/claims/paper.yaml) per endpoint
and pool, with the four-way rule of paper_figures/verdicts.py.

Per claim, endpoint and pool: N rows (and independent sources), k methods, the count of
comparisons better / equivalent / worse / undecided, the truly weakest comparison (largest
raw p in the claimed direction) with its Bayesian posterior and what it could have
detected (minimum detectable effect at 80% power, power against a ROPE-sized effect), the
paper's Friedman/Nemenyi, the same claim on one row per data source, and every bandit
subject against uniform allocation at equal pulls. ``results`` gives the rows as dicts
(the API of paper_figures/verdict_api.py); ``make`` writes ``claims.md`` / ``.tex``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from paper_figures import claim_forms, claims_render, claims_summary
from paper_figures.claim_file import ClaimFile, ClaimSpec, Endpoint, load
from paper_figures.claim_scores import Scores, by_source, endpoint_scores, excluded
from paper_figures.comparisons import Tested, evaluate
from paper_figures.inputs import Inputs
from paper_figures.power import minimum_detectable
from paper_figures.render import fmt, fmt_p
from paper_figures.stats import rank_test
from paper_figures.verdicts import OUTCOMES, Comparison, Requirement

NAME = "claims"
NEEDS_RERUN = "needs the v3 re-run"


def counts_text(tested: Tested) -> str:
    counts = tested.counts()
    return " / ".join(str(counts[o]) for o in OUTCOMES)


def weakest_fields(tested: Tested, rope: float, alpha: float) -> dict:
    i = tested.weakest()
    c, d, post = tested.comparisons[i], tested.differences[i], tested.posterior(i)
    power = minimum_detectable(d, rope, alpha)
    return {"weakest": f"{c.better} > {c.worse}", "weakest_outcome": str(tested.outcomes[i])
            + (" (within ROPE)" if tested.within_rope(i) else ""),
            "weakest_mean_difference": float(d.mean()) - c.margin,
            "weakest_p": float(tested.p_for[i]), "weakest_holm_p": float(tested.holm_for[i]),
            "p_better": post.better, "p_equivalent": post.equivalent, "p_worse": post.worse,
            "sd": power.sd, "mde": power.mde, "power_at_rope": power.at_rope}


def against_uniform(claim_subjects: list[str], matrix: pd.DataFrame, kinds: dict,
                    reference: str | None, endpoint: Endpoint, alpha: float) -> str:
    """Each bandit subject vs the equal-pulls reference, Holm over the subjects."""
    bandits = [s for s in claim_subjects if kinds.get(s) == "bandit" and s != reference]
    if not bandits or reference is None:
        return "-"
    if reference not in matrix:
        return f"{reference} missing"
    tested = evaluate(matrix, (Requirement(tuple(Comparison(s, reference) for s in bandits),
                                           len(bandits)),), endpoint.rope, alpha)
    if len(bandits) > 2:
        return f"{len(bandits)} bandits: {counts_text(tested)}"
    return "; ".join(f"{s}: {o} (P(eq) {fmt(tested.posterior(i).equivalent, 2)})"
                     for i, (s, o) in enumerate(zip(bandits, tested.outcomes)))


def per_source(claim: ClaimSpec, pool: str, claims: ClaimFile, scores: Scores,
               endpoint: Endpoint, alpha: float) -> str:
    """The claim again on one row per independent data source (deep rows)."""
    sourced = by_source(scores, claims.sources)
    if len(sourced) == len(scores.matrix):
        return "-"  # every row its own source
    design = claim_forms.design(claim, pool, claims, sourced, scores.kinds)
    if isinstance(design, str):
        return f"cannot test ({design})"
    methods, requirements = design
    tested = evaluate(sourced[methods], requirements, endpoint.rope, alpha)
    return f"N = {len(sourced)}: {counts_text(tested)}, {tested.verdict}"


def one_result(claim: ClaimSpec, pool: str, claims: ClaimFile, scores: Scores,
               endpoint: Endpoint, alpha: float) -> dict:
    head = {"claim": claim.id, "text": claim.text, "endpoint": endpoint.name,
            "role": endpoint.role, "pool": pool, "n": len(scores.matrix)}
    if scores.matrix.size == 0:
        return head | {"verdict": "cannot test (no rows)"}
    design = claim_forms.design(claim, pool, claims, scores.matrix, scores.kinds)
    if isinstance(design, str):
        return head | {"verdict": f"cannot test ({design})"}
    methods, requirements = design
    matrix = scores.matrix[methods]
    tested = evaluate(matrix, requirements, endpoint.rope, alpha)
    friedman = rank_test(matrix, alpha)
    subjects = list(dict.fromkeys(c.better for r in requirements for c in r.comparisons))
    return head | tested.counts() | weakest_fields(tested, endpoint.rope, alpha) | {
        "k": len(methods), "comparisons": len(tested.comparisons),
        "sources": len(by_source(scores, claims.sources)),
        "friedman": f"chi2 {fmt(friedman.chi2, 2)}, p {fmt_p(friedman.p_value)}, "
                    f"CD {fmt(friedman.critical_difference, 2)}",
        "per_source": per_source(claim, pool, claims, scores, endpoint, alpha),
        "vs_equal_pulls": against_uniform(subjects, scores.matrix, scores.kinds,
                                          claims.equal_pulls_reference, endpoint, alpha),
        "verdict": tested.verdict}


def results(inputs: Inputs, claims: ClaimFile) -> list[dict]:
    """One dict per claim x endpoint x pool, in the claims file's order."""
    out = []
    left_out = {name: excluded(inputs, claims, group) for name, group in claims.row_groups.items()}
    for endpoint in claims.endpoints.values():
        for claim in claims.claims:
            group = claims.row_groups[claim.rows]
            scores = endpoint_scores(inputs, group, endpoint, left_out[claim.rows])
            for pool in claim.pools:
                if scores is None:
                    out.append({"claim": claim.id, "text": claim.text, "endpoint": endpoint.name,
                                "role": endpoint.role, "pool": pool,
                                "verdict": f"{NEEDS_RERUN} (no column {endpoint.column})"})
                else:
                    out.append(one_result(claim, pool, claims, scores, endpoint, inputs.alpha))
    return out


def make(inputs: Inputs, claims: ClaimFile | None = None) -> list[Path]:
    claims = claims or load()
    found = results(inputs, claims)
    return [*claims_render.write(inputs, claims, found),
            *claims_summary.write(inputs, claims, found)]
