"""Classical comparators (scikit-learn) on the trial's own splits.

A separate axis from pruning: ``python -m mabbench.reference reference=svm
task=tabular dataset=wine seed=0`` fits one comparator on the train split of
``mabbench.tasks.load_splits(cfg)``, picks its hyperparameters on val, scores
test, and stores a ``"kind": "reference"`` record under
``runs/<task>/<dataset>/<comparator>/<hash>/seed=<s>/`` so the rank tables in
``paper_figures`` read it like any policy. Nothing here imports the pruning engine.
"""
