"""The claims again at the target sparsity (``pruning.sparsity``): ``claims_target``.

The rank tables and ``claims.md`` use the point chosen on select (``--point``,
default ``selected``). The select split often keeps a deep network near dense,
where every method ties and no claim can be decided; the protocol reports the
target point too, where every method removes the same share of units. This table
tests the same claims there, with the same rules. With ``--point target``,
``claims.md`` is already that table and nothing is written.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from paper_figures import claims
from paper_figures.inputs import Inputs

NAME = "claims_target"
POINT = "target"


def make(inputs: Inputs) -> list[Path]:
    if inputs.point == POINT:
        return []
    return claims.make(replace(inputs, point=POINT), name=NAME)
