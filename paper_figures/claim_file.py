"""The claims file (conf/claims/paper.yaml) read into typed values.

A claim names its subject (methods, or ``bandits``: every bandit of the pool), its rivals
(``pool``: every other method of the pool, ``comparators``, or a list), the requirement
(``all``, ``half``, ``{per_rival: k}``), the rows it ranks and its pools. ``with_subject``
puts any method in place of every claim's subject, so a user's policy gets the same
verdicts as the paper's.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from mabbench.config.location import CONF_DIR

DEFAULT = CONF_DIR / "claims" / "paper.yaml"


@dataclass(frozen=True)
class Endpoint:
    name: str
    column: str  # per-record column of the results table (docs/results_table.md)
    higher_is_better: bool
    rope: float  # region of practical equivalence, in the endpoint's units
    role: str  # primary / secondary
    about: str
    # where a method that does not prune (unpruned, comparators) lacks the column, its
    # value is this column's (its dense score: it keeps all of its compute)
    not_pruned: str | None = None
    # only pruning methods have a value: a method that keeps all of its compute scores
    # the endpoint's worst by definition (compression 1.0), a comparison no cut can lose
    pruning_only: bool = False


@dataclass(frozen=True)
class RowGroup:
    tasks: tuple[str, ...]
    block: tuple[str, ...]  # the columns naming one row (a block of the rank test)


@dataclass(frozen=True)
class ClaimSpec:
    id: str
    text: str
    rows: str
    subject: tuple[str, ...] | str  # methods, or "bandits"
    rivals: tuple[str, ...] | str  # methods, "pool" or "comparators"
    requirement: str | dict
    pools: tuple[str, ...]
    margin: float = 0.0


@dataclass(frozen=True)
class ClaimFile:
    endpoints: dict[str, Endpoint]
    row_groups: dict[str, RowGroup]
    pools: dict[str, tuple[str, ...] | str]
    trivial_margin: float
    sources: dict[str, str]
    equal_pulls_reference: str | None
    claims: tuple[ClaimSpec, ...]
    path: str = ""
    subject_override: str | None = field(default=None)


def _names(value):
    return value if isinstance(value, str) else tuple(value)


def load(path: Path | str = DEFAULT) -> ClaimFile:
    data = yaml.safe_load(Path(path).read_text())
    endpoints = {name: Endpoint(name, str(e["column"]), bool(e.get("higher_is_better", True)),
                                float(e.get("rope", 0.01)), str(e.get("role", "secondary")),
                                str(e.get("about", "")), e.get("not_pruned"),
                                bool(e.get("pruning_only", False)))
                 for name, e in data["endpoints"].items()}
    groups = {name: RowGroup(tuple(g["tasks"]), tuple(g["block"]))
              for name, g in data["row_groups"].items()}
    claims = tuple(ClaimSpec(str(c["id"]), c["text"], c["rows"], _names(c["subject"]),
                             _names(c["rivals"]), c.get("requirement", "all"),
                             tuple(c.get("pools", ("paper", "all"))), float(c.get("margin", 0.0)))
                   for c in data["claims"])
    unknown = {c.rows for c in claims} - set(groups)
    if unknown:
        raise ValueError(f"{path}: claims name unknown row groups {sorted(unknown)}")
    inclusion = data.get("inclusion") or {}
    return ClaimFile(endpoints, groups, {k: _names(v) for k, v in data["pools"].items()},
                     float(inclusion.get("trivial_margin", 0.05)),
                     {str(k): str(v) for k, v in (inclusion.get("sources") or {}).items()},
                     data.get("equal_pulls_reference"), claims, str(path))


def with_subject(claims: ClaimFile, subject: str) -> ClaimFile:
    """Every claim about ``subject`` instead of its own (its text says so); a
    per-rival count larger than one subject can meet becomes one."""
    def swapped(claim: ClaimSpec) -> ClaimSpec:
        requirement = claim.requirement
        if isinstance(requirement, dict) and "per_rival" in requirement:
            requirement = {"per_rival": 1}
        return replace(claim, subject=(subject,), requirement=requirement,
                       text=f"{claim.text} [subject: {subject}]")
    return replace(claims, claims=tuple(swapped(c) for c in claims.claims),
                   subject_override=subject)
