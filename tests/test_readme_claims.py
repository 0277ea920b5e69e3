"""The README's answer is the committed outputs' answer: every verdict its claims table
states is the one `paper_figures/out/claims.md` (made by `make figures` from the
committed reference archive) gives for that claim, endpoint and pool, with its N."""
from __future__ import annotations

import re
from pathlib import Path

from paper_figures.claim_file import load

REPO = Path(__file__).resolve().parents[1]
SECTION = "## What the reference results say today"
# the pool a README verdict speaks for: the paper's six policies, or the comparators
# for the claim judged against standard regressors (claims.md names pools this way)
README_POOLS = ("paper's six", "comparators")


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def readme_table() -> tuple[list[str], list[list[str]]]:
    text = (REPO / "README.md").read_text()
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return cells(lines[0]), [cells(line) for line in lines[2:]]


def claims_md() -> dict[tuple[str, str, str], dict[str, str]]:
    """(claim, endpoint, pool) -> that line of claims.md, by column name."""
    lines = [line for line in (REPO / "paper_figures" / "out" / "claims.md").read_text()
             .splitlines() if line.startswith("| ")]
    header = cells(lines[0])
    found = {}
    for line in lines[2:]:
        row = dict(zip(header, cells(line)))
        found[(row["#"], row["endpoint"], row["pool"])] = row
    return found


def endpoint_of(heading: str) -> str | None:
    """A verdict column names its endpoint in backticks, e.g. "test at 50% MACs
    (`macs_0.5`)"; other columns (claim, N) name none."""
    named = re.findall(r"`([\w.]+)`", heading)
    endpoints = [name for name in named if name in load().endpoints]
    return endpoints[0] if endpoints else None


def test_every_verdict_the_readme_states_is_the_committed_claims_tables():
    header, rows = readme_table()
    assert header[0] == "#", "the README's claims table starts with the claim number"
    columns = {i: endpoint_of(h) for i, h in enumerate(header) if endpoint_of(h)}
    assert columns, "the README's claims table names no endpoint in backticks"
    table = claims_md()
    claims = {c.id for c in load().claims}
    assert {row[0] for row in rows} == claims, "one README line per claim of the paper"
    checked = 0
    for row in rows:
        for i, endpoint in columns.items():
            line = next((table[(row[0], endpoint, pool)] for pool in README_POOLS
                         if (row[0], endpoint, pool) in table), None)
            assert line is not None, f"claims.md has no line for claim {row[0]} at {endpoint}"
            stated = row[i].replace("**", "")
            verdict, _, extra = stated.partition(" (")
            assert verdict == line["verdict"].partition(" (")[0], (
                f"README: claim {row[0]} at {endpoint} is '{verdict}', claims.md says "
                f"'{line['verdict']}'")
            n = re.search(r"\bN (\d+)", extra)  # a cell's own N, else the N column's
            stated_n = n.group(1) if n else (row[header.index("N")] if "N" in header else None)
            if stated_n is not None:
                assert stated_n == line["N (sources)"].split(" ")[0], (
                    f"README: claim {row[0]} at {endpoint} has N {stated_n}, claims.md "
                    f"{line['N (sources)']}")
            checked += 1
    assert checked >= len(claims)
