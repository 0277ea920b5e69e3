"""One trial, wired in run.py: config -> data -> dense model (training.py,
early_stopping.py) -> method -> removal -> equal-compute endpoints (endpoints.py)
under a regime (regimes/, one file each) -> curve (curve.py, curve_summary.py) ->
record, with the memory check (resources.py), range checks (validate.py), resuming
(resume.py), console lines (report.py) and optional wandb logging (tracking.py).
A classical comparator's trial (comparator.py) shares the same record contract.

May import every folder below it (config, runtime, files, store, tasks, models,
policies, pruning, reference, baselines); nothing above (experiments, the CLI).
"""
