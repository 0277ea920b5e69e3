"""Every table and figure of the paper, regenerated from stored results only.

``python -m paper_figures --results results/reference --out paper_figures/out``
reads ``<results>/runs/**/result.json`` or the archive ``python -m mabbench.store.compact``
packs them into, ``<results>/records.parquet`` (never trains, never imports the
pruning engine) and writes Markdown + LaTeX tables and PNG + PDF figures.
Each output is one module exposing ``NAME`` and ``make(inputs) -> list[Path]``;
``make_all`` runs them in the order of ``paper_figures.make_all.OUTPUTS``.
"""
